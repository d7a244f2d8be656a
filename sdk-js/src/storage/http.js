// One request to /storage/v1; failures become StorageError values.
import { StorageApiError, StorageUnknownError } from './errors.js';

function errorMessage(body) {
  return body.msg || body.message || body.error_description || body.error || JSON.stringify(body);
}

/**
 * Sends a request and resolves to the parsed JSON (or the Response itself with raw: true).
 * Rejects with a StorageApiError carrying the server's message and code.
 */
export async function storageRequest(fetchImpl, method, url, { headers = {}, body, raw = false, signal, duplex } = {}) {
  const init = { method, headers: { ...headers }, signal };
  if (body !== undefined) {
    const plain = body === null || (typeof body === 'object' && body.constructor === Object) || Array.isArray(body);
    if (plain) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    } else {
      init.body = body;
    }
  }
  if (duplex) init.duplex = duplex;
  let res;
  try {
    res = await fetchImpl(url, init);
  } catch (e) {
    throw new StorageUnknownError(e?.message ?? String(e), e);
  }
  if (!res.ok) {
    let parsed;
    try {
      parsed = await res.json();
    } catch (e) {
      throw new StorageApiError(res.statusText || `HTTP ${res.status}`, res.status, `${res.status}`);
    }
    throw new StorageApiError(errorMessage(parsed), res.status, `${parsed?.statusCode ?? parsed?.code ?? res.status}`);
  }
  if (raw) return res;
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StorageUnknownError('the server answered something that is not JSON', e);
  }
}
