// D1 (SQLite) tables built from the canonical record schema (schema.js): one table per record
// kind plus `batches` (one row per accepted payload, keyed by its batch id, so a repeated batch
// is recognised). Column names are the schema's names in snake_case; attribute objects, arrays
// and the exponential sketch are stored as JSON text (D1 stores TEXT, INTEGER, REAL, BLOB:
// developers.cloudflare.com/d1/sql-api/ "Supported data types"). The collector owns migrations;
// this is the shape they start from. Worker-safe.
import { PAYLOAD, RECORDS } from './schema.js';

const snake = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const quote = (text) => `'${String(text).replace(/'/g, "''")}'`;
const SQL_TYPE = { string: 'TEXT', hex: 'TEXT', enum: 'TEXT', batchId: 'TEXT', number: 'REAL', integer: 'INTEGER', object: 'TEXT', array: 'TEXT', exponential: 'TEXT' };
const JSON_TYPES = new Set(['object', 'array', 'exponential']);

// One column definition; the schema's bounds become CHECK constraints, so a row that bypassed
// the decoder still cannot hold what the decoder would refuse.
function column(f) {
  const name = snake(f.name);
  const parts = [name, SQL_TYPE[f.type]];
  if (f.required || f.fromPayload) parts.push('NOT NULL');
  if (f.type === 'hex') parts.push(`CHECK (${name} IS NULL OR length(${name}) = ${f.length})`);
  if (f.type === 'enum') parts.push(`CHECK (${name} IS NULL OR ${name} IN (${(f.decoded ?? f.values).map(quote).join(', ')}))`);
  if (f.type === 'integer') parts.push(`CHECK (${name} IS NULL OR ${name} BETWEEN ${f.min} AND ${f.max})`);
  return parts.join(' ');
}

export function createTableStatements() {
  const batches = PAYLOAD.map((f) => (f.name === 'batchId' ? 'batch_id TEXT PRIMARY KEY' : column(f)));
  const statements = [`CREATE TABLE IF NOT EXISTS batches (${batches.join(', ')})`];
  for (const { table, fields } of Object.values(RECORDS)) {
    const columns = ['id INTEGER PRIMARY KEY', 'batch_id TEXT REFERENCES batches(batch_id)', ...fields.map(column)];
    statements.push(`CREATE TABLE IF NOT EXISTS ${table} (${columns.join(', ')})`);
  }
  return statements;
}

// JSON text for attributes: an int64 beyond 2^53 (a BigInt from the OTLP decoder) keeps its
// digits as a string, bytes become an array of numbers.
function jsonText(value) {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? [...v] : v));
}

// The parameterised INSERT of one decoded record of `kind` ('span', 'metric', 'log', or
// 'batch' for the payload row): { sql, params } for D1's prepare(sql).bind(...params).
export function insertStatement(kind, record, batchId = null) {
  const isBatch = kind === 'batch';
  const spec = isBatch ? { table: 'batches', fields: PAYLOAD } : RECORDS[kind];
  if (!spec) throw new TypeError(`insertStatement: unknown record kind ${JSON.stringify(kind)}; expected span, metric, log or batch`);
  const names = isBatch ? [] : ['batch_id'];
  const params = isBatch ? [] : [batchId];
  for (const f of spec.fields) {
    const v = record[f.name];
    names.push(snake(f.name));
    params.push(v === undefined || v === null ? null : JSON_TYPES.has(f.type) ? jsonText(v) : v);
  }
  return { sql: `INSERT INTO ${spec.table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, params };
}
