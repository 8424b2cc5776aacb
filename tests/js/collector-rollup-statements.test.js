// How the cron writes rollup rows to D1 (js/collector/storage/rollups.js writeRows): whole rows as
// JSON in one bound parameter per statement, cut so each parameter stays under D1's 2,000,000-byte
// string limit and a run needs few statements (D1 allows 1000 queries per invocation, 50 free).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROLLUP_COLUMNS, rowToDb } from '../../js/collector/rollup/fold.js';
import { writeRows } from '../../js/collector/storage/rollups.js';

// A D1 stand-in that keeps what was prepared and bound (no SQL runs here).
const recorder = () => ({ prepare: (sql) => ({ sql, bind: (...params) => ({ sql, params }) }) });

const row = (i, buckets) => ({
  service: 'shop',
  name: 'latency',
  resolution: 60,
  bucket: 1_796_000_000_000 + i * 60_000,
  series: JSON.stringify({ 'http.route': `/r/${i}` }),
  route: `/r/${i}`,
  type: 'histogram',
  unit: 'ms',
  value: i * 1.5,
  count: i + 1,
  sum: i * 1.5,
  min: 0.25,
  max: 1024,
  exponential: { scale: 4, zeroCount: 0, positive: { offset: -33, bucketCounts: Array.from({ length: buckets }, (_, k) => k % 7) }, negative: { offset: 0, bucketCounts: [] } },
  bounds: null,
  bucketCounts: null,
  points: 3,
});

test('a few rows go in one statement that unpacks every column from the JSON parameter', () => {
  const rows = [row(1, 10), row(2, 10)];
  const statements = writeRows(recorder(), rows);
  assert.equal(statements.length, 1);
  assert.match(statements[0].sql, /^INSERT OR REPLACE INTO rollups \(service, name, resolution, bucket, series, route, type, unit, value, count, sum, min, max, exponential, bounds, bucket_counts, points\) SELECT json_extract\(value, '\$\[0\]'\), .* FROM json_each\(\?\)$/);
  assert.equal(statements[0].sql.match(/json_extract/g).length, ROLLUP_COLUMNS.length);
  assert.deepEqual(statements[0].params, [JSON.stringify(rows.map(rowToDb))]);
});

test('many large rows are cut into parameters under 1 MB each, every row written exactly once, in order', () => {
  const rows = Array.from({ length: 3000 }, (_, i) => row(i, 320));
  const statements = writeRows(recorder(), rows);
  assert.ok(statements.length > 1 && statements.length < 20, `${statements.length} statements`);
  for (const s of statements) assert.ok(s.params[0].length < 1_000_000, `${s.params[0].length} bytes`);
  assert.deepEqual(statements.flatMap((s) => JSON.parse(s.params[0])), rows.map(rowToDb));
});

test('no rows, no statements', () => {
  assert.deepEqual(writeRows(recorder(), []), []);
});
