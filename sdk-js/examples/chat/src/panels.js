// The side panel: a thread (replies to one message), the member list with moderation, and
// search results. One panel at a time; Escape closes it.
import { $, h, clear, attempt, toast } from './dom.js';
import { state, loadProfiles, displayName, roomLabel } from './state.js';
import { renderMessage, compareMessages } from './messages.js';
import { openDialog } from './dialogs.js';
import { fillAvatar } from './profile.js';
import * as room from './room.js';
import * as rooms from './rooms.js';

const panel = $('#side-panel');
let current = null; // {kind: 'thread'|'members'|'search', ...}

function show(kind, title, body, foot, extra = {}) {
  current = { kind, ...extra };
  const head = h('header.panel-head', h('h3', title),
    h('button.icon', { type: 'button', title: 'Close (Escape)', 'aria-label': 'Close', onclick: closePanel }, '✕'));
  clear(panel, head, body, foot);
  panel.hidden = false;
  panel.dataset.testid = kind === 'thread' ? 'thread-panel' : `${kind}-panel`;
  panel.setAttribute('data-testid', panel.dataset.testid);
  $('#chat-screen').classList.add('panel-open');
}

export function closePanel() {
  current = null;
  panel.hidden = true;
  panel.removeAttribute('data-testid');
  clear(panel);
  $('#chat-screen').classList.remove('panel-open');
}

/** The open room changed: a thread or member list of the previous room closes. */
export function roomChanged() {
  if (current && current.kind !== 'search') closePanel();
}

// ---- thread -----------------------------------------------------------------------------

export async function openThread(parent) {
  const body = h('div.panel-body', h('ol.message-items.thread-parent'), h('ol.message-items.thread-replies'));
  const input = h('textarea', { 'data-testid': 'thread-input', rows: 2, placeholder: 'Reply in thread', 'aria-label': 'Reply in thread' });
  const send = h('button.primary', { type: 'submit' }, 'Reply');
  const file = h('input', { type: 'file', class: 'visually-hidden', tabindex: -1 });
  const progress = h('div.upload', { hidden: true }, h('span.upload-name'), h('progress', { max: 100 }));
  const form = h('form.panel-foot', progress, input,
    h('div.row', h('button.icon', { type: 'button', title: 'Attach a file', 'aria-label': 'Attach a file', onclick: () => file.click() }, '📎'), file, send));
  show('thread', 'Thread', body, form, { parent, replies: new Map(), reactions: new Map() });
  const thread = current;
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    const sent = await attempt(() => state.api.send({ room_id: parent.room_id, content: text, parent_id: parent.id }), 'Reply');
    if (sent) { threadMessage(sent); room.upsertMessage(sent, true); } else input.value = text;
  });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    file.value = '';
    if (f) await room.uploadAndSend(f, progress, parent.id);
  });
  input.focus();
  const replies = await attempt(() => state.api.thread(parent.id), 'Thread');
  if (current !== thread || !replies) return;
  const reactions = await state.api.reactions([parent.id, ...replies.map((r) => r.id)]).catch(() => []);
  await loadProfiles([parent.user_id, ...replies.map((r) => r.user_id)]);
  for (const r of replies) thread.replies.set(r.id, r);
  for (const r of reactions) addReaction(thread, r);
  refreshThread();
}

function addReaction(thread, r) {
  const rows = thread.reactions.get(r.message_id) || [];
  if (!rows.some((x) => x.user_id === r.user_id && x.emoji === r.emoji)) rows.push(r);
  thread.reactions.set(r.message_id, rows);
}

export function refreshThread() {
  if (current?.kind !== 'thread') return;
  const thread = current;
  const base = room.messageContext();
  const ctx = { ...base, reactions: thread.reactions, inThread: true };
  const parentCtx = { ...base, reactions: thread.reactions, inThread: true };
  const draw = (m, c) => { const el = renderMessage(m, c); el.dataset.thread = '1'; return el; };
  clear(panel.querySelector('.thread-parent'), draw(thread.parent, parentCtx));
  const replies = [...thread.replies.values()].filter((m) => !m.deleted_at).sort(compareMessages);
  clear(panel.querySelector('.thread-replies'),
    h('li.muted', { style: 'font-size:.8rem;padding:.3rem .5rem' }, `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`),
    replies.map((m) => draw(m, ctx)));
  const body = panel.querySelector('.panel-body');
  body.scrollTop = body.scrollHeight;
}

/** A message arrived or changed: shown if it belongs to the open thread. */
export function threadMessage(m) {
  if (current?.kind !== 'thread') return;
  if (m.id === current.parent.id) { current.parent = m; return refreshThread(); }
  if (m.parent_id !== current.parent.id) return;
  loadProfiles([m.user_id]).then(() => { current?.replies?.set(m.id, m); refreshThread(); });
}

export function threadRemoved(old) {
  if (current?.kind !== 'thread') return;
  if (old.id === current.parent.id) return closePanel();
  if (current.replies.delete(old.id)) refreshThread();
}

export function threadReactionChanged(payload) {
  if (current?.kind !== 'thread') return;
  const r = payload.record ?? payload.old_record;
  if (!r || (r.message_id !== current.parent.id && !current.replies.has(r.message_id))) return;
  if (payload.operation === 'DELETE') {
    current.reactions.set(r.message_id, (current.reactions.get(r.message_id) || []).filter((x) => !(x.user_id === r.user_id && x.emoji === r.emoji)));
  } else addReaction(current, r);
  refreshThread();
}

// ---- members and moderation --------------------------------------------------------------

export function membersChanged() {
  if (current?.kind === 'members') openMembers();
}

async function openMembers() {
  const roomId = state.roomId;
  const [members, bans] = await Promise.all([state.api.members(roomId), state.api.bans(roomId)]);
  if (roomId !== state.roomId) return;
  await loadProfiles([...members.map((m) => m.user_id), ...bans.map((b) => b.user_id)]);
  const myRole = state.memberships.get(roomId);
  const isAdmin = myRole === 'admin';
  const canModerate = isAdmin || myRole === 'moderator';
  const order = { admin: 0, moderator: 1, member: 2 };
  members.sort((a, b) => order[a.role] - order[b.role] || displayName(a.user_id).localeCompare(displayName(b.user_id)));
  const act = (what, fn) => attempt(async () => { await fn(); await openMembers(); rooms.refreshSoon(); }, what);
  const body = h('div.panel-body',
    h('ul', { style: 'list-style:none;margin:0;padding:0', 'data-testid': 'member-list' }, members.map((m) => {
      const me = m.user_id === state.user.id;
      const avatar = h('span.avatar.small');
      fillAvatar(avatar, state.profiles.get(m.user_id));
      const role = isAdmin && !me
        ? h('select', { 'data-testid': 'member-role', 'aria-label': `Role of ${displayName(m.user_id)}`,
          onchange: (e) => act('Role', () => state.api.setMemberRole(roomId, m.user_id, e.target.value)) },
        ['member', 'moderator', 'admin'].map((r) => h('option', { value: r, selected: r === m.role }, r)))
        : h('span.muted', m.role);
      const status = state.profiles.get(m.user_id)?.status || 'offline';
      return h('li.member', { 'data-testid': 'member', 'data-user-id': m.user_id }, avatar,
        h('span.name', h('span.dot', { 'data-status': status, title: status }), ' ', displayName(m.user_id), me ? ' (you)' : '',
          h('span.muted', { style: 'display:block;font-size:.75rem' }, `@${state.profiles.get(m.user_id)?.username ?? ''}`)),
        role,
        canModerate && !me && order[m.role] >= order[myRole] ? [
          h('button', { type: 'button', 'data-testid': 'member-kick', onclick: () => act('Kick', () => state.api.kickMember(roomId, m.user_id)) }, 'Kick'),
          h('button.danger', { type: 'button', 'data-testid': 'member-ban', onclick: () => act('Ban', () => state.api.banMember(roomId, m.user_id)) }, 'Ban'),
        ] : null);
    })),
    canModerate && bans.length ? [h('h4', 'Banned'), h('ul', { style: 'list-style:none;margin:0;padding:0' }, bans.map((b) =>
      h('li.member', h('span.name', displayName(b.user_id)),
        h('button', { type: 'button', 'data-testid': 'member-unban', onclick: () => act('Unban', () => state.api.unbanMember(roomId, b.user_id)) }, 'Unban'))))] : null);
  show('members', `Members of ${roomLabel(state.rooms.get(roomId))}`, body, null);
}

$('#members-open').addEventListener('click', () => attempt(openMembers, 'Members'));

$('#room-invite').addEventListener('click', () => {
  const roomId = state.roomId;
  openDialog(`Invite to ${roomLabel(state.rooms.get(roomId))}`, [
    h('label', 'Username', h('input', { name: 'username', 'data-testid': 'invite-username', required: true, autocomplete: 'off', placeholder: 'bob' })),
  ], 'Invite', async (form) => {
    const profile = await state.api.profileByUsername(form.username.value);
    if (!profile) throw new Error(`No user named ${form.username.value.trim()}.`);
    await state.api.inviteMember(roomId, profile.id);
    toast(`${profile.display_name || profile.username} was invited`, 'ok');
    membersChanged();
  }, 'invite-submit');
});

// ---- search -----------------------------------------------------------------------------

let searchTimer = null;
const searchInput = $('#search-input');
searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => runSearch(searchInput.value), 300);
});
searchInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') { clearTimeout(searchTimer); runSearch(searchInput.value); }
  if (e.key === 'Escape') { searchInput.value = ''; if (current?.kind === 'search') closePanel(); searchInput.blur(); }
  if (e.key === 'ArrowDown') { e.preventDefault(); panel.querySelector('[data-testid="search-result"]')?.focus(); }
});

async function runSearch(query) {
  query = query.trim();
  if (!query) { if (current?.kind === 'search') closePanel(); return; }
  const results = await attempt(() => state.api.search(query), 'Search');
  if (!results || searchInput.value.trim() !== query) return;
  await loadProfiles(results.map((r) => r.user_id));
  const body = h('div.panel-body', results.length ? results.map((r) => h('button.search-result', {
    type: 'button', 'data-testid': 'search-result', 'data-message-id': r.id, 'data-room-id': r.room_id,
    onclick: () => jumpToResult(r),
  },
  h('span.where', `${roomLabel(state.rooms.get(r.room_id) || { name: r.room_name || 'a room' })} · ${displayName(r.user_id)}`),
  h('div', r.snippet ? highlighted(r.snippet) : r.content))) : h('p.muted', `Nothing matches “${query}”.`));
  show('search', `Search: ${query}`, body, null);
}

/**
 * Snippets are HTML from the server: the content escaped, matches in <mark>. They are turned
 * into text and <mark> elements here, never parsed as HTML.
 */
function highlighted(snippet) {
  const unescape = (t) => t.replace(/&(lt|gt|quot|#39|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]);
  const parts = String(snippet ?? '').split(/<\/?mark>/);
  return parts.map((p, i) => (i % 2 ? h('mark', unescape(p)) : unescape(p)));
}

async function jumpToResult(r) {
  if (!state.rooms.has(r.room_id)) await rooms.refresh();
  if (r.room_id !== state.roomId) await room.open(r.room_id); // the search panel stays open
  if (r.parent_id) {
    const parent = await state.api.message(r.parent_id).catch(() => null);
    if (parent) {
      await room.jumpTo(parent.id);
      await openThread(parent);
      document.querySelector(`#side-panel [data-message-id="${r.id}"]`)?.classList.add('flash');
    }
    return;
  }
  if (!(await room.jumpTo(r.id))) toast('That message is no longer there.');
}
