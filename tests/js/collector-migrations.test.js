// The collector's first D1 migration is the wire schema's DDL, exactly: the committed file equals
// what scripts/collector-migrations.mjs generates, so the schema cannot change without it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { initialMigration, MIGRATION_PATH } from '../../scripts/collector-migrations.mjs';
import { createTableStatements } from '../../js/wire/index.js';

test('the committed migration 0001 equals the one generated from the wire schema', () => {
  assert.equal(readFileSync(MIGRATION_PATH, 'utf8'), initialMigration(), 'run `node scripts/collector-migrations.mjs` and commit the result');
});

test('migration 0001 creates every table of the wire schema', () => {
  const sql = readFileSync(MIGRATION_PATH, 'utf8');
  for (const statement of createTableStatements()) assert.ok(sql.includes(`${statement};`), statement.slice(0, 60));
  for (const table of ['batches', 'spans', 'metric_points', 'logs']) assert.match(sql, new RegExp(`CREATE TABLE IF NOT EXISTS ${table} \\(`));
});
