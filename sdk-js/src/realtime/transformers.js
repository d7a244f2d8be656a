// Column values of postgres_changes records, converted by column type as realtime-js does, for
// servers that send them as text (Parley sends JSON values already typed; those pass through).

const NUMERIC = ['int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'numeric'];
const JSON_TYPES = ['json', 'jsonb'];

function convertCell(type, value) {
  if (value === null || value === undefined || typeof value !== 'string') return value;
  if (type.startsWith('_')) {
    // arrays arrive as Postgres array literals: {1,2,3}
    const inner = value.slice(1, -1);
    if (value[0] !== '{' || inner === '') return value[0] === '{' ? [] : value;
    try {
      return JSON.parse(`[${inner}]`);
    } catch {
      return value;
    }
  }
  if (type === 'bool') return value === 't' || value === 'true' ? true : value === 'f' || value === 'false' ? false : value;
  if (NUMERIC.includes(type)) {
    const n = Number(value);
    return Number.isNaN(n) ? value : n;
  }
  if (JSON_TYPES.includes(type)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

export function convertChangeData(columns, record) {
  if (!record) return {};
  if (!Array.isArray(columns)) return { ...record };
  const out = { ...record };
  for (const { name, type } of columns) if (name in out) out[name] = convertCell(type, out[name]);
  return out;
}
