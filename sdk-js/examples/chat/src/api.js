// Every call the app makes to the chat schema, in one place: the names of tables, columns and
// RPC arguments are the chat schema's contract (docs/chat.md), so aligning with it touches only
// this file. Each function returns data or throws an Error with the server's message.

export const PAGE_SIZE = 50;

function unwrap({ data, error }) {
  if (error) throw Object.assign(new Error(error.message || String(error)), { code: error.code, details: error.details });
  return data;
}

/** {@code me} returns the signed-in user's id. */
export function createApi(db, me) {
  return {
    // Profiles
    profile: async (id) => unwrap(await db.from('user_profiles').select('*').eq('id', id).maybeSingle()),
    profiles: async (ids) => ids.length ? unwrap(await db.from('user_profiles').select('*').in('id', ids)) : [],
    profileByUsername: async (username) =>
      unwrap(await db.from('user_profiles').select('*').eq('username', username.replace(/^@/, '').trim()).maybeSingle()),
    updateProfile: async (fields) =>
      unwrap(await db.from('user_profiles').update(fields).eq('id', me()).select().single()),

    // Rooms: every room I can see (public ones and mine), with its latest message.
    rooms: async () => unwrap(await db.from('rooms_with_latest_message').select('*')),
    unreadCounts: async () => unwrap(await db.from('unread_counts').select('room_id, unread_count').eq('user_id', me())),
    myMemberships: async () => unwrap(await db.from('room_members').select('room_id, role').eq('user_id', me())),
    myRole: async (roomId) => unwrap(await db.from('room_members').select('role')
      .eq('room_id', roomId).eq('user_id', me()).maybeSingle())?.role ?? null,
    members: async (roomId) => unwrap(await db.from('room_members').select('*').eq('room_id', roomId)),
    membersOf: async (roomIds) =>
      roomIds.length ? unwrap(await db.from('room_members').select('room_id, user_id').in('room_id', roomIds)) : [],
    bans: async (roomId) => {
      const { data, error } = await db.from('room_bans').select('*').eq('room_id', roomId);
      return error ? [] : data; // only moderators may read bans; others simply see none
    },
    createRoom: async (name, type, description = null) =>
      unwrap(await db.rpc('create_room', { name, type, description })),
    joinRoom: async (roomId) => unwrap(await db.rpc('join_room', { room_id: roomId })),
    leaveRoom: async (roomId) => unwrap(await db.rpc('leave_room', { room_id: roomId })),
    inviteMember: async (roomId, userId) => unwrap(await db.rpc('invite_member', { room_id: roomId, user_id: userId })),
    kickMember: async (roomId, userId) => unwrap(await db.rpc('kick_member', { room_id: roomId, user_id: userId })),
    banMember: async (roomId, userId) => unwrap(await db.rpc('ban_member', { room_id: roomId, user_id: userId })),
    unbanMember: async (roomId, userId) => unwrap(await db.rpc('unban_member', { room_id: roomId, user_id: userId })),
    setMemberRole: async (roomId, userId, role) =>
      unwrap(await db.rpc('set_member_role', { room_id: roomId, user_id: userId, role })),
    openDirect: async (otherUserId) => unwrap(await db.rpc('open_direct', { other_user: otherUserId })),
    markRead: async (roomId, messageId) =>
      unwrap(await db.rpc('mark_read', { room_id: roomId, message_id: messageId })),

    // Messages: newest first from the server, in pages keyed by (created_at, id).
    history: async (roomId, before) => {
      let q = db.from('messages').select('*').eq('room_id', roomId).is('parent_id', null);
      if (before) q = q.or(`created_at.lt.${before.created_at},and(created_at.eq.${before.created_at},id.lt.${before.id})`);
      return unwrap(await q.order('created_at', { ascending: false }).order('id', { ascending: false }).limit(PAGE_SIZE));
    },
    /** Messages of a room committed after {@code after}: what a reconnect may have missed. */
    since: async (roomId, after) => unwrap(await db.from('messages').select('*').eq('room_id', roomId)
      .gte('created_at', after).order('created_at').order('id').limit(500)),
    message: async (id) => unwrap(await db.from('messages').select('*').eq('id', id).maybeSingle()),
    thread: async (parentId) =>
      unwrap(await db.from('messages').select('*').eq('parent_id', parentId).order('created_at').order('id').limit(500)),
    replyCounts: async (parentIds) => parentIds.length
      ? unwrap(await db.from('messages').select('id, parent_id').in('parent_id', parentIds).is('deleted_at', null)) : [],
    send: async (fields) => unwrap(await db.from('messages').insert({ user_id: me(), type: 'text', ...fields }).select().single()),
    edit: async (id, content) => unwrap(await db.from('messages').update({ content }).eq('id', id).select().maybeSingle()),
    remove: async (id) => unwrap(await db.from('messages').delete().eq('id', id)),

    reactions: async (messageIds) => messageIds.length
      ? unwrap(await db.from('message_reactions').select('*').in('message_id', messageIds)) : [],
    react: async (messageId, emoji) =>
      unwrap(await db.from('message_reactions').insert({ message_id: messageId, user_id: me(), emoji })),
    unreact: async (messageId, emoji) => unwrap(await db.from('message_reactions').delete()
      .eq('message_id', messageId).eq('user_id', me()).eq('emoji', emoji)),

    receipts: async (roomId) => unwrap(await db.from('read_receipts').select('*').eq('room_id', roomId)),

    search: async (query, roomId = null) => unwrap(await db.rpc('search_messages', { query, room_id: roomId })),

    notifications: async () => unwrap(await db.from('notifications').select('*').eq('user_id', me())
      .order('created_at', { ascending: false }).limit(30)),
    markNotificationRead: async (id) =>
      unwrap(await db.from('notifications').update({ read_at: new Date().toISOString() }).eq('id', id)),

    // Files: attachments live under the room's folder, avatars under the user's.
    uploadAttachment: async (roomId, file, onProgress) => {
      const path = `${roomId}/${crypto.randomUUID()}-${safeName(file.name)}`;
      unwrap(await db.storage.from('attachments').upload(path, file, {
        contentType: file.type || 'application/octet-stream', onUploadProgress: onProgress,
      }));
      return path;
    },
    /** Avatars are a public bucket: the profile keeps the public URL, which anyone can show. */
    uploadAvatar: async (file) => {
      const path = `${me()}/avatar-${Date.now()}-${safeName(file.name)}`;
      unwrap(await db.storage.from('avatars').upload(path, file, { contentType: file.type, upsert: true }));
      return db.storage.from('avatars').getPublicUrl(path).data.publicUrl;
    },
    signedUrl: async (bucket, path) => unwrap(await db.storage.from(bucket).createSignedUrl(path, 3600)).signedUrl,
  };
}

function safeName(name) {
  return (name || 'file').replace(/[^\w.\-]+/g, '_').slice(-100);
}
