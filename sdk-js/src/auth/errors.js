// auth-js's error classes: every auth method returns one of these in `error` (never throws for
// a server refusal). `code` is GoTrue's error code (e.g. invalid_credentials), `status` the HTTP status.

export class AuthError extends Error {
  constructor(message, status, code) {
    super(message);
    this.__isAuthError = true;
    this.name = 'AuthError';
    this.status = status;
    this.code = code;
  }
}

export function isAuthError(error) {
  return typeof error === 'object' && error !== null && '__isAuthError' in error;
}

export class AuthApiError extends AuthError {
  constructor(message, status, code) {
    super(message, status, code);
    this.name = 'AuthApiError';
  }

  toJSON() {
    return { name: this.name, message: this.message, status: this.status, code: this.code };
  }
}

export class AuthUnknownError extends AuthError {
  constructor(message, originalError) {
    super(message);
    this.name = 'AuthUnknownError';
    this.originalError = originalError;
  }
}

/** An error made by the client itself (no session, a malformed answer). */
export class CustomAuthError extends AuthError {
  constructor(message, name, status, code) {
    super(message, status, code);
    this.name = name;
  }

  toJSON() {
    return { name: this.name, message: this.message, status: this.status, code: this.code };
  }
}

export class AuthSessionMissingError extends CustomAuthError {
  constructor() {
    super('Auth session missing!', 'AuthSessionMissingError', 400, undefined);
  }
}

export class AuthInvalidTokenResponseError extends CustomAuthError {
  constructor() {
    super('Auth session or user missing', 'AuthInvalidTokenResponseError', 500, undefined);
  }
}

export class AuthInvalidCredentialsError extends CustomAuthError {
  constructor(message) {
    super(message, 'AuthInvalidCredentialsError', 400, undefined);
  }
}

/** The request never got a usable answer (network down, 502/503/504): worth retrying. */
export class AuthRetryableFetchError extends CustomAuthError {
  constructor(message, status) {
    super(message, 'AuthRetryableFetchError', status, undefined);
  }
}

export class AuthWeakPasswordError extends CustomAuthError {
  constructor(message, status, reasons) {
    super(message, 'AuthWeakPasswordError', status, 'weak_password');
    this.reasons = reasons;
  }
}

export function isAuthApiError(error) {
  return isAuthError(error) && error.name === 'AuthApiError';
}

export function isAuthSessionMissingError(error) {
  return isAuthError(error) && error.name === 'AuthSessionMissingError';
}

export function isAuthRetryableFetchError(error) {
  return isAuthError(error) && error.name === 'AuthRetryableFetchError';
}

export function isAuthWeakPasswordError(error) {
  return isAuthError(error) && error.name === 'AuthWeakPasswordError';
}
