// The open room: history in pages (older ones load as you scroll up, with the scroll position
// kept), live messages, edits, deletions, reactions, read receipts, typing and presence, and
// the composer (Enter sends, Shift+Enter adds a line, emoji picker, files with progress).
import { $, h, clear, attempt, toast } from './dom.js';
import { state, loadProfiles, displayName, roomLabel } from './state.js';
import { subscribeTracked } from './connection.js';
import { renderMessage, compareMessages, togglePicker, closePicker } from './messages.js';
import * as rooms from './rooms.js';
import * as panels from './panels.js';
import { PAGE_SIZE } from './api.js';

const view = {
  messages: new Map(),   // id -> row (top-level messages of the open room)
  order: [],             // ids, oldest first
  reactions: new Map(),  // message id -> reaction rows
  replies: new Map(),    // parent id -> reply count
  seenReplies: new Set(), // ids of the replies counted, so none is counted twice
  receipts: new Map(),   // user id -> read_receipts row
  hasOlder: true,
  cursor: null,          // the oldest row fetched so far: where the next older page starts
  loadingOlder: false,
  typing: new Map(),     // user id -> {name, timer}
  openToken: 0,          // guards against a slower earlier open() finishing last
};

const list = $('#message-list');
const items = $('#message-items');

// ---- channels ---------------------------------------------------------------------------

/** The channel of room {@code roomId}: database broadcasts, typing and presence. */
export function joinChannel(roomId) {
  const me = state.user.id;
  const channel = state.db.channel(`room:${roomId}`, {
    config: { private: true, broadcast: { self: false }, presence: { key: me } },
  });
  channel
    .on('broadcast', { event: 'typing' }, ({ payload }) => onTyping(roomId, payload))
    .on('broadcast', { event: '*' }, (msg) => { if (msg.event !== 'typing') onDatabaseEvent(roomId, msg.payload); })
    .on('presence', { event: 'sync' }, () => { if (roomId === state.roomId) renderPresence(); })
    // The server could not replay what this channel missed (past its retention): refetch.
    .on('resync', {}, () => catchUp(roomId));
  subscribeTracked(channel, `room:${roomId}`, (rejoin) => {
    channel.track({ user_id: me, name: displayName(me), status: state.profile?.status || 'online' }).catch(() => {});
    if (rejoin) catchUp(roomId);
  });
  return channel;
}

/** A change broadcast by the chat schema's triggers: {table, operation, record, old_record}. */
function onDatabaseEvent(roomId, payload) {
  if (!payload?.table) return;
  const row = payload.record ?? payload.old_record;
  switch (payload.table) {
    case 'messages':
      if (payload.operation === 'DELETE') removeMessage(payload.old_record);
      else upsertMessage(payload.record, payload.operation === 'INSERT');
      if (payload.operation === 'INSERT') rooms.noteMessage(roomId, payload.record);
      else rooms.refreshSoon(500);
      break;
    case 'message_reactions':
      if (roomId === state.roomId) reactionChanged(payload);
      panels.threadReactionChanged(payload);
      break;
    case 'read_receipts':
      if (roomId === state.roomId && row) { view.receipts.set(row.user_id, row); renderSeenBy(); }
      break;
    case 'room_members':
    case 'room_bans':
    case 'rooms':
      rooms.refreshSoon();
      if (roomId === state.roomId) panels.membersChanged();
      break;
    default:
  }
}

/** After a rejoin: fetch what was committed since the newest message held (nothing is lost). */
async function catchUp(roomId) {
  rooms.refreshSoon();
  if (roomId !== state.roomId) return;
  const newest = view.order.length ? view.messages.get(view.order.at(-1)) : null;
  if (!newest) return attempt(() => loadFirstPage(roomId), 'History');
  const missed = await attempt(() => state.api.since(roomId, newest.created_at), 'Catching up');
  if (!missed || roomId !== state.roomId) return;
  await loadProfiles(missed.map((m) => m.user_id));
  for (const m of missed) upsertMessage(m, true);
  view.receipts = new Map((await state.api.receipts(roomId).catch(() => [])).map((r) => [r.user_id, r]));
  renderSeenBy();
}

// ---- opening and paging -----------------------------------------------------------------

export async function open(roomId) {
  const room = state.rooms.get(roomId);
  if (!room) return;
  const token = ++view.openToken;
  state.roomId = roomId;
  history.replaceState(null, '', `#room=${roomId}`);
  $('#chat-screen').classList.add('room-open');
  $('#room-empty').hidden = true;
  $('#room').hidden = false;
  $('#room-name').textContent = roomLabel(room);
  $('#room-invite').hidden = room.type === 'direct';
  $('#room-leave').hidden = room.type === 'direct';
  resetView();
  rooms.render();
  renderComposer();
  panels.roomChanged();
  try {
    await rooms.ensureMember(roomId); // opening a public room joins it
  } catch (e) {
    toast(`Cannot open ${roomLabel(room)}: ${e.message}`);
    return close();
  }
  if (token !== view.openToken) return;
  renderPresence();
  await attempt(() => loadFirstPage(roomId), 'History');
  if (token === view.openToken) $('#message-input')?.focus({ preventScroll: true });
}

export function close() {
  view.openToken++;
  state.roomId = null;
  resetView();
  $('#chat-screen').classList.remove('room-open');
  $('#room').hidden = true;
  $('#room-empty').hidden = false;
  if (location.hash) history.replaceState(null, '', location.pathname);
  rooms.render();
}

function resetView() {
  view.messages.clear();
  view.order = [];
  view.reactions.clear();
  view.replies.clear();
  view.seenReplies.clear();
  view.receipts.clear();
  view.hasOlder = true;
  view.cursor = null;
  view.loadingOlder = false;
  for (const t of view.typing.values()) clearTimeout(t.timer);
  view.typing.clear();
  clear(items);
  $('#history-status').textContent = '';
  $('#seen-by').textContent = '';
  $('#new-below').hidden = true;
  renderTyping();
  clear($('#presence-list'));
}

async function loadFirstPage(roomId) {
  const [page, receipts] = await Promise.all([state.api.history(roomId), state.api.receipts(roomId).catch(() => [])]);
  if (roomId !== state.roomId) return;
  view.receipts = new Map(receipts.map((r) => [r.user_id, r]));
  await addPage(page);
  clear(items, view.order.map((id) => render(view.messages.get(id))));
  list.scrollTop = list.scrollHeight;
  renderSeenBy();
  markReadSoon();
}

/** Adds one history page (newest first, as the server sends it); the cursor moves to its oldest row. */
async function addPage(page) {
  view.hasOlder = page.length === PAGE_SIZE;
  if (page.length) view.cursor = page.at(-1);
  const ids = page.map((m) => m.id);
  const [reactions, replies] = await Promise.all([
    state.api.reactions(ids).catch(() => []), state.api.replyCounts(ids).catch(() => []),
    loadProfiles(page.map((m) => m.user_id)),
  ]);
  for (const r of reactions) pushReaction(r);
  for (const r of replies) {
    if (view.seenReplies.has(r.id)) continue;
    view.seenReplies.add(r.id);
    view.replies.set(r.parent_id, (view.replies.get(r.parent_id) || 0) + 1);
  }
  // A deleted message stays only as the anchor of its thread.
  for (const m of page) if (!m.deleted_at || view.replies.get(m.id)) view.messages.set(m.id, m);
  $('#history-status').textContent = view.hasOlder ? '' : 'Beginning of the conversation';
  view.order = [...view.messages.values()].sort(compareMessages).map((m) => m.id);
}

/** Loads the page before the oldest message shown, keeping what is on screen in place. */
export async function loadOlder() {
  if (!view.hasOlder || view.loadingOlder || !view.cursor) return false;
  view.loadingOlder = true;
  const roomId = state.roomId;
  $('#history-status').textContent = 'Loading earlier messages…';
  try {
    const page = await state.api.history(roomId, view.cursor);
    if (roomId !== state.roomId) return false;
    await addPage(page);
    const before = list.scrollHeight - list.scrollTop;
    items.prepend(...page.filter((m) => view.messages.has(m.id)).sort(compareMessages).map(render));
    list.scrollTop = list.scrollHeight - before;
    return page.length > 0;
  } catch (e) {
    $('#history-status').textContent = `Could not load earlier messages: ${e.message}`;
    return false;
  } finally {
    view.loadingOlder = false;
  }
}

list.addEventListener('scroll', () => {
  if (list.scrollTop < 200) loadOlder();
  if (nearBottom()) { $('#new-below').hidden = true; markReadSoon(); }
}, { passive: true });
$('#new-below').addEventListener('click', () => { list.scrollTop = list.scrollHeight; });
document.addEventListener('visibilitychange', () => { if (!document.hidden && state.roomId) markReadSoon(); });

function nearBottom() {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

/** Scrolls to message {@code id}, loading older pages until it is there; flashes it. */
export async function jumpTo(id) {
  for (let i = 0; i < 40 && !view.messages.has(id); i++) {
    if (!(await loadOlder())) break;
  }
  const el = document.getElementById(`m-${id}`);
  if (!el) return false;
  el.scrollIntoView({ block: 'center' });
  el.classList.remove('flash');
  void el.offsetWidth; // restart the animation
  el.classList.add('flash');
  return true;
}

// ---- live changes -----------------------------------------------------------------------

function messageContext() {
  const role = state.memberships.get(state.roomId);
  return {
    reactions: view.reactions,
    replies: view.replies,
    canModerate: role === 'admin' || role === 'moderator',
    inThread: false,
    onReply: (m) => panels.openThread(m),
    onEdit: startEdit,
    onDelete: (m) => attempt(async () => { await state.api.remove(m.id); hideDeleted(m); }, 'Delete'),
    onReact: react,
  };
}

export { messageContext };

function render(m) {
  return renderMessage(m, messageContext());
}

/** Draws the open room again (a name or avatar changed), keeping the scroll position. */
export function redraw() {
  if (!state.roomId) return;
  const bottom = nearBottom();
  const top = list.scrollTop;
  clear(items, view.order.map((id) => render(view.messages.get(id))));
  list.scrollTop = bottom ? list.scrollHeight : top;
  renderPresence();
  renderSeenBy();
}

function rerender(id) {
  const el = document.getElementById(`m-${id}`);
  const m = view.messages.get(id);
  if (el && m && items.contains(el)) el.replaceWith(render(m));
}

/** Adds or updates a message of any room (the one open is shown; replies go to threads). */
export async function upsertMessage(m, isNew) {
  if (!m) return;
  if (m.parent_id) {
    if (isNew && m.room_id === state.roomId && !view.seenReplies.has(m.id)) {
      view.seenReplies.add(m.id);
      view.replies.set(m.parent_id, (view.replies.get(m.parent_id) || 0) + 1);
      rerender(m.parent_id);
    }
    panels.threadMessage(m);
    return;
  }
  if (m.room_id !== state.roomId) return;
  await loadProfiles([m.user_id]);
  if (m.room_id !== state.roomId) return;
  const known = view.messages.get(m.id);
  if (known && known.updated_at && m.updated_at && known.updated_at > m.updated_at) return; // stale echo
  if (m.deleted_at && !view.replies.get(m.id)) return hideDeleted(m);
  view.messages.set(m.id, m);
  if (known) return rerender(m.id);
  const stick = nearBottom() || m.user_id === state.user.id;
  // Insert in (created_at, id) order: a late commit can carry an earlier timestamp.
  let index = view.order.length;
  while (index > 0 && compareMessages(view.messages.get(view.order[index - 1]), m) > 0) index--;
  view.order.splice(index, 0, m.id);
  const el = render(m);
  const next = view.order[index + 1] && document.getElementById(`m-${view.order[index + 1]}`);
  if (next) items.insertBefore(el, next); else items.append(el);
  clearTyping(m.user_id);
  if (stick) list.scrollTop = list.scrollHeight;
  else $('#new-below').hidden = false;
  renderSeenBy();
  if (stick) markReadSoon();
}

function removeMessage(old) {
  if (!old?.id) return;
  if (view.messages.has(old.id)) hideDeleted(old);
  panels.threadRemoved(old);
}

function hideDeleted(m) {
  if (view.replies.get(m.id)) {
    view.messages.set(m.id, { ...view.messages.get(m.id), ...m, deleted_at: m.deleted_at || new Date().toISOString() });
    return rerender(m.id);
  }
  view.messages.delete(m.id);
  view.order = view.order.filter((id) => id !== m.id);
  document.getElementById(`m-${m.id}`)?.remove();
  renderSeenBy();
}

function pushReaction(r) {
  const rows = view.reactions.get(r.message_id) || [];
  if (!rows.some((x) => x.user_id === r.user_id && x.emoji === r.emoji)) rows.push(r);
  view.reactions.set(r.message_id, rows);
}

function reactionChanged(payload) {
  const r = payload.record ?? payload.old_record;
  if (payload.operation === 'DELETE') {
    view.reactions.set(r.message_id, (view.reactions.get(r.message_id) || []).filter((x) => !(x.user_id === r.user_id && x.emoji === r.emoji)));
  } else {
    pushReaction(r);
  }
  rerender(r.message_id);
}

async function react(m, emoji, remove) {
  await attempt(async () => {
    if (remove) await state.api.unreact(m.id, emoji);
    else await state.api.react(m.id, emoji);
    // Applied locally at once; the broadcast of the same change is idempotent.
    const payload = { operation: remove ? 'DELETE' : 'INSERT', record: { message_id: m.id, user_id: state.user.id, emoji } };
    if (view.messages.has(m.id)) reactionChanged(remove ? { operation: 'DELETE', old_record: payload.record } : payload);
    panels.threadReactionChanged({ table: 'message_reactions', ...(remove ? { operation: 'DELETE', old_record: payload.record } : payload) });
  }, 'Reaction');
}

function startEdit(m) {
  const el = document.getElementById(`m-${m.id}`) || document.querySelector(`#side-panel [data-message-id="${m.id}"]`);
  const content = el?.querySelector('.message-content');
  if (!content) return;
  const input = h('textarea', { 'data-testid': 'message-edit-input', rows: 2, 'aria-label': 'Edit message' });
  input.value = m.content;
  const cancel = () => { if (el.isConnected) el.replaceWith(el.dataset.thread ? el : render(view.messages.get(m.id) || m)); panels.refreshThread(); };
  const save = async () => {
    const text = input.value.trim();
    if (!text || text === m.content) return cancel();
    const updated = await attempt(() => state.api.edit(m.id, text), 'Edit');
    if (updated) {
      if (view.messages.has(m.id)) { view.messages.set(m.id, updated); rerender(m.id); }
      panels.threadMessage(updated);
    }
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); save(); }
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); }
  });
  const form = h('div.edit-form', input, h('div.row',
    h('button.primary', { type: 'button', onclick: save }, 'Save'), h('button', { type: 'button', onclick: cancel }, 'Cancel'),
    h('span.muted', 'Enter to save · Escape to cancel')));
  content.replaceWith(form);
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

// ---- read receipts ----------------------------------------------------------------------

let markTimer = null;
function markReadSoon() {
  clearTimeout(markTimer);
  markTimer = setTimeout(() => {
    if (!state.roomId || document.hidden || !nearBottom()) return;
    const last = view.messages.get(view.order.at(-1));
    if (!last) return;
    const mine = view.receipts.get(state.user.id);
    rooms.markSeen(state.roomId);
    if (mine && mine.last_read_message_id === last.id) return;
    view.receipts.set(state.user.id, { ...(mine || {}), user_id: state.user.id, last_read_message_id: last.id, last_read_at: last.created_at });
    state.api.markRead(state.roomId, last.id).catch((e) => toast(`Read receipt: ${e.message}`));
  }, 400);
}

/** "Seen by …" under the newest message: members whose read position reaches it. */
function renderSeenBy() {
  const last = view.messages.get(view.order.at(-1));
  const el = $('#seen-by');
  if (!last) { el.textContent = ''; return; }
  const readers = [...view.receipts.values()].filter((r) => r.user_id !== state.user.id && r.user_id !== last.user_id
    && (r.last_read_message_id === last.id || (r.last_read_at && r.last_read_at !== '-infinity'
      && compareMessages({ created_at: r.last_read_at, id: r.last_read_message_id || '' }, last) >= 0)));
  loadProfiles(readers.map((r) => r.user_id)).then(() => {
    el.textContent = readers.length ? `Seen by ${readers.map((r) => displayName(r.user_id)).join(', ')}` : '';
  });
}

// ---- typing and presence ----------------------------------------------------------------

function onTyping(roomId, payload) {
  if (roomId !== state.roomId || !payload?.user_id || payload.user_id === state.user.id) return;
  if (!payload.typing) return clearTyping(payload.user_id);
  clearTimeout(view.typing.get(payload.user_id)?.timer);
  view.typing.set(payload.user_id, { name: payload.name || displayName(payload.user_id), timer: setTimeout(() => clearTyping(payload.user_id), 5000) });
  renderTyping();
}

function clearTyping(userId) {
  if (!view.typing.has(userId)) return;
  clearTimeout(view.typing.get(userId).timer);
  view.typing.delete(userId);
  renderTyping();
}

function renderTyping() {
  const names = [...view.typing.values()].map((t) => t.name);
  $('#typing-indicator').textContent = !names.length ? ''
    : names.length === 1 ? `${names[0]} is typing…`
      : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
}

let lastTypingSent = 0;
function sendTyping(typing) {
  const channel = rooms.channelOf(state.roomId);
  if (!channel) return;
  const now = Date.now();
  if (typing && now - lastTypingSent < 2000) return;
  lastTypingSent = typing ? now : 0;
  channel.send({ type: 'broadcast', event: 'typing', payload: { user_id: state.user.id, name: displayName(state.user.id), typing } }).catch(() => {});
}

function renderPresence() {
  const channel = rooms.channelOf(state.roomId);
  const people = new Map();
  for (const metas of Object.values(channel?.presenceState() || {})) {
    for (const meta of metas) if (meta.user_id) people.set(meta.user_id, meta);
  }
  const ids = [...people.keys()];
  loadProfiles(ids).then(() => {
    clear($('#presence-list'), ids.map((id) => {
      const status = state.profiles.get(id)?.status || people.get(id).status || 'online';
      return h('li', { 'data-testid': 'presence-user', 'data-user-id': id, title: state.profiles.get(id)?.status_message || status },
        h('span.dot', { 'data-status': status === 'offline' ? 'online' : status }), displayName(id));
    }));
  });
}

// ---- composer ---------------------------------------------------------------------------

function renderComposer() {
  const form = $('#composer');
  const input = h('textarea', { 'data-testid': 'message-input', id: 'message-input', rows: 1, placeholder: `Message ${$('#room-name').textContent}`, 'aria-label': 'Message', maxlength: 10000 });
  const file = h('input', { type: 'file', 'data-testid': 'file-input', id: 'file-input', hidden: false, class: 'visually-hidden', tabindex: -1 });
  const progress = h('div.upload', { hidden: true }, h('span.upload-name'), h('progress', { 'data-testid': 'upload-progress', max: 100 }));
  const emojiButton = h('button.icon', { type: 'button', title: 'Emoji', 'aria-label': 'Emoji' }, '😊');
  emojiButton.addEventListener('click', (e) => {
    e.stopPropagation();
    togglePicker(form, (emoji) => insertAtCursor(input, emoji));
  });
  const attach = h('button.icon', { type: 'button', title: 'Attach a file', 'aria-label': 'Attach a file', onclick: () => file.click() }, '📎');
  const send = h('button.primary.send', { type: 'submit', 'data-testid': 'message-send' }, 'Send');
  clear(form, progress, input, h('div.row', emojiButton, attach, file, h('span.muted', { style: 'font-size:.75rem' }, 'Enter to send · Shift+Enter for a new line'), send));

  input.addEventListener('input', () => { autosize(input); if (input.value.trim()) sendTyping(true); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  form.onsubmit = async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const roomId = state.roomId;
    input.value = '';
    autosize(input);
    sendTyping(false);
    const sent = await attempt(() => state.api.send({ room_id: roomId, content: text }), 'Send');
    if (!sent) { if (!input.value) input.value = text; return; }
    upsertMessage(sent, true);
    rooms.noteMessage(roomId, sent);
  };
  file.addEventListener('change', async () => {
    const f = file.files[0];
    file.value = '';
    if (f) await uploadAndSend(f, progress);
  });
}

export async function uploadAndSend(f, progress, parentId = null) {
  const roomId = state.roomId;
  const bar = progress.querySelector('progress');
  progress.querySelector('.upload-name').textContent = f.name;
  bar.removeAttribute('value'); // indeterminate until the first progress event
  progress.hidden = false;
  try {
    const path = await state.api.uploadAttachment(roomId, f, (p) => {
      const ratio = typeof p === 'number' ? p : p && p.total ? p.loaded / p.total : null;
      if (ratio != null) bar.value = Math.round(ratio * (ratio <= 1 ? 100 : 1));
    });
    bar.value = 100;
    const sent = await state.api.send({
      room_id: roomId, content: f.name, type: f.type.startsWith('image/') ? 'image' : 'file',
      file_url: path, file_name: f.name, file_size: f.size, parent_id: parentId,
    });
    upsertMessage(sent, true);
    rooms.noteMessage(roomId, sent);
  } catch (e) {
    toast(`Upload of ${f.name}: ${e.message}`);
  } finally {
    progress.hidden = true;
  }
}

function insertAtCursor(input, text) {
  const { selectionStart: s, selectionEnd: e } = input;
  input.setRangeText(text, s ?? input.value.length, e ?? input.value.length, 'end');
  input.focus();
  autosize(input);
}

function autosize(input) {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight + 2, 128)}px`;
}

export function closePickers() {
  return closePicker();
}

$('#room-back').addEventListener('click', () => close());
$('#room-leave').addEventListener('click', () => attempt(async () => {
  const roomId = state.roomId;
  await state.api.leaveRoom(roomId);
  rooms.forget(roomId);
  close();
  await rooms.refresh();
}, 'Leave'));
