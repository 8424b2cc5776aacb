// Starting the collector in workerd (Miniflare) with a D1 database `DB` that has every committed
// migration applied, in order, as `wrangler d1 migrations apply` does: each file of
// examples/collector/migrations once, by name, recorded in wrangler's `d1_migrations` table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createTelemetry } from 'edgescope';
import { startWorker } from 'edgescope/testing';
import { keepingExporter } from '../js/helpers.js';
import { committedMigrations, MIGRATIONS_DIR } from '../../scripts/collector-migrations.mjs';
import { migrationStatements } from '../../js/collector/storage/tables.js';
import { bundleOf } from './helpers.js';

// The table wrangler keeps its applied migrations in (its default `migrations_table`).
const APPLIED = 'CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)';

// Applies the committed migrations not yet recorded in `db`; returns the names applied.
export async function applyMigrations(db) {
  await db.prepare(APPLIED).run();
  const done = new Set((await db.prepare('SELECT name FROM d1_migrations').all()).results.map((r) => r.name));
  const applied = [];
  for (const name of committedMigrations()) {
    if (done.has(name)) continue;
    const statements = migrationStatements(readFileSync(join(MIGRATIONS_DIR, name), 'utf8'));
    // One file in one batch (one transaction), as wrangler applies a migration file.
    await db.batch([...statements.map((sql) => db.prepare(sql)), db.prepare('INSERT INTO d1_migrations (name) VALUES (?)').bind(name)]);
    applied.push(name);
  }
  return applied;
}

// Starts tests/workerd/workers/<bundleName>.js with D1 `DB` migrated; `bindings` are its vars
// (token secrets and the like). Any other startWorker option (e.g. onOutput) passes through.
// Returns { worker, db } (db: Miniflare's D1 binding, for seeding and assertions); dispose with
// worker.dispose().
export async function startCollectorWith({ bundleName, bindings = {}, ...options }) {
  const worker = await startWorker({ ...options, bundle: await bundleOf(bundleName), d1Databases: ['DB'], bindings });
  try {
    const db = await worker.mf.getD1Database('DB');
    await applyMigrations(db);
    return { worker, db };
  } catch (e) {
    await worker.dispose();
    throw e;
  }
}

// One flush of what `record(telemetry)` records, as the core writes it (native JSON), service 'shop'.
export async function nativePayload(record) {
  const docs = [];
  const t = createTelemetry({ service: 'shop', requestMetrics: false, exporters: [keepingExporter('native', (_, d) => docs.push(d))] });
  record(t);
  await t.flush();
  assert.equal(docs.length, 1);
  return docs[0];
}

// One flush of `record(metrics)` as the core writes it (native JSON), every point dated `time`.
export async function metricsPayload(time, record) {
  const doc = await nativePayload((t) => record(t.metrics));
  for (const m of doc.metrics) {
    m.timestamp = time;
    if (m.startTime !== undefined) m.startTime = time;
  }
  return doc;
}

// POSTs a native payload to a collector's ingest endpoint over loopback; asserts it was stored (202).
export async function ingestPayload(worker, token, doc) {
  const res = await fetch(`${worker.url}/api/observe/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(doc) });
  assert.equal(res.status, 202, await res.clone().text());
}
