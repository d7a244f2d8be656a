// Objects of one bucket (storage-js's StorageFileApi): upload, download, list, move, copy,
// remove, signed URLs, public URLs, info, exists.
import { storageRequest } from './http.js';
import { isStorageError, StorageUnknownError } from './errors.js';
import { progressRequest } from './upload.js';

const DEFAULT_SEARCH_OPTIONS = { limit: 100, offset: 0, sortBy: { column: 'name', order: 'asc' } };
const DEFAULT_FILE_OPTIONS = { cacheControl: '3600', contentType: 'text/plain;charset=UTF-8', upsert: false };

function base64Json(value) {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function downloadQuery(download) {
  if (download === undefined || download === false) return '';
  return `download=${download === true ? '' : encodeURIComponent(download)}`;
}

export class StorageFileApi {
  constructor(url, headers = {}, bucketId, fetch) {
    this.url = url;
    this.headers = headers;
    this.bucketId = bucketId;
    this.fetch = fetch ?? ((...a) => globalThis.fetch(...a));
  }

  async _wrap(fn) {
    try {
      return { data: await fn(), error: null };
    } catch (error) {
      if (isStorageError(error)) return { data: null, error };
      throw error;
    }
  }

  /** path without leading/trailing slashes and without empty folders ('a//b/' -> 'a/b'). */
  _cleanPath(path) {
    return path.replace(/^\/|\/$/g, '').replace(/\/+/g, '/');
  }

  _finalPath(path) {
    return `${this.bucketId}/${path.replace(/^\/+/, '')}`;
  }

  async _send(method, url, path, fileBody, fileOptions = {}, extraHeaders = {}) {
    const options = { ...DEFAULT_FILE_OPTIONS, ...fileOptions };
    const headers = { ...this.headers, ...extraHeaders };
    let body;
    let fetchImpl = this.fetch;
    let duplex;
    if (options.onUploadProgress) {
      // Progress needs a raw body: the bytes go as they are, with the type in a header.
      const typed = typeof Blob !== 'undefined' && fileBody instanceof Blob && fileBody.type && !fileOptions.contentType;
      headers['cache-control'] = `max-age=${options.cacheControl}`;
      headers['content-type'] = typed ? fileBody.type : options.contentType;
      if (options.metadata) headers['x-metadata'] = base64Json(options.metadata);
      const sent = await progressRequest(this.fetch, fileBody, options.onUploadProgress);
      fetchImpl = sent.fetch;
      body = sent.body;
      duplex = sent.duplex;
      if (sent.length !== undefined) headers['content-length'] = `${sent.length}`;
    } else if (typeof Blob !== 'undefined' && fileBody instanceof Blob && typeof FormData !== 'undefined') {
      body = new FormData();
      body.append('cacheControl', options.cacheControl);
      if (options.metadata) body.append('metadata', JSON.stringify(options.metadata));
      body.append('', fileBody);
    } else if (typeof FormData !== 'undefined' && fileBody instanceof FormData) {
      body = fileBody;
      body.append('cacheControl', options.cacheControl);
      if (options.metadata) body.append('metadata', JSON.stringify(options.metadata));
    } else {
      body = fileBody;
      headers['cache-control'] = `max-age=${options.cacheControl}`;
      headers['content-type'] = options.contentType;
      if (options.metadata) headers['x-metadata'] = base64Json(options.metadata);
      if (typeof ReadableStream !== 'undefined' && fileBody instanceof ReadableStream) duplex = 'half';
    }
    if (fileOptions.headers) Object.assign(headers, fileOptions.headers);
    const data = await storageRequest(fetchImpl, method, url, { headers, body, duplex });
    return { path, data };
  }

  async _uploadOrUpdate(method, path, fileBody, fileOptions = {}) {
    return this._wrap(async () => {
      const cleanPath = this._cleanPath(path);
      const extra = method === 'POST' ? { 'x-upsert': String(fileOptions.upsert ?? false) } : {};
      const { data } = await this._send(method, `${this.url}/object/${this._finalPath(cleanPath)}`, cleanPath, fileBody, fileOptions, extra);
      return { path: cleanPath, id: data?.Id, fullPath: data?.Key };
    });
  }

  /**
   * Stores a new object (upsert: true replaces an existing one). fileOptions {cacheControl,
   * contentType, upsert, metadata, onUploadProgress({loaded, total})}.
   */
  upload(path, fileBody, fileOptions) {
    return this._uploadOrUpdate('POST', path, fileBody, fileOptions);
  }

  /** Replaces an existing object. */
  update(path, fileBody, fileOptions) {
    return this._uploadOrUpdate('PUT', path, fileBody, fileOptions);
  }

  /** Uploads with a token from createSignedUploadUrl (no other credentials needed). */
  uploadToSignedUrl(path, token, fileBody, fileOptions = {}) {
    return this._wrap(async () => {
      const cleanPath = this._cleanPath(path);
      const url = new URL(`${this.url}/object/upload/sign/${this._finalPath(cleanPath)}`);
      url.searchParams.set('token', token);
      const extra = { 'x-upsert': String(fileOptions.upsert ?? false) };
      const { data } = await this._send('PUT', url.toString(), cleanPath, fileBody, fileOptions, extra);
      return { path: cleanPath, fullPath: data?.Key };
    });
  }

  /** A URL (and its token) that lets anyone upload this one path for a while. options {upsert} */
  createSignedUploadUrl(path, options) {
    return this._wrap(async () => {
      const headers = { ...this.headers };
      if (options?.upsert) headers['x-upsert'] = 'true';
      const data = await storageRequest(this.fetch, 'POST', `${this.url}/object/upload/sign/${this._finalPath(path)}`, { headers, body: {} });
      const url = new URL(this.url + data.url);
      const token = url.searchParams.get('token');
      if (!token) throw new StorageUnknownError('No token returned by the server', data);
      return { signedUrl: url.toString(), path, token };
    });
  }

  /** Renames within the bucket, or into options.destinationBucket. */
  move(fromPath, toPath, options) {
    return this._wrap(() =>
      storageRequest(this.fetch, 'POST', `${this.url}/object/move`, {
        headers: this.headers,
        body: { bucketId: this.bucketId, sourceKey: fromPath, destinationKey: toPath, destinationBucket: options?.destinationBucket },
      }),
    );
  }

  copy(fromPath, toPath, options) {
    return this._wrap(async () => {
      const data = await storageRequest(this.fetch, 'POST', `${this.url}/object/copy`, {
        headers: this.headers,
        body: { bucketId: this.bucketId, sourceKey: fromPath, destinationKey: toPath, destinationBucket: options?.destinationBucket },
      });
      return { path: data.Key };
    });
  }

  /** A URL that downloads the object for expiresIn seconds. options {download: true | filename} */
  createSignedUrl(path, expiresIn, options) {
    return this._wrap(async () => {
      const data = await storageRequest(this.fetch, 'POST', `${this.url}/object/sign/${this._finalPath(path)}`, {
        headers: this.headers,
        body: { expiresIn, ...(options?.transform ? { transform: options.transform } : {}) },
      });
      const dl = downloadQuery(options?.download);
      return { signedUrl: encodeURI(`${this.url}${data.signedURL}${dl ? `&${dl}` : ''}`) };
    });
  }

  /** Signed URLs for several paths: [{path, signedUrl, error}]. */
  createSignedUrls(paths, expiresIn, options) {
    return this._wrap(async () => {
      const data = await storageRequest(this.fetch, 'POST', `${this.url}/object/sign/${this.bucketId}`, {
        headers: this.headers,
        body: { expiresIn, paths },
      });
      const dl = downloadQuery(options?.download);
      return data.map((d) => ({ ...d, signedUrl: d.signedURL ? encodeURI(`${this.url}${d.signedURL}${dl ? `&${dl}` : ''}`) : null }));
    });
  }

  /** The object's bytes as a Blob. */
  download(path, options) {
    return this._wrap(async () => {
      const res = await storageRequest(this.fetch, 'GET', `${this.url}/object/${this._finalPath(path)}`, {
        headers: this.headers,
        raw: true,
        signal: options?.signal,
      });
      return res.blob();
    });
  }

  /** The object's metadata (id, size, contentType, etag, lastModified, metadata, ...), camelCased. */
  info(path) {
    return this._wrap(async () => {
      const data = await storageRequest(this.fetch, 'GET', `${this.url}/object/info/${this._finalPath(path)}`, { headers: this.headers });
      return camelKeys(data);
    });
  }

  /** data true when the object exists and is readable; false (with the error) when not found. */
  async exists(path) {
    try {
      await storageRequest(this.fetch, 'HEAD', `${this.url}/object/${this._finalPath(path)}`, { headers: this.headers, raw: true });
      return { data: true, error: null };
    } catch (error) {
      if (isStorageError(error) && [400, 404].includes(error.status)) return { data: false, error };
      if (isStorageError(error)) return { data: null, error };
      throw error;
    }
  }

  /** The URL of an object of a public bucket (no request is made). options {download} */
  getPublicUrl(path, options) {
    const dl = downloadQuery(options?.download);
    return { data: { publicUrl: encodeURI(`${this.url}/object/public/${this._finalPath(path)}${dl ? `?${dl}` : ''}`) } };
  }

  /** Deletes the objects; data is the list of removed objects. */
  remove(paths) {
    return this._wrap(() =>
      storageRequest(this.fetch, 'DELETE', `${this.url}/object/${this.bucketId}`, { headers: this.headers, body: { prefixes: paths } }),
    );
  }

  /** Files and folders directly under path. options {limit, offset, sortBy: {column, order}, search} */
  list(path, options, parameters) {
    return this._wrap(() =>
      storageRequest(this.fetch, 'POST', `${this.url}/object/list/${this.bucketId}`, {
        headers: this.headers,
        body: { ...DEFAULT_SEARCH_OPTIONS, ...options, prefix: path || '' },
        signal: parameters?.signal,
      }),
    );
  }

  /** Cursor-paged listing. options {prefix, cursor, limit, with_delimiter, sortBy} */
  listV2(options, parameters) {
    return this._wrap(() =>
      storageRequest(this.fetch, 'POST', `${this.url}/object/list-v2/${this.bucketId}`, {
        headers: this.headers,
        body: { ...options },
        signal: parameters?.signal,
      }),
    );
  }
}

function camelKeys(value) {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    // metadata is the user's own object: its keys are kept as given
    out[k.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = k === 'metadata' || k === 'user_metadata' ? v : camelKeys(v);
  }
  return out;
}
