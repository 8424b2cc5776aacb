// The collector's D1 migrations are generated, and the committed files equal what
// scripts/collector-migrations.mjs generates: 0001 from the wire schema, 0002 from
// js/collector/storage/tables.js. So the schema cannot change without its migration, and tests
// apply exactly the statements a deployment gets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  committedMigrations,
  generatedMigrations,
  initialMigration,
  MIGRATION_PATH,
  MIGRATIONS_DIR,
  ROLLUPS_PATH,
  rollupsMigration,
} from '../../scripts/collector-migrations.mjs';
import { createTableStatements } from '../../js/wire/index.js';
import { migrationStatements, ROLLUP_STATEMENTS } from '../../js/collector/storage/tables.js';

test('the committed migration 0001 equals the one generated from the wire schema', () => {
  assert.equal(readFileSync(MIGRATION_PATH, 'utf8'), initialMigration(), 'run `node scripts/collector-migrations.mjs` and commit the result');
});

test('migration 0001 creates every table of the wire schema', () => {
  const sql = readFileSync(MIGRATION_PATH, 'utf8');
  for (const statement of createTableStatements()) assert.ok(sql.includes(`${statement};`), statement.slice(0, 60));
  for (const table of ['batches', 'spans', 'metric_points', 'logs']) assert.match(sql, new RegExp(`CREATE TABLE IF NOT EXISTS ${table} \\(`));
});

test('the committed migration 0002 equals the one generated from the storage tables', () => {
  assert.equal(readFileSync(ROLLUPS_PATH, 'utf8'), rollupsMigration(), 'run `node scripts/collector-migrations.mjs` and commit the result');
});

test('every committed migration file is one the script generates, and none is missing', () => {
  assert.deepEqual(committedMigrations(), [...generatedMigrations().keys()]);
  for (const [name, text] of generatedMigrations()) assert.equal(readFileSync(join(MIGRATIONS_DIR, name), 'utf8'), text, name);
});

test('splitting a migration file gives back exactly its statements, comments left out', () => {
  assert.deepEqual(migrationStatements(readFileSync(ROLLUPS_PATH, 'utf8')), [...ROLLUP_STATEMENTS]);
  assert.deepEqual(migrationStatements(readFileSync(MIGRATION_PATH, 'utf8')), createTableStatements());
});

test('migration 0002 creates the rollup, cursor, error and alert tables and the query indexes', () => {
  const sql = readFileSync(ROLLUPS_PATH, 'utf8');
  for (const table of ['rollups', 'rollup_cursor', 'errors', 'error_minutes', 'alerts']) assert.match(sql, new RegExp(`CREATE TABLE IF NOT EXISTS ${table} \\(`));
  assert.match(sql, /PRIMARY KEY \(service, name, resolution, bucket, series\)/);
  assert.match(sql, /PRIMARY KEY \(service, fingerprint, bucket\)/);
  assert.match(sql, /CREATE UNIQUE INDEX IF NOT EXISTS \w+ ON alerts \(key\) WHERE state = 'firing'/);
  for (const on of ['spans (trace_id)', 'spans (service, start_time)', 'logs (service, time)', 'logs (trace_id)', 'metric_points (time)', 'rollups (resolution, bucket)', 'error_minutes (bucket)']) {
    assert.ok(sql.includes(` ON ${on};`), on);
  }
});

test('migration 0003 rebuilds metric_points with AUTOINCREMENT and error_minutes keyed by severity, with no transaction statements of its own', async () => {
  const { AUTOINCREMENT_PATH } = await import('../../scripts/collector-migrations.mjs');
  const sql = readFileSync(AUTOINCREMENT_PATH, 'utf8');
  // wrangler applies a file as one transaction; D1 refuses BEGIN/COMMIT inside it.
  assert.doesNotMatch(sql, /\b(BEGIN|COMMIT|ROLLBACK|SAVEPOINT)\b/i);
  assert.match(sql, /CREATE TABLE metric_points_0003 \(id INTEGER PRIMARY KEY AUTOINCREMENT,/);
  assert.match(sql, /ALTER TABLE metric_points_0003 RENAME TO metric_points;/);
  assert.match(sql, /PRIMARY KEY \(service, fingerprint, bucket, severity\)/);
  for (const on of ['metric_points (time)', 'error_minutes (bucket)', 'spans (start_time)']) assert.ok(sql.includes(` ON ${on};`), on);
});
