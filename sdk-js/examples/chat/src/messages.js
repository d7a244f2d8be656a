// Rendering one message (used by the room and the thread panel): author, time, edited marker,
// content with @mentions, attachment preview, reactions and the per-message actions.
import { h, formatTime, formatSize } from './dom.js';
import { state, displayName } from './state.js';
import { fillAvatar } from './profile.js';
import { QUICK_REACTIONS, EMOJI } from './emoji.js';

const signedAttachments = new Map(); // object path -> signed URL

/**
 * {@code ctx}: {reactions: Map(messageId -> rows), replies: Map(parentId -> count), canModerate,
 * inThread, onReply, onEdit, onDelete, onReact}.
 */
export function renderMessage(m, ctx) {
  const mine = m.user_id === state.user.id;
  const deleted = Boolean(m.deleted_at);
  const profile = state.profiles.get(m.user_id);
  const avatar = h('span.avatar');
  fillAvatar(avatar, profile);
  const li = h('li.message', {
    'data-testid': 'message', 'data-message-id': m.id, id: `m-${m.id}`,
    class: [mine && 'mine', deleted && 'deleted', m.type === 'system' && 'system'].filter(Boolean).join(' ') || null,
  },
  avatar,
  h('div.bubble',
    h('div.head',
      h('span.message-author', { 'data-testid': 'message-author' }, displayName(m.user_id)),
      h('time.time', { datetime: m.created_at, title: new Date(m.created_at).toLocaleString() }, formatTime(m.created_at)),
      (m.edited || m.edited_at) && !deleted ? h('span.edited', { title: m.edited_at ? new Date(m.edited_at).toLocaleString() : '' }, '(edited)') : null),
    h('div.message-content', { 'data-testid': 'message-content' }, deleted ? 'This message was deleted' : withMentions(m.content)),
    !deleted && m.file_url ? attachment(m) : null,
    deleted ? null : reactions(m, ctx),
    !ctx.inThread && ctx.replies.get(m.id)
      ? h('button.thread-link', { type: 'button', onclick: () => ctx.onReply(m) },
        `${ctx.replies.get(m.id)} ${ctx.replies.get(m.id) === 1 ? 'reply' : 'replies'}`)
      : null),
  deleted ? null : actions(m, mine, ctx));
  // Touch screens have no hover: a tap on the message shows or hides its actions.
  li.addEventListener('click', (e) => {
    if (matchMedia('(hover: none)').matches && !e.target.closest('button, a, textarea, .emoji-picker')) li.classList.toggle('menu-open');
  });
  return li;
}

function withMentions(text) {
  const parts = String(text ?? '').split(/(@[A-Za-z0-9_]{2,32})/g);
  return parts.map((p, i) => (i % 2 ? h('span.mention', p) : p));
}

function attachment(m) {
  const box = h('div.attachment', { 'data-testid': 'message-attachment' });
  const isImage = m.type === 'image';
  const link = h('a', { target: '_blank', rel: 'noopener', download: m.file_name || '' },
    `${isImage ? '🖼' : '📎'} ${m.file_name || 'file'}`, m.file_size != null ? ` · ${formatSize(m.file_size)}` : '');
  // The preview box has a fixed size, so the list does not jump when the image loads.
  const preview = isImage ? h('div.preview') : null;
  box.append(...[preview, link].filter(Boolean));
  signedUrl(m.file_url).then((url) => {
    link.href = url;
    if (preview) preview.append(h('img', { src: url, alt: m.file_name || 'image' }));
  }).catch(() => { link.append(' (unavailable)'); });
  return box;
}

function signedUrl(path) {
  if (/^(https?:|\/)/.test(path)) return Promise.resolve(path);
  if (!signedAttachments.has(path)) {
    const p = state.api.signedUrl('attachments', path);
    p.catch(() => signedAttachments.delete(path));
    signedAttachments.set(path, p);
  }
  return signedAttachments.get(path);
}

function reactions(m, ctx) {
  const rows = ctx.reactions.get(m.id) || [];
  const byEmoji = new Map();
  for (const r of rows) {
    if (!byEmoji.has(r.emoji)) byEmoji.set(r.emoji, []);
    byEmoji.get(r.emoji).push(r.user_id);
  }
  return h('div.reactions', [...byEmoji].map(([emoji, users]) => {
    const mineToo = users.includes(state.user.id);
    return h('button.reaction', {
      type: 'button', 'data-testid': 'reaction', 'data-emoji': emoji, 'aria-pressed': String(mineToo),
      title: users.map(displayName).join(', '),
      onclick: () => ctx.onReact(m, emoji, mineToo),
    }, `${emoji} ${users.length}`);
  }));
}

function actions(m, mine, ctx) {
  const bar = h('div.message-actions', { role: 'toolbar', 'aria-label': 'Message actions' });
  const react = h('button', { type: 'button', 'data-testid': 'message-react', title: 'React', 'aria-label': 'React' }, '☺');
  react.addEventListener('click', (e) => {
    e.stopPropagation();
    togglePicker(bar.closest('.message'), (emoji) => {
      const already = (ctx.reactions.get(m.id) || []).some((r) => r.emoji === emoji && r.user_id === state.user.id);
      ctx.onReact(m, emoji, already);
    }, [...QUICK_REACTIONS, ...EMOJI.filter((e2) => !QUICK_REACTIONS.includes(e2))]);
  });
  bar.append(react);
  if (!ctx.inThread) bar.append(h('button', { type: 'button', 'data-testid': 'message-reply', title: 'Reply in thread', onclick: () => ctx.onReply(m) }, 'Reply'));
  if (mine && m.type !== 'system') bar.append(h('button', { type: 'button', 'data-testid': 'message-edit', title: 'Edit', onclick: () => ctx.onEdit(m) }, 'Edit'));
  if (mine || ctx.canModerate) {
    bar.append(h('button.danger', { type: 'button', 'data-testid': 'message-delete', title: mine ? 'Delete' : 'Delete (moderator)', onclick: () => ctx.onDelete(m) }, 'Delete'));
  }
  return bar;
}

let openPicker = null;

/** An emoji grid anchored in {@code host}; arrow keys move, Enter picks, Escape closes. */
export function togglePicker(host, onPick, emoji = EMOJI) {
  const wasHere = openPicker?.parentElement === host;
  closePicker();
  if (wasHere) return;
  const grid = h('div.emoji-picker.card', { role: 'listbox', 'aria-label': 'Emoji' },
    emoji.map((e) => h('button', {
      type: 'button', role: 'option', 'data-testid': 'emoji-option', 'data-emoji': e, title: e,
      onclick: (ev) => { ev.stopPropagation(); closePicker(); onPick(e); },
    }, e)));
  grid.addEventListener('keydown', (ev) => {
    const buttons = [...grid.children];
    const i = buttons.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[ev.key];
    if (step && i >= 0) {
      ev.preventDefault();
      buttons[Math.max(0, Math.min(buttons.length - 1, i + step))].focus();
    }
  });
  host.classList.add('menu-open');
  host.append(grid);
  openPicker = grid;
  // Near the bottom of a scrolling list, open upwards so the whole grid is visible.
  const scroller = host.closest('.messages, .panel-body');
  if (scroller && grid.getBoundingClientRect().bottom > scroller.getBoundingClientRect().bottom) grid.classList.add('above');
  grid.firstElementChild.focus();
}

export function closePicker() {
  if (!openPicker) return false;
  openPicker.parentElement?.classList.remove('menu-open');
  openPicker.remove();
  openPicker = null;
  return true;
}

document.addEventListener('click', (e) => {
  if (openPicker && !openPicker.contains(e.target)) closePicker();
});

/** Orders messages as the server does: (created_at, id). */
export function compareMessages(a, b) {
  const ta = micros(a.created_at);
  const tb = micros(b.created_at);
  return ta < tb ? -1 : ta > tb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Microseconds since the epoch: Postgres keeps microseconds, Date only milliseconds. */
export function micros(iso) {
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return BigInt(Date.parse(iso)) * 1000n + BigInt((fraction + '000000').slice(3, 6));
}
