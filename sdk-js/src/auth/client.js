// The GoTrue client (auth-js's GoTrueClient): sign-up, sign-in, the session (kept in a pluggable
// storage, refreshed before it expires), the user, and auth state events.
//
// Lifecycle: the constructor starts `initialize()`, which recovers a stored session (refreshing
// it if it is about to expire); every public method waits for it first, so a page never reads
// a half-loaded session. One refresh runs at a time: concurrent callers share it, because a
// refresh token is single-use and a second concurrent use would look like token theft to the
// server (reuse detection) and end the session.
import { authRequest } from './http.js';
import { GoTrueAdminApi } from './admin.js';
import { defaultStorage, memoryStorage } from './storage.js';
import {
  AuthInvalidTokenResponseError,
  AuthInvalidCredentialsError,
  AuthSessionMissingError,
  isAuthApiError,
  isAuthError,
  isAuthRetryableFetchError,
} from './errors.js';

// As auth-js: a tick every 30 s; a session expiring within 3 ticks (90 s) is refreshed.
export const AUTO_REFRESH_TICK_DURATION_MS = 30_000;
export const AUTO_REFRESH_TICK_THRESHOLD = 3;
export const EXPIRY_MARGIN_MS = AUTO_REFRESH_TICK_THRESHOLD * AUTO_REFRESH_TICK_DURATION_MS;

const isBrowser = () => typeof window !== 'undefined' && typeof document !== 'undefined';

/** The claims of a JWT, unverified (the server verifies; the client only reads exp). */
export function decodeJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new AuthInvalidCredentialsError('Invalid JWT structure');
  const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function randomId() {
  return globalThis.crypto?.randomUUID ? globalThis.crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

export class GoTrueClient {
  /**
   * @param options {url, headers, storageKey, persistSession, autoRefreshToken, storage, fetch}
   */
  constructor(options) {
    this.url = options.url;
    this.headers = { ...options.headers };
    this.storageKey = options.storageKey;
    this.persistSession = options.persistSession ?? true;
    this.autoRefreshToken = options.autoRefreshToken ?? true;
    this.storage = options.storage ?? (this.persistSession ? defaultStorage(true) : memoryStorage());
    this.fetch = options.fetch ?? ((...a) => globalThis.fetch(...a));
    this.admin = new GoTrueAdminApi({ url: this.url, headers: this.headers, fetch: this.fetch });
    this.stateChangeEmitters = new Map();
    this.refreshing = null;
    this.autoRefreshTicker = null;
    this.visibilityListener = null;
    this.initializePromise = null;
    this.initialize();
  }

  /** Recovers the stored session; runs once (the constructor starts it). */
  initialize() {
    if (!this.initializePromise) this.initializePromise = this._initialize();
    return this.initializePromise;
  }

  async _initialize() {
    try {
      await this._recoverAndRefresh();
      this._watchVisibility();
      return { error: null };
    } catch (error) {
      if (isAuthError(error)) return { error };
      throw error;
    }
  }

  async _recoverAndRefresh() {
    const session = await this._loadSession();
    if (!session) return;
    if (session.expires_at * 1000 - Date.now() < EXPIRY_MARGIN_MS) {
      if (this.autoRefreshToken && session.refresh_token) await this._callRefreshToken(session.refresh_token);
      else await this._removeSession();
      return;
    }
    await this._notifyAllSubscribers('SIGNED_IN', session);
  }

  // ---- sign up / sign in / sign out ----

  /** credentials {email|phone, password, options: {data, emailRedirectTo, captchaToken}} */
  async signUp(credentials) {
    await this.initializePromise;
    try {
      const { email, phone, password, options = {} } = credentials;
      const data = await authRequest(this.fetch, 'POST', `${this.url}/signup`, {
        headers: this.headers,
        query: { redirect_to: options.emailRedirectTo },
        body: { email, phone, password, data: options.data ?? {}, gotrue_meta_security: { captcha_token: options.captchaToken } },
      });
      const session = this._sessionFrom(data);
      const user = session ? session.user : data?.user ?? data;
      if (session) {
        await this._saveSession(session);
        await this._notifyAllSubscribers('SIGNED_IN', session);
      }
      return { data: { user, session }, error: null };
    } catch (error) {
      if (isAuthError(error)) return { data: { user: null, session: null }, error };
      throw error;
    }
  }

  /** credentials {email|phone, password, options: {captchaToken}} */
  async signInWithPassword(credentials) {
    await this.initializePromise;
    try {
      const { email, phone, password, options = {} } = credentials;
      if (!email && !phone) throw new AuthInvalidCredentialsError('You must provide either an email or phone number and a password');
      const data = await authRequest(this.fetch, 'POST', `${this.url}/token`, {
        headers: this.headers,
        query: { grant_type: 'password' },
        body: { email, phone, password, gotrue_meta_security: { captcha_token: options.captchaToken } },
      });
      const session = this._sessionFrom(data);
      if (!session || !session.user) throw new AuthInvalidTokenResponseError();
      await this._saveSession(session);
      await this._notifyAllSubscribers('SIGNED_IN', session);
      const result = { user: session.user, session };
      if (data.weak_password) result.weakPassword = data.weak_password;
      return { data: result, error: null };
    } catch (error) {
      if (isAuthError(error)) return { data: { user: null, session: null }, error };
      throw error;
    }
  }

  /**
   * Ends the session on the server (scope global: every session of the user; local: this one;
   * others: all but this one) and, unless scope is others, forgets it here (SIGNED_OUT). A
   * session the server no longer knows is still forgotten locally.
   */
  async signOut({ scope = 'global' } = {}) {
    await this.initializePromise;
    const session = await this._loadSession();
    if (session?.access_token) {
      const { error } = await this.admin.signOut(session.access_token, scope);
      if (error && !(isAuthApiError(error) && [401, 403, 404].includes(error.status)) && error.name !== 'AuthSessionMissingError') {
        return { error };
      }
    }
    if (scope !== 'others') {
      await this._removeSession();
      await this._notifyAllSubscribers('SIGNED_OUT', null);
    }
    return { error: null };
  }

  // ---- session ----

  /** The current session, refreshed first if it expires within 90 s. */
  async getSession() {
    await this.initializePromise;
    return this._currentSession();
  }

  async _currentSession() {
    const session = await this._loadSession();
    if (!session) return { data: { session: null }, error: null };
    if (session.expires_at * 1000 - Date.now() >= EXPIRY_MARGIN_MS) return { data: { session }, error: null };
    const { session: refreshed, error } = await this._callRefreshToken(session.refresh_token);
    if (error) return { data: { session: null }, error };
    return { data: { session: refreshed }, error: null };
  }

  /** Trades the refresh token for a new session now (TOKEN_REFRESHED). */
  async refreshSession(currentSession) {
    await this.initializePromise;
    try {
      let refreshToken = currentSession?.refresh_token;
      if (!currentSession) {
        const stored = await this._loadSession();
        refreshToken = stored?.refresh_token;
      }
      if (!refreshToken) throw new AuthSessionMissingError();
      const { session, error } = await this._callRefreshToken(refreshToken);
      if (error) return { data: { user: null, session: null }, error };
      return { data: { user: session.user, session }, error: null };
    } catch (error) {
      if (isAuthError(error)) return { data: { user: null, session: null }, error };
      throw error;
    }
  }

  /**
   * Adopts a session obtained elsewhere: checks the access token with the server (or refreshes
   * it if it has expired), stores it, and emits SIGNED_IN (or TOKEN_REFRESHED).
   */
  async setSession({ access_token, refresh_token } = {}) {
    await this.initializePromise;
    try {
      if (!access_token || !refresh_token) throw new AuthSessionMissingError();
      const now = Date.now() / 1000;
      const claims = decodeJwt(access_token);
      const expiresAt = claims.exp ?? now;
      if (expiresAt <= now) {
        const { session, error } = await this._callRefreshToken(refresh_token);
        if (error) return { data: { user: null, session: null }, error };
        return { data: { user: session.user, session }, error: null };
      }
      const user = await authRequest(this.fetch, 'GET', `${this.url}/user`, { headers: this.headers, jwt: access_token });
      const session = {
        access_token,
        refresh_token,
        user,
        token_type: 'bearer',
        expires_in: Math.round(expiresAt - now),
        expires_at: expiresAt,
      };
      await this._saveSession(session);
      await this._notifyAllSubscribers('SIGNED_IN', session);
      return { data: { user, session }, error: null };
    } catch (error) {
      if (isAuthError(error)) return { data: { user: null, session: null }, error };
      throw error;
    }
  }

  // ---- user ----

  /** The user of `jwt`, or of the current session, as the server knows it now. */
  async getUser(jwt) {
    try {
      let token = jwt;
      if (!token) {
        await this.initializePromise;
        const { data, error } = await this._currentSession();
        if (error) throw error;
        token = data.session?.access_token;
        if (!token) throw new AuthSessionMissingError();
      }
      const user = await authRequest(this.fetch, 'GET', `${this.url}/user`, { headers: this.headers, jwt: token });
      return { data: { user }, error: null };
    } catch (error) {
      if (isAuthError(error)) return { data: { user: null }, error };
      throw error;
    }
  }

  /** attributes {email, password, data, ...}; emits USER_UPDATED. */
  async updateUser(attributes, options = {}) {
    await this.initializePromise;
    try {
      const { data, error } = await this._currentSession();
      if (error) throw error;
      const session = data.session;
      if (!session) throw new AuthSessionMissingError();
      const user = await authRequest(this.fetch, 'PUT', `${this.url}/user`, {
        headers: this.headers,
        jwt: session.access_token,
        query: { redirect_to: options.emailRedirectTo },
        body: attributes,
      });
      const updated = { ...session, user };
      await this._saveSession(updated);
      await this._notifyAllSubscribers('USER_UPDATED', updated);
      return { data: { user }, error: null };
    } catch (error) {
      if (isAuthError(error)) return { data: { user: null }, error };
      throw error;
    }
  }

  // ---- events ----

  /**
   * callback(event, session) on INITIAL_SESSION (once, after loading), SIGNED_IN, SIGNED_OUT,
   * TOKEN_REFRESHED, USER_UPDATED. Returns {data: {subscription}}; subscription.unsubscribe() stops it.
   */
  onAuthStateChange(callback) {
    const id = randomId();
    const subscription = { id, callback, unsubscribe: () => { this.stateChangeEmitters.delete(id); } };
    this.stateChangeEmitters.set(id, subscription);
    (async () => {
      await this.initializePromise;
      try {
        const { data } = await this._currentSession();
        await callback('INITIAL_SESSION', data.session);
      } catch (e) {
        await callback('INITIAL_SESSION', null);
        console.error(e);
      }
    })();
    return { data: { subscription } };
  }

  async _notifyAllSubscribers(event, session) {
    await Promise.all(
      [...this.stateChangeEmitters.values()].map(async (s) => {
        try {
          await s.callback(event, session);
        } catch (e) {
          console.error('onAuthStateChange callback failed', e);
        }
      }),
    );
  }

  // ---- automatic refresh ----

  /** Refreshes the session in the background before it expires (started automatically outside browsers). */
  startAutoRefresh() {
    this.stopAutoRefresh();
    const ticker = setInterval(() => this._autoRefreshTokenTick(), AUTO_REFRESH_TICK_DURATION_MS);
    // The ticker must not keep a Node process alive on its own.
    ticker.unref?.();
    this.autoRefreshTicker = ticker;
    const first = setTimeout(() => this._autoRefreshTokenTick(), 0);
    first.unref?.();
  }

  stopAutoRefresh() {
    if (this.autoRefreshTicker) clearInterval(this.autoRefreshTicker);
    this.autoRefreshTicker = null;
  }

  async _autoRefreshTokenTick() {
    try {
      const session = await this._loadSession();
      if (!session?.refresh_token || !session.expires_at) return;
      const ticksLeft = Math.floor((session.expires_at * 1000 - Date.now()) / AUTO_REFRESH_TICK_DURATION_MS);
      if (ticksLeft < AUTO_REFRESH_TICK_THRESHOLD) await this._callRefreshToken(session.refresh_token);
    } catch (e) {
      console.error('auto refresh failed', e);
    }
  }

  // In a browser a hidden tab stops refreshing (timers are throttled) and refreshes on return.
  _watchVisibility() {
    if (!this.autoRefreshToken) return;
    if (!isBrowser() || !window.addEventListener) {
      this.startAutoRefresh();
      return;
    }
    this.visibilityListener = () => {
      if (document.visibilityState === 'visible') this.startAutoRefresh();
      else this.stopAutoRefresh();
    };
    window.addEventListener('visibilitychange', this.visibilityListener);
    this.visibilityListener();
  }

  // ---- internals ----

  _callRefreshToken(refreshToken) {
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      try {
        const data = await authRequest(this.fetch, 'POST', `${this.url}/token`, {
          headers: this.headers,
          query: { grant_type: 'refresh_token' },
          body: { refresh_token: refreshToken },
        });
        const session = this._sessionFrom(data);
        if (!session) throw new AuthSessionMissingError();
        await this._saveSession(session);
        await this._notifyAllSubscribers('TOKEN_REFRESHED', session);
        return { session, error: null };
      } catch (error) {
        if (!isAuthError(error)) throw error;
        // A refused refresh token will never work again: the session is over. A network failure
        // keeps it, to be retried on the next tick.
        if (!isAuthRetryableFetchError(error)) {
          await this._removeSession();
          await this._notifyAllSubscribers('SIGNED_OUT', null);
        }
        return { session: null, error };
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  _sessionFrom(data) {
    if (!data?.access_token || !data.refresh_token) return null;
    const session = { ...data };
    if (!session.expires_at && session.expires_in) session.expires_at = Math.round(Date.now() / 1000) + session.expires_in;
    if (!session.expires_at) session.expires_at = decodeJwt(session.access_token).exp;
    return session;
  }

  async _loadSession() {
    const raw = await this.storage.getItem(this.storageKey);
    if (!raw) return null;
    try {
      const session = typeof raw === 'string' ? JSON.parse(raw) : raw;
      if (session?.access_token && session.refresh_token && session.expires_at) return session;
    } catch {
      // a corrupt stored value is dropped below
    }
    await this._removeSession();
    return null;
  }

  async _saveSession(session) {
    await this.storage.setItem(this.storageKey, JSON.stringify(session));
  }

  async _removeSession() {
    await this.storage.removeItem(this.storageKey);
  }
}
