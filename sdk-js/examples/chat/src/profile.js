// My profile: display name, avatar (uploaded to the avatars bucket), status and status message.
import { $, h, initials, attempt, toast } from './dom.js';
import { state } from './state.js';
import { openDialog } from './dialogs.js';
import * as room from './room.js';

const avatarUrls = new Map(); // avatar_url -> a displayable URL (signed for private buckets)

/** Puts {@code profile}'s avatar (or initials) into {@code el}. */
export function fillAvatar(el, profile) {
  el.replaceChildren(initials(profile?.display_name || profile?.username));
  const src = profile?.avatar_url;
  if (!src) return;
  const show = (url) => {
    const img = h('img', { alt: '', src: url, loading: 'lazy' });
    img.addEventListener('error', () => img.remove());
    el.replaceChildren(img);
  };
  if (/^(https?:|\/|data:)/.test(src)) return show(src);
  if (avatarUrls.has(src)) return show(avatarUrls.get(src));
  state.api.signedUrl('avatars', src).then((url) => { avatarUrls.set(src, url); show(url); }).catch(() => {});
}

export async function loadMyProfile() {
  const profile = await state.api.profile(state.user.id).catch(() => null);
  state.profile = profile ?? { id: state.user.id, username: state.user.email, status: 'online' };
  if (profile) state.profiles.set(profile.id, profile);
  renderMe();
  if (profile && (!profile.status || profile.status === 'offline')) {
    // Signing in makes me online unless I chose away or busy before.
    attempt(async () => saved(await state.api.updateProfile({ status: 'online' })), 'Status');
  }
}

function saved(profile) {
  state.profile = profile;
  state.profiles.set(profile.id, profile);
  renderMe();
  room.redraw();
}

export function renderMe() {
  const p = state.profile;
  $('#current-user').textContent = p.display_name || p.username || state.user.email;
  $('#current-user').title = state.user.email;
  $('#me-status').textContent = [p.status || 'online', p.status_message].filter(Boolean).join(' · ');
  fillAvatar($('#me-avatar'), p);
}

export function openProfile() {
  const p = state.profile;
  const status = h('select', { name: 'status', id: 'profile-status' },
    ['online', 'away', 'busy'].map((s) => h('option', { value: s, selected: (p.status || 'online') === s }, s)));
  const avatar = h('input', { type: 'file', name: 'avatar', accept: 'image/*', id: 'profile-avatar' });
  const preview = h('span.avatar');
  fillAvatar(preview, p);
  openDialog('Profile', [
    h('div.row', { style: 'justify-content:flex-start' }, preview, h('span.muted', `@${p.username}`)),
    h('label', 'Display name', h('input', { name: 'display_name', id: 'profile-name', value: p.display_name || '', maxlength: 80 })),
    h('label', 'Status', status),
    h('label', 'Status message', h('input', { name: 'status_message', id: 'profile-message', value: p.status_message || '', maxlength: 140 })),
    h('label', 'Avatar', avatar),
  ], 'Save', async (form) => {
    const fields = {
      display_name: form.display_name.value.trim() || null,
      status: form.status.value,
      status_message: form.status_message.value.trim() || null,
    };
    const file = avatar.files[0];
    if (file) {
      if (!file.type.startsWith('image/')) throw new Error('the avatar must be an image');
      fields.avatar_url = await state.api.uploadAvatar(file);
    }
    saved(await state.api.updateProfile(fields));
    toast('Profile saved', 'ok');
  });
}

$('#profile-open').addEventListener('click', openProfile);
