// What the offline buffer adds to a request's workerd CPU time, measured from outside
// (/proc/<pid>/stat utime+stime, ./workerd-cpu.mjs) like bench/workerd-overhead.mjs: never timed
// inside workerd, whose clock does not advance during CPU work.
//
// Every side runs the same Worker (bench/workers/buffer-instrumented.js: a root span, 5 child
// spans, 3 metrics and 1 log per request, exported every request with `retries: 0`) with the same
// bindings, a KV namespace and the package's Durable Object (SQLite) included; they differ only in
// the store and in the collector:
//   healthy          the collector is up: every request's payload is delivered. The reference.
//   down/<store>     the collector URL is a closed port: every payload goes to the buffer, which
//                    was filled to its cap (the default 200) first, so each store also evicts the
//                    oldest entry, as during a long outage.
//   replay/<store>   before each round the collector is down while the buffer fills to a backlog
//                    of 3 x PER_ROUND + 16 entries; then the collector comes back on the same port,
//                    and once the isolate's probe backoff has passed (requests until a replay went
//                    through, unmeasured) the round's requests each replay 4 entries
//                    (buffer.replay.maxEntries) and put their own payload behind the backlog.
// Sides run in rotating rounds, so machine noise hits them alike; the figures are per request,
// and differences and ratios against `healthy` within the same run.
//
// A round's window on a side starts at its first request and ends when workerd's CPU counter has
// not moved for QUIET_MS after the last response (the exports and buffer writes in waitUntil are
// included); afterwards, outside the window, the bench checks that no invocation was still
// running. The Worker's probes (/__stats, /__status, /__active) run outside instrument() and
// outside the windows.
//
// Environment: ROUNDS, PER_ROUND   rotating rounds, and requests per side per round (default 5 x 120).
import { fileURLToPath } from 'node:url';
import { bundleWorker, startCollector } from '../js/testing/index.js';
import { cpuMs, launch, rotation } from './workerd-cpu.mjs';

function positiveInteger(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return value;
}

const ROUNDS = positiveInteger('ROUNDS', 5);
const PER_ROUND = positiveInteger('PER_ROUND', 120);
const WARM_UP = 50;
const QUIET_MS = 150;
const DOWN_CAP = 200; // the default buffer.maxEntries
const REPLAY_PER_REQUEST = 4; // buffer.replay.maxEntries (the default)
// Each measured request replays 4 entries and adds its own: the backlog shrinks by 3 a request.
// The margin covers the unmeasured requests that wait out the probe backoff.
const BACKLOG = (REPLAY_PER_REQUEST - 1) * PER_ROUND + 16;
const REPLAY_CAP = 2 * BACKLOG; // room for the backlog: no eviction in the replay sides
const BACKOFF_WAIT_MS = 120_000;
const STORES = [
  ['memory', 'memory'],
  ['kv', 'KV'],
  ['durable-object', 'Durable Object'],
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const path = (p) => fileURLToPath(new URL(p, import.meta.url));

// ---- collectors ---------------------------------------------------------------------------

// A port nothing listens on: the collector is "down" (connections are refused at once).
async function closedPort() {
  const probe = await startCollector();
  const { port } = probe;
  await probe.close();
  return port;
}

// A collector that can go away and come back on the same port, counting the payloads it accepted.
async function switchableCollector() {
  const c = { port: await closedPort(), server: null, accepted: 0 };
  c.url = `http://127.0.0.1:${c.port}/ingest`;
  c.up = async () => {
    if (c.server) return;
    try {
      c.server = await startCollector({ port: c.port, onRecords: () => c.accepted++ });
    } catch (error) {
      throw new Error(`could not restart the collector on port ${c.port} (taken meanwhile?): ${error.message}`);
    }
  };
  c.down = async () => {
    if (!c.server) return;
    await c.server.close(); // closes open connections too: the next export is refused
    c.server = null;
  };
  return c;
}

// ---- the Worker's probes (outside instrument(), outside the windows) -----------------------

async function probe(side, name) {
  const res = await fetch(`${side.worker.url}/__${name}`);
  if (!res.ok) throw new Error(`${side.name}: /__${name} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

// Waits until no invocation is running, exports and buffer writes included.
async function idle(side) {
  for (let waited = 0; (await probe(side, 'active')) > 0; waited += 10) {
    if (waited > 30_000) throw new Error(`${side.name}: invocations still running after 30 s`);
    await sleep(10);
  }
}

// The counters a side's report shows, from telemetry.stats().
function counters(stats) {
  const b = stats.buffer ?? {};
  const e = stats.exporters?.[0] ?? {};
  return {
    flushes: stats.flushes,
    delivered: e.payloadsSent,
    sendFailed: e.payloadsFailed,
    stored: b.stored,
    replayed: b.replayed,
    replayFailed: b.replayFailed,
    evicted: b.evicted,
    // Shown only when they moved.
    vanished: b.vanished,
    corrupt: b.corrupt,
    refused: b.refused,
    expired: b.expired,
    exhausted: b.exhausted,
    storeErrors: b.storeErrors,
  };
}
const RARE = ['vanished', 'corrupt', 'refused', 'expired', 'exhausted', 'storeErrors'];

// ---- driving requests ---------------------------------------------------------------------

// n requests one after another, each read to its end; a wrong answer is counted and shown.
async function drive(side, n) {
  for (let i = 0; i < n; i++) {
    const pathname = `/item/${i % 10}`;
    try {
      const res = await fetch(`${side.worker.url}${pathname}`);
      const body = await res.text();
      if (res.status !== 200 || body !== `hello ${pathname}`) {
        side.bad++;
        side.firstBad ??= `status ${res.status}, body ${JSON.stringify(body.slice(0, 80))}`;
      }
    } catch (error) {
      side.bad++;
      side.firstBad ??= String(error.cause ?? error);
    }
  }
}

// The CPU counter once it has stopped moving for QUIET_MS (workerd is idle when nothing runs).
async function quietCpu(pid) {
  let last = cpuMs(pid);
  let since = Date.now();
  while (Date.now() - since < QUIET_MS) {
    await sleep(10);
    const now = cpuMs(pid);
    if (now !== last) [last, since] = [now, Date.now()];
  }
  return last;
}

// One measured window: n requests, CPU from the first request until workerd is quiet again.
// The stats are read before and after, outside the window.
async function measure(side, n) {
  const before = counters(await probe(side, 'stats'));
  const start = cpuMs(side.pid);
  await drive(side, n);
  const end = await quietCpu(side.pid);
  if ((await probe(side, 'active')) > 0) {
    side.unsettled++; // the window closed while work was still running: its figure is marked
    await idle(side);
  }
  const after = counters(await probe(side, 'stats'));
  for (const key of Object.keys(after)) side.did[key] = (side.did[key] ?? 0) + (after[key] - before[key]);
  side.did.requests = (side.did.requests ?? 0) + n;
  return (end - start) / n;
}

// ---- preparing the buffer states ----------------------------------------------------------

// down/*: requests until the buffer holds its cap, so the measured requests evict as they store.
async function fillToCap(side) {
  for (let i = 0; i < 10 && (await probe(side, 'status')).entries < DOWN_CAP; i++) {
    await drive(side, DOWN_CAP);
    await idle(side);
  }
}

// replay/*: collector down, requests until the backlog is BACKLOG entries, collector up, then
// requests until one replayed (the isolate backs off probing a collector that failed).
async function prepareReplay(side) {
  await side.collector.down();
  for (let entries = (await probe(side, 'status')).entries; entries < BACKLOG; entries = (await probe(side, 'status')).entries) {
    await drive(side, BACKLOG - entries);
    await idle(side);
  }
  await side.collector.up();
  const replayed = () => probe(side, 'stats').then((s) => s.buffer.replayed);
  const first = await replayed();
  const started = Date.now();
  while ((await replayed()) === first) {
    if (Date.now() - started > BACKOFF_WAIT_MS) throw new Error(`${side.name}: no replay within ${BACKOFF_WAIT_MS / 1000} s of the collector coming back`);
    await drive(side, 1);
    await idle(side);
    if ((await replayed()) === first) await sleep(200);
  }
  side.backlogAtStart.push((await probe(side, 'status')).entries);
}

// ---- the run ------------------------------------------------------------------------------

const started = Date.now();
const bundle = await bundleWorker(path('./workers/buffer-instrumented.js'));
const healthyCollector = await switchableCollector();
await healthyCollector.up();
const downUrl = `http://127.0.0.1:${await closedPort()}/ingest`;

const specs = [
  { name: 'healthy', kind: 'healthy', store: 'memory', label: '(a) healthy', collector: healthyCollector, cap: DOWN_CAP },
  ...STORES.map(([store, label]) => ({ name: `down/${store}`, kind: 'down', store, label: `(b) down, ${label}`, url: downUrl, cap: DOWN_CAP })),
  ...(await Promise.all(
    STORES.map(async ([store, label]) => ({ name: `replay/${store}`, kind: 'replay', store, label: `(c) replaying, ${label}`, collector: await switchableCollector(), cap: REPLAY_CAP })),
  )),
];
const sides = {};
for (const spec of specs) {
  const bindings = {
    STORE: spec.store,
    COLLECTOR_URL: spec.url ?? spec.collector.url,
    MAX_ENTRIES: String(spec.cap),
    REPLAY_MAX_ENTRIES: String(REPLAY_PER_REQUEST),
  };
  const launched = await launch(bundle, bindings, { kvNamespaces: ['BUFFER_KV'], durableObjects: { EDGESCOPE_STATE: 'EdgescopeState' } });
  sides[spec.name] = { ...spec, ...launched, perRound: [], bad: 0, firstBad: null, unsettled: 0, did: {}, backlogAtStart: [] };
}
const names = Object.keys(sides);
const replaySides = names.map((n) => sides[n]).filter((s) => s.kind === 'replay');

console.error(`[bench] ${names.length} Workers up; warming up, filling the buffers (${((Date.now() - started) / 1000).toFixed(0)} s)`);
// Warm-up, unmeasured: the replay sides through one short replay (so the replay path is warm too).
for (const side of Object.values(sides)) {
  if (side.kind === 'replay') await side.collector.up();
  await drive(side, WARM_UP);
  await idle(side);
  if (side.kind === 'down') await fillToCap(side);
}
await Promise.all(replaySides.map(prepareReplay));
for (const side of replaySides) {
  await drive(side, WARM_UP);
  await idle(side);
  side.backlogAtStart.length = 0;
}
for (const side of Object.values(sides)) side.bad = 0; // the rounds' answers are what counts

for (let round = 0; round < ROUNDS; round++) {
  console.error(`[bench] round ${round + 1} of ${ROUNDS} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  // The replay sides' backlogs are refilled in parallel (unmeasured) before the round's windows.
  await Promise.all(replaySides.map(prepareReplay));
  for (const name of rotation(names, round)) sides[name].perRound[round] = await measure(sides[name], PER_ROUND);
}
for (const side of Object.values(sides)) side.entriesLeft = (await probe(side, 'status')).entries;
for (const side of Object.values(sides)) await side.worker.dispose();
for (const side of Object.values(sides)) await side.collector?.down();

// ---- report -------------------------------------------------------------------------------

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const signed = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
const broken = (s) => s.bad > 0 || s.unsettled > 0;
const flag = (s) => (broken(s) ? ' !' : '');
const ref = sides.healthy;
const refMs = mean(ref.perRound);

const table = (header, rows) => [`| ${header.join(' | ')} |`, `| ${header.map((h, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const cpuRows = names.map((name) => {
  const s = sides[name];
  const ms = mean(s.perRound);
  if (s === ref) return [s.label, `${ms.toFixed(3)}${flag(s)}`, 'reference', '1.00x'];
  const diffs = s.perRound.map((v, i) => v - ref.perRound[i]);
  return [s.label, `${ms.toFixed(3)}${flag(s)}`, `${signed(ms - refMs)} (${signed(Math.min(...diffs))}..${signed(Math.max(...diffs))})`, `${(ms / refMs).toFixed(2)}x`];
});
const didRows = names.map((name) => {
  const s = sides[name];
  const d = s.did;
  return [s.label, d.requests, d.flushes, d.delivered, d.sendFailed, d.stored, d.replayed, d.replayFailed, d.evicted, s.entriesLeft ?? '-'].map(String);
});

console.log(`\nworkerd CPU per request, ${ROUNDS} rotating rounds x ${PER_ROUND} requests per side (${((Date.now() - started) / 1000).toFixed(0)} s):\n`);
console.log(table(['side', 'ms CPU/request', 'added vs (a), ms (per-round min..max)', 'ratio vs (a)'], cpuRows));
console.log(`\nWhat each side did in its measured windows (telemetry.stats() deltas; entries left: buffer.status() at the end):\n`);
console.log(
  table(['side', 'requests', 'flushes', 'payloads delivered', 'sends failed', 'stored', 'replayed', 'replays failed', 'evicted', 'entries left'], didRows),
);
const backlogs = replaySides.map((s) => `${s.store} ${Math.min(...s.backlogAtStart)}..${Math.max(...s.backlogAtStart)}`).join(', ');
console.log(`
- Same Worker on every side: root + 5 child spans, 3 metrics, 1 log per request, exporters.http({ retries: 0 }), string response.
- (b): the collector URL is a closed port; each store's buffer was filled to its cap (${DOWN_CAP}, the default) before the rounds, so each stored payload evicts the oldest. "sends failed" are payloads sent and refused; the rest went to the buffer unsent (backlog or probe backoff).
- (c): before each round the collector was down until the backlog reached ${BACKLOG} entries (cap ${REPLAY_CAP}), then came back on the same port; unmeasured requests waited out the probe backoff. Backlog when a window started: ${backlogs}. Each request replays up to ${REPLAY_PER_REQUEST} (buffer.replay.maxEntries) and puts its own payload behind the backlog.
- In Miniflare the KV namespace and the Durable Object (SQLite) run in the same workerd process as the Worker, so their CPU is included here; on Cloudflare they run outside the Worker and its CPU time excludes them.
- A window ends when workerd's CPU counter has not moved for ${QUIET_MS} ms after the last response; probes of the Worker (/__stats, /__status, /__active) run outside instrument() and outside the windows.`);
const rare = names.flatMap((n) => RARE.filter((k) => sides[n].did[k] > 0).map((k) => `${n} ${k} ${sides[n].did[k]}`));
console.log(`- Other buffer counters that moved in the windows: ${rare.length > 0 ? rare.join(', ') : 'none'} (vanished: an entry another invocation had already taken).`);
console.log(`- flushes > requests: an invocation flushed a second time (records a concurrent invocation left in the isolate's core); that flush does not replay.`);
console.log(`- workerd output lines per side (edgescope's failure logs while a collector is down): ${names.map((n) => `${n} ${sides[n].output.lines}`).join(', ')}.`);
for (const s of Object.values(sides)) {
  const unexpected = s.output.first !== null && !s.output.first.startsWith('[edgescope]');
  if (!broken(s) && !unexpected) continue;
  const what = [
    s.bad > 0 && `${s.bad} of ${ROUNDS * PER_ROUND} responses wrong (first: ${s.firstBad})`,
    s.unsettled > 0 && `${s.unsettled} window(s) closed while an invocation was still running`,
    unexpected && `workerd's first output line: ${s.output.first}`,
  ];
  console.log(`- ! ${s.label}: ${what.filter(Boolean).join('; ')}`);
}
