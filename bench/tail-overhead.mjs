// What the tail mode (edgescope/tail, README "Tail Workers") costs against no instrumentation and
// against instrument(), side by side in one run (README "Which mode when").
//
// CPU time of each workerd process is read from outside (bench/workerd-cpu.mjs: the sum of its
// threads' /proc/<pid>/task/<tid>/schedstat, in ns), because workerd's clock does not advance
// during CPU work: never time code inside it. The sides run in rotating rounds so machine noise
// hits them alike; compare differences within this run:
//   plain         the handler without edgescope (bench/workers/plain.js, a short string body)
//   noop tail     the same Worker with a tail consumer that ignores its items
//                 (bench/workers/tail-noop.js): what the runtime spends producing and delivering a
//                 TraceItem per invocation
//   tail          the same Worker with edgescope's tail Worker (bench/workers/tail-consumer.js),
//                 exporting a root span and the request metrics per invocation
//   instrument()  the same handler under instrument() (bench/workers/tail-instrumented.js),
//                 recording the same root span and request metric inside the watched isolate
// Miniflare runs a watched Worker and its `tails` consumer in one workerd process (a consumer in
// another Miniflare instance cannot be named), so a side's figure is the whole process: the
// watched Worker, the runtime's tail delivery and the tail Worker. noop tail − plain is the
// runtime's share; tail − noop tail is edgescope's tail Worker's own CPU per watched invocation.
// In production the tail Worker runs as its own invocation, billed to it, not to the watched one.
// A round of an exporting side ends when every invocation's span has reached its loopback
// collector; every side then waits SETTLE_MS so the asynchronous tail delivery is in the round.
//
// Environment: ROUNDS, PER_ROUND (default 6 x 300), SETTLE_MS (default 250).
import { fileURLToPath } from 'node:url';
import { bundleWorker } from '../js/testing/index.js';
import { defaultCompatibilityDate } from '../js/testing/compatibility.js';
import { importMiniflare } from '../js/testing/worker.js';
import { countingCollector } from './counting-collector.mjs';
import { added, cpuNs, drive, finishSides, launch, mark, positive, rotation, signed, workerdPids } from './workerd-cpu.mjs';

const ROUNDS = positive('ROUNDS', 6);
const PER_ROUND = positive('PER_ROUND', 300);
const SETTLE_MS = positive('SETTLE_MS', 250);
const WARM_UP = 100;
const SPAN = Buffer.from('"operationName"'); // one root span per invocation on both exporting sides

const path = (p) => fileURLToPath(new URL(p, import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const miniflare = await importMiniflare();
const compatibilityDate = defaultCompatibilityDate(miniflare);
const bundles = {
  plain: await bundleWorker(path('./workers/plain.js')),
  noop: await bundleWorker(path('./workers/tail-noop.js')),
  consumer: await bundleWorker(path('./workers/tail-consumer.js')),
  instrumented: await bundleWorker(path('./workers/tail-instrumented.js')),
};

// The plain Worker watched by `consumer` (a bundle), both in one Miniflare: one workerd process.
async function launchWatched(consumer, bindings) {
  const output = { lines: 0, first: null };
  const before = new Set(workerdPids());
  const worker = (name, bundle, extra) => ({ name, modules: bundle.modules, modulesRoot: '/', compatibilityDate, ...extra });
  const mf = new miniflare.Miniflare({
    workers: [worker('watched', bundles.plain, { bindings: { KIND: 'string' }, tails: ['tail'] }), worker('tail', consumer, { bindings })],
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        stream.on('data', (chunk) => {
          for (const line of String(chunk).split('\n').filter((l) => l.trim())) {
            output.lines++;
            output.first ??= line.slice(0, 200);
          }
        });
      }
    },
  });
  const url = await mf.ready;
  const pid = workerdPids().find((p) => !before.has(p));
  if (!pid) throw new Error('could not find the workerd process of the watched Worker');
  return { worker: { url: url.href.replace(/\/$/, ''), dispose: () => mf.dispose() }, pid, output };
}

const sides = {};
const side = async (name, label, collector, launched) => {
  sides[name] = { name, label, collector, ...(await launched), perRound: [], bad: 0, firstBad: null };
};
await side('plain', 'uninstrumented', null, launch(bundles.plain, { KIND: 'string' }));
await side('noop', 'uninstrumented + a tail consumer that ignores its items', null, launchWatched(bundles.noop, {}));
const tailCollector = await countingCollector(SPAN);
await side('tail', 'uninstrumented + edgescope tail Worker (tail mode)', tailCollector, launchWatched(bundles.consumer, { COLLECTOR_URL: tailCollector.url }));
const isolateCollector = await countingCollector(SPAN);
await side('instrumented', 'instrument() in the watched Worker', isolateCollector, launch(bundles.instrumented, { KIND: 'string', COLLECTOR_URL: isolateCollector.url }));

const names = Object.keys(sides);
const started = performance.now();
for (const s of Object.values(sides)) {
  await drive(s, WARM_UP);
  await s.collector?.settle(WARM_UP);
  s.bad = 0;
  s.spansFrom = s.collector?.spans ?? 0;
}
for (let round = 0; round < ROUNDS; round++) {
  for (const name of rotation(names, round)) {
    const s = sides[name];
    await sleep(SETTLE_MS); // nothing of the previous round left running in this process
    const start = cpuNs(s.pid);
    await drive(s, PER_ROUND);
    await s.collector?.settle(PER_ROUND);
    await sleep(SETTLE_MS);
    s.perRound[round] = (cpuNs(s.pid) - start) / 1e6 / PER_ROUND;
  }
}
const seconds = (performance.now() - started) / 1000;
await finishSides(sides, ROUNDS, PER_ROUND);

const { plain, noop, tail, instrumented } = sides;
console.log(`\nworkerd process CPU per watched request (ms), ${ROUNDS} rotating rounds × ${PER_ROUND} requests per side, one run (${seconds.toFixed(0)} s); in parentheses the smallest..largest difference within one round:\n`);
console.log('| side | ms CPU/request (whole process) | added over uninstrumented | spans exported/request |');
console.log('| --- | ---: | ---: | ---: |');
for (const s of Object.values(sides)) {
  console.log(`| ${s.label} | ${s.ms.toFixed(3)}${mark(s)} | ${s === plain ? '–' : added(s, plain)} | ${s.collector ? s.spansPerRequest.toFixed(2) : '–'} |`);
}
console.log(`\nthe runtime's tail delivery (noop tail − plain): ${added(noop, plain)} ms per invocation`);
console.log(`edgescope's tail Worker, its own CPU per watched invocation (tail − noop tail): ${added(tail, noop)} ms`);
console.log(`instrument() in the watched isolate (instrument() − plain): ${added(instrumented, plain)} ms per request`);
console.log('workload: a short string response, no custom spans; exporting sides send native JSON, retries 0');
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
