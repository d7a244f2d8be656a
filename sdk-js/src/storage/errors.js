// storage-js's errors: methods return {data: null, error} with one of these.

export class StorageError extends Error {
  constructor(message) {
    super(message);
    this.__isStorageError = true;
    this.name = 'StorageError';
  }
}

export function isStorageError(error) {
  return typeof error === 'object' && error !== null && '__isStorageError' in error;
}

/** The server refused: status is the HTTP status, statusCode Storage's own code as a string. */
export class StorageApiError extends StorageError {
  constructor(message, status, statusCode) {
    super(message);
    this.name = 'StorageApiError';
    this.status = status;
    this.statusCode = statusCode;
  }

  toJSON() {
    return { name: this.name, message: this.message, status: this.status, statusCode: this.statusCode };
  }
}

/** No usable answer (network failure, a body that is not JSON). */
export class StorageUnknownError extends StorageError {
  constructor(message, originalError) {
    super(message);
    this.name = 'StorageUnknownError';
    this.originalError = originalError;
  }
}
