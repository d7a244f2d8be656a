// The room list (rooms I can see, newest activity first, with unread badges and each room's
// latest message), room creation, direct messages, and one realtime channel per room I am a
// member of (private topic room:<id>: database broadcasts of messages, reactions, receipts and
// membership, plus typing and presence).
import { $, h, clear, attempt, toast } from './dom.js';
import { state, loadProfiles, roomLabel, displayName } from './state.js';
import { reportChannel } from './connection.js';
import { openDialog } from './dialogs.js';
import * as room from './room.js';

const channels = new Map(); // room id -> channel
let changesChannel = null;
let pollTimer = null;
let refreshTimer = null;
// Bumped whenever this tab changes its own memberships (opening a room, which may join it, or
// leaving one). A refresh that overlapped such a change may have read the memberships before it
// (or may see a stale role for the room being opened), so its result is dropped and it runs
// again, rather than closing a room just joined as if I had been removed from it.
let membershipWrites = 0;
let opening = 0; // ensureMember calls under way

export async function start() {
  await refresh();
  // Invitations and direct messages arrive on my user:<id> topic (notifications.js); new public
  // rooms as postgres_changes on rooms (RLS shows each user the rooms they may see). A slow poll
  // covers what a missed change would leave stale. This channel is a convenience, so it does
  // not count for the connection indicator.
  changesChannel = state.db.channel(`rooms-of:${state.user.id}`)
    .on('postgres_changes', { event: '*', schema: 'public', table: 'rooms' }, () => refreshSoon())
    // Names, avatars and statuses of the people I see change live.
    .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'user_profiles' }, ({ new: profile }) => {
      if (!profile?.id || !state.profiles.has(profile.id)) return;
      state.profiles.set(profile.id, profile);
      render();
      room.redraw();
    });
  let joined = false;
  changesChannel.subscribe((status) => {
    if (status === 'SUBSCRIBED' && joined) refreshSoon();
    if (status === 'SUBSCRIBED') joined = true;
  });
  clearInterval(pollTimer);
  pollTimer = setInterval(() => { if (!document.hidden) refreshSoon(); }, 20000);
}

export function reset() {
  clearInterval(pollTimer);
  for (const ch of channels.values()) state.db.removeChannel(ch);
  channels.clear();
  if (changesChannel) state.db.removeChannel(changesChannel);
  changesChannel = null;
  state.rooms.clear();
  state.memberships.clear();
  state.unread.clear();
  clear($('#room-list'));
}

export function refreshSoon(delay = 150) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => attempt(refresh, 'Rooms'), delay);
}

export async function refresh() {
  if (!state.user) return;
  const writesBefore = membershipWrites;
  const [rooms, memberships, unread] = await Promise.all([
    state.api.rooms(), state.api.myMemberships(), state.api.unreadCounts().catch(() => []),
  ]);
  if (writesBefore !== membershipWrites || opening) return refreshSoon();
  const roleBefore = state.memberships.get(state.roomId);
  state.rooms = new Map(rooms.map((r) => [r.id, r]));
  state.memberships = new Map(memberships.map((m) => [m.room_id, m.role]));
  state.unread = new Map(unread.map((u) => [u.room_id, Number(u.unread_count) || 0]));
  const direct = rooms.filter((r) => r.type === 'direct').map((r) => r.id);
  for (const m of await state.api.membersOf(direct)) {
    if (m.user_id !== state.user.id) state.directNames.set(m.room_id, m.user_id);
  }
  await loadProfiles([...state.directNames.values()]);
  syncChannels();
  render();
  if (state.roomId && (!state.rooms.has(state.roomId) || (roleBefore && !state.memberships.has(state.roomId)))) {
    toast('You are no longer a member of that room.', 'info'); // kicked, banned, or the room is gone
    room.close();
  } else if (state.roomId && state.memberships.get(state.roomId) !== roleBefore) room.redraw(); // moderator tools
}

/** Keeps one channel per room I belong to: joined rooms get one, rooms I left lose theirs. */
function syncChannels() {
  for (const id of state.memberships.keys()) if (!channels.has(id)) channels.set(id, room.joinChannel(id));
  for (const [id, ch] of channels) {
    if (!state.memberships.has(id)) {
      state.db.removeChannel(ch);
      channels.delete(id);
      reportChannel(`room:${id}`, 'REMOVED');
    }
  }
}

/** I left a room myself: the list forgets it, and no refresh already under way brings it back. */
export function forget(roomId) {
  membershipWrites++;
  state.memberships.delete(roomId);
}

export function channelOf(roomId) {
  return channels.get(roomId);
}

/** Makes me a member (public rooms join on open) and gives the room its channel. */
export async function ensureMember(roomId) {
  // Asked afresh: the list may not know yet that I was removed (or added) a moment ago.
  opening++;
  try {
    const role = await state.api.myRole(roomId);
    if (role) state.memberships.set(roomId, role);
    else if (state.rooms.get(roomId)?.type === 'public') state.memberships.set(roomId, (await state.api.joinRoom(roomId))?.role ?? 'member');
    else throw new Error('you are not a member of this room');
  } finally {
    opening--;
    membershipWrites++;
  }
  syncChannels();
}

function activity(r) {
  return r.latest_message_at || r.updated_at || r.created_at || '';
}

export function render() {
  const list = $('#room-list');
  const items = [...state.rooms.values()].sort((a, b) => activity(b).localeCompare(activity(a)));
  clear(list, items.map((r) => {
    const unread = r.id === state.roomId ? 0 : (state.unread.get(r.id) || 0);
    const latest = r.latest_message
      ? `${r.latest_message_author ? r.latest_message_author + ': ' : ''}${r.latest_message}`
      : (state.memberships.has(r.id) ? 'No messages yet' : 'Public room · open to join');
    return h('li', h('button.room-item', {
      type: 'button', 'data-testid': 'room-item', 'data-room-id': r.id,
      'aria-current': r.id === state.roomId ? 'true' : 'false',
      onclick: () => room.open(r.id),
    },
    h('span.room-label', h('span.room-kind', { 'aria-hidden': 'true' }, r.type === 'direct' ? '@' : r.type === 'private' ? '🔒' : '#'),
      h('span.room-name', roomLabel(r))),
    h('span.room-meta', unread ? h('span.badge', { 'data-testid': 'unread-badge', 'aria-label': `${unread} unread` }, unread > 99 ? '99+' : unread) : null),
    h('span.room-latest', latest)));
  }));
}

/** A message arrived in {@code roomId}: move the room up, and count it unread unless open. */
export function noteMessage(roomId, message) {
  const r = state.rooms.get(roomId);
  if (!r) return refreshSoon();
  if (!message.parent_id) {
    r.latest_message = message.content;
    r.latest_message_at = message.created_at;
    r.latest_message_author = displayName(message.user_id);
  }
  const visible = roomId === state.roomId && !document.hidden;
  if (message.user_id !== state.user.id && !visible) state.unread.set(roomId, (state.unread.get(roomId) || 0) + 1);
  render();
}

export function markSeen(roomId) {
  if (state.unread.get(roomId)) {
    state.unread.set(roomId, 0);
    render();
  }
}

$('#room-create').addEventListener('click', () => {
  const isPrivate = h('input', { type: 'checkbox', name: 'private', 'data-testid': 'room-private-toggle', id: 'room-private' });
  openDialog('New room', [
    h('label', 'Name', h('input', { name: 'name', 'data-testid': 'room-name-input', required: true, maxlength: 80, autocomplete: 'off' })),
    h('label.check', isPrivate, 'Private: only invited people can see and join it'),
  ], 'Create', async (form) => {
    const name = form.name.value.trim();
    if (!name) throw new Error('Give the room a name.');
    const created = await state.api.createRoom(name, isPrivate.checked ? 'private' : 'public');
    const id = typeof created === 'string' ? created : (created?.id ?? created?.[0]?.id);
    await refresh();
    if (id) room.open(id);
  }, 'room-create-submit');
});

$('#dm-start').addEventListener('click', () => {
  openDialog('Direct message', [
    h('label', 'Username', h('input', { name: 'username', 'data-testid': 'dm-username', required: true, autocomplete: 'off', placeholder: 'alice' })),
  ], 'Open', async (form) => {
    const profile = await state.api.profileByUsername(form.username.value);
    if (!profile) throw new Error(`No user named ${form.username.value.trim()}.`);
    if (profile.id === state.user.id) throw new Error('That is you.');
    const created = await state.api.openDirect(profile.id);
    const id = typeof created === 'string' ? created : (created?.id ?? created?.[0]?.id);
    state.profiles.set(profile.id, profile);
    await refresh();
    if (id) room.open(id);
  }, 'dm-submit');
});
