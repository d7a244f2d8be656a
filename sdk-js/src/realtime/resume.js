// Parley's resume contract, on the client side (docs/sdk.md, "Resume"):
// - every event the server delivers from the database (postgres_changes, broadcasts sent from
//   SQL) carries `position` at the top of its payload: a decimal string, increasing in commit order;
// - the join reply may carry `position`: the newest position when the channel went live, so that
//   a channel that has not received an event yet can still resume from its join;
// - a rejoin sends `config.resume = {position}`, and the server replays every event after it, in
//   order, before going live;
// - when it cannot (the position fell out of its retention window, or its database listener
//   restarted), it sends a `system` message with status 'resync' (and the current `position`);
//   the channel then emits its 'resync' event so the app refetches.
// Positions are compared as BigInt: they are bigints in Postgres and may pass 2^53.

export function positionOf(payload) {
  const p = payload?.position;
  return typeof p === 'string' || typeof p === 'number' ? `${p}` : null;
}

export function isAfter(position, last) {
  return last === null || BigInt(position) > BigInt(last);
}

export function isResync(event, payload) {
  return event === 'system' && payload?.status === 'resync';
}
