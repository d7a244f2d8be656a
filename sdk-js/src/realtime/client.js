// The one WebSocket that every channel shares (realtime-js's RealtimeClient): connect,
// heartbeats, reconnect with backoff and jitter, the send buffer, routing of incoming messages
// to channels, and the access token (setAuth) pushed to every joined channel.
//
// Connection lifecycle: connect() resolves the access token first (options.accessToken), then
// opens the socket; messages pushed meanwhile wait in the send buffer. When the socket closes
// for any reason other than disconnect(), every channel errors (and rejoins once the socket is
// back) and the socket reconnects after 1, 2, 5, 10, 10... seconds (jittered). A heartbeat that
// gets no reply before the next one is due abandons the socket the same way: a half-open TCP
// connection would otherwise look alive forever.
import { RealtimeChannel } from './channel.js';
import { Timer, backoffWithJitter } from './timer.js';
import { encode, decode } from './serializer.js';
import {
  CHANNEL_EVENTS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_TIMEOUT,
  DEFAULT_VSN,
  SOCKET_STATES,
  WS_CLOSE_NORMAL,
} from './constants.js';

/** Who a JWT speaks for (sub and role), read without verifying: the server verifies. */
function identityOf(token) {
  if (!token) return null;
  try {
    const b64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0))));
    return `${claims.sub ?? ''}/${claims.role ?? ''}`;
  } catch {
    return token;
  }
}

function httpEndpointURL(socketUrl) {
  return socketUrl
    .replace(/^ws/i, 'http')
    .replace(/(\/socket\/websocket|\/socket|\/websocket)\/?$/i, '')
    .replace(/\/+$/, '');
}

export class RealtimeClient {
  /**
   * @param endPoint e.g. ws://host/realtime/v1 (the /websocket suffix is added)
   * @param options {transport, params, timeout, heartbeatIntervalMs, vsn, reconnectAfterMs,
   *   rejoinAfterMs, logger, accessToken, fetch, headers}
   */
  constructor(endPoint, options = {}) {
    this.endPoint = `${endPoint}/websocket`;
    this.httpEndpoint = httpEndpointURL(endPoint);
    this.params = options.params ?? {};
    this.apiKey = this.params.apikey ?? null;
    this.accessTokenValue = null;
    this.accessTokenFn = options.accessToken ?? null;
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.vsn = options.vsn ?? DEFAULT_VSN;
    this.transport = options.transport ?? globalThis.WebSocket ?? null;
    this.logger = options.logger ?? null;
    this.fetch = options.fetch ?? ((...a) => globalThis.fetch(...a));
    this.reconnectAfterMs = options.reconnectAfterMs ?? backoffWithJitter([1000, 2000, 5000, 10000]);
    this.rejoinAfterMs = options.rejoinAfterMs ?? backoffWithJitter([1000, 2000, 5000, 10000]);
    this.channels = [];
    this.sendBuffer = [];
    this.ref = 0;
    this.conn = null;
    this.opening = false;
    this.heartbeatTimer = undefined;
    this.pendingHeartbeatRef = null;
    this.stateChangeCallbacks = { open: [], close: [], error: [], message: [] };
    this.reconnectTimer = new Timer(() => this._reconnect(), this.reconnectAfterMs);
  }

  /** Opens the socket (no-op when open or opening). */
  connect() {
    if (this.conn || this.opening) return;
    if (!this.transport) throw new Error('No WebSocket implementation: pass one as realtime: { transport } (e.g. the ws package)');
    this.opening = true;
    const ready = this.accessTokenFn ? this.setAuth().catch((e) => this.log('auth', 'access token failed', e)) : Promise.resolve();
    ready.then(() => {
      if (!this.opening) return; // disconnect() was called meanwhile
      this.opening = false;
      this._open();
    });
  }

  _open() {
    const conn = new this.transport(this.endPointURL());
    this.conn = conn;
    conn.binaryType = 'arraybuffer';
    // A handshake lost on the way (a frozen network) would leave the socket connecting forever.
    const handshake = setTimeout(() => {
      if (this.conn === conn && conn.readyState === SOCKET_STATES.connecting) this._abandon('connect timeout');
    }, this.timeout);
    handshake.unref?.();
    const opened = () => clearTimeout(handshake);
    // Handlers ignore a connection that has been replaced or abandoned.
    conn.onopen = () => { opened(); if (this.conn === conn) this._onConnOpen(); };
    conn.onerror = (error) => { if (this.conn === conn) this._onConnError(error); };
    conn.onmessage = (event) => { if (this.conn === conn) this._onConnMessage(event); };
    conn.onclose = (event) => { opened(); if (this.conn === conn) this._onConnClose(event); };
  }

  /** Closes the socket for good (no reconnect); channels are torn down. */
  disconnect(code, reason) {
    this.opening = false;
    const conn = this.conn;
    this.conn = null;
    if (conn) {
      conn.onclose = () => {};
      try {
        if (code) conn.close(code, reason ?? '');
        else conn.close();
      } catch {
        // closing a socket that never opened
      }
    }
    clearInterval(this.heartbeatTimer);
    this.pendingHeartbeatRef = null;
    this.reconnectTimer.reset();
    for (const channel of this.channels) channel.teardown();
    this.sendBuffer = [];
  }

  endPointURL() {
    const url = new URL(this.endPoint);
    for (const [k, v] of Object.entries({ ...this.params, vsn: this.vsn })) url.searchParams.set(k, v);
    return url.toString();
  }

  /** A channel for topic realtime:<name>; the same instance for the same name until removed. */
  channel(topic, params = { config: {} }) {
    const realtimeTopic = `realtime:${topic}`;
    const existing = this.channels.find((c) => c.topic === realtimeTopic);
    if (existing) return existing;
    const chan = new RealtimeChannel(realtimeTopic, params, this);
    this.channels.push(chan);
    return chan;
  }

  getChannels() {
    return this.channels;
  }

  /** Leaves the channel; the socket closes when no channel is left. */
  async removeChannel(channel) {
    const status = await channel.unsubscribe();
    this._remove(channel);
    if (this.channels.length === 0) this.disconnect();
    return status;
  }

  async removeAllChannels() {
    const statuses = await Promise.all(this.channels.map((c) => c.unsubscribe()));
    this.channels = [];
    this.disconnect();
    return statuses;
  }

  /**
   * Sets the token every channel is authorized with and pushes it (access_token) to the joined
   * ones; rejoins send it too. No argument: ask options.accessToken. Only a changed token is sent.
   */
  async setAuth(token = null) {
    const next = token ?? (this.accessTokenFn ? await this.accessTokenFn() : null) ?? this.accessTokenValue;
    if (!next || next === this.accessTokenValue) return;
    const previous = this.accessTokenValue;
    this.accessTokenValue = next;
    const sameIdentity = identityOf(previous) === identityOf(next);
    for (const channel of this.channels) {
      if (!channel.joinedOnce || !channel._isJoined()) continue;
      // A refreshed token of the same user is pushed. Parley's server refuses to hand a channel
      // over to another identity (sign-in after joining as anon, sign-out), so then the channel
      // rejoins with the new token, from its last position.
      if (sameIdentity) channel._push(CHANNEL_EVENTS.access_token, { access_token: next });
      else channel._rejoinAs();
    }
  }

  isConnected() {
    return this.conn?.readyState === SOCKET_STATES.open;
  }

  connectionState() {
    switch (this.conn?.readyState) {
      case SOCKET_STATES.connecting: return 'connecting';
      case SOCKET_STATES.open: return 'open';
      case SOCKET_STATES.closing: return 'closing';
      default: return 'closed';
    }
  }

  onOpen(callback) { this.stateChangeCallbacks.open.push(callback); }
  onClose(callback) { this.stateChangeCallbacks.close.push(callback); }
  onError(callback) { this.stateChangeCallbacks.error.push(callback); }
  onMessage(callback) { this.stateChangeCallbacks.message.push(callback); }

  log(kind, msg, data) {
    this.logger?.(kind, msg, data);
  }

  /** Sends now, or when the socket opens. A function payload is evaluated at send time. */
  push(data) {
    const send = () => {
      const payload = typeof data.payload === 'function' ? data.payload() : data.payload;
      this.log('push', `${data.topic} ${data.event} (${data.ref})`, payload);
      this.conn.send(encode({ ...data, payload }, this.vsn));
    };
    if (this.isConnected()) send();
    else this.sendBuffer.push(send);
  }

  _makeRef() {
    this.ref += 1;
    return `${this.ref}`;
  }

  _remove(channel) {
    this.channels = this.channels.filter((c) => c !== channel);
  }

  // A join for a topic already joined on this socket (a stale instance) replaces it.
  _leaveOpenTopic(topic, joining) {
    const dup = this.channels.find((c) => c !== joining && c.topic === topic && (c._isJoined() || c._isJoining()));
    if (dup && dup._joinRef()) {
      this.log('transport', `leaving duplicate topic "${topic}"`);
      dup.unsubscribe();
    }
  }

  _onConnOpen() {
    this.log('transport', `connected to ${this.endPoint}`);
    const buffered = this.sendBuffer;
    this.sendBuffer = [];
    for (const send of buffered) send();
    this.reconnectTimer.reset();
    clearInterval(this.heartbeatTimer);
    this.pendingHeartbeatRef = null;
    this.heartbeatTimer = setInterval(() => this._sendHeartbeat(), this.heartbeatIntervalMs);
    // Channels cut off by the last drop rejoin now rather than at their next retry.
    for (const channel of this.channels) {
      if (channel._isErrored() && channel.joinedOnce) {
        channel.rejoinTimer.reset();
        channel._rejoin();
      }
    }
    for (const cb of this.stateChangeCallbacks.open) cb();
  }

  _onConnClose(event) {
    this.log('transport', 'close', event);
    this.conn = null;
    this._triggerChanError();
    clearInterval(this.heartbeatTimer);
    this.pendingHeartbeatRef = null;
    this.reconnectTimer.scheduleTimeout();
    for (const cb of this.stateChangeCallbacks.close) cb(event);
  }

  _onConnError(error) {
    this.log('transport', 'error', error?.message ?? error);
    for (const cb of this.stateChangeCallbacks.error) cb(error);
  }

  _onConnMessage(event) {
    let msg;
    try {
      msg = decode(event.data, this.vsn);
    } catch (e) {
      this.log('receive', 'undecodable frame', e);
      return;
    }
    const { topic, event: name, payload, ref } = msg;
    if (ref && ref === this.pendingHeartbeatRef) this.pendingHeartbeatRef = null;
    this.log('receive', `${payload?.status ?? ''} ${topic} ${name} ${ref ? `(${ref})` : ''}`, payload);
    for (const channel of this.channels) if (channel._isMember(topic)) channel._trigger(name, payload, ref);
    for (const cb of this.stateChangeCallbacks.message) cb(msg);
  }

  _triggerChanError() {
    for (const channel of this.channels) {
      if (!(channel._isLeaving() || channel._isClosed())) channel._trigger(CHANNEL_EVENTS.error);
    }
  }

  _sendHeartbeat() {
    if (!this.isConnected()) return;
    if (this.pendingHeartbeatRef) {
      this.log('transport', 'heartbeat timeout: abandoning the connection');
      this._abandon('heartbeat timeout');
      return;
    }
    this.pendingHeartbeatRef = this._makeRef();
    this.push({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: this.pendingHeartbeatRef });
    if (this.accessTokenFn) this.setAuth().catch(() => {});
  }

  // Gives up on the current connection without waiting for its close handshake.
  _abandon(reason) {
    const conn = this.conn;
    if (!conn) return;
    try {
      conn.close(WS_CLOSE_NORMAL, reason);
    } catch {
      // already closing
    }
    this._onConnClose({ code: WS_CLOSE_NORMAL, reason, wasClean: false });
  }

  _reconnect() {
    if (this.conn || this.opening) return;
    this.connect();
  }
}
