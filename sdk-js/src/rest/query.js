// The first call after from(table): which operation (select, insert, upsert, update, delete).
// postgrest-js's PostgrestQueryBuilder; each returns a PostgrestFilterBuilder.
import { PostgrestFilterBuilder } from './filter.js';
import { cleanColumns } from './transform.js';

export class PostgrestQueryBuilder {
  constructor(url, { headers = {}, schema, fetch }) {
    this.url = url;
    this.headers = headers;
    this.schema = schema;
    this.fetch = fetch;
  }

  select(columns, { head = false, count } = {}) {
    this.url.searchParams.set('select', cleanColumns(columns ?? '*'));
    const headers = { ...this.headers };
    if (count) headers.Prefer = `count=${count}`;
    return this._builder(head ? 'HEAD' : 'GET', headers, undefined);
  }

  insert(values, { count, defaultToNull = true } = {}) {
    return this._write('POST', values, [count && `count=${count}`, !defaultToNull && 'missing=default']);
  }

  upsert(values, { onConflict, ignoreDuplicates = false, count, defaultToNull = true } = {}) {
    if (onConflict !== undefined) this.url.searchParams.set('on_conflict', onConflict);
    return this._write('POST', values, [
      `resolution=${ignoreDuplicates ? 'ignore' : 'merge'}-duplicates`,
      count && `count=${count}`,
      !defaultToNull && 'missing=default',
    ]);
  }

  update(values, { count } = {}) {
    return this._builder('PATCH', this._prefer([count && `count=${count}`]), values);
  }

  delete({ count } = {}) {
    return this._builder('DELETE', this._prefer([count && `count=${count}`]), undefined);
  }

  _write(method, values, prefer) {
    if (Array.isArray(values)) {
      // Bulk inserts name the union of the rows' keys, so rows missing a key get its default or null.
      const columns = [...new Set(values.flatMap((row) => Object.keys(row)))];
      if (columns.length > 0) this.url.searchParams.set('columns', columns.map((c) => `"${c}"`).join(','));
    }
    return this._builder(method, this._prefer(prefer), values);
  }

  _prefer(parts) {
    const headers = { ...this.headers };
    const all = [headers.Prefer, ...parts].filter(Boolean);
    if (all.length > 0) headers.Prefer = all.join(',');
    else delete headers.Prefer;
    return headers;
  }

  _builder(method, headers, body) {
    return new PostgrestFilterBuilder({ method, url: this.url, headers, schema: this.schema, body, fetch: this.fetch });
  }
}
