// One message sent on a channel and the reply it waits for (ok / error / timeout hooks).
// The payload may be a function: it is then evaluated when the message actually leaves, so a
// join sent after a reconnect carries the token and the resume position of that moment.

export class Push {
  constructor(channel, event, payload = {}, timeout) {
    this.channel = channel;
    this.event = event;
    this.payload = payload;
    this.timeout = timeout;
    this.timeoutTimer = undefined;
    this.ref = '';
    this.receivedResp = null;
    this.recHooks = [];
    this.refEvent = null;
    this.sent = false;
  }

  resend(timeout) {
    this.timeout = timeout;
    this._cancelRefEvent();
    this.ref = '';
    this.refEvent = null;
    this.receivedResp = null;
    this.sent = false;
    this.send();
  }

  send() {
    if (this._hasReceived('timeout')) return;
    this.startTimeout();
    this.sent = true;
    const payload = this.payload;
    this.channel.socket.push({
      topic: this.channel.topic,
      event: this.event,
      payload,
      ref: this.ref,
      join_ref: this.channel._joinRef(),
    });
  }

  updatePayload(payload) {
    this.payload = { ...this.payload, ...payload };
  }

  receive(status, callback) {
    if (this._hasReceived(status)) callback(this.receivedResp?.response);
    this.recHooks.push({ status, callback });
    return this;
  }

  startTimeout() {
    if (this.timeoutTimer) return;
    this.ref = this.channel.socket._makeRef();
    this.refEvent = this.channel._replyEventName(this.ref);
    this.channel._on(this.refEvent, {}, (payload) => {
      this._cancelRefEvent();
      this._cancelTimeout();
      this.receivedResp = payload;
      this._matchReceive(payload);
    });
    this.timeoutTimer = setTimeout(() => this.trigger('timeout', {}), this.timeout);
  }

  trigger(status, response) {
    if (this.refEvent) this.channel._trigger(this.refEvent, { status, response });
  }

  destroy() {
    this._cancelRefEvent();
    this._cancelTimeout();
  }

  _cancelRefEvent() {
    if (this.refEvent) this.channel._off(this.refEvent, {});
  }

  _cancelTimeout() {
    clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
  }

  _matchReceive({ status, response }) {
    for (const hook of this.recHooks.filter((h) => h.status === status)) hook.callback(response);
  }

  _hasReceived(status) {
    return this.receivedResp && this.receivedResp.status === status;
  }
}
