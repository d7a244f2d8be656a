// Names shared with realtime-js and the Phoenix protocol.

export const DEFAULT_VSN = '2.0.0';
export const DEFAULT_TIMEOUT = 10_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 25_000;
export const WS_CLOSE_NORMAL = 1000;

export const SOCKET_STATES = { connecting: 0, open: 1, closing: 2, closed: 3 };

export const CHANNEL_STATES = {
  closed: 'closed',
  errored: 'errored',
  joined: 'joined',
  joining: 'joining',
  leaving: 'leaving',
};

export const CHANNEL_EVENTS = {
  close: 'phx_close',
  error: 'phx_error',
  join: 'phx_join',
  reply: 'phx_reply',
  leave: 'phx_leave',
  access_token: 'access_token',
};

export const REALTIME_LISTEN_TYPES = {
  BROADCAST: 'broadcast',
  PRESENCE: 'presence',
  POSTGRES_CHANGES: 'postgres_changes',
  SYSTEM: 'system',
  // Parley: the channel could not be resumed gap-free; refetch what you show.
  RESYNC: 'resync',
};

export const REALTIME_POSTGRES_CHANGES_LISTEN_EVENT = { ALL: '*', INSERT: 'INSERT', UPDATE: 'UPDATE', DELETE: 'DELETE' };

export const REALTIME_PRESENCE_LISTEN_EVENTS = { SYNC: 'sync', JOIN: 'join', LEAVE: 'leave' };

export const REALTIME_SUBSCRIBE_STATES = {
  SUBSCRIBED: 'SUBSCRIBED',
  TIMED_OUT: 'TIMED_OUT',
  CLOSED: 'CLOSED',
  CHANNEL_ERROR: 'CHANNEL_ERROR',
};

export const REALTIME_CHANNEL_STATES = CHANNEL_STATES;
