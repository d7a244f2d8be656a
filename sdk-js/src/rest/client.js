// Entry point of the data API (/rest/v1): from(table), rpc(fn), schema(name). postgrest-js's
// PostgrestClient.
import { PostgrestQueryBuilder } from './query.js';
import { PostgrestFilterBuilder } from './filter.js';

export class PostgrestClient {
  /** @param url the /rest/v1 base URL; options {headers, schema, fetch} */
  constructor(url, { headers = {}, schema, fetch } = {}) {
    this.url = url;
    this.headers = headers;
    this.schemaName = schema;
    this.fetch = fetch;
  }

  from(relation) {
    const url = new URL(`${this.url}/${relation}`);
    return new PostgrestQueryBuilder(url, { headers: { ...this.headers }, schema: this.schemaName, fetch: this.fetch });
  }

  /** The same client on another schema (must be exposed by the server). */
  schema(schema) {
    return new PostgrestClient(this.url, { headers: this.headers, schema, fetch: this.fetch });
  }

  /**
   * Calls a function. By default a POST with the arguments as JSON; with `get` or `head` the
   * arguments go in the query string (only for functions that do not write).
   */
  rpc(fn, args = {}, { head = false, get = false, count } = {}) {
    const url = new URL(`${this.url}/rpc/${fn}`);
    let method;
    let body;
    if (head || get) {
      method = head ? 'HEAD' : 'GET';
      for (const [name, value] of Object.entries(args)) {
        if (value === undefined) continue;
        url.searchParams.append(name, Array.isArray(value) ? `{${value.join(',')}}` : `${value}`);
      }
    } else {
      method = 'POST';
      body = args;
    }
    const headers = { ...this.headers };
    if (count) headers.Prefer = `count=${count}`;
    return new PostgrestFilterBuilder({ method, url, headers, schema: this.schemaName, body, fetch: this.fetch });
  }
}
