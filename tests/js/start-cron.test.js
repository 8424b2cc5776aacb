// npm start's stand-in for Cloudflare's cron trigger (scripts/start-cron.mjs): the crons come from
// the collector's wrangler configuration, and each fires through wrangler dev's
// `/__scheduled?cron=` at the start of every period, until stopped.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCollectorConfig, startCronTrigger } from '../../scripts/start-cron.mjs';

function configFile(t, text) {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-start-cron-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'wrangler.jsonc');
  writeFileSync(path, text);
  return path;
}

const D1 = '"d1_databases": [{ "binding": "DB", "database_name": "telemetry", "database_id": "x" }]';

test("the example collector's configuration names its database and lists its crons", () => {
  const { database, crons } = readCollectorConfig(fileURLToPath(new URL('../../examples/collector/wrangler.jsonc', import.meta.url)));
  assert.equal(database, 'edgescope');
  assert.ok(Array.isArray(crons) && crons.every((c) => typeof c === 'string'));
});

test('crons are read from triggers.crons of a JSONC configuration (comments allowed); none without triggers', (t) => {
  const withCrons = configFile(t, `{
    // the collector
    "name": "c", ${D1},
    "triggers": { "crons": ["* * * * *", "0 * * * *"] }, /* trailing comment */
  }`);
  assert.deepEqual(readCollectorConfig(withCrons), { database: 'telemetry', crons: ['* * * * *', '0 * * * *'] });
  assert.deepEqual(readCollectorConfig(configFile(t, `{ "name": "c", ${D1} }`)), { database: 'telemetry', crons: [] });
});

test('a configuration without a D1 database, or with a malformed cron list, is refused by name', (t) => {
  assert.throws(() => readCollectorConfig(configFile(t, '{ "name": "c" }')), /has no d1_databases\[0\]\.database_name/);
  assert.throws(() => readCollectorConfig(configFile(t, `{ "name": "c", ${D1}, "triggers": { "crons": [""] } }`)), /triggers\.crons must be an array of cron expressions/);
});

test('each cron fires through /__scheduled?cron= every period; a failed run is reported; stop() ends it', async (t) => {
  const seen = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    seen.push({ path: url.pathname, cron: url.searchParams.get('cron'), at: Date.now() });
    const fails = url.searchParams.get('cron') === '0 * * * *';
    res.writeHead(fails ? 500 : 200).end(fails ? 'Error: rollup failed' : 'Ran scheduled event');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const runs = [];
  const trigger = startCronTrigger(`http://127.0.0.1:${server.address().port}/`, ['* * * * *', '0 * * * *'], { periodMs: 150, onRun: (r) => runs.push(r) });
  while (runs.length < 6) await new Promise((resolve) => setTimeout(resolve, 20));
  await trigger.stop();
  const after = seen.length;
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(seen.length, after, 'nothing fires after stop()');
  assert.ok(seen.every((r) => r.path === '/__scheduled'));
  assert.deepEqual([...new Set(seen.map((r) => r.cron))].sort(), ['* * * * *', '0 * * * *']);
  // Both crons fire together, at a multiple of the period (the start of each minute, at 60 s).
  const ticks = [...new Set(seen.map((r) => Math.floor(r.at / 150)))];
  assert.ok(ticks.length >= 3, `fired on ${ticks.length} periods`);
  assert.deepEqual(
    runs.filter((r) => r.cron === '0 * * * *').map((r) => [r.ok, r.status, r.detail])[0],
    [false, 500, 'Error: rollup failed'],
  );
  assert.ok(runs.filter((r) => r.cron === '* * * * *').every((r) => r.ok && r.status === 200));
  assert.equal(trigger.runs(), runs.length);
});

test('no crons: nothing fires', async () => {
  const trigger = startCronTrigger('http://127.0.0.1:9/', [], { periodMs: 50, onRun: () => assert.fail('fired') });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await trigger.stop();
  assert.equal(trigger.runs(), 0);
});
