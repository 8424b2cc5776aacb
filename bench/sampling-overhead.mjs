// What keep-rule sampling costs per request against pure head sampling and no instrumentation,
// side by side in one run (README "Sampling that keeps what matters").
//
// CPU time of each workerd process is read from outside (bench/workerd-cpu.mjs: the sum of its
// threads' /proc/<pid>/task/<tid>/schedstat, in ns), because workerd's clock does not advance
// during CPU work: never time code inside it. The sides run in rotating rounds so machine noise
// hits them alike; compare ratios and differences within this run:
//   plain       the handler without edgescope (bench/workers/plain.js, a short string body)
//   head 1.0    edgescope recording and exporting every trace (sampling.ratio 1)
//   head 0.1    pure head sampling at ratio 0.1: 90% of traces make no span calls at all
//   keep 0.1    ratio 0.1 with keep rules { errors, statusAtLeast: 500, slowerThanMs: 1000 }: the
//               90% the ratio rejects are recorded provisionally in the core, then discarded at
//               the root's end (no request here errs or is slow, so none is kept by a rule: this
//               is the mode's whole cost on ordinary traffic)
// Every instrumented side runs bench/workers/sampling-instrumented.js (root + 5 child spans with
// 2 attributes each, 3 metric updates, 1 log line) and exports to its own loopback collector; a
// round ends when every request's log line has arrived, so the export's CPU is in the round.
//
// With BASELINE=<a checkout of edgescope> one more side runs pure head sampling 0.1 on that
// checkout's own build (its bench/workers/formats-instrumented.js: the same workload, native JSON,
// uncompressed), so the cost of head sampling before and after a change is compared in one run.
//
// Environment: ROUNDS, PER_ROUND (default 6 x 400), BASELINE (optional).
import { fileURLToPath } from 'node:url';
import { bundleWorker } from '../js/testing/index.js';
import { countingCollector } from './counting-collector.mjs';
import { added, cpuNs, drive, finishSides, launch, mark, positive, rotation, signed } from './workerd-cpu.mjs';

const ROUNDS = positive('ROUNDS', 6);
const PER_ROUND = positive('PER_ROUND', 400);
const WARM_UP = 100;


const path = (p) => fileURLToPath(new URL(p, import.meta.url));


const KEEP = { errors: true, statusAtLeast: 500, slowerThanMs: 1000 };
const specs = [
  { name: 'plain', label: 'uninstrumented' },
  { name: 'head1', label: 'edgescope, head sampling 1.0', sampling: { ratio: 1 } },
  { name: 'head', label: 'edgescope, pure head sampling 0.1', sampling: { ratio: 0.1 } },
  { name: 'keep', label: 'edgescope, keep rules + ratio 0.1', sampling: { ratio: 0.1, keep: KEEP } },
];
const bundles = {
  plain: await bundleWorker(path('./workers/plain.js')),
  instrumented: await bundleWorker(path('./workers/sampling-instrumented.js')),
};
if (process.env.BASELINE) {
  bundles.baseline = await bundleWorker(`${process.env.BASELINE}/bench/workers/formats-instrumented.js`);
  specs.splice(3, 0, { name: 'baseline', label: `pure head sampling 0.1 at ${process.env.BASELINE}`, sampling: { ratio: 0.1 }, bundle: 'baseline' });
}
const sides = {};
for (const spec of specs) {
  const collector = spec.sampling ? await countingCollector() : null;
  const bindings = {
    KIND: 'string',
    ...(collector ? { COLLECTOR_URL: collector.url, SAMPLING: JSON.stringify(spec.sampling) } : {}),
    ...(spec.bundle === 'baseline' ? { FORMAT: 'native', COMPRESSION: 'none', SAMPLE_RATE: String(spec.sampling.ratio) } : {}),
  };
  const bundle = bundles[spec.bundle ?? (spec.sampling ? 'instrumented' : 'plain')];
  sides[spec.name] = { ...spec, ...(await launch(bundle, bindings)), collector, perRound: [], bad: 0, firstBad: null };
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

const { plain, head } = sides;
console.log(`\nworkerd CPU per request (ms), ${ROUNDS} rotating rounds × ${PER_ROUND} requests per side, one run (${seconds.toFixed(0)} s); in parentheses the smallest..largest difference within one round:\n`);
console.log('| side | ms CPU/request | added over uninstrumented | × | added over head sampling 0.1 | spans exported/request |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const s of Object.values(sides)) {
  const overPlain = s === plain ? '–' : added(s, plain);
  const overHead = s === plain || s === head ? '–' : added(s, head);
  console.log(`| ${s.label} | ${s.ms.toFixed(3)}${mark(s)} | ${overPlain} | ${(s.ms / plain.ms).toFixed(2)}× | ${overHead} | ${s.collector ? s.spansPerRequest.toFixed(2) : '–'} |`);
}
const keepCost = sides.keep.ms - plain.ms;
const headCost = head.ms - plain.ms;
console.log(`\nkeep rules cost ${(keepCost / headCost).toFixed(2)}× what pure head sampling adds (${keepCost.toFixed(3)} vs ${headCost.toFixed(3)} ms added per request)`);
console.log('workload: root + 5 child spans with 2 attributes each, 3 metric updates, 1 log line; native JSON, retries 0; no request errs or is slow');
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
