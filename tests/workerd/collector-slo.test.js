// SLOs and burn-rate alerts in the collector, inside workerd against Miniflare's real D1: real
// payloads from the core (request durations with chosen status codes, durations and minutes) go
// through the ingest endpoint, the cron's evaluation runs at chosen times, and the alerts table,
// a PagerDuty Events API stand-in and a signed webhook on loopback, and the API show what a team
// relies on: a fast burn pages once, a slow one opens a ticket, recovery resolves (PagerDuty with
// the trigger's dedup_key), an unacknowledged alert is sent again, an acknowledged one is not.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { startWorker } from 'edgescope/testing';
import { keepingExporter } from '../js/helpers.js';
import { checkPagerDuty, checkSlack, checkWebhook, createReceivers, PD_ROUTING_KEY, WEBHOOK_SECRET } from './alert-receivers.js';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { foldPoints, mergeRows, pointFromDb, reWindow, ROLLUP_COLUMNS, rowKey, rowToDb } from '../../js/collector/rollup/fold.js';
import { sloStatus } from '../../js/collector/slo/status.js';
import { applyMigrations } from './collector-helpers.js';
import { bundleOf } from './helpers.js';

const INGEST = 'ingest-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// The cron's first evaluation, minute-aligned like a scheduledTime.
const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
// The SLOs of workers/collector-slo.js, for sloStatus called from here.
const settings = validateCollectorConfig({
  tokens: [{ name: 'sender', token: INGEST }],
  slos: [
    { name: 'shop-availability', service: 'shop', kind: 'availability', objective: 0.999 },
    { name: 'search-latency', service: 'shop', kind: 'latency', route: '/search', thresholdMs: 250, objective: 0.99 },
  ],
});

let worker;
let db;
let base;
const receivers = createReceivers();
let receiversOpen = true;

before(async () => {
  base = await receivers.listen();
  worker = await startWorker({
    bundle: await bundleOf('collector-slo'),
    d1Databases: ['DB'],
    bindings: { INGEST_TOKEN: INGEST, READ_TOKEN: READ, ALERT_BASE: base, PD_ROUTING_KEY, WEBHOOK_SECRET },
  });
  db = await worker.mf.getD1Database('DB');
  await applyMigrations(db);
});
after(async () => {
  await worker?.dispose();
  if (receiversOpen) await receivers.close();
});

// One real payload from the core: `requests` [[status or error type, seconds, how many], ...] on
// `route`, recorded as the request metric, its points stamped at `time` (the core reads the
// real clock; the collector buckets by the point's time).
async function send(time, route, requests) {
  const docs = [];
  const t = createTelemetry({ service: 'shop', requestMetrics: false, exporters: [keepingExporter('native', (_, d) => docs.push(d))] });
  for (const [outcome, seconds, n] of requests) {
    const tags = { 'http.request.method': 'GET', 'http.route': route, ...(typeof outcome === 'number' ? { 'http.response.status_code': outcome } : { 'error.type': outcome }) };
    for (let i = 0; i < n; i++) t.metrics.histogram('http.server.request.duration', seconds, tags, { unit: 's' });
  }
  await t.flush();
  const doc = docs[0];
  for (const m of doc.metrics) m.timestamp = time;
  const res = await fetch(`${worker.url}/api/observe/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` }, body: JSON.stringify(doc) });
  assert.equal(res.status, 202, await res.text());
}

const evaluate = async (now) => {
  const w = await worker.mf.getWorker();
  const result = await w.scheduled({ scheduledTime: new Date(now), cron: '* * * * *' });
  assert.equal(result.outcome, 'ok');
};
const api = async (path, init = {}) => {
  const res = await fetch(`${worker.url}${path}`, { ...init, headers: { authorization: `Bearer ${READ}`, ...init.headers } });
  return { status: res.status, body: await res.json() };
};
const rows = async () => (await db.prepare('SELECT * FROM alerts ORDER BY fired_at, key').all()).results;
const webhookAlerts = () =>
  receivers.received.webhook.map((e) => {
    // Signed as 'edgescope/alerts' webhooks are: HMAC-SHA256 over `${timestamp}.${body}`.
    const mac = createHmac('sha256', WEBHOOK_SECRET).update(`${e.headers['x-edgescope-timestamp']}.${e.raw}`).digest('hex');
    assert.equal(e.headers['x-edgescope-signature'], `v1=${mac}`);
    return e.body.alert;
  });
// Every message so far holds to its service's documented schema and limits.
function checkAllReceived() {
  receivers.received.slack.forEach(checkSlack);
  receivers.received.pagerduty.forEach(checkPagerDuty);
  receivers.received.webhook.forEach(checkWebhook);
}
const close = (actual, expected, what) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

test('seeded traffic: /api/slos rows, hand-computed at T0 and before any traffic', async () => {
  // Two days ago, a quiet day's traffic: 30,000 good requests (keeps the 3-day burn below 1).
  await send(T0 - 2 * 24 * HOUR, '/cart', [[200, 0.05, 30_000]]);
  // Three hours ago on /search: 3% of requests slower than 250 ms (latency burn rate 3 at 99%).
  await send(T0 - 3 * HOUR, '/search', [[200, 0.05, 970], [200, 1.0, 30]]);
  // The last hour on /cart, every 5 minutes: 2% answered 503 (availability burn rate 20 at 99.9%).
  for (let m = 60; m >= 5; m -= 5) await send(T0 - m * MINUTE, '/cart', [[200, 0.05, 98], [503, 0.05, 1], ['TypeError', 0.05, 1]]);

  // GET /api/slos answers for the wall clock's now; the same rows at T0 come from sloStatus
  // (what the endpoint and the summary call) over this D1.
  const { status, body } = await api('/api/slos');
  assert.equal(status, 200);
  assert.deepEqual(body.slos.map((s) => [s.name, s.kind, s.objective, s.windowDays, s.thresholdMs]), [['shop-availability', 'availability', 0.999, 30, undefined], ['search-latency', 'latency', 0.99, 30, 250]]);
  const [availability, latency] = await sloStatus(db, settings, T0);
  assert.deepEqual(Object.keys(availability), ['name', 'service', 'kind', 'objective', 'windowDays', 'good', 'total', 'compliance', 'errorBudgetRemaining', 'burnRates', 'status']);
  assert.deepEqual([availability.good, availability.total, availability.status], [32_200 - 24, 32_200, 'page']);
  close(availability.compliance, 1 - 24 / 32_200, 'availability compliance');
  assert.deepEqual([latency.route, latency.thresholdMs, latency.good, latency.total, latency.status], ['/search', 250, 970, 1000, 'ticket']);
  // 30 slow of a 10-request budget: spent three times over.
  close(latency.errorBudgetRemaining, -2, 'latency budget');
  // Before any traffic: no requests, no alert, compliance null, the budget whole.
  const [idle] = await sloStatus(db, settings, T0 - 3 * 24 * HOUR);
  assert.deepEqual([idle.total, idle.compliance, idle.errorBudgetRemaining, idle.status], [0, null, 1, 'ok']);

});

test("the summary's slos are the /api/slos rows of its service", async () => {
  // Both read at the wall clock: a pair of /api/slos answers around the summary that agree (no
  // minute boundary moved a bucket between them) is what the summary must show.
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = (await api('/api/slos')).body.slos;
    const summary = await api('/api/observe/summary?window=5m');
    const filtered = await api('/api/observe/summary?window=5m&service=shop');
    const after = (await api('/api/slos')).body.slos;
    if (JSON.stringify(before) !== JSON.stringify(after)) continue;
    assert.equal(summary.status, 200);
    assert.equal(before.length, 2);
    // 'shop' has no request in the last 5 minutes of the wall clock, yet is listed for its SLOs.
    const shop = summary.body.services.find((x) => x.service === 'shop');
    assert.deepEqual(shop.slos, before);
    assert.deepEqual(filtered.body.services.map((x) => [x.service, x.slos]), [['shop', before]]);
    const other = await api('/api/observe/summary?window=5m&service=nobody');
    assert.deepEqual(other.body.services, []);
    return;
  }
  assert.fail('/api/slos changed between every pair of reads');
});

test('rolled-up traffic gives the same numbers as raw points: minute rows, hour rows and the unrolled tail, none counted twice', async () => {
  const before = await sloStatus(db, settings, T0);
  // What the rollup cron writes (rollup/fold.js): every stored point in minute rows, the minute
  // rows up to 11:00 in hour rows, and the cursors saying so. The burst (11:00 to 11:55) stays
  // minute-only: the long windows must read it from minute rows, the hours before from hour rows.
  const points = (await db.prepare('SELECT * FROM metric_points ORDER BY id').all()).results;
  const { rows: minutes } = foldPoints(points.map(pointFromDb), 60);
  const hourCursor = T0 - 2 * HOUR;
  const hours = new Map();
  for (const row of minutes.values()) {
    if (row.bucket >= hourCursor + HOUR) continue;
    const h = reWindow(row, 3600);
    hours.set(rowKey(h), hours.has(rowKey(h)) ? mergeRows(hours.get(rowKey(h)), h) : h);
  }
  assert.ok(hours.size >= 2 && minutes.size > hours.size);
  const insert = `INSERT INTO rollups (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})`;
  await db.batch([...minutes.values(), ...hours.values()].map((r) => db.prepare(insert).bind(...rowToDb(r))));
  await db.prepare("INSERT INTO rollup_cursor (name, last_id, updated) VALUES ('minute', ?, ?), ('hour', ?, ?)").bind(points.at(-1).id, T0, hourCursor, T0).run();
  assert.deepEqual(await sloStatus(db, settings, T0), before);
  // A point arriving after the cursor (late, into the quiet day) is counted at once, from the raw table.
  await send(T0 - 2 * 24 * HOUR + MINUTE, '/cart', [[200, 0.05, 10]]);
  const [availability] = await sloStatus(db, settings, T0);
  assert.equal(availability.total, before[0].total + 10);
});

test('the cron rolls up and evaluates: a fast availability burn pages, a slow latency burn opens a ticket, each once', async () => {
  const before = await sloStatus(db, settings, T0);
  await evaluate(T0);
  // The cron rolled the point past the cursor into its minute; the numbers did not move.
  const cursor = await db.prepare("SELECT last_id FROM rollup_cursor WHERE name = 'minute'").first();
  assert.equal(cursor.last_id, (await db.prepare('SELECT max(id) AS id FROM metric_points').first()).id);
  assert.deepEqual(await sloStatus(db, settings, T0), before);
  const fired = await rows();
  assert.deepEqual(fired.map((r) => [r.key, r.severity, r.state, r.fired_at]), [
    ['slo:search-latency:ticket', 'ticket', 'firing', T0],
    ['slo:shop-availability:page', 'page', 'firing', T0],
  ]);
  const page = JSON.parse(fired[1].details);
  // Hand-computed: 24 bad of 1,200 in the last hour, 2 of 100 in the last 5 minutes.
  close(page.burnRates['1h'], 20, '1h burn');
  close(page.burnRates['5m'], 20, '5m burn');
  close(page.burnRates['6h'], 24 / 2200 / (1 - 0.999), '6h burn (with /search)');
  close(page.burnRates['3d'], 24 / 32_210 / (1 - 0.999), '3d burn (with the late point)');
  close(page.errorBudgetRemaining, 1 - 24 / (32_210 * (1 - 0.999)), 'budget left');
  assert.deepEqual(page.rule, { long: '1h', short: '5m', burnRate: 14.4 });
  const ticket = JSON.parse(fired[0].details);
  close(ticket.burnRates['6h'], 3, 'latency 6h burn: 30 slow of 1,000 at 99%');
  close(ticket.burnRates['3d'], 3, 'latency 3d burn');
  assert.equal(ticket.burnRates['1h'], 0);
  close(ticket.compliance, 0.97, 'latency compliance');

  // The page went to PagerDuty (a trigger) and the webhook; the ticket to the webhook only.
  assert.equal(receivers.received.pagerduty.length, 1);
  const trigger = receivers.received.pagerduty[0].body;
  assert.equal(trigger.event_action, 'trigger');
  assert.equal(trigger.dedup_key, 'shop/slo:shop-availability:page');
  assert.equal(trigger.payload.severity, 'critical');
  assert.match(trigger.payload.summary, /shop-availability .*burning at 20× over 1h and 20× over 5m/);
  const hooks = webhookAlerts();
  assert.deepEqual(hooks.map((a) => [a.key, a.state, a.severity]).sort(), [
    ['slo:search-latency:ticket', 'firing', 'WARNING'],
    ['slo:shop-availability:page', 'firing', 'CRITICAL'],
  ]);

  // Slack got both (the default routes: page everywhere, ticket to Slack and webhooks).
  assert.deepEqual(receivers.received.slack.map((e) => e.body.blocks[0].text.text).sort(), ['CRITICAL: SLO burn rate (page)', 'WARNING: SLO burn rate (ticket)']);
  checkAllReceived();

  // The next minute's evaluation: still burning, nothing new (one open alert per key, sent once).
  await evaluate(T0 + MINUTE);
  assert.equal((await rows()).length, 2);
  assert.equal(receivers.received.pagerduty.length, 1);
  assert.equal(receivers.received.webhook.length, 2);
});

test('GET /api/alerts lists them; an acknowledgement is kept once, unknown ids are 404', async () => {
  const firing = await api('/api/alerts?state=firing');
  assert.equal(firing.status, 200);
  assert.deepEqual(firing.body.alerts.map((a) => a.key).sort(), ['slo:search-latency:ticket', 'slo:shop-availability:page']);
  assert.equal(firing.body.nextCursor, null);
  const paged = await api('/api/alerts?state=all&limit=1');
  assert.equal(paged.body.alerts.length, 1);
  const rest = await api(`/api/alerts?state=all&limit=1&cursor=${paged.body.nextCursor}`);
  assert.equal(rest.body.alerts.length, 1);
  assert.notEqual(rest.body.alerts[0].id, paged.body.alerts[0].id);
  assert.equal((await api('/api/alerts?state=open')).status, 400);
  assert.equal((await api('/api/alerts?limit=0')).body.path, 'limit');
  assert.equal((await api('/api/alerts?cursor=nonsense')).body.path, 'cursor');

  const page = firing.body.alerts.find((a) => a.severity === 'page');
  const ack = (id, body) => api(`/api/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST', ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const first = await ack(page.id, { by: 'alice' });
  assert.equal(first.status, 200);
  assert.equal(first.body.alert.acknowledgedBy, 'alice');
  assert.ok(first.body.alert.acknowledgedAt > 0);
  const second = await ack(page.id, { by: 'bob' });
  assert.deepEqual([second.body.alert.acknowledgedBy, second.body.alert.acknowledgedAt], ['alice', first.body.alert.acknowledgedAt]);
  assert.equal((await ack('slo.nothing.page.1', { by: 'alice' })).status, 404);
  assert.equal((await ack(page.id, { by: 42 })).body.path, '$.by');
  // An acknowledgement says Content-Type: application/json: without it (what a cross-site form or
  // no-cors fetch sends) it is a 415 and changes nothing.
  const other = firing.body.alerts.find((a) => a.severity === 'ticket');
  for (const headers of [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
    const res = await api(`/api/alerts/${other.id}/ack`, { method: 'POST', headers, body: '{"by":"mallory"}' });
    assert.equal(res.status, 415, JSON.stringify(headers));
    assert.match(res.body.error, /Content-Type/);
  }
  assert.equal((await api(`/api/alerts/${other.id}/ack`, { method: 'POST' })).status, 415);
  assert.equal((await rows()).find((r) => r.id === other.id).acknowledged_at, null);
  // Alert ids are random UUIDs, not the name and time.
  for (const a of firing.body.alerts) assert.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // Parameters as the query API takes them: unknown or repeated names are 400s naming them.
  assert.equal((await api('/api/alerts?status=firing')).body.path, 'status');
  assert.equal((await api('/api/alerts?limit=1&limit=2')).body.path, 'limit');
  assert.equal((await api('/api/slos?window=1h')).status, 400);
  // Without a token: refused like every read endpoint.
  assert.equal((await fetch(`${worker.url}/api/alerts/${page.id}/ack`, { method: 'POST' })).status, 401);
  const shown = (await api('/api/alerts?state=firing')).body.alerts.find((a) => a.id === page.id);
  assert.equal(shown.acknowledgedBy, 'alice');
});

test('an unacknowledged alert is sent again; recovery resolves with PagerDuty resolve on the same dedup_key', async () => {
  // Clean traffic resumes on /cart.
  for (let m = 2; m <= 6; m++) await send(T0 + m * MINUTE, '/cart', [[200, 0.05, 100]]);
  // 7 minutes on: the 5m window is clean, but the 30m one still holds the burst (8 bad of 900,
  // burn 8.9) and so does 6h: the page holds on the 6h/30m rule.
  await evaluate(T0 + 7 * MINUTE);
  // The long windows: hour rows up to 11:00 (the cron has rolled it now), the minute rows of
  // 12:00 on (not yet an hour row); the T0-2d point has left metric_points (retention) but not
  // the hour rows.
  assert.equal((await db.prepare("SELECT last_id FROM rollup_cursor WHERE name = 'hour'").first()).last_id, T0 - HOUR);
  const [availability] = await sloStatus(db, settings, T0 + 7 * MINUTE);
  assert.deepEqual([availability.good, availability.total], [32_710 - 24, 32_710]);
  assert.equal((await rows()).filter((r) => r.state === 'firing').length, 2);
  assert.equal(receivers.received.webhook.length, 2);

  // 31 minutes on: the 30m window is clean too — the page resolves. The ticket (not acknowledged,
  // renotifyMinutes 30) is sent again; the page was acknowledged and got no reminder before it.
  await evaluate(T0 + 31 * MINUTE);
  const after31 = await rows();
  const page = after31.find((r) => r.key === 'slo:shop-availability:page');
  assert.deepEqual([page.state, page.resolved_at], ['resolved', T0 + 31 * MINUTE]);
  const resolve = receivers.received.pagerduty.at(-1).body;
  assert.equal(receivers.received.pagerduty.length, 2);
  assert.deepEqual(resolve, { routing_key: PD_ROUTING_KEY, event_action: 'resolve', dedup_key: 'shop/slo:shop-availability:page' });
  const hooks = webhookAlerts();
  assert.equal(hooks.length, 4);
  const [r1, r2] = hooks.slice(2).sort((a, b) => a.key.localeCompare(b.key));
  assert.deepEqual([r1.key, r1.state, r1.type], ['slo:search-latency:ticket', 'firing', 'SLO burn rate (ticket)']);
  assert.match(r1.message, /still burning, unacknowledged/);
  assert.deepEqual([r2.key, r2.state, r2.type], ['slo:shop-availability:page', 'resolved', 'SLO recovered']);
  assert.equal(JSON.parse(after31.find((r) => r.key === 'slo:search-latency:ticket').details).reminders, 1);

  // Acknowledged, the ticket gets no more reminders; it still resolves (and says so) when the
  // slow requests leave the 6h window.
  const ticket = after31.find((r) => r.key === 'slo:search-latency:ticket');
  // An empty JSON acknowledgement: the read token's name says who.
  assert.equal((await api(`/api/alerts/${ticket.id}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' } })).body.alert.acknowledgedBy, 'oncall-dashboard');
  await evaluate(T0 + 62 * MINUTE);
  assert.equal(receivers.received.webhook.length, 4);
  await evaluate(T0 + 3 * HOUR + MINUTE);
  const final = await rows();
  assert.deepEqual(final.map((r) => [r.key, r.state]), [
    ['slo:search-latency:ticket', 'resolved'],
    ['slo:shop-availability:page', 'resolved'],
  ]);
  const last = webhookAlerts().at(-1);
  assert.deepEqual([last.key, last.state], ['slo:search-latency:ticket', 'resolved']);
  assert.equal(receivers.received.pagerduty.length, 2, 'a ticket never reaches PagerDuty');
  // Slack after the fires: the ticket's reminder, then both recoveries.
  assert.deepEqual(receivers.received.slack.slice(2).map((e) => e.body.blocks[0].text.text).sort(), ['INFO: SLO recovered', 'INFO: SLO recovered', 'WARNING: SLO burn rate (ticket)']);
  checkAllReceived();
  const resolved = await api('/api/alerts?state=resolved');
  assert.equal(resolved.body.alerts.length, 2);
  assert.ok(resolved.body.alerts.every((a) => a.resolvedAt !== null && a.details.deliveryFailures === 0));
});

test('a burn that returns fires new alerts; failed deliveries are counted on the row and retried at the next evaluation', async () => {
  const port = Number(new URL(base).port);
  await receivers.close();
  receiversOpen = false;
  // Nothing listens on the channels' port: deliveries fail (no response); the alerts are still recorded.
  const at = T0 + 5 * HOUR;
  for (let m = 10; m >= 1; m--) await send(at - m * MINUTE, '/cart', [[200, 0.05, 90], [500, 0.05, 10]]);
  await evaluate(at);
  const open = (await rows()).filter((r) => r.state === 'firing');
  // 100 bad in 10 minutes: the page, and this time the ticket too (3d: 124 bad of 33,710, burn 3.7).
  assert.deepEqual(open.map((r) => r.key), ['slo:shop-availability:page', 'slo:shop-availability:ticket']);
  const page = JSON.parse(open[0].details);
  assert.equal(page.deliveryFailures, 3);
  assert.deepEqual(page.pending.sort(), ['audit', 'oncall', 'team']);
  assert.equal(page.deliveries.oncall.ok, false);
  assert.deepEqual(JSON.parse(open[1].details).pending.sort(), ['audit', 'team']);
  assert.equal((await rows()).filter((r) => r.key === 'slo:shop-availability:page').length, 2, 'the resolved alert and the new one');

  // The receiver is back on the same port: the next evaluation delivers what failed, once.
  const got = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      got.push([req.url, JSON.parse(raw)]);
      res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    await evaluate(at + MINUTE);
    assert.deepEqual(got.map(([path, body]) => [path, body.event_action ?? (body.alert ? `${body.alert.key} ${body.alert.state}` : undefined)]).sort(), [
      ['/pagerduty', 'trigger'],
      ['/slack/T0/B0/x', undefined],
      ['/slack/T0/B0/x', undefined],
      ['/webhook', 'slo:shop-availability:page firing'],
      ['/webhook', 'slo:shop-availability:ticket firing'],
    ]);
    const retried = (await rows()).filter((r) => r.state === 'firing').map((r) => JSON.parse(r.details));
    assert.ok(retried.every((d) => d.pending.length === 0 && Object.values(d.deliveries).every((x) => x.ok)));
    await evaluate(at + 2 * MINUTE);
    assert.equal(got.length, 5, 'nothing pending, nothing sent again');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
