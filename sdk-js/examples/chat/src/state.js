// The app's shared state: one object, changed only through the modules that own each part.
export const state = {
  db: null,          // the SDK client
  api: null,         // src/api.js bound to the client
  user: null,        // the auth user
  profile: null,     // my user_profiles row
  profiles: new Map(), // id -> user_profiles row (a cache filled on demand)
  rooms: new Map(),  // id -> rooms_with_latest_message row
  memberships: new Map(), // room id -> my role
  unread: new Map(), // room id -> unread count
  directNames: new Map(), // direct room id -> the other member's id
  roomId: null,      // the open room
};

/** Fills the profile cache for {@code ids}, one query for those not cached yet. */
export async function loadProfiles(ids) {
  const missing = [...new Set(ids)].filter((id) => id && !state.profiles.has(id));
  if (!missing.length) return;
  for (const p of await state.api.profiles(missing)) state.profiles.set(p.id, p);
}

export function displayName(id) {
  const p = state.profiles.get(id);
  return p ? (p.display_name || p.username) : 'someone';
}

export function roomLabel(room) {
  if (room.type === 'direct') {
    const other = state.directNames.get(room.id);
    return other ? displayName(other) : (room.name || 'Direct message');
  }
  return room.name;
}
