// A decoded payload into D1 as ONE batch: D1's batch() runs its statements as a single
// transaction, so the payload is stored whole or not at all
// (developers.cloudflare.com/d1/worker-api/d1-database/#batch).
//
// Few statements, whatever the record count: D1 allows 1,000 queries per Worker invocation (50
// on the Free plan) and a batch counts each of its statements (developers.cloudflare.com/d1/
// platform/limits/). So each table's records travel as one JSON array in one bound parameter and
// are unpacked by SQLite: `INSERT INTO t (...) SELECT json_extract(value, '$[i]')... FROM
// json_each(?)` — one statement per table per chunk, a chunk's JSON kept under CHUNK_BYTES (D1
// binds a string of at most 2,000,000 bytes; the SQL text itself stays far under its 100 KB
// statement limit). An OTel Collector batch of 8,192 spans is a handful of statements.
//
// De-duplication is by the batch id (the sender's retry of a payload it could not confirm carries
// the same id): the `batches` row is the batch's FIRST statement and the table's primary key
// refuses a second one, which rolls the whole batch back. A payload without a batch id (a sender
// older than batch ids) is stored every time.
//
// Errors by fingerprint (storage/errors.js) are upserted in the same batch: a duplicate payload
// rolls its error counts back with its records, and a stored one always has its errors counted.
//
// What a failure means to the sender: a payload D1 refuses for what it holds (a constraint, a
// value or statement too big) fails the same way on every retry, so it is an HttpError 400 naming
// what was refused (a 500 would be retried forever); anything else (D1 unavailable, overloaded, a
// network error) is thrown on as it is: a 500, and the sender's retry may succeed.
import { insertStatement } from '../../wire/index.js';
import { HttpError } from '../http/http-error.js';
import { errorStatements } from '../storage/errors.js';

const LISTS = [['span', 'spans'], ['metric', 'metrics'], ['log', 'logs']];
// Each JSON parameter's UTF-8 size stays under D1's 2,000,000-byte bound string, with room.
export const CHUNK_BYTES = 900_000;
const utf8 = new TextEncoder();

// A log sent without a time is dated when it is received: the OpenTelemetry logs data model's
// ObservedTimestamp, "the time when the event was observed by the collection system", which
// stands in when Timestamp is absent. So every stored log has a time to be queried and aged by.
const dated = (kind, record, now) => (kind === 'log' && (record.time === undefined || record.time === null) ? { ...record, time: now } : record);

const recordCount = (payload) => LISTS.reduce((n, [, list]) => n + payload[list].length, 0);

// JSON for the values of one row (sql.js's params: numbers, strings, null; attribute objects are
// JSON text already). A BigInt never reaches here (sql.js writes it into JSON text).
const rowJson = (params) => JSON.stringify(params);

// `rows` (arrays of params) cut into JSON arrays of at most CHUNK_BYTES UTF-8 bytes each.
function chunkTexts(rows) {
  const out = [];
  let current = [];
  let bytes = 2;
  for (const params of rows) {
    const json = rowJson(params);
    const size = utf8.encode(json).length + 1;
    if (current.length > 0 && bytes + size > CHUNK_BYTES) {
      out.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    current.push(json);
    bytes += size;
  }
  if (current.length > 0) out.push(`[${current.join(',')}]`);
  return out;
}

// One table's records as json_each INSERTs: sql.js's own INSERT (its column list, the schema's
// order) with VALUES replaced by the unpacking SELECT.
function tableStatements(kind, records, batchId, now) {
  if (records.length === 0) return [];
  const rows = records.map((record) => insertStatement(kind, dated(kind, record, now), batchId));
  const columns = rows[0].params.length;
  const unpack = Array.from({ length: columns }, (_, i) => `json_extract(value, '$[${i}]')`).join(', ');
  const sql = rows[0].sql.replace(/ VALUES \([?, ]*\)$/, ` SELECT ${unpack} FROM json_each(?)`);
  return chunkTexts(rows.map((r) => r.params)).map((text) => ({ sql, params: [text] }));
}

// The statements of one payload: the `batches` row first, then each table's records, then the
// error upserts. `now` (ms) dates an error or a log whose record carries no time.
export function payloadStatements(payload, now = Date.now()) {
  const statements = [insertStatement('batch', payload)];
  for (const [kind, list] of LISTS) statements.push(...tableStatements(kind, payload[list], payload.batchId, now));
  statements.push(...errorStatements(payload, now));
  return statements;
}

// SQLite's message for the batches key, as D1 reports it.
const isDuplicateBatch = (e) => /UNIQUE constraint failed: batches\.batch_id/.test(String(e?.message ?? e));
// What SQLite (through D1) says when the data, not the database, is the problem: a constraint
// (SQLITE_CONSTRAINT: NOT NULL, CHECK, UNIQUE, FOREIGN KEY), a string, blob or statement over
// its limit (SQLITE_TOOBIG), a value of the wrong type (SQLITE_MISMATCH), JSON SQLite cannot read.
const REFUSED = /constraint failed|SQLITE_CONSTRAINT|too big|TOOBIG|too long|too many SQL variables|datatype mismatch|SQLITE_MISMATCH|malformed JSON/i;
export const isRefusedByStore = (e) => REFUSED.test(String(e?.message ?? e));

// { stored: true, records, statements } or { stored: false, duplicate: true } for a batch id
// already held; an HttpError 400 for a payload D1 refuses for its content.
export async function storePayload(db, payload, now = Date.now()) {
  const statements = payloadStatements(payload, now);
  try {
    await db.batch(statements.map(({ sql, params }) => db.prepare(sql).bind(...params)));
  } catch (e) {
    // Two deliveries of one batch racing: the second transaction hit the key and was rolled back.
    if (payload.batchId !== null && isDuplicateBatch(e)) return { stored: false, duplicate: true };
    if (isRefusedByStore(e)) {
      const reason = String(e?.message ?? e).replace(/^D1_ERROR:\s*/, '');
      console.warn(`edgescope collector: a payload of ${recordCount(payload)} records refused by D1, nothing stored: ${reason}`);
      throw new HttpError(400, `the store refused the payload (nothing stored; resending it will not help): ${reason}`);
    }
    throw e;
  }
  return { stored: true, records: recordCount(payload), statements: statements.length };
}
