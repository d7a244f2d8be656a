// Type checks of index.d.ts (npm run typecheck): supabase-js v2 calls and the original chat
// example's calls must compile; misuse marked @ts-expect-error must not.
import {
  createClient,
  type RealtimeChannel,
  type RealtimePostgresChangesPayload,
  type Session,
  type User,
  AuthApiError,
  isAuthError,
  StorageApiError,
} from '@parley/sdk';

interface Message {
  id: string;
  room_id: string;
  user_id: string;
  content: string;
  type: 'text' | 'image' | 'file' | 'system';
  edited: boolean;
  created_at: string;
}

const fluxbase = createClient('http://localhost:54321', 'anon-key', {
  auth: { persistSession: true, autoRefreshToken: true, storageKey: 'k', storage: { getItem: () => null, setItem: () => {}, removeItem: () => {} } },
  global: { headers: { 'x-app': 'chat' }, fetch },
  realtime: { heartbeatIntervalMs: 15000, params: { log_level: 'info' }, vsn: '2.0.0' },
  db: { schema: 'public' },
});

export async function useChat(roomId: string): Promise<Message[]> {
  // the example's history query, unchanged
  const { data: messages, error } = await fluxbase
    .from<Message>('messages')
    .select('*, user:user_profiles(*), reactions:message_reactions(*)')
    .eq('room_id', roomId)
    .order('created_at', { ascending: true })
    .limit(100);
  if (error) throw error;
  const sent = await fluxbase
    .from<Message>('messages')
    .insert({ room_id: roomId, user_id: 'u', content: 'hi', type: 'text' })
    .select()
    .single();
  if (sent.error) throw sent.error;
  const one: Message = sent.data;
  const edited = await fluxbase.from<Message>('messages').update({ content: 'x', edited: true }).eq('id', one.id).select().single();
  void edited;
  const { error: delError } = await fluxbase.from<Message>('messages').delete().eq('id', one.id);
  void delError;
  // @ts-expect-error: insert takes the row's columns
  fluxbase.from<Message>('messages').insert({ room_id: 1 });
  return messages || [];
}

export function usePresence(roomId: string, user: User): () => void {
  const channel = fluxbase.channel(`room:${roomId}`);
  channel.track({ user_id: user.id, username: user.email, status: 'online' });
  channel.on('presence', { event: 'sync' }, () => {
    const state = channel.presenceState<{ user_id: string }>();
    const online: Set<string> = new Set(Object.keys(state).map((key) => state[key][0].user_id));
    void online;
  });
  channel.subscribe();
  return () => { channel.unsubscribe(); };
}

export function useTyping(roomId: string, user: User): void {
  const channel = fluxbase.channel(`room:${roomId}:typing`);
  channel.on('broadcast', { event: 'typing' }, (payload) => {
    const { user_id, is_typing } = payload.payload as { user_id: string; is_typing: boolean };
    void user_id; void is_typing;
  });
  channel.subscribe();
  fluxbase.channel(`room:${roomId}:typing`).send({ type: 'broadcast', event: 'typing', payload: { user_id: user.id, is_typing: true } });
}

export async function everything(): Promise<void> {
  const q = fluxbase.from('items');
  await q.select('id', { count: 'exact', head: true }).neq('a', 1).gt('a', 1).gte('a', 1).lt('a', 1).lte('a', 1)
    .like('a', '%x').ilike('a', '%x').is('a', null).in('a', [1, 2]).contains('t', ['x']).containedBy('t', ['x'])
    .overlaps('t', ['x']).rangeGt('r', '[1,2)').rangeGte('r', '[1,2)').rangeLt('r', '[1,2)').rangeLte('r', '[1,2)')
    .rangeAdjacent('r', '[1,2)').textSearch('b', 'q', { type: 'websearch', config: 'english' }).match({ a: 1 })
    .not('a', 'is', null).or('a.eq.1,a.eq.2', { referencedTable: 'x' }).filter('a', 'eq', 1)
    .order('a', { ascending: false, nullsFirst: true, referencedTable: 'x' }).limit(1).range(0, 1)
    .abortSignal(new AbortController().signal).returns<{ id: number }[]>();
  const maybe = await fluxbase.from<{ id: number }>('items').select('id').maybeSingle();
  if (maybe.data) { const id: number = maybe.data.id; void id; }
  const csv = await fluxbase.from('items').select().csv();
  if (csv.data !== null) { const text: string = csv.data; void text; }
  await fluxbase.from('items').upsert({ id: 1 }, { onConflict: 'id', ignoreDuplicates: true });
  const sum = await fluxbase.rpc<number>('add', { a: 1, b: 2 }, { get: true });
  if (sum.data !== null) { const n: number = sum.data; void n; }
  await fluxbase.rpc('f', {}, { head: true, count: 'exact' });
  await fluxbase.schema('other').from('things').select();

  const { data, error } = await fluxbase.auth.signInWithPassword({ email: 'a@b.c', password: 'p' });
  if (error) { const status: number | undefined = error.status; void status; if (error instanceof AuthApiError || isAuthError(error)) void error.code; }
  else { const s: Session = data.session; void s; }
  await fluxbase.auth.signUp({ email: 'a@b.c', password: 'p', options: { data: { name: 'x' } } });
  await fluxbase.auth.updateUser({ data: { status: 'busy' } });
  await fluxbase.auth.refreshSession();
  await fluxbase.auth.setSession({ access_token: 'a', refresh_token: 'r' });
  const { data: { session } } = await fluxbase.auth.getSession();
  void session;
  await fluxbase.auth.getUser();
  fluxbase.auth.onAuthStateChange((event, s) => { if (event === 'TOKEN_REFRESHED') void s?.access_token; }).data.subscription.unsubscribe();
  await fluxbase.auth.signOut({ scope: 'local' });
  await fluxbase.auth.admin.listUsers({ page: 1, perPage: 50 });
  await fluxbase.auth.admin.createUser({ email: 'x@y.z', password: 'p', email_confirm: true });
  await fluxbase.auth.admin.deleteUser('id', true);
  // @ts-expect-error: not a sign-out scope
  await fluxbase.auth.signOut({ scope: 'everyone' });

  const ch: RealtimeChannel = fluxbase
    .channel('room:1', { config: { broadcast: { self: true, ack: true }, presence: { key: 'me' }, private: true } })
    .on<Message>('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages', filter: 'room_id=eq.1' },
      (p: RealtimePostgresChangesPayload<Message>) => { const c: string | undefined = p.new.content; void c; })
    .on('presence', { event: 'join' }, ({ key, newPresences }) => { void key; void newPresences; })
    .on('resync', {}, ({ reason }) => { void reason; })
    .subscribe((status, err) => { if (status === 'CHANNEL_ERROR') void err?.message; });
  const acked: 'ok' | 'error' | 'timed out' = await ch.send({ type: 'broadcast', event: 'x', payload: {} });
  void acked;
  await ch.untrack();
  fluxbase.getChannels();
  await fluxbase.removeChannel(ch);
  await fluxbase.removeAllChannels();
  await fluxbase.realtime.setAuth('token');
  // @ts-expect-error: not a subscribe status
  ch.subscribe((status) => status === 'JOINED');

  const up = await fluxbase.storage.from('avatars').upload('a/b.png', new Blob(['x']), { upsert: true, contentType: 'image/png', onUploadProgress: ({ loaded, total }) => void (loaded / total) });
  if (up.error instanceof StorageApiError) void up.error.statusCode;
  else if (up.data) void up.data.fullPath;
  const files = fluxbase.storage.from('avatars');
  await files.download('a/b.png');
  await files.list('a', { limit: 10, sortBy: { column: 'name', order: 'desc' } });
  await files.remove(['a/b.png']);
  await files.move('a', 'b');
  await files.copy('a', 'b');
  await files.createSignedUrl('a', 60, { download: true });
  await files.createSignedUrls(['a'], 60);
  const su = await files.createSignedUploadUrl('a');
  if (su.data) await files.uploadToSignedUrl('a', su.data.token, 'x');
  const url: string = files.getPublicUrl('a').data.publicUrl;
  void url;
  await files.info('a');
  const exists: boolean = (await files.exists('a')).data;
  void exists;
  await fluxbase.storage.createBucket('b', { public: true, fileSizeLimit: 1024, allowedMimeTypes: ['image/png'] });
  await fluxbase.storage.listBuckets();
  await fluxbase.storage.getBucket('b');
  await fluxbase.storage.updateBucket('b', { public: false });
  await fluxbase.storage.emptyBucket('b');
  await fluxbase.storage.deleteBucket('b');
}
