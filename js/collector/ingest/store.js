// A decoded payload into D1 as ONE batch: D1's batch() runs its statements as a single
// transaction, so the payload is stored whole or not at all
// (developers.cloudflare.com/d1/worker-api/d1-database/#batch).
//
// De-duplication is by the batch id (the sender's retry of a payload it could not confirm carries
// the same id): the `batches` table's primary key refuses a second row, which rolls the whole
// batch back. A payload without a batch id (a sender older than batch ids) is stored every time.
import { insertStatement } from '../../wire/index.js';

const LISTS = [['span', 'spans'], ['metric', 'metrics'], ['log', 'logs']];

// The statements of one payload: the `batches` row first, then every record.
export function payloadStatements(payload) {
  const statements = [insertStatement('batch', payload)];
  for (const [kind, list] of LISTS) {
    for (const record of payload[list]) statements.push(insertStatement(kind, record, payload.batchId));
  }
  return statements;
}

// SQLite's message for the batches key, as D1 reports it.
const isDuplicateBatch = (e) => /UNIQUE constraint failed: batches\.batch_id/.test(String(e?.message ?? e));

// { stored: true, records } or { stored: false, duplicate: true } for a batch id already held.
export async function storePayload(db, payload) {
  const statements = payloadStatements(payload);
  try {
    await db.batch(statements.map(({ sql, params }) => db.prepare(sql).bind(...params)));
  } catch (e) {
    // Two deliveries of one batch racing: the second transaction hit the key and was rolled back.
    if (payload.batchId !== null && isDuplicateBatch(e)) return { stored: false, duplicate: true };
    throw e;
  }
  return { stored: true, records: statements.length - 1 };
}
