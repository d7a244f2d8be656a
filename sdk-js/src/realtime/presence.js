// Presence state of a channel, kept in step with the server's presence_state (the whole state,
// sent after each join) and presence_diff (joins and leaves) messages, as Phoenix.Presence and
// realtime-js do. State shape: {key: [{presence_ref, ...tracked payload}]}. Diffs that arrive
// before the state of the current join are held and applied after it.

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

/** Server shape {key: {metas: [{phx_ref, phx_ref_prev, ...}]}} -> {key: [{presence_ref, ...}]}. */
function transformState(state) {
  const out = {};
  for (const key of Object.getOwnPropertyNames(state ?? {})) {
    const presences = state[key];
    out[key] = 'metas' in presences
      ? presences.metas.map(({ phx_ref, phx_ref_prev, ...rest }) => ({ ...rest, presence_ref: phx_ref }))
      : presences;
  }
  return out;
}

export function syncState(current, newState, onJoin, onLeave) {
  const state = clone(current);
  const incoming = transformState(newState);
  const joins = {};
  const leaves = {};
  for (const [key, presences] of Object.entries(state)) if (!incoming[key]) leaves[key] = presences;
  for (const [key, newPresences] of Object.entries(incoming)) {
    const currentPresences = state[key];
    if (currentPresences) {
      const newRefs = newPresences.map((m) => m.presence_ref);
      const curRefs = currentPresences.map((m) => m.presence_ref);
      const joined = newPresences.filter((m) => !curRefs.includes(m.presence_ref));
      const left = currentPresences.filter((m) => !newRefs.includes(m.presence_ref));
      if (joined.length > 0) joins[key] = joined;
      if (left.length > 0) leaves[key] = left;
    } else {
      joins[key] = newPresences;
    }
  }
  return applyDiff(state, { joins, leaves }, onJoin, onLeave);
}

export function syncDiff(state, diff, onJoin, onLeave) {
  return applyDiff(state, { joins: transformState(diff.joins), leaves: transformState(diff.leaves) }, onJoin, onLeave);
}

function applyDiff(state, { joins, leaves }, onJoin, onLeave) {
  for (const [key, newPresences] of Object.entries(joins)) {
    const currentPresences = state[key] ?? [];
    state[key] = clone(newPresences);
    if (currentPresences.length > 0) {
      const joinedRefs = state[key].map((m) => m.presence_ref);
      state[key].unshift(...currentPresences.filter((m) => !joinedRefs.includes(m.presence_ref)));
    }
    onJoin(key, currentPresences, newPresences);
  }
  for (const [key, leftPresences] of Object.entries(leaves)) {
    if (!state[key]) continue;
    const refsToRemove = leftPresences.map((m) => m.presence_ref);
    const remaining = state[key].filter((m) => !refsToRemove.includes(m.presence_ref));
    state[key] = remaining;
    onLeave(key, remaining, leftPresences);
    if (remaining.length === 0) delete state[key];
  }
  return state;
}

export class RealtimePresence {
  constructor(channel) {
    this.channel = channel;
    this.state = {};
    this.pendingDiffs = [];
    this.joinRef = null;
    const onJoin = (key, currentPresences, newPresences) =>
      channel._trigger('presence', { event: 'join', key, currentPresences, newPresences });
    const onLeave = (key, currentPresences, leftPresences) =>
      channel._trigger('presence', { event: 'leave', key, currentPresences, leftPresences });
    channel._on('presence_state', {}, (newState) => {
      this.joinRef = channel._joinRef();
      this.state = syncState(this.state, newState, onJoin, onLeave);
      for (const diff of this.pendingDiffs) this.state = syncDiff(this.state, diff, onJoin, onLeave);
      this.pendingDiffs = [];
      channel._trigger('presence', { event: 'sync' });
    });
    channel._on('presence_diff', {}, (diff) => {
      if (!this.joinRef || this.joinRef !== channel._joinRef()) {
        this.pendingDiffs.push(diff);
        return;
      }
      this.state = syncDiff(this.state, diff, onJoin, onLeave);
      channel._trigger('presence', { event: 'sync' });
    });
  }
}
