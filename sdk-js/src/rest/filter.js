// Row filters: postgrest-js's PostgrestFilterBuilder. Each adds one query parameter in
// PostgREST's `column=operator.value` syntax.
import { PostgrestTransformBuilder } from './transform.js';

// Values holding PostgREST's reserved characters must be quoted inside in.(...) lists.
const RESERVED = /[,()]/;

function listOrJson(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `{${value.join(',')}}`;
  return JSON.stringify(value);
}

export class PostgrestFilterBuilder extends PostgrestTransformBuilder {
  eq(column, value) { return this._filter(column, `eq.${value}`); }
  neq(column, value) { return this._filter(column, `neq.${value}`); }
  gt(column, value) { return this._filter(column, `gt.${value}`); }
  gte(column, value) { return this._filter(column, `gte.${value}`); }
  lt(column, value) { return this._filter(column, `lt.${value}`); }
  lte(column, value) { return this._filter(column, `lte.${value}`); }
  like(column, pattern) { return this._filter(column, `like.${pattern}`); }
  likeAllOf(column, patterns) { return this._filter(column, `like(all).{${patterns.join(',')}}`); }
  likeAnyOf(column, patterns) { return this._filter(column, `like(any).{${patterns.join(',')}}`); }
  ilike(column, pattern) { return this._filter(column, `ilike.${pattern}`); }
  ilikeAllOf(column, patterns) { return this._filter(column, `ilike(all).{${patterns.join(',')}}`); }
  ilikeAnyOf(column, patterns) { return this._filter(column, `ilike(any).{${patterns.join(',')}}`); }
  is(column, value) { return this._filter(column, `is.${value}`); }
  isDistinct(column, value) { return this._filter(column, `isdistinct.${value}`); }
  regexMatch(column, pattern) { return this._filter(column, `match.${pattern}`); }
  regexIMatch(column, pattern) { return this._filter(column, `imatch.${pattern}`); }

  in(column, values) {
    const cleaned = Array.from(new Set(values))
      .map((v) => (typeof v === 'string' && RESERVED.test(v) ? `"${v}"` : `${v}`))
      .join(',');
    return this._filter(column, `in.(${cleaned})`);
  }

  /** Array/range/jsonb column contains every element of value. */
  contains(column, value) { return this._filter(column, `cs.${listOrJson(value)}`); }
  /** Every element of the column is in value. */
  containedBy(column, value) { return this._filter(column, `cd.${listOrJson(value)}`); }
  overlaps(column, value) { return this._filter(column, `ov.${typeof value === 'string' ? value : `{${value.join(',')}}`}`); }
  rangeGt(column, range) { return this._filter(column, `sr.${range}`); }
  rangeGte(column, range) { return this._filter(column, `nxl.${range}`); }
  rangeLt(column, range) { return this._filter(column, `sl.${range}`); }
  rangeLte(column, range) { return this._filter(column, `nxr.${range}`); }
  rangeAdjacent(column, range) { return this._filter(column, `adj.${range}`); }

  textSearch(column, query, { config, type } = {}) {
    const typePart = type === 'plain' ? 'pl' : type === 'phrase' ? 'ph' : type === 'websearch' ? 'w' : '';
    const configPart = config === undefined ? '' : `(${config})`;
    return this._filter(column, `${typePart}fts${configPart}.${query}`);
  }

  /** Every column of the object equals its value. */
  match(query) {
    for (const [column, value] of Object.entries(query)) this._filter(column, `eq.${value}`);
    return this;
  }

  not(column, operator, value) { return this._filter(column, `not.${operator}.${value}`); }

  /** Raw PostgREST or-group, e.g. 'id.eq.1,name.eq.x'. */
  or(filters, { foreignTable, referencedTable = foreignTable } = {}) {
    this.url.searchParams.append(referencedTable ? `${referencedTable}.or` : 'or', `(${filters})`);
    return this;
  }

  /** Any PostgREST operator, passed through unescaped. */
  filter(column, operator, value) { return this._filter(column, `${operator}.${value}`); }

  _filter(column, expression) {
    this.url.searchParams.append(column, expression);
    return this;
  }
}
