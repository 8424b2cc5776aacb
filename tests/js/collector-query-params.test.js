// The query API's parameter rules on their own: cursors survive a round trip and refuse anything
// else, log search text is literal in LIKE, windows start on the resolution they are read at, and
// unknown or repeated parameters are refused by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../../js/collector/http/http-error.js';
import { decodeCursor, encodeCursor, page, parseSearch, parseLimit, queryParams, windowRange } from '../../js/collector/query/params.js';

const refusal = (fn, path) => assert.throws(fn, (e) => e instanceof HttpError && e.status === 400 && e.path === path);

test('a cursor decodes to the sort key it was made from, and is URL-safe', () => {
  for (const key of [[1765000000123.5, 42], ['{"http.route":"/a+b/ü"}'], [0]]) {
    const cursor = encodeCursor(key);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(cursor, key.map((k) => typeof k)), key);
  }
});

test('a forged or garbled cursor is a 400 naming cursor', () => {
  const b64 = (text) => Buffer.from(text).toString('base64url');
  for (const bad of ['', 'not base64!', b64('not json'), b64('{"a":1}'), b64('[1]'), b64('["1", 2]'), b64('[1, null]'), b64('[1e400, 2]'), 'x'.repeat(3000)]) {
    refusal(() => decodeCursor(bad, ['number', 'number']), 'cursor');
  }
  assert.equal(decodeCursor(undefined, ['number']), null);
});

test('a log search is taken as given, from 1 to 200 characters; longer or empty is a 400 naming q', () => {
  assert.equal(parseSearch('50%_off\\'), '50%_off\\');
  assert.equal(parseSearch('x'.repeat(200)), 'x'.repeat(200));
  assert.equal(parseSearch(undefined), undefined);
  refusal(() => parseSearch('x'.repeat(201)), 'q');
  refusal(() => parseSearch(''), 'q');
});

test('windows start on a whole minute up to 24 h and on a whole hour beyond', () => {
  const now = Date.UTC(2026, 11, 7, 16, 47, 31, 250);
  assert.deepEqual(windowRange(3600_000, now), { from: Date.UTC(2026, 11, 7, 15, 47), to: now });
  assert.deepEqual(windowRange(7 * 86400_000, now), { from: Date.UTC(2026, 10, 30, 16), to: now });
});

test('unknown and repeated parameters are refused by name; limits are whole numbers from 1 to 500', () => {
  const url = (q) => new URL(`https://c.example/api/logs?${q}`);
  assert.deepEqual(queryParams(url('service=a&limit=5'), ['service', 'limit']), { service: 'a', limit: '5' });
  refusal(() => queryParams(url('service=a&sort=asc&order=1'), ['service']), 'sort,order');
  refusal(() => queryParams(url('service=a&service=b'), ['service']), 'service');
  assert.equal(parseLimit(undefined), 50);
  assert.equal(parseLimit('500'), 500);
  for (const bad of ['0', '501', '1.5', '-1', ' 5', '1e2', '']) refusal(() => parseLimit(bad), 'limit');
});

test('a page of rows fetched with LIMIT n + 1 has n items and a cursor only when there is more', () => {
  const rows = [{ id: 5 }, { id: 4 }, { id: 3 }];
  assert.deepEqual(page(rows, 3, (r) => [r.id]), { items: rows, nextCursor: null });
  const first = page(rows, 2, (r) => [r.id]);
  assert.deepEqual(first.items, rows.slice(0, 2));
  assert.deepEqual(decodeCursor(first.nextCursor, ['number']), [4]);
});
