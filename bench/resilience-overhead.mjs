// What breaker.execute adds to a request's workerd CPU time, measured from outside
// (/proc/<pid>/stat utime+stime, ./workerd-cpu.mjs) like the other workerd benches: never timed
// inside workerd, whose clock does not advance during CPU work.
//
// Every side runs bench/workers/resilience-bench.js with the same bindings (the package's Durable
// Object on SQLite included); env.MODE picks the side:
//   none          the call without a breaker (the reference)
//   memory        breaker.execute, state in the isolate
//   do-fresh      breaker.execute, state in the Durable Object, local copy fresh (no round trip on
//                 the call's path; the outcome batch goes to the object inside waitUntil)
//   do-roundtrip  breaker.execute, state in the Durable Object, maxStalenessMs 0 (one round trip
//                 per call, plus the outcome batch in waitUntil)
//   do-request    no breaker; by hand, the one request (c) sends per invocation (an outcome batch)
//                 in waitUntil: (c) - (e) is the breaker's own work beyond the round trip
// Sides run in rotating rounds in one run, so machine noise hits them alike. A round's window
// starts at its first request and ends when workerd's CPU counter has not moved for QUIET_MS.
//
// Environment: ROUNDS, PER_ROUND   rotating rounds, and requests per side per round (default 5 x 200).
import { fileURLToPath } from 'node:url';
import { bundleWorker } from '../js/testing/index.js';
import { cpuMs, launch, rotation } from './workerd-cpu.mjs';

function positiveInteger(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return value;
}

const ROUNDS = positiveInteger('ROUNDS', 5);
const PER_ROUND = positiveInteger('PER_ROUND', 200);
const WARM_UP = 100;
const QUIET_MS = 150;
const MODES = [
  ['none', '(a) no breaker'],
  ['memory', '(b) execute, state in memory'],
  ['do-fresh', '(c) execute, Durable Object, local copy fresh'],
  ['do-roundtrip', '(d) execute, Durable Object round trip per call'],
  ['do-request', '(e) no breaker, one Durable Object request per call by hand'],
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function drive(side, n) {
  for (let i = 0; i < n; i++) {
    const pathname = `/item/${i % 10}`;
    try {
      const res = await fetch(`${side.worker.url}${pathname}`);
      const body = await res.text();
      if (res.status !== 200 || body !== `hello ${pathname}`) {
        side.bad++;
        side.firstBad ??= `status ${res.status}, body ${JSON.stringify(body.slice(0, 120))}`;
      }
    } catch (error) {
      side.bad++;
      side.firstBad ??= String(error.cause ?? error);
    }
  }
}

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

async function stats(side) {
  return (await fetch(`${side.worker.url}/__stats`)).json();
}

async function measure(side, n) {
  const start = cpuMs(side.pid);
  await drive(side, n);
  const end = await quietCpu(side.pid);
  return (end - start) / n;
}

const started = Date.now();
const bundle = await bundleWorker(fileURLToPath(new URL('./workers/resilience-bench.js', import.meta.url)));
const sides = {};
for (const [mode, label] of MODES) {
  const launched = await launch(bundle, { MODE: mode }, { durableObjects: { EDGESCOPE_STATE: 'EdgescopeState' } });
  sides[mode] = { mode, label, ...launched, perRound: [], bad: 0, firstBad: null };
}
const names = Object.keys(sides);
for (const side of Object.values(sides)) await drive(side, WARM_UP);
for (const side of Object.values(sides)) side.before = await stats(side);
for (let round = 0; round < ROUNDS; round++) {
  console.error(`[bench] round ${round + 1} of ${ROUNDS} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  for (const name of rotation(names, round)) sides[name].perRound[round] = await measure(sides[name], PER_ROUND);
}
for (const side of Object.values(sides)) side.after = await stats(side);
for (const side of Object.values(sides)) await side.worker.dispose();

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const signed = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
const ref = sides.none;
const refMs = mean(ref.perRound);
const per = (side, field) => {
  const d = (side.after[field] ?? 0) - (side.before[field] ?? 0);
  return (d / (ROUNDS * PER_ROUND)).toFixed(2);
};
const rows = names.map((name) => {
  const s = sides[name];
  const ms = mean(s.perRound);
  const diffs = s.perRound.map((v, i) => v - ref.perRound[i]);
  const added = s === ref ? 'reference' : `${signed(ms - refMs)} (${signed(Math.min(...diffs))}..${signed(Math.max(...diffs))})`;
  const counted = s === ref || s.mode === 'do-request';
  return [s.label, `${ms.toFixed(3)}${s.bad ? ' !' : ''}`, added, counted ? '-' : per(s, 'localDecisions'), counted ? '-' : per(s, 'roundTrips')];
});
const table = (header, body) => [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
console.log(`\nworkerd CPU per request, ${ROUNDS} rotating rounds x ${PER_ROUND} requests per side (${((Date.now() - started) / 1000).toFixed(0)} s):\n`);
console.log(table(['side', 'ms CPU/request', 'added vs (a), ms (per-round min..max)', 'local decisions/request', 'round trips/request'], rows));
const c = mean(sides['do-fresh'].perRound);
const e = mean(sides['do-request'].perRound);
console.log(`\n(c) - (e): ${signed(c - e)} ms per request: the breaker's own work with a Durable Object beyond the round trip (local decision, batching, refreshing the copy).`);
console.log(`
- Same Worker on every side: one call returning a short string per request; no telemetry exporter.
- Round trips count every request to the Durable Object: a decision's (d) and the outcome batches sent inside waitUntil (c, d); (e) sends one per request.
- In Miniflare the Durable Object runs in the same workerd process as the Worker, so its CPU (SQLite, the core's restore and save of the breaker per request) is included; on Cloudflare it runs outside the Worker and the Worker's CPU time excludes it.`);
for (const s of Object.values(sides)) if (s.bad) console.log(`- ! ${s.label}: ${s.bad} wrong responses (first: ${s.firstBad}); workerd's first output line: ${s.output.first}`);
