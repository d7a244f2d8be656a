// auth.admin: user management with a service_role key (auth-js's GoTrueAdminApi). Never use it in
// a browser: the service key bypasses every policy.
import { authRequest } from './http.js';
import { isAuthError } from './errors.js';

function pageOf(link) {
  try {
    return parseInt(new URL(link.slice(link.indexOf('<') + 1, link.indexOf('>')), 'http://relative').searchParams.get('page'), 10);
  } catch {
    return undefined;
  }
}

export class GoTrueAdminApi {
  constructor({ url, headers, fetch }) {
    this.url = url;
    this.headers = headers;
    this.fetch = fetch;
  }

  async _user(method, path, body) {
    try {
      const user = await authRequest(this.fetch, method, `${this.url}${path}`, { headers: this.headers, body });
      return { data: { user }, error: null };
    } catch (error) {
      if (isAuthError(error)) return { data: { user: null }, error };
      throw error;
    }
  }

  /** Ends the sessions of the token's user: scope global (all), local (this one) or others. */
  async signOut(jwt, scope = 'global') {
    try {
      await authRequest(this.fetch, 'POST', `${this.url}/logout`, { headers: this.headers, jwt, query: { scope } });
      return { data: null, error: null };
    } catch (error) {
      if (isAuthError(error)) return { data: null, error };
      throw error;
    }
  }

  /** attributes: {email, password, email_confirm, user_metadata, app_metadata, ban_duration, ...} */
  createUser(attributes) {
    return this._user('POST', '/admin/users', attributes);
  }

  /** Pages of users: {data: {users, aud, nextPage, lastPage, total}}. */
  async listUsers(params) {
    try {
      const { body, headers } = await authRequest(this.fetch, 'GET', `${this.url}/admin/users`, {
        headers: this.headers,
        query: { page: params?.page, per_page: params?.perPage },
        withHeaders: true,
      });
      const pagination = { nextPage: null, lastPage: 0, total: parseInt(headers.get('x-total-count') ?? '0', 10) };
      for (const link of (headers.get('link') ?? '').split(',').filter((l) => l.trim())) {
        const rel = link.match(/rel="(\w+)"/)?.[1];
        if (rel === 'next') pagination.nextPage = pageOf(link);
        if (rel === 'last') pagination.lastPage = pageOf(link);
      }
      return { data: { ...body, ...pagination }, error: null };
    } catch (error) {
      if (isAuthError(error)) return { data: { users: [] }, error };
      throw error;
    }
  }

  getUserById(uid) {
    return this._user('GET', `/admin/users/${encodeURIComponent(uid)}`);
  }

  updateUserById(uid, attributes) {
    return this._user('PUT', `/admin/users/${encodeURIComponent(uid)}`, attributes);
  }

  /** shouldSoftDelete keeps the row (anonymised) instead of removing it. */
  deleteUser(id, shouldSoftDelete = false) {
    return this._user('DELETE', `/admin/users/${encodeURIComponent(id)}`, { should_soft_delete: shouldSoftDelete });
  }
}
