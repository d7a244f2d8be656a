// Notifications (mentions, direct messages, replies to my threads): rows of the notifications
// table, pushed live on my private topic user:<id>; the bell shows the unread ones, and the
// browser's Notification API alerts too when the user allowed it and the tab is not in view.
import { $, h, clear, formatTime, attempt } from './dom.js';
import { state, loadProfiles, displayName, roomLabel } from './state.js';
import { subscribeTracked } from './connection.js';
import * as room from './room.js';
import * as rooms from './rooms.js';
import * as panels from './panels.js';

let items = [];
let channel = null;

const LABELS = {
  mention: (n) => `${displayName(n.actor_id)} mentioned you in ${where(n)}`,
  reply: (n) => `${displayName(n.actor_id)} replied to your thread in ${where(n)}`,
  direct_message: (n) => `${displayName(n.actor_id)} sent you a direct message`,
};

function where(n) {
  const r = state.rooms.get(n.room_id);
  return r ? roomLabel(r) : 'a room';
}

export function start() {
  stop();
  load();
  channel = state.db.channel(`user:${state.user.id}`, { config: { private: true } })
    .on('broadcast', { event: '*' }, ({ payload }) => {
      if (payload?.table === 'room_members') return rooms.refreshSoon(); // added to or removed from a room
      if (payload?.table !== 'notifications') return;
      if (payload.operation === 'DELETE') {
        items = items.filter((x) => x.id !== payload.old_record?.id);
        render();
      } else if (payload.record?.user_id === state.user.id) received(payload.record);
    })
    .on('resync', {}, () => { load(); rooms.refreshSoon(); });
  subscribeTracked(channel, 'user', (rejoin) => { if (rejoin) load(); });
  $('#notifications-allow').hidden = !('Notification' in window) || Notification.permission !== 'default';
}

export function stop() {
  if (channel) state.db.removeChannel(channel);
  channel = null;
  items = [];
  hide();
}

async function load() {
  const rows = await attempt(() => state.api.notifications(), 'Notifications');
  if (!rows) return;
  await loadProfiles(rows.map((n) => n.actor_id));
  items = rows;
  render();
}

async function received(n) {
  const known = items.find((x) => x.id === n.id);
  await loadProfiles([n.actor_id]);
  if (known) Object.assign(known, n);
  else {
    items.unshift(n);
    if (!state.rooms.has(n.room_id)) rooms.refreshSoon();
    alertBrowser(n);
  }
  render();
}

function alertBrowser(n) {
  const text = LABELS[n.type]?.(n) ?? 'New notification';
  const inView = !document.hidden && state.roomId === n.room_id;
  if (inView || !('Notification' in window) || Notification.permission !== 'granted') return;
  const note = new Notification('Parley', { body: text, tag: n.id });
  note.onclick = () => { window.focus(); openNotification(n); };
}

function render() {
  const unread = items.filter((n) => !n.read_at).length;
  const badge = $('#notification-count');
  badge.hidden = unread === 0;
  badge.textContent = unread > 99 ? '99+' : String(unread);
  clear($('#notification-list'), items.length ? items.map((n) => h('li', h('button.notification', {
    type: 'button', 'data-testid': 'notification', 'data-notification-id': n.id, 'data-type': n.type,
    class: n.read_at ? null : 'unread', onclick: () => openNotification(n),
  }, LABELS[n.type]?.(n) ?? n.type, h('span.when', formatTime(n.created_at))))) : h('li.muted', 'Nothing yet.'));
}

async function openNotification(n) {
  hide();
  if (!n.read_at) {
    n.read_at = new Date().toISOString();
    render();
    state.api.markNotificationRead(n.id).catch(() => {});
  }
  if (!state.rooms.has(n.room_id)) await rooms.refresh();
  if (state.roomId !== n.room_id) await room.open(n.room_id);
  const message = await state.api.message(n.message_id).catch(() => null);
  if (message?.parent_id) {
    const parent = await state.api.message(message.parent_id).catch(() => null);
    if (parent) { await room.jumpTo(parent.id); panels.openThread(parent); }
  } else if (message) await room.jumpTo(message.id);
}

export function hide() {
  $('#notifications').hidden = true;
}

$('#notifications-open').addEventListener('click', (e) => {
  e.stopPropagation();
  const pop = $('#notifications');
  pop.hidden = !pop.hidden;
  if (!pop.hidden) pop.querySelector('.notification')?.focus();
});
document.addEventListener('click', (e) => {
  if (!$('#notifications').hidden && !$('#notifications').contains(e.target)) hide();
});
$('#notifications-allow').addEventListener('click', async () => {
  await Notification.requestPermission();
  $('#notifications-allow').hidden = Notification.permission !== 'default';
});
