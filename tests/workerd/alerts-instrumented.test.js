// Alerts from instrument() itself, end to end: three copies of workers/alerts-instrumented.js
// (separate Workers, so separate isolates) share one EdgescopeState. The handler just throws; the
// error records are the ones instrument() classified with the default rules, finalize settles them
// with the fleet-wide counts of the Durable Object's one reply and alerts; the spans and the
// `errors` counter reach the capture collector over HTTP, the alerts reach loopback receivers
// checked against each service's schema (alert-receivers.js). A fourth copy has no `alerts` and no
// Durable Object binding; a fifth Worker is the same throw without edgescope, for the client's view.
//
// The cooldown is 4 s instead of the default hour, so the test can see it end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as miniflare from 'miniflare';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { useCollector } from '../shared/use-collector.js';
import { checkPagerDuty, checkSlack, checkWebhook, createReceivers, PD_ROUTING_KEY, WEBHOOK_SECRET } from './alert-receivers.js';
import { bundleOf, sleep } from './helpers.js';

const COOLDOWN_MS = 4000;
const ISOLATES = 3;
const CHANNELS = ['pager', 'chat', 'hook'];
const SERVICE = 'checkout';
const SOLO = 'checkout-solo'; // the copy without alerts

const collector = useCollector();
const receivers = createReceivers();
const { received } = receivers;

// ---- the fleet --------------------------------------------------------------------------------
let mf;
let isolates;
let solo;
let plain;
let persist;
const output = [];

before(async () => {
  await collector.ready;
  const receiverUrl = await receivers.listen();
  persist = mkdtempSync(join(tmpdir(), 'edgescope-alerts-instrumented-'));
  const bundle = await bundleOf('alerts-instrumented');
  const compatibilityDate = defaultCompatibilityDate(miniflare);
  const bindings = { COLLECTOR_URL: collector.nativeUrl, RECEIVER: receiverUrl, COOLDOWN_MS: String(COOLDOWN_MS), PD_ROUTING_KEY, WEBHOOK_SECRET };
  // Requests go through dispatchFetch, routed by host (`<name>.test`), as a client's would: the
  // entry answers a thrown handler with the runtime's 500 (getWorker().fetch would rethrow it).
  const copy = (name, service, extra = {}) => ({ name, routes: [`${name}.test/*`], modules: bundle.modules, modulesRoot: '/', compatibilityDate, bindings: { ...bindings, SERVICE: service }, ...extra });
  const workers = [
    ...Array.from({ length: ISOLATES }, (_, i) =>
      copy(`isolate-${i}`, SERVICE, {
        durableObjects: {
          EDGESCOPE_STATE: i === 0 ? { className: 'EdgescopeState', useSQLite: true } : { className: 'EdgescopeState', scriptName: 'isolate-0', useSQLite: true },
        },
      }),
    ),
    // No `alerts`, and no Durable Object bound at all: nothing it does can reach the object.
    copy('solo', SOLO),
    // The same throw with no edgescope: what the client sees from the runtime.
    {
      name: 'plain',
      routes: ['plain.test/*'],
      modules: true,
      compatibilityDate,
      script: "export default { async fetch(request) { throw new Error(`D1_ERROR: no such table: orders_${new URL(request.url).searchParams.get('n')}`); } };",
    },
  ];
  mf = new miniflare.Miniflare({
    workers,
    durableObjectsPersist: join(persist, 'do'),
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) stream.on('data', (chunk) => output.push(...String(chunk).split('\n').filter(Boolean)));
    },
  });
  await mf.ready;
  isolates = workers.slice(0, ISOLATES).map(({ name }) => name);
  solo = 'solo';
  plain = 'plain';
});

after(async () => {
  await mf?.dispose();
  await receivers.close();
  if (persist) rmSync(persist, { recursive: true, force: true });
});

const call = async (worker, path) => {
  const res = await mf.dispatchFetch(`http://${worker}.test${path}`);
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
};

// Every isolate's alert decisions per channel, summed (sent + suppressed + failed).
async function fleetStats() {
  const all = await Promise.all(isolates.map((w) => call(w, '/stats').then((r) => JSON.parse(r.text))));
  const sum = (field) => Object.fromEntries(CHANNELS.map((c) => [c, all.reduce((n, s) => n + s[field][c], 0)]));
  const total = (field) => all.reduce((n, s) => n + s[field], 0);
  return { sent: sum('sent'), suppressed: sum('suppressed'), failed: sum('failed'), stateFailures: total('stateFailures'), mismatched: total('mismatched') };
}

// The decisions since `base` (an earlier fleetStats()), so each test reads its own.
function since(base, s) {
  const diff = (field) => Object.fromEntries(CHANNELS.map((c) => [c, s[field][c] - base[field][c]]));
  return { sent: diff('sent'), suppressed: diff('suppressed'), failed: diff('failed'), stateFailures: s.stateFailures - base.stateFailures, mismatched: s.mismatched - base.mismatched };
}

// Waits until, since `base`, each channel has at least its count of decisions: { pager: 4, ... }.
async function waitForDecisions(base, want) {
  for (let i = 0; i < 500; i++) {
    const s = since(base, await fleetStats());
    if (Object.entries(want).every(([c, n]) => s.sent[c] + s.suppressed[c] + s.failed[c] >= n)) return s;
    await sleep(20);
  }
  throw new Error(`alerts not settled: want ${JSON.stringify(want)}, have ${JSON.stringify(since(base, await fleetStats()))}`);
}

// The client's view of a thrown handler, the message's number aside (Miniflare's dev 500 shows it).
const clientView = (r) => ({ ...r, text: r.text.replace(/orders_\d+/, 'orders_N') });

// The exported `errors` counter (delta points) of one service and category, summed per severity.
function errorCounts(service, category) {
  const points = collector.metrics.filter((m) => m.name === 'errors' && m.service === service && m.tags['error.category'] === category);
  const bySeverity = {};
  for (const p of points) bySeverity[p.tags['error.severity']] = (bySeverity[p.tags['error.severity']] ?? 0) + p.value;
  return { points, total: points.reduce((n, p) => n + p.value, 0), bySeverity };
}

const waitForErrors = (service, category, total) => collector.waitFor(() => errorCounts(service, category).total >= total, { timeoutMs: 10_000 });

// The exported spans that carry an error classification of `category`.
const classifiedSpans = (service, category) => collector.spans.filter((s) => s.service === service && s.attributes['error.category'] === category);

const edgescopeLines = () => output.filter((line) => line.includes('[edgescope]'));

let timeoutFingerprint;
let timeoutPagedAt;

test('100 D1 errors differing only in a table number, thrown across 3 isolates, make one CRITICAL database alert per channel, fingerprinted as the spans are; the next one after the cooldown carries the 99 suppressed', async () => {
  const base = await fleetStats();
  const reference = clientView(await call(plain, '/orders?n=0'));
  assert.equal(reference.status, 500);
  const started = Date.now();
  for (let batch = 0; batch < 10; batch++) {
    const responses = await Promise.all(Array.from({ length: 10 }, (_, j) => call(isolates[(batch * 10 + j) % ISOLATES], `/orders?n=${batch * 10 + j}`)));
    for (const r of responses) assert.deepEqual(clientView(r), reference, "the runtime's own 500, as without edgescope");
  }
  const first = await waitForDecisions(base, { pager: 100, chat: 100, hook: 100 });
  await waitForErrors(SERVICE, 'database', 100);
  await collector.waitFor(() => classifiedSpans(SERVICE, 'database').length >= 100);
  const phaseMs = Date.now() - started;
  assert.ok(phaseMs < COOLDOWN_MS / 2, `the 100 errors took ${phaseMs} ms; they must fall well inside the ${COOLDOWN_MS} ms cooldown`);

  assert.equal(first.stateFailures, 0);
  assert.equal(first.mismatched, 0);
  for (const c of CHANNELS) {
    assert.equal(first.sent[c], 1, `${c}: one alert for the fleet`);
    assert.equal(first.suppressed[c], 99, `${c}: the rest suppressed`);
    assert.equal(first.failed[c], 0);
  }
  assert.equal(received.slack.length, 1);
  assert.equal(received.pagerduty.length, 1);
  assert.equal(received.webhook.length, 1);

  // One fingerprint on every exported span, and the alert names it.
  const spans = classifiedSpans(SERVICE, 'database');
  assert.equal(spans.length, 100, 'one classified (root) span per request');
  const fingerprints = new Set(spans.map((s) => s.attributes['error.fingerprint']));
  assert.equal(fingerprints.size, 1, `one error, one fingerprint: ${[...fingerprints]}`);
  const [fingerprint] = fingerprints;
  assert.match(fingerprint, /^[0-9a-f]{16}$/);
  for (const span of spans) assert.equal(span.attributes['error.severity'], 'CRITICAL');
  const alert = received.webhook[0].body.alert;
  assert.equal(alert.fingerprint, fingerprint);
  assert.equal(alert.severity, 'CRITICAL');
  assert.equal(alert.category, 'database');
  assert.equal(alert.service, SERVICE);
  assert.equal(alert.suppressed, 0);
  assert.match(alert.message, /^D1_ERROR: no such table: orders_\d+$/);
  assert.ok(spans.some((s) => s.traceId === alert.traceId), "the alert's trace is one of the exported ones");
  assert.equal(received.pagerduty[0].body.dedup_key, `${SERVICE}/${fingerprint}`);
  assert.equal(received.pagerduty[0].body.payload.severity, 'critical');

  // Counted once per request, with the settled severity.
  const counts = errorCounts(SERVICE, 'database');
  assert.equal(counts.total, 100);
  assert.deepEqual(counts.bySeverity, { CRITICAL: 100 });
  for (const p of counts.points) assert.equal(p.tags['error.fingerprint'], fingerprint);

  // After the cooldown, one more occurrence alerts again on every channel, carrying the 99.
  await sleep(COOLDOWN_MS - (Date.now() - started) + 200);
  assert.deepEqual(clientView(await call(isolates[1], '/orders?n=100')), reference);
  const second = await waitForDecisions(base, { pager: 101, chat: 101, hook: 101 });
  for (const c of CHANNELS) assert.equal(second.sent[c], 2, `${c}: a second alert after the cooldown`);
  assert.equal(received.slack.length, 2);
  assert.equal(received.pagerduty.length, 2);
  assert.equal(received.webhook.length, 2);
  const again = received.webhook[1].body.alert;
  assert.equal(again.fingerprint, fingerprint);
  assert.equal(again.suppressed, 99);
  assert.equal(received.pagerduty[1].body.payload.custom_details.suppressed_since_last_alert, 99);
  assert.match(received.slack[1].body.blocks.map((b) => JSON.stringify(b)).join(''), /99 suppressed since the last alert/);
  await waitForErrors(SERVICE, 'database', 101);
  assert.deepEqual(errorCounts(SERVICE, 'database').bySeverity, { CRITICAL: 101 });

  for (const entry of received.slack) checkSlack(entry);
  for (const entry of received.pagerduty) checkPagerDuty(entry);
  for (const entry of received.webhook) checkWebhook(entry);
  assert.deepEqual(edgescopeLines(), [], 'nothing failed, nothing logged');
});

test('repeated TimeoutErrors across the isolates: the first 4 count as WARNING and alert Slack and the webhook once; from the 5th they count as CRITICAL and page once', async () => {
  const base = await fleetStats();
  const before = { slack: received.slack.length, pagerduty: received.pagerduty.length, webhook: received.webhook.length };
  // One at a time, so the order of the occurrences is the order of the requests.
  for (let k = 1; k <= 8; k++) {
    const r = await call(isolates[k % ISOLATES], `/quote?n=${100 * k + 7}`);
    assert.equal(r.status, 500);
    await waitForErrors(SERVICE, 'timeout', k);
    const { total, bySeverity } = errorCounts(SERVICE, 'timeout');
    assert.equal(total, k);
    assert.deepEqual(bySeverity, k <= 4 ? { WARNING: k } : { WARNING: 4, CRITICAL: k - 4 }, `after occurrence ${k}`);
    if (k === 5) {
      await waitForDecisions(base, { pager: 1 });
      timeoutPagedAt = Date.now();
    }
  }
  const s = await waitForDecisions(base, { pager: 4, chat: 8, hook: 8 });
  assert.equal(s.mismatched, 0, 'the object escalated exactly when the records settled');
  assert.equal(s.stateFailures, 0);
  assert.deepEqual(s.sent, { pager: 1, chat: 1, hook: 1 }, 'one alert on each channel');
  assert.deepEqual(s.suppressed, { pager: 3, chat: 7, hook: 7 });

  const spans = classifiedSpans(SERVICE, 'timeout');
  const fingerprints = new Set(spans.map((sp) => sp.attributes['error.fingerprint']));
  assert.equal(fingerprints.size, 1, `one fingerprint: ${[...fingerprints]}`);
  [timeoutFingerprint] = fingerprints;

  const hooks = received.webhook.slice(before.webhook);
  assert.equal(hooks.length, 1, 'the webhook alerted once, for the first occurrence');
  assert.equal(hooks[0].body.alert.severity, 'WARNING');
  assert.equal(hooks[0].body.alert.category, 'timeout');
  assert.equal(hooks[0].body.alert.type, 'TimeoutError');
  assert.equal(hooks[0].body.alert.fingerprint, timeoutFingerprint);
  assert.equal(hooks[0].body.alert.fleetOccurrences, 1);
  const chats = received.slack.slice(before.slack);
  assert.equal(chats.length, 1);
  assert.match(chats[0].body.text, /WARNING/);
  const pages = received.pagerduty.slice(before.pagerduty);
  assert.equal(pages.length, 1, 'paged once: on the fifth occurrence');
  assert.equal(pages[0].body.dedup_key, `${SERVICE}/${timeoutFingerprint}`);
  assert.equal(pages[0].body.payload.severity, 'critical');
  assert.equal(pages[0].body.payload.custom_details.fleet_occurrences_in_window, 5);
  assert.match(pages[0].body.payload.summary, /^\[CRITICAL\] checkout: TimeoutError: upstream quote timed out after \d+ ms$/);
  for (const entry of [...hooks]) checkWebhook(entry);
  for (const entry of pages) checkPagerDuty(entry);
  for (const entry of chats) checkSlack(entry);
  assert.deepEqual(edgescopeLines(), []);
});

test('a Worker without `alerts` (no Durable Object bound) still counts its errors, unescalated, and nothing it does reaches the shared counts', async () => {
  assert.ok(timeoutFingerprint && timeoutPagedAt, 'runs after the timeout test');
  const base = await fleetStats();
  const before = { slack: received.slack.length, pagerduty: received.pagerduty.length, webhook: received.webhook.length };
  for (let k = 1; k <= 7; k++) assert.equal((await call(solo, `/quote?n=${k}`)).status, 500);
  await waitForErrors(SOLO, 'timeout', 7);
  const counts = errorCounts(SOLO, 'timeout');
  assert.equal(counts.total, 7);
  // 7 in the rule's window, but with no shared state there is nothing to count them in.
  assert.deepEqual(counts.bySeverity, { WARNING: 7 });
  for (const p of counts.points) assert.equal(p.tags['error.fingerprint'], timeoutFingerprint, 'the same throw site, the same fingerprint');
  assert.equal(JSON.parse((await call(solo, '/stats')).text), null, 'no alerts object in this Worker');

  // The object's count for this fingerprint: the next alert from the fleet says 9 (8 + 1), not 16.
  await sleep(Math.max(0, timeoutPagedAt + COOLDOWN_MS + 200 - Date.now()));
  assert.equal((await call(isolates[0], '/quote?n=9000')).status, 500);
  const s = await waitForDecisions(base, { pager: 1, chat: 1, hook: 1 });
  assert.deepEqual(s.sent, { pager: 1, chat: 1, hook: 1 }, 'the cooldown is over on every channel');
  assert.equal(received.slack.length, before.slack + 1);
  assert.equal(received.pagerduty.length, before.pagerduty + 1);
  const hooks = received.webhook.slice(before.webhook).map((e) => e.body.alert);
  assert.equal(hooks.length, 1);
  assert.equal(hooks[0].fingerprint, timeoutFingerprint);
  assert.equal(hooks[0].fleetOccurrences, 9, "the solo Worker's 7 timeouts never reached the object");
  assert.equal(hooks[0].suppressed, 7);
  assert.equal(hooks[0].severity, 'CRITICAL');
  assert.equal(received.pagerduty.at(-1).body.payload.custom_details.fleet_occurrences_in_window, 9);
  // (The collector was cleared when this test began: this request's point only.)
  await waitForErrors(SERVICE, 'timeout', 1);
  assert.deepEqual(errorCounts(SERVICE, 'timeout').bySeverity, { CRITICAL: 1 });
  assert.deepEqual(edgescopeLines(), []);
});
