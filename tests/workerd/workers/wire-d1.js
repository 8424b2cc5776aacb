// A minimal store on the wire module, inside workerd: POST a native payload, it is decoded against
// the schema and written to D1 in one batch (the schema's tables, the generic insert); GET /rows
// reads every table back. Not the collector: just enough to prove the schema's DDL and inserts.
import { createTableStatements, decodeNative, DecodeError, insertStatement } from '../../../js/wire/index.js';

async function store(env, doc) {
  const decoded = decodeNative(doc);
  const statements = [insertStatement('batch', { ...decoded, service: doc.service, resource: doc.resource ?? null })];
  for (const [kind, list] of [['span', 'spans'], ['metric', 'metrics'], ['log', 'logs']]) {
    for (const record of decoded[list]) statements.push(insertStatement(kind, record, decoded.batchId));
  }
  // One D1 batch: a transaction, stored whole or not at all.
  await env.DB.batch(statements.map(({ sql, params }) => env.DB.prepare(sql).bind(...params)));
  return statements.length;
}

export default {
  async fetch(request, env) {
    for (const sql of createTableStatements()) await env.DB.prepare(sql).run();
    const url = new URL(request.url);
    if (request.method === 'POST') {
      let doc;
      try {
        doc = await request.json();
        return Response.json({ rows: await store(env, doc) }, { status: 202 });
      } catch (e) {
        if (e instanceof DecodeError || e instanceof SyntaxError) return Response.json({ error: e.message, path: e.path ?? null }, { status: 400 });
        return Response.json({ error: String(e?.message ?? e) }, { status: 500 });
      }
    }
    if (url.pathname === '/rows') {
      const out = {};
      for (const table of ['batches', 'spans', 'metric_points', 'logs']) out[table] = (await env.DB.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()).results;
      return Response.json(out);
    }
    return new Response('not found', { status: 404 });
  },
};
