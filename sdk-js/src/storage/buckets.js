// Bucket management (storage-js's StorageBucketApi): list, get, create, update, empty, delete.
import { storageRequest } from './http.js';
import { isStorageError } from './errors.js';

export class StorageBucketApi {
  constructor(url, headers = {}, fetch) {
    this.url = url;
    this.headers = headers;
    this.fetch = fetch ?? ((...a) => globalThis.fetch(...a));
  }

  async _call(method, path, body) {
    try {
      const data = await storageRequest(this.fetch, method, `${this.url}${path}`, { headers: this.headers, body });
      return { data, error: null };
    } catch (error) {
      if (isStorageError(error)) return { data: null, error };
      throw error;
    }
  }

  listBuckets() {
    return this._call('GET', '/bucket');
  }

  getBucket(id) {
    return this._call('GET', `/bucket/${id}`);
  }

  /** options {public, fileSizeLimit, allowedMimeTypes}; resolves to {data: {name}}. */
  createBucket(id, options = { public: false }) {
    return this._call('POST', '/bucket', {
      id,
      name: id,
      public: options.public,
      file_size_limit: options.fileSizeLimit,
      allowed_mime_types: options.allowedMimeTypes,
    });
  }

  updateBucket(id, options) {
    return this._call('PUT', `/bucket/${id}`, {
      id,
      name: id,
      public: options.public,
      file_size_limit: options.fileSizeLimit,
      allowed_mime_types: options.allowedMimeTypes,
    });
  }

  /** Removes every object, keeps the bucket. */
  emptyBucket(id) {
    return this._call('POST', `/bucket/${id}/empty`, {});
  }

  /** The bucket must be empty. */
  deleteBucket(id) {
    return this._call('DELETE', `/bucket/${id}`, {});
  }
}
