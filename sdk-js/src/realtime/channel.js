// One channel on the shared socket (realtime-js's RealtimeChannel): join with a config, listen
// to postgres_changes / broadcast / presence / system, send, track presence, leave.
//
// Lifecycle: closed -> joining -> joined; a dropped socket makes it errored and it rejoins
// (with backoff) once the socket is back. Parley additions, documented in docs/sdk.md:
// - resume: the channel remembers the last event position and rejoins from it; events at or
//   before it are dropped (never delivered twice); a 'resync' event when the server cannot resume;
// - pushes made before subscribe() (track(), as the Fluxbase chat example does) wait for the join
//   instead of failing;
// - a tracked presence is tracked again after each rejoin (the server forgot it with the socket).
import { Push } from './push.js';
import { Timer, backoffWithJitter } from './timer.js';
import { RealtimePresence } from './presence.js';
import { convertChangeData } from './transformers.js';
import { positionOf, isAfter, isResync } from './resume.js';
import { CHANNEL_EVENTS, CHANNEL_STATES, REALTIME_SUBSCRIBE_STATES } from './constants.js';

const LIFECYCLE = [CHANNEL_EVENTS.close, CHANNEL_EVENTS.error, CHANNEL_EVENTS.leave, CHANNEL_EVENTS.join];

export class RealtimeChannel {
  constructor(topic, params = { config: {} }, socket) {
    this.topic = topic;
    this.subTopic = topic.replace(/^realtime:/i, '');
    this.socket = socket;
    this.params = params;
    this.params.config = {
      broadcast: { ack: false, self: false },
      presence: { key: '' },
      private: false,
      ...params.config,
    };
    this.timeout = socket.timeout;
    this.state = CHANNEL_STATES.closed;
    this.bindings = {};
    this.joinedOnce = false;
    this.subscribedOnce = false;
    this.pushBuffer = [];
    this.position = null;
    this.trackedPayload = null;
    this.broadcastEndpointURL = `${socket.httpEndpoint}/api/broadcast`;
    this.joinPush = new Push(this, CHANNEL_EVENTS.join, () => this._joinPayload(), this.timeout);
    this.rejoinTimer = new Timer(() => this._rejoinUntilConnected(), socket.rejoinAfterMs ?? backoffWithJitter([1000, 2000, 5000, 10000]));

    this.joinPush.receive('ok', (response) => {
      const joinedBefore = this.subscribedOnce;
      this.state = CHANNEL_STATES.joined;
      this.subscribedOnce = true;
      this.rejoinTimer.reset();
      const start = positionOf(response);
      if (start !== null && this.position === null) this.position = start;
      for (const push of this.pushBuffer) push.send();
      this.pushBuffer = [];
      if (joinedBefore && this.trackedPayload) this._push('presence', { type: 'presence', event: 'track', payload: this.trackedPayload }, this.timeout);
    });
    this._onClose(() => {
      this.rejoinTimer.reset();
      this.socket.log('channel', `close ${this.topic} ${this._joinRef()}`);
      this.state = CHANNEL_STATES.closed;
      this.socket._remove(this);
    });
    this._onError((reason) => {
      if (this._isLeaving() || this._isClosed()) return;
      this.socket.log('channel', `error ${this.topic}`, reason);
      this.state = CHANNEL_STATES.errored;
      this.rejoinTimer.scheduleTimeout();
    });
    this.joinPush.receive('timeout', () => {
      if (!this._isJoining()) return;
      this.socket.log('channel', `timeout ${this.topic}`, this.joinPush.timeout);
      this.state = CHANNEL_STATES.errored;
      this.rejoinTimer.scheduleTimeout();
    });
    this._on(CHANNEL_EVENTS.reply, {}, (payload, ref) => this._trigger(this._replyEventName(ref), payload));
    this.presence = new RealtimePresence(this);
  }

  /**
   * Joins. callback(status, err) gets SUBSCRIBED (again after every rejoin), CHANNEL_ERROR,
   * TIMED_OUT or CLOSED.
   */
  subscribe(callback, timeout = this.timeout) {
    if (!this.socket.isConnected()) this.socket.connect();
    if (this.state !== CHANNEL_STATES.closed) return this;
    if (this.joinedOnce) throw new Error("tried to subscribe multiple times. 'subscribe' can only be called a single time per channel instance");
    this._onError((e) => callback?.(REALTIME_SUBSCRIBE_STATES.CHANNEL_ERROR, e));
    this._onClose(() => callback?.(REALTIME_SUBSCRIBE_STATES.CLOSED));
    this.joinedOnce = true;
    this._rejoin(timeout);
    this.joinPush
      .receive('ok', ({ postgres_changes } = {}) => {
        if (this.socket.accessTokenFn) this.socket.setAuth();
        if (postgres_changes === undefined) {
          callback?.(REALTIME_SUBSCRIBE_STATES.SUBSCRIBED);
          return;
        }
        const clientBindings = this.bindings.postgres_changes ?? [];
        const bound = [];
        for (let i = 0; i < clientBindings.length; i++) {
          const client = clientBindings[i];
          const server = postgres_changes[i];
          const { event, schema, table, filter } = client.filter;
          const same = (a, b) => (a ?? null) === (b ?? null);
          if (server && same(server.event, event) && same(server.schema, schema) && same(server.table, table) && same(server.filter, filter)) {
            bound.push({ ...client, id: server.id });
          } else {
            this.unsubscribe();
            this.state = CHANNEL_STATES.errored;
            callback?.(REALTIME_SUBSCRIBE_STATES.CHANNEL_ERROR, new Error('mismatch between server and client bindings for postgres changes'));
            return;
          }
        }
        this.bindings.postgres_changes = bound;
        callback?.(REALTIME_SUBSCRIBE_STATES.SUBSCRIBED);
      })
      .receive('error', (error) => {
        this.state = CHANNEL_STATES.errored;
        callback?.(REALTIME_SUBSCRIBE_STATES.CHANNEL_ERROR, new Error(JSON.stringify(Object.values(error ?? {}).join(', ') || 'error')));
      })
      .receive('timeout', () => callback?.(REALTIME_SUBSCRIBE_STATES.TIMED_OUT));
    return this;
  }

  // The join payload, computed when the join is sent: the token and position of that moment.
  _joinPayload() {
    const { broadcast, presence, private: isPrivate, ...rest } = this.params.config;
    const config = {
      ...rest,
      broadcast,
      presence: { ...presence, enabled: (this.bindings.presence?.length ?? 0) > 0 || presence?.enabled === true || this.trackedPayload !== null },
      postgres_changes: this.bindings.postgres_changes?.map((b) => b.filter) ?? [],
      private: isPrivate,
    };
    if (this.position !== null) config.resume = { position: this.position };
    const payload = { config };
    if (this.socket.accessTokenValue) payload.access_token = this.socket.accessTokenValue;
    return payload;
  }

  presenceState() {
    return this.presence.state;
  }

  /** Shares payload as this client's presence on the channel. */
  async track(payload, opts = {}) {
    this.trackedPayload = payload;
    return this.send({ type: 'presence', event: 'track', payload }, { timeout: opts.timeout ?? this.timeout });
  }

  async untrack(opts = {}) {
    this.trackedPayload = null;
    return this.send({ type: 'presence', event: 'untrack' }, opts);
  }

  /**
   * on('postgres_changes', {event, schema, table, filter}, cb), on('broadcast', {event}, cb),
   * on('presence', {event: 'sync'|'join'|'leave'}, cb), on('system', {}, cb), and Parley's
   * on('resync', {}, cb).
   */
  on(type, filter, callback) {
    return this._on(type, filter, callback);
  }

  /**
   * Sends a broadcast ({type: 'broadcast', event, payload}) or presence message. Resolves to
   * 'ok', 'error' or 'timed out'. While the channel is not joined, a broadcast goes over HTTP
   * (POST /realtime/v1/api/broadcast) as in realtime-js.
   */
  async send(args, opts = {}) {
    if (!this._canPush() && args.type === 'broadcast') {
      const { event, payload } = args;
      const headers = { apikey: this.socket.apiKey ?? '', 'Content-Type': 'application/json' };
      if (this.socket.accessTokenValue) headers.Authorization = `Bearer ${this.socket.accessTokenValue}`;
      try {
        const res = await this.socket.fetch(this.broadcastEndpointURL, {
          method: 'POST',
          headers,
          body: JSON.stringify({ messages: [{ topic: this.subTopic, event, payload, private: this.params.config.private }] }),
          signal: AbortSignal.timeout(opts.timeout ?? this.timeout),
        });
        await res.body?.cancel();
        return res.ok ? 'ok' : 'error';
      } catch (error) {
        return error?.name === 'AbortError' || error?.name === 'TimeoutError' ? 'timed out' : 'error';
      }
    }
    return new Promise((resolve) => {
      const push = this._push(args.type, args, opts.timeout ?? this.timeout);
      if (args.type === 'broadcast' && !this.params.config.broadcast?.ack) resolve('ok');
      push.receive('ok', () => resolve('ok'));
      push.receive('error', () => resolve('error'));
      push.receive('timeout', () => resolve('timed out'));
    });
  }

  updateJoinPayload(payload) {
    // access_token and version are read from the socket when the join is sent
    const { config } = payload ?? {};
    if (config) this.params.config = { ...this.params.config, ...config };
  }

  /** Leaves the channel; resolves to 'ok', 'timed out' or 'error'. */
  unsubscribe(timeout = this.timeout) {
    this.state = CHANNEL_STATES.leaving;
    const onClose = () => {
      this.socket.log('channel', `leave ${this.topic}`);
      this._trigger(CHANNEL_EVENTS.close, 'leave', this._joinRef());
    };
    this.joinPush.destroy();
    this.rejoinTimer.reset();
    let leavePush = null;
    return new Promise((resolve) => {
      leavePush = new Push(this, CHANNEL_EVENTS.leave, {}, timeout);
      leavePush
        .receive('ok', () => { onClose(); resolve('ok'); })
        .receive('timeout', () => { onClose(); resolve('timed out'); })
        .receive('error', () => resolve('error'));
      leavePush.send();
      if (!this._canPush()) leavePush.trigger('ok', {});
    }).finally(() => leavePush?.destroy());
  }

  /** Drops every binding and pending push (socket.disconnect()). */
  teardown() {
    for (const push of this.pushBuffer) push.destroy();
    this.pushBuffer = [];
    this.rejoinTimer.reset();
    this.joinPush.destroy();
    this.state = CHANNEL_STATES.closed;
    this.bindings = {};
  }

  // ---- internals ----

  _push(event, payload, timeout = this.timeout) {
    const push = new Push(this, event, payload, timeout);
    if (this._canPush()) {
      push.send();
    } else {
      // Before the first subscribe() the push waits, untimed, for the join; after it, it waits
      // for the rejoin within its timeout.
      if (this.joinedOnce) push.startTimeout();
      this.pushBuffer.push(push);
    }
    return push;
  }

  _on(type, filter, callback) {
    const typeLower = type.toLocaleLowerCase();
    (this.bindings[typeLower] ??= []).push({ type: typeLower, filter, callback });
    return this;
  }

  _off(type, filter) {
    const typeLower = type.toLocaleLowerCase();
    this.bindings[typeLower] = (this.bindings[typeLower] ?? []).filter(
      (bind) => !(bind.type?.toLocaleLowerCase() === typeLower && JSON.stringify(bind.filter) === JSON.stringify(filter)),
    );
    return this;
  }

  _onClose(callback) {
    this._on(CHANNEL_EVENTS.close, {}, (reason) => callback(reason));
  }

  _onError(callback) {
    this._on(CHANNEL_EVENTS.error, {}, (reason) => callback(reason));
  }

  /** Dispatches one incoming message to the bindings it matches. */
  _trigger(type, payload, ref) {
    const typeLower = type.toLocaleLowerCase();
    if (ref && LIFECYCLE.includes(typeLower) && ref !== this._joinRef()) return;
    if (isResync(typeLower, payload)) {
      const position = positionOf(payload);
      if (position !== null && isAfter(position, this.position)) this.position = position;
      for (const bind of this.bindings.resync ?? []) bind.callback({ reason: payload.message ?? 'resync', position });
    }
    const position = typeLower === 'postgres_changes' || typeLower === 'broadcast' ? positionOf(payload) : null;
    if (position !== null) {
      // Replays overlap what was already delivered at most by what was in flight: drop those.
      if (!isAfter(position, this.position)) return;
      this.position = position;
    }
    for (const bind of this.bindings[typeLower] ?? []) {
      if (!this._matches(bind, typeLower, payload)) continue;
      bind.callback(typeLower === 'postgres_changes' ? this._changePayload(payload, position) : payload, ref);
    }
  }

  _matches(bind, typeLower, payload) {
    if (typeLower === 'postgres_changes') {
      const bindEvent = bind.filter?.event;
      return Boolean(bind.id) && payload?.ids?.includes(bind.id) &&
        (bindEvent === '*' || bindEvent?.toLocaleLowerCase() === payload?.data?.type?.toLocaleLowerCase());
    }
    if (typeLower === 'broadcast' || typeLower === 'presence') {
      const bindEvent = bind.filter?.event?.toLocaleLowerCase();
      return bindEvent === '*' || bindEvent === payload?.event?.toLocaleLowerCase();
    }
    return bind.type.toLocaleLowerCase() === typeLower;
  }

  // realtime-js's shape for postgres_changes callbacks: {schema, table, commit_timestamp,
  // eventType, new, old, errors}, plus Parley's position.
  _changePayload(payload, position) {
    const { schema, table, commit_timestamp, type, errors, columns, record, old_record } = payload.data;
    const out = { schema, table, commit_timestamp, eventType: type, new: {}, old: {}, errors };
    if (type === 'INSERT' || type === 'UPDATE') out.new = convertChangeData(columns, record);
    if (type === 'UPDATE' || type === 'DELETE') out.old = convertChangeData(columns, old_record);
    if (position !== null) out.position = position;
    return out;
  }

  _replyEventName(ref) {
    return `chan_reply_${ref}`;
  }

  _joinRef() {
    return this.joinPush.ref;
  }

  _isMember(topic) {
    return this.topic === topic;
  }

  _rejoin(timeout = this.timeout) {
    if (this._isLeaving()) return;
    this.socket._leaveOpenTopic(this.topic, this);
    this.state = CHANNEL_STATES.joining;
    this.joinPush.resend(timeout);
  }

  // Leaves and joins again on the same socket (a new identity): the leave's close is ignored
  // because it carries the old join ref; the join carries the new token and the resume position.
  _rejoinAs() {
    this.socket.push({ topic: this.topic, event: CHANNEL_EVENTS.leave, payload: {}, ref: this.socket._makeRef(), join_ref: this._joinRef() });
    this._rejoin();
  }

  _rejoinUntilConnected() {
    this.rejoinTimer.scheduleTimeout();
    if (this.socket.isConnected()) this._rejoin();
  }

  _canPush() {
    return this.socket.isConnected() && this._isJoined();
  }

  _isClosed() { return this.state === CHANNEL_STATES.closed; }
  _isErrored() { return this.state === CHANNEL_STATES.errored; }
  _isJoined() { return this.state === CHANNEL_STATES.joined; }
  _isJoining() { return this.state === CHANNEL_STATES.joining; }
  _isLeaving() { return this.state === CHANNEL_STATES.leaving; }
}
