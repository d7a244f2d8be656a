// Types of Parley's JavaScript SDK (hand-written; the implementation is src/). The surface is
// supabase-js v2's. Row types are given per call: from<Row>('table'), as the Fluxbase SDK does,
// rather than through a generated Database type.

export declare const VERSION: string;

// ---------------------------------------------------------------- client

export interface SupportedStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

export interface SupabaseClientOptions {
  auth?: {
    persistSession?: boolean;
    autoRefreshToken?: boolean;
    storage?: SupportedStorage;
    storageKey?: string;
    detectSessionInUrl?: boolean;
  };
  global?: {
    headers?: Record<string, string>;
    fetch?: typeof fetch;
  };
  realtime?: RealtimeClientOptions;
  db?: { schema?: string };
  /** A third-party token provider; supabase.auth is then unavailable. */
  accessToken?: () => Promise<string | null>;
}

export declare class SupabaseClient {
  constructor(supabaseUrl: string, supabaseKey: string, options?: SupabaseClientOptions);
  readonly supabaseUrl: string;
  readonly supabaseKey: string;
  auth: GoTrueClient;
  storage: StorageClient;
  realtime: RealtimeClient;
  rest: PostgrestClient;
  from<Row extends Record<string, any> = any>(relation: string): PostgrestQueryBuilder<Row>;
  schema(schema: string): PostgrestClient;
  rpc<Result = any>(fn: string, args?: Record<string, unknown>, options?: { head?: boolean; get?: boolean; count?: Count }): PostgrestFilterBuilder<any, Result>;
  channel(name: string, opts?: RealtimeChannelOptions): RealtimeChannel;
  getChannels(): RealtimeChannel[];
  removeChannel(channel: RealtimeChannel): Promise<'ok' | 'timed out' | 'error'>;
  removeAllChannels(): Promise<('ok' | 'timed out' | 'error')[]>;
}

export declare function createClient(supabaseUrl: string, supabaseKey: string, options?: SupabaseClientOptions): SupabaseClient;

// ---------------------------------------------------------------- data (PostgREST)

export type Count = 'exact' | 'planned' | 'estimated';

export interface PostgrestErrorShape {
  message: string;
  details: string | null;
  hint: string | null;
  code: string;
}

export declare class PostgrestError extends Error implements PostgrestErrorShape {
  constructor(context: PostgrestErrorShape);
  details: string | null;
  hint: string | null;
  code: string;
}

export interface PostgrestResponseSuccess<T> {
  data: T;
  error: null;
  count: number | null;
  status: number;
  statusText: string;
}
export interface PostgrestResponseFailure {
  data: null;
  error: PostgrestErrorShape;
  count: null;
  status: number;
  statusText: string;
}
export type PostgrestSingleResponse<T> = PostgrestResponseSuccess<T> | PostgrestResponseFailure;
export type PostgrestMaybeSingleResponse<T> = PostgrestSingleResponse<T | null>;
export type PostgrestResponse<T> = PostgrestSingleResponse<T[]>;

export declare class PostgrestBuilder<Result> implements PromiseLike<PostgrestSingleResponse<Result>> {
  throwOnError(): this;
  setHeader(name: string, value: string): this;
  then<TResult1 = PostgrestSingleResponse<Result>, TResult2 = never>(
    onfulfilled?: ((value: PostgrestSingleResponse<Result>) => TResult1 | PromiseLike<TResult1>) | null,
    onrejected?: ((reason: any) => TResult2 | PromiseLike<TResult2>) | null,
  ): PromiseLike<TResult1 | TResult2>;
}

export declare class PostgrestTransformBuilder<Row extends Record<string, any>, Result> extends PostgrestBuilder<Result> {
  select<NewRow extends Record<string, any> = Row>(columns?: string): PostgrestTransformBuilder<NewRow, NewRow[]>;
  order(column: string, options?: { ascending?: boolean; nullsFirst?: boolean; foreignTable?: string; referencedTable?: string }): this;
  limit(count: number, options?: { foreignTable?: string; referencedTable?: string }): this;
  range(from: number, to: number, options?: { foreignTable?: string; referencedTable?: string }): this;
  abortSignal(signal: AbortSignal): this;
  single<One = Result extends (infer R)[] ? R : never>(): PostgrestBuilder<One>;
  maybeSingle<One = Result extends (infer R)[] ? R : never>(): PostgrestBuilder<One | null>;
  csv(): PostgrestBuilder<string>;
  geojson(): PostgrestBuilder<Record<string, unknown>>;
  explain(options?: { analyze?: boolean; verbose?: boolean; settings?: boolean; buffers?: boolean; wal?: boolean; format?: 'json' | 'text' }): PostgrestBuilder<string | Record<string, unknown>[]>;
  rollback(): this;
  returns<NewResult>(): PostgrestTransformBuilder<Row, NewResult>;
}

export declare class PostgrestFilterBuilder<Row extends Record<string, any>, Result> extends PostgrestTransformBuilder<Row, Result> {
  eq(column: string, value: unknown): this;
  neq(column: string, value: unknown): this;
  gt(column: string, value: unknown): this;
  gte(column: string, value: unknown): this;
  lt(column: string, value: unknown): this;
  lte(column: string, value: unknown): this;
  like(column: string, pattern: string): this;
  likeAllOf(column: string, patterns: readonly string[]): this;
  likeAnyOf(column: string, patterns: readonly string[]): this;
  ilike(column: string, pattern: string): this;
  ilikeAllOf(column: string, patterns: readonly string[]): this;
  ilikeAnyOf(column: string, patterns: readonly string[]): this;
  is(column: string, value: boolean | null): this;
  isDistinct(column: string, value: unknown): this;
  regexMatch(column: string, pattern: string): this;
  regexIMatch(column: string, pattern: string): this;
  in(column: string, values: readonly unknown[]): this;
  contains(column: string, value: string | readonly unknown[] | Record<string, unknown>): this;
  containedBy(column: string, value: string | readonly unknown[] | Record<string, unknown>): this;
  overlaps(column: string, value: string | readonly unknown[]): this;
  rangeGt(column: string, range: string): this;
  rangeGte(column: string, range: string): this;
  rangeLt(column: string, range: string): this;
  rangeLte(column: string, range: string): this;
  rangeAdjacent(column: string, range: string): this;
  textSearch(column: string, query: string, options?: { config?: string; type?: 'plain' | 'phrase' | 'websearch' }): this;
  match(query: Record<string, unknown>): this;
  not(column: string, operator: string, value: unknown): this;
  or(filters: string, options?: { foreignTable?: string; referencedTable?: string }): this;
  filter(column: string, operator: string, value: unknown): this;
}

export declare class PostgrestQueryBuilder<Row extends Record<string, any>> {
  select<NewRow extends Record<string, any> = Row>(columns?: string, options?: { head?: boolean; count?: Count }): PostgrestFilterBuilder<NewRow, NewRow[]>;
  insert(values: Partial<Row> | Partial<Row>[], options?: { count?: Count; defaultToNull?: boolean }): PostgrestFilterBuilder<Row, null>;
  upsert(values: Partial<Row> | Partial<Row>[], options?: { onConflict?: string; ignoreDuplicates?: boolean; count?: Count; defaultToNull?: boolean }): PostgrestFilterBuilder<Row, null>;
  update(values: Partial<Row>, options?: { count?: Count }): PostgrestFilterBuilder<Row, null>;
  delete(options?: { count?: Count }): PostgrestFilterBuilder<Row, null>;
}

export declare class PostgrestClient {
  constructor(url: string, options?: { headers?: Record<string, string>; schema?: string; fetch?: typeof fetch });
  from<Row extends Record<string, any> = any>(relation: string): PostgrestQueryBuilder<Row>;
  schema(schema: string): PostgrestClient;
  rpc<Result = any>(fn: string, args?: Record<string, unknown>, options?: { head?: boolean; get?: boolean; count?: Count }): PostgrestFilterBuilder<any, Result>;
}

// ---------------------------------------------------------------- auth (GoTrue)

export interface UserIdentity {
  id: string;
  user_id: string;
  provider: string;
  identity_data?: Record<string, any>;
  created_at?: string;
  updated_at?: string;
}

export interface User {
  id: string;
  aud: string;
  role?: string;
  email?: string;
  phone?: string;
  email_confirmed_at?: string;
  confirmed_at?: string;
  last_sign_in_at?: string;
  app_metadata: Record<string, any>;
  user_metadata: Record<string, any>;
  identities?: UserIdentity[];
  created_at: string;
  updated_at?: string;
  banned_until?: string;
  is_anonymous?: boolean;
}

export interface Session {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  expires_at?: number;
  user: User;
  weak_password?: { reasons: string[]; message?: string } | null;
}

export type AuthChangeEvent = 'INITIAL_SESSION' | 'SIGNED_IN' | 'SIGNED_OUT' | 'TOKEN_REFRESHED' | 'USER_UPDATED';

export declare class AuthError extends Error {
  constructor(message: string, status?: number, code?: string);
  status: number | undefined;
  code: string | undefined;
}
export declare class AuthApiError extends AuthError { status: number; }
export declare class AuthUnknownError extends AuthError { originalError: unknown; }
export declare class CustomAuthError extends AuthError {}
export declare class AuthSessionMissingError extends CustomAuthError {}
export declare class AuthInvalidTokenResponseError extends CustomAuthError {}
export declare class AuthInvalidCredentialsError extends CustomAuthError {}
export declare class AuthRetryableFetchError extends CustomAuthError {}
export declare class AuthWeakPasswordError extends CustomAuthError { reasons: string[]; }
export declare function isAuthError(error: unknown): error is AuthError;
export declare function isAuthApiError(error: unknown): error is AuthApiError;
export declare function isAuthSessionMissingError(error: unknown): error is AuthSessionMissingError;
export declare function isAuthRetryableFetchError(error: unknown): error is AuthRetryableFetchError;
export declare function isAuthWeakPasswordError(error: unknown): error is AuthWeakPasswordError;

export type AuthResponse =
  | { data: { user: User | null; session: Session | null }; error: null }
  | { data: { user: null; session: null }; error: AuthError };
export type AuthTokenResponsePassword =
  | { data: { user: User; session: Session; weakPassword?: { reasons: string[] } }; error: null }
  | { data: { user: null; session: null }; error: AuthError };
export type UserResponse = { data: { user: User }; error: null } | { data: { user: null }; error: AuthError };

export interface SignUpWithPasswordCredentials {
  email?: string;
  phone?: string;
  password: string;
  options?: { data?: Record<string, any>; emailRedirectTo?: string; captchaToken?: string };
}
export interface SignInWithPasswordCredentials {
  email?: string;
  phone?: string;
  password: string;
  options?: { captchaToken?: string };
}
export interface UserAttributes {
  email?: string;
  phone?: string;
  password?: string;
  nonce?: string;
  data?: Record<string, any>;
}
export interface AdminUserAttributes extends Omit<UserAttributes, 'data'> {
  user_metadata?: Record<string, any>;
  app_metadata?: Record<string, any>;
  email_confirm?: boolean;
  phone_confirm?: boolean;
  ban_duration?: string;
  role?: string;
  password_hash?: string;
  id?: string;
}

export interface Subscription {
  id: string;
  callback: (event: AuthChangeEvent, session: Session | null) => void;
  unsubscribe(): void;
}

export declare class GoTrueAdminApi {
  signOut(jwt: string, scope?: 'global' | 'local' | 'others'): Promise<{ data: null; error: AuthError | null }>;
  createUser(attributes: AdminUserAttributes): Promise<UserResponse>;
  listUsers(params?: { page?: number; perPage?: number }): Promise<
    | { data: { users: User[]; aud: string; nextPage: number | null; lastPage: number; total: number }; error: null }
    | { data: { users: [] }; error: AuthError }
  >;
  getUserById(uid: string): Promise<UserResponse>;
  updateUserById(uid: string, attributes: AdminUserAttributes): Promise<UserResponse>;
  deleteUser(id: string, shouldSoftDelete?: boolean): Promise<UserResponse>;
}

export declare class GoTrueClient {
  constructor(options: {
    url: string;
    headers?: Record<string, string>;
    storageKey?: string;
    persistSession?: boolean;
    autoRefreshToken?: boolean;
    storage?: SupportedStorage;
    fetch?: typeof fetch;
  });
  admin: GoTrueAdminApi;
  initialize(): Promise<{ error: AuthError | null }>;
  signUp(credentials: SignUpWithPasswordCredentials): Promise<AuthResponse>;
  signInWithPassword(credentials: SignInWithPasswordCredentials): Promise<AuthTokenResponsePassword>;
  signOut(options?: { scope?: 'global' | 'local' | 'others' }): Promise<{ error: AuthError | null }>;
  getSession(): Promise<
    | { data: { session: Session }; error: null }
    | { data: { session: null }; error: AuthError }
    | { data: { session: null }; error: null }
  >;
  getUser(jwt?: string): Promise<UserResponse>;
  updateUser(attributes: UserAttributes, options?: { emailRedirectTo?: string }): Promise<UserResponse>;
  refreshSession(currentSession?: { refresh_token: string }): Promise<AuthResponse>;
  setSession(currentSession: { access_token: string; refresh_token: string }): Promise<AuthResponse>;
  onAuthStateChange(callback: (event: AuthChangeEvent, session: Session | null) => void | Promise<void>): {
    data: { subscription: Subscription };
  };
  startAutoRefresh(): void;
  stopAutoRefresh(): void;
}

export declare function memoryStorage(): SupportedStorage;

// ---------------------------------------------------------------- realtime

export interface RealtimeClientOptions {
  transport?: any;
  params?: Record<string, string>;
  timeout?: number;
  heartbeatIntervalMs?: number;
  vsn?: '1.0.0' | '2.0.0';
  reconnectAfterMs?: (tries: number) => number;
  rejoinAfterMs?: (tries: number) => number;
  logger?: (kind: string, msg: string, data?: any) => void;
  accessToken?: () => Promise<string | null>;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export interface RealtimeChannelOptions {
  config: {
    broadcast?: { self?: boolean; ack?: boolean; replay?: { since: number; limit?: number } };
    presence?: { key?: string; enabled?: boolean };
    private?: boolean;
  };
}

export declare enum REALTIME_SUBSCRIBE_STATES {
  SUBSCRIBED = 'SUBSCRIBED',
  TIMED_OUT = 'TIMED_OUT',
  CLOSED = 'CLOSED',
  CHANNEL_ERROR = 'CHANNEL_ERROR',
}
export declare const REALTIME_LISTEN_TYPES: {
  readonly BROADCAST: 'broadcast';
  readonly PRESENCE: 'presence';
  readonly POSTGRES_CHANGES: 'postgres_changes';
  readonly SYSTEM: 'system';
  readonly RESYNC: 'resync';
};
export declare const REALTIME_POSTGRES_CHANGES_LISTEN_EVENT: { readonly ALL: '*'; readonly INSERT: 'INSERT'; readonly UPDATE: 'UPDATE'; readonly DELETE: 'DELETE' };
export declare const REALTIME_PRESENCE_LISTEN_EVENTS: { readonly SYNC: 'sync'; readonly JOIN: 'join'; readonly LEAVE: 'leave' };
export declare const REALTIME_CHANNEL_STATES: { readonly closed: 'closed'; readonly errored: 'errored'; readonly joined: 'joined'; readonly joining: 'joining'; readonly leaving: 'leaving' };

export type PostgresChangesEvent = '*' | 'INSERT' | 'UPDATE' | 'DELETE';

export interface RealtimePostgresChangesPayload<T extends Record<string, any> = Record<string, any>> {
  schema: string;
  table: string;
  commit_timestamp: string;
  eventType: 'INSERT' | 'UPDATE' | 'DELETE';
  new: Partial<T>;
  old: Partial<T>;
  errors: string[] | null;
  /** Parley: the event's position (decimal string), increasing in commit order. */
  position?: string;
}

export interface RealtimeBroadcastMessage<P = any> {
  type: 'broadcast';
  event: string;
  payload: P;
  /** Parley: set on broadcasts sent from the database. */
  position?: string;
  meta?: { replayed?: boolean; id?: string };
}

export type RealtimePresenceState<T extends Record<string, any> = Record<string, any>> = Record<string, (T & { presence_ref: string })[]>;

export interface RealtimePresenceJoinPayload<T extends Record<string, any> = Record<string, any>> {
  event: 'join';
  key: string;
  currentPresences: (T & { presence_ref: string })[];
  newPresences: (T & { presence_ref: string })[];
}
export interface RealtimePresenceLeavePayload<T extends Record<string, any> = Record<string, any>> {
  event: 'leave';
  key: string;
  currentPresences: (T & { presence_ref: string })[];
  leftPresences: (T & { presence_ref: string })[];
}

/** Parley: the channel could not be resumed without a gap; refetch what it shows. */
export interface RealtimeResyncPayload {
  reason: string;
  position: string | null;
}

export interface RealtimeSystemPayload {
  extension: string;
  status: string;
  message: string;
  channel: string;
}

export type SubscribeStatus = `${REALTIME_SUBSCRIBE_STATES}`;

export declare class RealtimeChannel {
  topic: string;
  subTopic: string;
  state: 'closed' | 'errored' | 'joined' | 'joining' | 'leaving';
  /** Parley: the last event position received (resume point), or null. */
  position: string | null;
  on<T extends Record<string, any> = Record<string, any>>(
    type: 'postgres_changes',
    filter: { event: PostgresChangesEvent; schema: string; table?: string; filter?: string },
    callback: (payload: RealtimePostgresChangesPayload<T>) => void,
  ): RealtimeChannel;
  on<P = any>(type: 'broadcast', filter: { event: string }, callback: (message: RealtimeBroadcastMessage<P>) => void): RealtimeChannel;
  on(type: 'presence', filter: { event: 'sync' }, callback: () => void): RealtimeChannel;
  on<T extends Record<string, any> = Record<string, any>>(type: 'presence', filter: { event: 'join' }, callback: (payload: RealtimePresenceJoinPayload<T>) => void): RealtimeChannel;
  on<T extends Record<string, any> = Record<string, any>>(type: 'presence', filter: { event: 'leave' }, callback: (payload: RealtimePresenceLeavePayload<T>) => void): RealtimeChannel;
  on(type: 'system', filter: {}, callback: (payload: RealtimeSystemPayload) => void): RealtimeChannel;
  on(type: 'resync', filter: {}, callback: (payload: RealtimeResyncPayload) => void): RealtimeChannel;
  subscribe(callback?: (status: SubscribeStatus, err?: Error) => void, timeout?: number): RealtimeChannel;
  send(args: { type: 'broadcast' | 'presence'; event: string; payload?: any; [key: string]: any }, opts?: { timeout?: number }): Promise<'ok' | 'error' | 'timed out'>;
  track(payload: Record<string, any>, opts?: { timeout?: number }): Promise<'ok' | 'error' | 'timed out'>;
  untrack(opts?: { timeout?: number }): Promise<'ok' | 'error' | 'timed out'>;
  presenceState<T extends Record<string, any> = Record<string, any>>(): RealtimePresenceState<T>;
  unsubscribe(timeout?: number): Promise<'ok' | 'timed out' | 'error'>;
  updateJoinPayload(payload: Record<string, any>): void;
  teardown(): void;
}

export declare class RealtimePresence {
  state: RealtimePresenceState;
}

export declare class RealtimeClient {
  constructor(endPoint: string, options?: RealtimeClientOptions);
  accessTokenValue: string | null;
  channels: RealtimeChannel[];
  connect(): void;
  disconnect(code?: number, reason?: string): void;
  endPointURL(): string;
  channel(topic: string, params?: RealtimeChannelOptions): RealtimeChannel;
  getChannels(): RealtimeChannel[];
  removeChannel(channel: RealtimeChannel): Promise<'ok' | 'timed out' | 'error'>;
  removeAllChannels(): Promise<('ok' | 'timed out' | 'error')[]>;
  setAuth(token?: string | null): Promise<void>;
  isConnected(): boolean;
  connectionState(): 'connecting' | 'open' | 'closing' | 'closed';
  onOpen(callback: () => void): void;
  onClose(callback: (event: any) => void): void;
  onError(callback: (error: any) => void): void;
  onMessage(callback: (message: { topic: string; event: string; payload: any; ref: string | null; join_ref?: string | null }) => void): void;
}

// ---------------------------------------------------------------- storage

export declare class StorageError extends Error {}
export declare class StorageApiError extends StorageError {
  status: number;
  statusCode: string;
}
export declare class StorageUnknownError extends StorageError {
  originalError: unknown;
}
export declare function isStorageError(error: unknown): error is StorageError;

export type StorageResult<T> = { data: T; error: null } | { data: null; error: StorageError };

export interface Bucket {
  id: string;
  name: string;
  owner: string;
  public: boolean;
  file_size_limit?: number | null;
  allowed_mime_types?: string[] | null;
  created_at: string;
  updated_at: string;
}

export interface FileObject {
  name: string;
  bucket_id?: string;
  owner?: string;
  id: string | null;
  updated_at: string | null;
  created_at: string | null;
  last_accessed_at: string | null;
  metadata: Record<string, any> | null;
}

export interface FileObjectInfo {
  id: string;
  name: string;
  bucketId?: string;
  size?: number;
  contentType?: string;
  cacheControl?: string;
  etag?: string;
  lastModified?: string;
  createdAt?: string;
  metadata?: Record<string, any>;
  [key: string]: unknown;
}

export interface FileOptions {
  cacheControl?: string;
  contentType?: string;
  upsert?: boolean;
  metadata?: Record<string, any>;
  headers?: Record<string, string>;
  /** Parley: called as the bytes go out ({loaded, total}); XMLHttpRequest in browsers, a counted stream elsewhere. */
  onUploadProgress?: (progress: { loaded: number; total: number }) => void;
}

export interface SearchOptions {
  limit?: number;
  offset?: number;
  sortBy?: { column?: string; order?: 'asc' | 'desc' };
  search?: string;
}

export type FileBody = ArrayBuffer | ArrayBufferView | Blob | FormData | ReadableStream<Uint8Array> | string;

export declare class StorageFileApi {
  upload(path: string, fileBody: FileBody, fileOptions?: FileOptions): Promise<StorageResult<{ id: string; path: string; fullPath: string }>>;
  update(path: string, fileBody: FileBody, fileOptions?: FileOptions): Promise<StorageResult<{ id: string; path: string; fullPath: string }>>;
  uploadToSignedUrl(path: string, token: string, fileBody: FileBody, fileOptions?: FileOptions): Promise<StorageResult<{ path: string; fullPath: string }>>;
  createSignedUploadUrl(path: string, options?: { upsert?: boolean }): Promise<StorageResult<{ signedUrl: string; token: string; path: string }>>;
  move(fromPath: string, toPath: string, options?: { destinationBucket?: string }): Promise<StorageResult<{ message: string }>>;
  copy(fromPath: string, toPath: string, options?: { destinationBucket?: string }): Promise<StorageResult<{ path: string }>>;
  createSignedUrl(path: string, expiresIn: number, options?: { download?: string | boolean }): Promise<StorageResult<{ signedUrl: string }>>;
  createSignedUrls(paths: string[], expiresIn: number, options?: { download?: string | boolean }): Promise<StorageResult<{ error: string | null; path: string | null; signedUrl: string | null }[]>>;
  download(path: string, options?: { signal?: AbortSignal }): Promise<StorageResult<Blob>>;
  info(path: string): Promise<StorageResult<FileObjectInfo>>;
  exists(path: string): Promise<{ data: boolean; error: StorageError | null }>;
  getPublicUrl(path: string, options?: { download?: string | boolean }): { data: { publicUrl: string } };
  remove(paths: string[]): Promise<StorageResult<FileObject[]>>;
  list(path?: string, options?: SearchOptions, parameters?: { signal?: AbortSignal }): Promise<StorageResult<FileObject[]>>;
  listV2(options?: { prefix?: string; cursor?: string; limit?: number; with_delimiter?: boolean; sortBy?: { column?: string; order?: 'asc' | 'desc' } }, parameters?: { signal?: AbortSignal }): Promise<StorageResult<{ objects: FileObject[]; folders: { name: string; key?: string }[]; hasNext: boolean; nextCursor?: string }>>;
}

export declare class StorageBucketApi {
  constructor(url: string, headers?: Record<string, string>, fetchImpl?: typeof fetch);
  listBuckets(): Promise<StorageResult<Bucket[]>>;
  getBucket(id: string): Promise<StorageResult<Bucket>>;
  createBucket(id: string, options?: { public: boolean; fileSizeLimit?: number | string | null; allowedMimeTypes?: string[] | null }): Promise<StorageResult<{ name: string }>>;
  updateBucket(id: string, options: { public: boolean; fileSizeLimit?: number | string | null; allowedMimeTypes?: string[] | null }): Promise<StorageResult<{ message: string }>>;
  emptyBucket(id: string): Promise<StorageResult<{ message: string }>>;
  deleteBucket(id: string): Promise<StorageResult<{ message: string }>>;
}

export declare class StorageClient extends StorageBucketApi {
  from(id: string): StorageFileApi;
}
