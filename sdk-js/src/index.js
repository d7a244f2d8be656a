// createClient(url, key, options): Parley's client, with supabase-js v2's surface (from, rpc,
// schema, auth, storage, channel, getChannels, removeChannel, removeAllChannels, realtime).
//
// Every HTTP call (data, storage, realtime's HTTP broadcast) goes through one fetch that adds
// the apikey and the current access token (the session's, refreshed if needed; the key when
// signed out). The realtime socket follows the session: a sign-in or a refreshed token is
// pushed to every joined channel, a sign-out returns the socket to the key.
import { PostgrestClient } from './rest/client.js';
import { GoTrueClient } from './auth/client.js';
import { StorageClient } from './storage/client.js';
import { RealtimeClient } from './realtime/client.js';

export { PostgrestClient } from './rest/client.js';
export { PostgrestQueryBuilder } from './rest/query.js';
export { PostgrestFilterBuilder } from './rest/filter.js';
export { PostgrestTransformBuilder } from './rest/transform.js';
export { PostgrestBuilder, PostgrestError } from './rest/builder.js';
export { GoTrueClient } from './auth/client.js';
export { GoTrueAdminApi } from './auth/admin.js';
export * from './auth/errors.js';
export { memoryStorage } from './auth/storage.js';
export { StorageClient } from './storage/client.js';
export { StorageFileApi } from './storage/files.js';
export { StorageBucketApi } from './storage/buckets.js';
export { StorageError, StorageApiError, StorageUnknownError, isStorageError } from './storage/errors.js';
export { RealtimeClient } from './realtime/client.js';
export { RealtimeChannel } from './realtime/channel.js';
export { RealtimePresence } from './realtime/presence.js';
export {
  REALTIME_LISTEN_TYPES,
  REALTIME_POSTGRES_CHANGES_LISTEN_EVENT,
  REALTIME_PRESENCE_LISTEN_EVENTS,
  REALTIME_SUBSCRIBE_STATES,
  REALTIME_CHANNEL_STATES,
} from './realtime/constants.js';

export const VERSION = '0.1.0';
const CLIENT_INFO = `parley-sdk-js/${VERSION}`;

export class SupabaseClient {
  constructor(supabaseUrl, supabaseKey, options = {}) {
    if (!supabaseUrl) throw new Error('supabaseUrl is required.');
    if (!supabaseKey) throw new Error('supabaseKey is required.');
    const base = new URL(supabaseUrl.endsWith('/') ? supabaseUrl : `${supabaseUrl}/`);
    const root = base.href.replace(/\/$/, '');
    this.supabaseUrl = root;
    this.supabaseKey = supabaseKey;
    this.restUrl = `${root}/rest/v1`;
    this.realtimeUrl = `${root}/realtime/v1`.replace(/^http/i, 'ws');
    this.authUrl = `${root}/auth/v1`;
    this.storageUrl = `${root}/storage/v1`;
    this.functionsUrl = `${root}/functions/v1`;

    const { db = {}, auth = {}, realtime = {}, global = {} } = options;
    this.headers = { 'X-Client-Info': CLIENT_INFO, ...(global.headers ?? {}) };
    this.storageKey = auth.storageKey ?? `sb-${base.hostname.split('.')[0]}-auth-token`;
    this.baseFetch = global.fetch ?? ((...a) => globalThis.fetch(...a));
    this.accessTokenOption = options.accessToken ?? null;
    this.fetch = this._authenticatedFetch(this.baseFetch);

    if (this.accessTokenOption) {
      // A third-party token provider replaces Parley's auth client entirely, as in supabase-js.
      this.auth = new Proxy({}, {
        get: (_, prop) => {
          throw new Error(`Parley client is configured with the accessToken option, accessing supabase.auth.${String(prop)} is not possible`);
        },
      });
    } else {
      this.auth = new GoTrueClient({
        url: this.authUrl,
        headers: { ...this.headers, apikey: supabaseKey, Authorization: `Bearer ${supabaseKey}` },
        storageKey: this.storageKey,
        persistSession: auth.persistSession ?? true,
        autoRefreshToken: auth.autoRefreshToken ?? true,
        storage: auth.storage,
        fetch: this.baseFetch,
      });
    }

    this.realtime = new RealtimeClient(this.realtimeUrl, {
      ...realtime,
      headers: this.headers,
      params: { ...(realtime.params ?? {}), apikey: supabaseKey },
      accessToken: () => this._accessToken(),
      fetch: this.baseFetch,
    });
    this.rest = new PostgrestClient(this.restUrl, { headers: this.headers, schema: db.schema, fetch: this.fetch });
    this.storage = new StorageClient(this.storageUrl, this.headers, this.fetch);

    if (!this.accessTokenOption) this._listenForAuthEvents();
  }

  from(relation) {
    return this.rest.from(relation);
  }

  schema(schema) {
    return this.rest.schema(schema);
  }

  rpc(fn, args = {}, options = {}) {
    return this.rest.rpc(fn, args, options);
  }

  channel(name, opts = { config: {} }) {
    return this.realtime.channel(name, opts);
  }

  getChannels() {
    return this.realtime.getChannels();
  }

  removeChannel(channel) {
    return this.realtime.removeChannel(channel);
  }

  removeAllChannels() {
    return this.realtime.removeAllChannels();
  }

  async _accessToken() {
    if (this.accessTokenOption) return (await this.accessTokenOption()) ?? this.supabaseKey;
    const { data } = await this.auth.getSession();
    return data.session?.access_token ?? this.supabaseKey;
  }

  /**
   * A fetch that adds apikey and Authorization, then sends with `send`. withTransport(other) gives
   * the same over another sender: storage uploads with progress send through XMLHttpRequest, and
   * must carry the same headers as every other request.
   */
  _authenticatedFetch(send) {
    const authenticated = (input, init = {}) => this._fetchWithAuth(send, input, init);
    authenticated.withTransport = (other) => this._authenticatedFetch(other);
    return authenticated;
  }

  async _fetchWithAuth(send, input, init) {
    const headers = new Headers(init.headers ?? {});
    if (!headers.has('apikey')) headers.set('apikey', this.supabaseKey);
    if (!headers.has('Authorization')) headers.set('Authorization', `Bearer ${await this._accessToken()}`);
    return send(input, { ...init, headers });
  }

  _listenForAuthEvents() {
    this.changedAccessToken = undefined;
    this.auth.onAuthStateChange((event, session) => {
      const token = session?.access_token;
      if ((event === 'TOKEN_REFRESHED' || event === 'SIGNED_IN') && token && token !== this.changedAccessToken) {
        this.changedAccessToken = token;
        this.realtime.setAuth(token);
      } else if (event === 'SIGNED_OUT') {
        this.changedAccessToken = undefined;
        this.realtime.setAuth(this.supabaseKey);
      }
    });
  }
}

/** The client. options {auth, global, realtime, db, accessToken} as supabase-js v2. */
export function createClient(supabaseUrl, supabaseKey, options) {
  return new SupabaseClient(supabaseUrl, supabaseKey, options);
}
