// Modifiers that shape the answer (columns, order, paging, one row, CSV): postgrest-js's
// PostgrestTransformBuilder. Each call edits the request and returns the same builder.
import { PostgrestBuilder } from './builder.js';

/** Removes whitespace from a select list except inside double quotes (quoted column names). */
export function cleanColumns(columns) {
  let quoted = false;
  return columns
    .split('')
    .map((c) => {
      if (/\s/.test(c) && !quoted) return '';
      if (c === '"') quoted = !quoted;
      return c;
    })
    .join('');
}

function appendPrefer(headers, value) {
  headers.Prefer = headers.Prefer ? `${headers.Prefer},${value}` : value;
}

export class PostgrestTransformBuilder extends PostgrestBuilder {
  /** After insert/update/upsert/delete: return the affected rows with these columns. */
  select(columns) {
    this.url.searchParams.set('select', cleanColumns(columns ?? '*'));
    appendPrefer(this.headers, 'return=representation');
    return this;
  }

  order(column, { ascending = true, nullsFirst, foreignTable, referencedTable = foreignTable } = {}) {
    const key = referencedTable ? `${referencedTable}.order` : 'order';
    const existing = this.url.searchParams.get(key);
    const nulls = nullsFirst === undefined ? '' : nullsFirst ? '.nullsfirst' : '.nullslast';
    this.url.searchParams.set(key, `${existing ? `${existing},` : ''}${column}.${ascending ? 'asc' : 'desc'}${nulls}`);
    return this;
  }

  limit(count, { foreignTable, referencedTable = foreignTable } = {}) {
    this.url.searchParams.set(referencedTable ? `${referencedTable}.limit` : 'limit', `${count}`);
    return this;
  }

  /** Rows from..to, both included, counted from 0. */
  range(from, to, { foreignTable, referencedTable = foreignTable } = {}) {
    this.url.searchParams.set(referencedTable ? `${referencedTable}.offset` : 'offset', `${from}`);
    this.url.searchParams.set(referencedTable ? `${referencedTable}.limit` : 'limit', `${to - from + 1}`);
    return this;
  }

  abortSignal(signal) {
    this.signal = signal;
    return this;
  }

  /** Exactly one row as an object; zero or several rows is an error (PGRST116). */
  single() {
    this.headers.Accept = 'application/vnd.pgrst.object+json';
    return this;
  }

  /** Zero or one row: data is the row or null; several rows is an error. */
  maybeSingle() {
    this.headers.Accept = this.method === 'GET' ? 'application/json' : 'application/vnd.pgrst.object+json';
    this.isMaybeSingle = true;
    return this;
  }

  csv() {
    this.headers.Accept = 'text/csv';
    return this;
  }

  geojson() {
    this.headers.Accept = 'application/geo+json';
    return this;
  }

  explain({ analyze = false, verbose = false, settings = false, buffers = false, wal = false, format = 'text' } = {}) {
    const options = [analyze && 'analyze', verbose && 'verbose', settings && 'settings', buffers && 'buffers', wal && 'wal']
      .filter(Boolean)
      .join('|');
    const forMediatype = this.headers.Accept ?? 'application/json';
    this.headers.Accept = `application/vnd.pgrst.plan+${format}; for="${forMediatype}"; options=${options};`;
    return this;
  }

  /** Runs the request in a transaction that is rolled back (PostgREST's tx=rollback). */
  rollback() {
    appendPrefer(this.headers, 'tx=rollback');
    return this;
  }

  /** Changes only the TypeScript result type. */
  returns() {
    return this;
  }
}
