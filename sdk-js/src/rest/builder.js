// The awaitable request at the end of every data call: runs the HTTP request and turns the answer
// into postgrest-js's result shape {data, error, count, status, statusText}. A server error is
// returned in `error`, never thrown (unless throwOnError() was asked for), as in supabase-js.

/** An error answered by the server, as postgrest-js's PostgrestError. */
export class PostgrestError extends Error {
  constructor(context) {
    super(context.message);
    this.name = 'PostgrestError';
    this.details = context.details;
    this.hint = context.hint;
    this.code = context.code;
  }
}

export class PostgrestBuilder {
  constructor(builder) {
    this.method = builder.method;
    this.url = builder.url;
    this.headers = { ...builder.headers };
    this.schema = builder.schema;
    this.body = builder.body;
    this.shouldThrowOnError = builder.shouldThrowOnError ?? false;
    this.signal = builder.signal;
    this.isMaybeSingle = builder.isMaybeSingle ?? false;
    this.fetch = builder.fetch ?? ((...args) => globalThis.fetch(...args));
  }

  /** Throws a PostgrestError instead of returning it in `error`. */
  throwOnError() {
    this.shouldThrowOnError = true;
    return this;
  }

  /** Sets one request header (later calls win). */
  setHeader(name, value) {
    this.headers = { ...this.headers, [name]: value };
    return this;
  }

  then(onfulfilled, onrejected) {
    return this._execute().then(onfulfilled, onrejected);
  }

  async _execute() {
    const headers = { ...this.headers };
    if (this.schema !== undefined) {
      // PostgREST picks the schema from Accept-Profile on reads, Content-Profile on writes.
      headers[['GET', 'HEAD'].includes(this.method) ? 'Accept-Profile' : 'Content-Profile'] = this.schema;
    }
    if (this.method !== 'GET' && this.method !== 'HEAD') headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await this.fetch(this.url.toString(), {
        method: this.method,
        headers,
        body: this.body === undefined ? undefined : JSON.stringify(this.body),
        signal: this.signal,
      });
    } catch (fetchError) {
      if (this.shouldThrowOnError) throw fetchError;
      return {
        error: {
          message: `${fetchError?.name ?? 'FetchError'}: ${fetchError?.message}`,
          details: `${fetchError?.stack ?? ''}`,
          hint: '',
          code: `${fetchError?.code ?? ''}`,
        },
        data: null,
        count: null,
        status: 0,
        statusText: '',
      };
    }
    return this._read(res, headers);
  }

  async _read(res, headers) {
    let error = null;
    let data = null;
    let count = null;
    let status = res.status;
    let statusText = res.statusText;

    if (res.ok) {
      if (this.method !== 'HEAD') {
        const body = await res.text();
        if (body === '') {
          // a minimal answer (no return=representation): data stays null
        } else if (headers.Accept === 'text/csv' || (headers.Accept && headers.Accept.includes('application/vnd.pgrst.plan+text'))) {
          data = body;
        } else {
          data = JSON.parse(body);
        }
      }
      const countHeader = headers.Prefer?.match(/count=(exact|planned|estimated)/);
      const contentRange = res.headers.get('content-range')?.split('/');
      if (countHeader && contentRange && contentRange.length > 1) count = parseInt(contentRange[1], 10);

      // maybeSingle() on a read asks for an array and checks the length here, so that zero rows
      // is data: null rather than an error.
      if (this.isMaybeSingle && this.method === 'GET' && Array.isArray(data)) {
        if (data.length > 1) {
          error = {
            code: 'PGRST116',
            details: `Results contain ${data.length} rows, application/vnd.pgrst.object+json requires 1 row`,
            hint: null,
            message: 'JSON object requested, multiple (or no) rows returned',
          };
          data = null;
          count = null;
          status = 406;
          statusText = 'Not Acceptable';
        } else {
          data = data.length === 1 ? data[0] : null;
        }
      }
    } else {
      const body = await res.text();
      try {
        error = JSON.parse(body);
        if (Array.isArray(error) && res.status === 404) {
          data = [];
          error = null;
          status = 200;
          statusText = 'OK';
        }
      } catch {
        if (res.status === 404 && body === '') {
          status = 204;
          statusText = 'No Content';
        } else {
          error = { message: body };
        }
      }
      if (error && this.isMaybeSingle && error?.details?.includes('0 rows')) {
        error = null;
        status = 200;
        statusText = 'OK';
      }
      if (error && this.shouldThrowOnError) throw new PostgrestError(error);
    }
    return { error, data, count, status, statusText };
  }
}
