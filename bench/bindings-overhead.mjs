// What tracing the bindings adds per request and per binding call, side by side in one run
// (README "Performance", "Bindings").
//
// Every side runs the same handler (bench/workers/bindings-work.js): one KV get, one Cache API
// match and one D1 query per request, all hits (each side's storage is filled by GET /seed first),
// against Miniflare's real local implementations:
//   plain          the handler without edgescope (bench/workers/bindings-plain.js)
//   bindings off   under instrument() with `bindings: false`: root span + 1 log line, env and
//                  caches untouched
//   bindings on    under instrument() with every binding traced: root span + 1 log line + 3 client
//                  spans with their attributes and 3 recorded lookups
// CPU time of each workerd process is read from outside (bench/workerd-cpu.mjs: the sum of its
// threads' /proc/<pid>/task/<tid>/schedstat, in ns), because workerd's clock does not advance
// during CPU work: never time code inside it. The sides run in rotating rounds so machine noise
// hits them alike; compare ratios and differences within this run. A round of an instrumented
// side ends when every request's log line reached its collector, so the export's CPU is in it.
// The CPU of the bindings' local implementations runs in the same workerd process and is the same
// on every side: the differences are edgescope's.
//
// Environment: ROUNDS, PER_ROUND (default 6 x 300).
import { fileURLToPath } from 'node:url';
import { bundleWorker } from '../js/testing/index.js';
import { countingCollector } from './counting-collector.mjs';
import { cpuNs, drive, finishSides, launch, mark, positive, rotation, signed } from './workerd-cpu.mjs';

const ROUNDS = positive('ROUNDS', 6);
const PER_ROUND = positive('PER_ROUND', 300);
const WARM_UP = 100;
const CALLS = 3; // binding calls per request


const path = (p) => fileURLToPath(new URL(p, import.meta.url));


const storage = { kvNamespaces: ['KV'], d1Databases: ['DB'] };
const specs = [
  { name: 'plain', label: 'uninstrumented' },
  { name: 'off', label: 'edgescope, bindings: false', bindings: 'off' },
  { name: 'on', label: 'edgescope, bindings traced', bindings: 'on' },
];
const bundles = {
  plain: await bundleWorker(path('./workers/bindings-plain.js')),
  instrumented: await bundleWorker(path('./workers/bindings-instrumented.js')),
};
const sides = {};
for (const spec of specs) {
  const collector = spec.bindings ? await countingCollector() : null;
  const bindings = collector ? { COLLECTOR_URL: collector.url, BINDINGS: spec.bindings } : {};
  const launched = await launch(spec.bindings ? bundles.instrumented : bundles.plain, bindings, storage);
  sides[spec.name] = { ...spec, ...launched, collector, perRound: [], bad: 0, firstBad: null };
  const seeded = await fetch(`${launched.worker.url}/seed`);
  if ((await seeded.text()) !== 'seeded') throw new Error(`${spec.label}: seeding failed with status ${seeded.status}`);
}

const names = Object.keys(sides);
const started = performance.now();
for (const side of Object.values(sides)) {
  await drive(side, WARM_UP);
  await side.collector?.settle(WARM_UP);
  side.bad = 0;
  side.spansFrom = side.collector?.spans ?? 0;
}
for (let round = 0; round < ROUNDS; round++) {
  for (const name of rotation(names, round)) {
    const side = sides[name];
    const start = cpuNs(side.pid);
    await drive(side, PER_ROUND);
    await side.collector?.settle(PER_ROUND);
    side.perRound[round] = (cpuNs(side.pid) - start) / 1e6 / PER_ROUND;
  }
}
const seconds = (performance.now() - started) / 1000;
await finishSides(sides, ROUNDS, PER_ROUND);

// The mean difference, then in brackets the median of the per-round differences (robust to a
// round that a neighbour's load hit), and in parentheses the smallest..largest of them.
function added(a, b, per = 1) {
  const diffs = a.perRound.map((v, i) => (v - b.perRound[i]) / per);
  const sorted = [...diffs].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return `${signed((a.ms - b.ms) / per)} [${signed(median)}] (${signed(sorted[0])}..${signed(sorted.at(-1))})${mark(a, b)}`;
}
const { plain, off, on } = sides;
console.log(`\nworkerd CPU per request (ms), ${ROUNDS} rotating rounds × ${PER_ROUND} requests per side, one run (${seconds.toFixed(0)} s); differences as mean [median of the rounds] (smallest..largest within one round):\n`);
console.log('| side | ms CPU/request | added over uninstrumented | × | added over bindings: false | spans exported/request |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const s of Object.values(sides)) {
  const overPlain = s === plain ? '–' : added(s, plain);
  const overOff = s === on ? added(on, off) : '–';
  console.log(`| ${s.label} | ${s.ms.toFixed(3)}${mark(s)} | ${overPlain} | ${(s.ms / plain.ms).toFixed(2)}× | ${overOff} | ${s.collector ? s.spansPerRequest.toFixed(2) : '–'} |`);
}
console.log(`\ntracing adds ${added(on, off, CALLS)} ms CPU per binding call (bindings traced − bindings: false, ÷ ${CALLS} calls per request)`);
console.log('workload: per request one KV get, one Cache API match (body read) and one D1 SELECT by primary key, all hits, in parallel; native JSON, retries 0');
for (const s of Object.values(sides)) {
  const problems = [
    s.bad > 0 && `${s.bad} of ${ROUNDS * PER_ROUND} responses wrong (first: ${s.firstBad})`,
    s.collector?.missing > 0 && `${s.collector.missing} exports never arrived`,
    s.shortfallMs > 20 && `threads that exited took ${s.shortfallMs.toFixed(0)} ms of CPU the per-thread count cannot see`,
  ].filter(Boolean);
  if (problems.length > 0 || s.output.lines > 0) {
    console.log(`! ${s.label}: ${problems.join('; ') || 'no problem counted'}; workerd printed ${s.output.lines} lines, first: ${s.output.first ?? '-'}`);
  }
}
