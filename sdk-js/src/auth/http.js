// One HTTP call to /auth/v1 and the translation of GoTrue's refusals into AuthError classes.
import { AuthApiError, AuthRetryableFetchError, AuthSessionMissingError, AuthUnknownError, AuthWeakPasswordError } from './errors.js';

// supabase-js sends this so GoTrue answers errors as {code, message} with a string code.
export const API_VERSION = '2024-01-01';
const RETRYABLE_STATUSES = [502, 503, 504];

function errorMessage(body) {
  return body.msg || body.message || body.error_description || body.error || JSON.stringify(body);
}

async function toAuthError(res) {
  if (RETRYABLE_STATUSES.includes(res.status)) return new AuthRetryableFetchError(await res.text().catch(() => res.statusText), res.status);
  let body;
  try {
    body = await res.json();
  } catch (e) {
    return new AuthUnknownError(`${res.status} ${res.statusText}`, e);
  }
  let code;
  if (res.headers.get('x-supabase-api-version') && typeof body.code === 'string') code = body.code;
  else if (typeof body.error_code === 'string') code = body.error_code;
  else if (typeof body.code === 'string') code = body.code;
  if (code === 'weak_password' || body.weak_password) {
    return new AuthWeakPasswordError(errorMessage(body), res.status, body.weak_password?.reasons ?? []);
  }
  if (code === 'session_not_found') return new AuthSessionMissingError();
  return new AuthApiError(errorMessage(body), res.status || 500, code);
}

/**
 * Sends one request; resolves to the parsed JSON body (or null for an empty one) and throws an
 * AuthError for anything else, which the public methods catch and return as `error`.
 */
export async function authRequest(fetchImpl, method, url, { headers = {}, jwt, body, query, withHeaders = false } = {}) {
  const target = new URL(url);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) target.searchParams.set(k, `${v}`);
  const all = { 'X-Supabase-Api-Version': API_VERSION, ...headers };
  if (jwt) all.Authorization = `Bearer ${jwt}`;
  if (body !== undefined) all['Content-Type'] = 'application/json;charset=UTF-8';
  let res;
  try {
    res = await fetchImpl(target.toString(), { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new AuthRetryableFetchError(e?.message ?? String(e), 0);
  }
  if (!res.ok) throw await toAuthError(res);
  const text = await res.text();
  let parsed = null;
  try {
    if (text !== '') parsed = JSON.parse(text);
  } catch (e) {
    throw new AuthUnknownError('the server answered something that is not JSON', e);
  }
  return withHeaders ? { body: parsed, headers: res.headers } : parsed;
}
