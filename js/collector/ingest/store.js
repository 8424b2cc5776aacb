// A decoded payload into D1 as ONE batch: D1's batch() runs its statements as a single
// transaction, so the payload is stored whole or not at all
// (developers.cloudflare.com/d1/worker-api/d1-database/#batch).
//
// De-duplication is by the batch id (the sender's retry of a payload it could not confirm carries
// the same id): the `batches` table's primary key refuses a second row, which rolls the whole
// batch back. A payload without a batch id (a sender older than batch ids) is stored every time.
//
// Errors by fingerprint (storage/errors.js) are upserted in the same batch: a duplicate payload
// rolls its error counts back with its records, and a stored one always has its errors counted.
import { insertStatement } from '../../wire/index.js';
import { errorStatements } from '../storage/errors.js';

const LISTS = [['span', 'spans'], ['metric', 'metrics'], ['log', 'logs']];

const recordCount = (payload) => LISTS.reduce((n, [, list]) => n + payload[list].length, 0);

// The statements of one payload: the `batches` row first, then every record, then the error
// upserts. `now` (ms) dates an error whose record carries no time.
export function payloadStatements(payload, now = Date.now()) {
  const statements = [insertStatement('batch', payload)];
  for (const [kind, list] of LISTS) {
    for (const record of payload[list]) statements.push(insertStatement(kind, record, payload.batchId));
  }
  statements.push(...errorStatements(payload, now));
  return statements;
}

// SQLite's message for the batches key, as D1 reports it.
const isDuplicateBatch = (e) => /UNIQUE constraint failed: batches\.batch_id/.test(String(e?.message ?? e));

// { stored: true, records } or { stored: false, duplicate: true } for a batch id already held.
export async function storePayload(db, payload, now = Date.now()) {
  const statements = payloadStatements(payload, now);
  try {
    await db.batch(statements.map(({ sql, params }) => db.prepare(sql).bind(...params)));
  } catch (e) {
    // Two deliveries of one batch racing: the second transaction hit the key and was rolled back.
    if (payload.batchId !== null && isDuplicateBatch(e)) return { stored: false, duplicate: true };
    throw e;
  }
  return { stored: true, records: recordCount(payload) };
}
