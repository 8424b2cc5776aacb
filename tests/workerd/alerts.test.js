// Alerts once per fleet: three copies of tests/workerd/workers/alerts.js (separate Workers, so
// separate isolates, as a deployment's instances are) share one EdgescopeState, the real Durable
// Object with its SQLite storage. Every channel is real: Slack, PagerDuty and the webhook post to
// loopback receivers here that check each payload against the service's documented schema, and
// email goes through Miniflare's send_email binding, which parses the raw MIME and writes it to
// disk, where it is read back.
//
// The cooldown is 4 s instead of the default hour, so the test can see the cooldown end; the first
// phase (100 errors) is asserted to finish well inside it, or the count of alerts would prove
// nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as miniflare from 'miniflare';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { checkPagerDuty, checkSlack, checkWebhook, createReceivers, PD_ROUTING_KEY, WEBHOOK_SECRET } from './alert-receivers.js';
import { bundleOf, sleep } from './helpers.js';

const COOLDOWN_MS = 6000; // long enough that 100 requests fit in its first half on a loaded machine
const ISOLATES = 3;
const CHANNELS = ['pager', 'chat', 'hook', 'mail'];

// ---- loopback receivers (alert-receivers.js) ---------------------------------------------------
const receivers = createReceivers();
const { received } = receivers;

// ---- the fleet --------------------------------------------------------------------------------
let mf;
let isolates;
let emailDir;
const dirs = [];
const output = [];

before(async () => {
  const receiverUrl = await receivers.listen();
  // A port nothing listens on: connections are refused, as when a webhook's host is down.
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const unreachable = `http://127.0.0.1:${closed.address().port}/hook`;
  await new Promise((resolve) => closed.close(resolve));
  const persist = mkdtempSync(join(tmpdir(), 'edgescope-alerts-'));
  emailDir = mkdtempSync(join(tmpdir(), 'edgescope-alerts-mail-'));
  dirs.push(persist, emailDir);
  const bundle = await bundleOf('alerts');
  const workers = Array.from({ length: ISOLATES }, (_, i) => ({
    name: `isolate-${i}`,
    modules: bundle.modules,
    modulesRoot: '/',
    compatibilityDate: defaultCompatibilityDate(miniflare),
    bindings: { RECEIVER: receiverUrl, UNREACHABLE: unreachable, COOLDOWN_MS: String(COOLDOWN_MS), PD_ROUTING_KEY, WEBHOOK_SECRET },
    email: { send_email: [{ name: 'SEND_EMAIL' }] },
    kvNamespaces: { ALERTS_KV: 'alerts-kv' },
    durableObjects: {
      EDGESCOPE_STATE: i === 0 ? { className: 'EdgescopeState', useSQLite: true } : { className: 'EdgescopeState', scriptName: 'isolate-0', useSQLite: true },
    },
  }));
  mf = new miniflare.Miniflare({ workers, durableObjectsPersist: join(persist, 'do'), kvPersist: join(persist, 'kv'), defaultProjectTmpPath: emailDir,
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) stream.on('data', (chunk) => output.push(...String(chunk).split('\n').filter(Boolean)));
    },
  });
  await mf.ready;
  isolates = await Promise.all(workers.map(({ name }) => mf.getWorker(name)));
});

after(async () => {
  await mf?.dispose();
  await receivers.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const get = async (i, path) => {
  const res = await isolates[i].fetch(`http://alerts${path}`);
  return { status: res.status, text: await res.text() };
};

// Every isolate's decisions for every channel, summed (sent + suppressed + failed).
async function fleetStats(set = 'main') {
  const all = await Promise.all(isolates.map((_, i) => get(i, `/stats?set=${set}`).then((r) => JSON.parse(r.text))));
  const sum = (field) => Object.fromEntries(CHANNELS.map((c) => [c, all.reduce((n, s) => n + s[field][c], 0)]));
  const total = (field) => all.reduce((n, s) => n + s[field], 0);
  return { sent: sum('sent'), suppressed: sum('suppressed'), failed: sum('failed'), stateFailures: total('stateFailures'), mismatched: total('mismatched'), released: total('released'), evicted: total('evicted') };
}

// Waits until every channel in `channels` has `total` decisions (sent, suppressed or failed).
async function waitForDecisions(total, { set = 'main', channels = CHANNELS } = {}) {
  for (let i = 0; i < 500; i++) {
    const s = await fleetStats(set);
    if (channels.every((c) => s.sent[c] + s.suppressed[c] + s.failed[c] >= total)) return s;
    await sleep(20);
  }
  throw new Error(`alerts not settled: ${JSON.stringify(await fleetStats(set))}`);
}

const alertLines = () => output.filter((line) => line.includes('[edgescope] alerts:'));

function emails() {
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.eml')) found.push({ path, mtime: statSync(path).mtimeMs, raw: readFileSync(path, 'utf8') });
    }
  };
  walk(emailDir);
  return found.sort((a, b) => a.mtime - b.mtime);
}

// The text body of a raw message (base64, as js/alerts/mime.js writes it), with its headers.
function readEmail(raw) {
  const split = raw.indexOf('\r\n\r\n');
  assert.ok(split > 0, 'headers end with an empty CRLF line');
  const head = raw.slice(0, split);
  assert.ok(!/[^\r]\n/.test(raw), 'every line ends in CRLF');
  for (const line of head.split('\r\n')) assert.ok(line.length <= 78, `header line of ${line.length} characters`);
  const header = (name) => head.match(new RegExp(`^${name}: (.*(?:\\r\\n .*)*)`, 'mi'))?.[1];
  const subject = header('Subject').split('\r\n ').map((w) => Buffer.from(w.match(/^=\?UTF-8\?B\?(.*)\?=$/)[1], 'base64').toString('utf8')).join('');
  return { header, subject, text: Buffer.from(raw.slice(split + 4).replace(/\r\n/g, ''), 'base64').toString('utf8') };
}

test('100 identical errors across 3 isolates within the cooldown make exactly one alert per channel, and the next one after the cooldown carries the 99 suppressed', async () => {
  const started = Date.now();
  // 100 requests, 10 at a time, round-robin over the isolates: all three alert on the same error.
  for (let batch = 0; batch < 10; batch++) {
    const responses = await Promise.all(Array.from({ length: 10 }, (_, j) => get((batch * 10 + j) % ISOLATES, `/error?n=${batch * 10 + j}`)));
    for (const r of responses) assert.equal(r.status, 500);
  }
  const first = await waitForDecisions(100);
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
  assert.equal(emails().length, 1);

  // After the cooldown, one more occurrence alerts again, carrying the count held back meanwhile.
  await sleep(COOLDOWN_MS - (Date.now() - started) + 200);
  assert.equal((await get(1, '/error?n=100')).status, 500);
  const second = await waitForDecisions(101);
  for (const c of CHANNELS) assert.equal(second.sent[c], 2, `${c}: a second alert after the cooldown`);
  assert.equal(received.slack.length, 2);
  assert.equal(received.pagerduty.length, 2);
  assert.equal(received.webhook.length, 2);
  const mail = emails();
  assert.equal(mail.length, 2);

  for (const entry of received.slack) checkSlack(entry);
  for (const entry of received.pagerduty) checkPagerDuty(entry);
  for (const entry of received.webhook) checkWebhook(entry);

  const [hook1, hook2] = received.webhook.map((e) => e.body.alert);
  assert.deepEqual([hook1.suppressed, hook2.suppressed], [0, 99]);
  assert.equal(hook1.fingerprint, hook2.fingerprint);
  for (const alert of [hook1, hook2]) {
    assert.equal(alert.severity, 'CRITICAL');
    assert.equal(alert.category, 'database');
    assert.equal(alert.service, 'checkout');
    assert.equal(alert.version, 'v42');
    assert.equal(alert.route, '/checkout');
    assert.match(alert.message, /^database connection reset \(order \d+\)$/);
    assert.match(alert.stack, /database connection reset/);
    assert.match(alert.traceId, /^[0-9a-f]{32}$/);
    assert.equal(alert.link, `https://ui.example.com/trace/${alert.traceId}`);
  }
  const [pd1, pd2] = received.pagerduty.map((e) => e.body);
  assert.equal(pd1.dedup_key, pd2.dedup_key, 'one PagerDuty alert for one error');
  assert.equal(pd1.dedup_key, `checkout/${hook1.fingerprint}`);
  assert.equal(pd2.payload.custom_details.suppressed_since_last_alert, 99);
  assert.equal(pd2.payload.severity, 'critical');
  assert.deepEqual(pd2.links, [{ href: hook2.link, text: `Trace ${hook2.traceId}` }]);
  assert.match(received.slack[1].body.blocks.map((b) => JSON.stringify(b)).join(''), /99 suppressed since the last alert/);

  const { header, subject, text } = readEmail(mail[1].raw);
  assert.equal(header('From'), 'alerts@example.com');
  assert.equal(header('To'), 'oncall@example.com');
  assert.match(header('Message-ID'), /^<[^@\s]+@example\.com>$/);
  assert.ok(Number.isFinite(Date.parse(header('Date'))));
  assert.match(subject, /^\[CRITICAL\] checkout: Error: database connection reset \(order \d+\)$/);
  assert.match(text, /99 suppressed since the last alert/);
  assert.match(text, new RegExp(`Trace link:  https://ui\\.example\\.com/trace/${hook2.traceId}`));
  assert.deepEqual(alertLines(), [], 'nothing failed, nothing logged');
});

test('resolve() sends a PagerDuty resolve event with the dedup_key of the alert it closes', async () => {
  const fingerprint = received.webhook[0].body.alert.fingerprint;
  const before = received.pagerduty.length;
  const reply = JSON.parse((await get(2, `/resolve?fingerprint=${encodeURIComponent(fingerprint)}`)).text);
  assert.equal(reply.pager.ok, true);
  assert.equal(received.pagerduty.length, before + 1);
  const event = received.pagerduty.at(-1);
  checkPagerDuty(event);
  assert.deepEqual(event.body, { routing_key: PD_ROUTING_KEY, event_action: 'resolve', dedup_key: `checkout/${fingerprint}` });
});

test('a WARNING timeout with a `repeated` rule goes to Slack and the webhook, and pages on its fifth occurrence across the fleet, once', async () => {
  const before = { pd: received.pagerduty.length, slack: received.slack.length, hook: received.webhook.length, mail: emails().length };
  // One at a time, so the fifth is the one that crosses the rule; round-robin over the isolates.
  // The first test left 101 decisions per channel; each timeout adds one for chat and hook.
  for (let n = 0; n < 5; n++) {
    assert.equal((await get(n % ISOLATES, `/timeout?n=${1000 + n}`)).status, 504);
    await waitForDecisions(102 + n, { channels: ['chat', 'hook'] });
  }
  const settledStats = await waitForDecisions(102, { channels: ['pager', 'mail'] });
  assert.equal(settledStats.mismatched, 0, 'the object escalated exactly when settle() did');
  const pages = received.pagerduty.slice(before.pd);
  assert.equal(pages.length, 1, 'paged once: on the fifth occurrence');
  assert.equal(pages[0].body.payload.severity, 'critical');
  assert.equal(pages[0].body.payload.custom_details.fleet_occurrences_in_window, 5);
  assert.match(pages[0].body.payload.summary, /^\[CRITICAL\] checkout: TimeoutError: upstream timed out after \d+ ms$/);
  assert.equal(emails().length, before.mail + 1, 'and mailed once');
  const hooks = received.webhook.slice(before.hook).map((e) => e.body.alert);
  assert.equal(hooks.length, 1, 'the webhook alerted once, for the first occurrence');
  assert.equal(hooks[0].severity, 'WARNING');
  assert.equal(hooks[0].fleetOccurrences, 1);
  assert.equal(received.slack.length, before.slack + 1);
});

test('a failing channel is counted and logged once per reason, never thrown into the handler; a transient failure lets the next occurrence alert again', async () => {
  const responses = [];
  for (let n = 0; n < 3; n++) {
    responses.push((await get(0, `/error?set=broken&n=${n}`)).status);
    await waitForDecisions(n + 1, { set: 'broken', channels: ['chat', 'hook'] });
  }
  assert.deepEqual(responses, [500, 500, 500], "the handler's own responses");
  const s = await fleetStats('broken');
  // Slack answered 404: a refusal of the request, not retried, the cooldown kept: one attempt.
  assert.equal(s.failed.chat, 1);
  assert.equal(s.suppressed.chat, 2);
  // The webhook's host refused the connection: transient, so each occurrence tried again.
  assert.equal(s.failed.hook, 3);
  assert.equal(s.released, 3);
  // A released send keeps the occurrences it gave back: pruning never takes them (evicted counts
  // suppressed occurrences lost to pruning).
  assert.equal(s.evicted, 0);
  const lines = alertLines();
  assert.equal(lines.filter((l) => l.includes("channel 'chat'")).length, 1, lines.join('\n'));
  assert.equal(lines.filter((l) => l.includes("channel 'hook'")).length, 1, lines.join('\n'));
  assert.match(lines.find((l) => l.includes("channel 'chat'")), /HTTP 404/);
});

test('with the Durable Object unreachable, each isolate alerts on its own cooldown: counted, logged once, never silent', async () => {
  const before = received.webhook.length;
  for (let n = 0; n < 4; n++) assert.equal((await get(1, `/error?set=outage&n=${n}`)).status, 500);
  const s = await waitForDecisions(4, { set: 'outage' });
  assert.equal(s.stateFailures, 4);
  for (const c of CHANNELS) {
    assert.equal(s.sent[c], 1, `${c}: one alert from this isolate`);
    assert.equal(s.suppressed[c], 3);
  }
  const hooks = received.webhook.slice(before).map((e) => e.body.alert);
  assert.deepEqual(hooks.map((a) => a.service), ['outage']);
  assert.equal(alertLines().filter((l) => l.includes('de-duplication object could not be reached')).length, 1);
});

test('with KV instead of the Durable Object, errors arriving one after another across isolates alert once per cooldown, and the next alert carries a suppressed count', async () => {
  const before = received.webhook.length;
  const started = Date.now();
  for (let n = 0; n < 12; n++) {
    assert.equal((await get(n % ISOLATES, `/error?set=kv&n=${n}`)).status, 500);
    await waitForDecisions(n + 1, { set: 'kv' });
  }
  assert.ok(Date.now() - started < COOLDOWN_MS / 2, 'inside the cooldown');
  const first = await fleetStats('kv');
  for (const c of CHANNELS) assert.equal(first.sent[c], 1, `${c}: one alert`);
  assert.equal(first.stateFailures, 0);
  await sleep(COOLDOWN_MS - (Date.now() - started) + 200);
  assert.equal((await get(0, '/error?set=kv&n=12')).status, 500);
  const second = await waitForDecisions(13, { set: 'kv' });
  for (const c of CHANNELS) assert.equal(second.sent[c], 2, `${c}: a second alert after the cooldown`);
  const hooks = received.webhook.slice(before).map((e) => e.body.alert);
  assert.deepEqual(hooks.map((a) => a.service), ['kv', 'kv']);
  // A lower bound (kv-state.js): an isolate keeps counts it did not write yet (KV's one write per
  // second per key), and they reach KV with its next write.
  assert.ok(hooks[1].suppressed >= 1 && hooks[1].suppressed <= 11, `suppressed ${hooks[1].suppressed}`);
  for (const entry of received.webhook.slice(before)) checkWebhook(entry);
});

test('with the Durable Object, an error that comes back after resolve() alerts again on every channel inside the cooldown, once for the fleet however many isolates race, and resolving twice changes nothing', async () => {
  const before = { pd: received.pagerduty.length, slack: received.slack.length, hook: received.webhook.length, mail: emails().length };
  const started = Date.now();
  // Before the resolve: once for the fleet, the other isolates' occurrences held back.
  for (let i = 0; i < ISOLATES; i++) {
    assert.equal((await get(i, `/error?set=resolve&n=${i}`)).status, 500);
    await waitForDecisions(i + 1, { set: 'resolve' });
  }
  const first = await fleetStats('resolve');
  for (const c of CHANNELS) assert.deepEqual([first.sent[c], first.suppressed[c]], [1, ISOLATES - 1], c);
  const fingerprint = received.webhook.at(-1).body.alert.fingerprint;
  // Resolved from one isolate, then again from another (a retried resolve).
  for (const i of [1, 2]) assert.equal(JSON.parse((await get(i, `/resolve?set=resolve&fingerprint=${encodeURIComponent(fingerprint)}`)).text).pager.ok, true);
  // The error is back in every isolate at once.
  const statuses = await Promise.all(isolates.map((_, i) => get(i, `/error?set=resolve&n=${10 + i}`).then((r) => r.status)));
  assert.deepEqual(statuses, Array(ISOLATES).fill(500));
  const second = await waitForDecisions(2 * ISOLATES, { set: 'resolve' });
  assert.ok(Date.now() - started < COOLDOWN_MS, `inside the cooldown (${Date.now() - started} ms)`);
  for (const c of CHANNELS) assert.deepEqual([second.sent[c], second.suppressed[c]], [2, 2 * (ISOLATES - 1)], `${c}: one alert after the resolve, the racing occurrences held back`);
  assert.equal(second.stateFailures, 0);
  const pages = received.pagerduty.slice(before.pd).map((e) => e.body);
  assert.deepEqual(pages.map((e) => e.event_action), ['trigger', 'resolve', 'resolve', 'trigger']);
  assert.deepEqual(new Set(pages.map((e) => e.dedup_key)), new Set([`resolve/${fingerprint}`]), 'one dedup_key: the trigger after the resolve opens a new incident');
  const hooks = received.webhook.slice(before.hook).map((e) => e.body.alert);
  assert.deepEqual(hooks.map((a) => a.suppressed), [0, ISOLATES - 1], 'the alert after the resolve carries what was held back before it');
  assert.equal(received.slack.length, before.slack + 2);
  assert.equal(emails().length, before.mail + 2);
});

test('with the Durable Object, a resolve racing with occurrences in other isolates leaves exactly one alert after it per channel, reaching PagerDuty after the resolve', async () => {
  const before = { pd: received.pagerduty.length, hook: received.webhook.length };
  const started = Date.now();
  assert.equal((await get(0, '/error?set=race&n=0')).status, 500);
  await waitForDecisions(1, { set: 'race' });
  const fingerprint = received.webhook.at(-1).body.alert.fingerprint;
  // The resolve and two occurrences at once: each occurrence is noted before the resolve releases
  // the cooldown (held back) or after (alerts, once for the fleet).
  const [resolved] = await Promise.all([
    get(0, `/resolve?set=race&fingerprint=${encodeURIComponent(fingerprint)}`).then((r) => JSON.parse(r.text)),
    get(1, '/error?set=race&n=1'),
    get(2, '/error?set=race&n=2'),
  ]);
  assert.equal(resolved.pager.ok, true);
  await waitForDecisions(3, { set: 'race' });
  // And once more after both settled: it alerts only if neither racing occurrence did.
  assert.equal((await get(1, '/error?set=race&n=3')).status, 500);
  const s = await waitForDecisions(4, { set: 'race' });
  assert.ok(Date.now() - started < COOLDOWN_MS, `inside the cooldown (${Date.now() - started} ms)`);
  for (const c of CHANNELS) assert.deepEqual([s.sent[c], s.suppressed[c]], [2, 2], `${c}: the first alert, and exactly one after the resolve`);
  const pages = received.pagerduty.slice(before.pd).map((e) => e.body.event_action);
  assert.deepEqual(pages, ['trigger', 'resolve', 'trigger'], 'the alert after the resolve reaches PagerDuty after it: a new incident, not one the resolve closes');
  assert.equal(received.webhook.length, before.hook + 2);
});
