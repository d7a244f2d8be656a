// Helpers for the realtime suites: clients that use the ws package, record what they send, and
// count their connections; a writer that commits numbered rows one transaction at a time.
import WebSocket from 'ws';
import { createClient } from '../../src/index.js';

/** A ws WebSocket class that records every frame it sends and every instance it makes. */
export function recordingTransport() {
  const record = { sent: [], sockets: [] };
  class Recording extends WebSocket {
    constructor(...args) {
      super(...args);
      record.sockets.push(this);
    }

    send(data, ...rest) {
      record.sent.push(typeof data === 'string' ? data : data.toString());
      return super.send(data, ...rest);
    }
  }
  return { Recording, record };
}

export function realtimeClient(url, key, options = {}) {
  const { Recording, record } = recordingTransport();
  const client = createClient(url, key, {
    ...options,
    auth: { persistSession: false, autoRefreshToken: false, ...(options.auth ?? {}) },
    realtime: { transport: Recording, ...(options.realtime ?? {}) },
  });
  client.record = record;
  return client;
}

/** Resolves with the status once the channel reports SUBSCRIBED; rejects on any other status first. */
export function subscribed(channel, { timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${channel.topic} not SUBSCRIBED within ${timeoutMs} ms`)), timeoutMs);
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') {
        clearTimeout(timer);
        resolve(status);
      } else if (status !== 'CLOSED') {
        clearTimeout(timer);
        reject(new Error(`${channel.topic}: ${status} ${err?.message ?? ''}`));
      }
    });
  });
}

/** Sent frames of one event name, decoded (vsn 2.0.0 arrays). */
export function sentFrames(record, event) {
  return record.sent.map((s) => JSON.parse(s)).filter((m) => m[3] === event);
}
