// What an instrumented request pays on the request path when it records nothing, piece by piece,
// side by side in one run (README "Performance", where the time goes).
//
// CPU time of each workerd process is read from outside (bench/workerd-cpu.mjs: the sum of its
// threads' /proc/<pid>/task/<tid>/schedstat, in ns), because workerd's clock does not advance
// during CPU work: never time code inside it. The sides (bench/workers/hot-path.js) run in
// rotating rounds so machine noise hits them alike; compare differences within this run:
//   plain      the handler alone (a short string body).
//   tee        plain + its body teed and one branch read in waitUntil.
//   watch      plain + js/body-watcher.js's watchBody, nothing recorded.
//   empty      instrument(), sampleRate 0, no request metric, a handler that records nothing.
//   plain-nobody, empty-nobody   the same two answering 204 without a body: no body watcher, so
//              their difference is the invocation scope alone.
//   timer, signal, waituntil, now20   plain + one setTimeout(0) turn / a listener on request.signal
//              / ctx.waitUntil of a settled promise / 20 Date.now(): what single runtime calls cost.
//   plain-again  plain once more: the noise floor of this run (two identical sides).
//   unsampled-noexport  the bench workload (5 unsampled child spans with 2 attributes each, 3
//              metric updates, 1 log line) drained and encoded, handed to an exporter that sends
//              nothing: recording and encoding without the subrequest.
//   spans50, log1, log1-nobuffer, logs20, metrics30   one API call multiplied (50 unsampled spans,
//              1 or 20 log lines, 30 metric updates), exported to nowhere: a call's cost in workerd
//              is the difference between two of them divided by the calls.
//   post       plain + one POST of a prebuilt ~0.6 KB body per request in waitUntil, reply read.
//   noexport-post  unsampled-noexport plus the post side's bare POST: what the two cost together,
//              to compare with unsampled (the same workload exported over HTTP).
//   unsampled  the bench workload exported in native JSON to a loopback collector (a round waits
//              until every log line has arrived).
//   flush-empty, drain-only, drain-encode, encode-send, flush-log-nobuffer, flush-log   the manual
//              API (no scope, no watcher): an unsampled root span and one log line, then successively
//              more of a flush (bench/workers/hot-path.js says which), to split a non-empty flush.
// With BASELINE=<a checkout of edgescope with its dist/ built> the watch, empty, empty-nobody and unsampled sides
// also run on that checkout's js/ (this checkout's bench Worker copied into it), so a change is
// compared with the code it replaces in one run.
//
// Environment: ROUNDS, PER_ROUND (default 8 x 400), SIDES=a,b (default all), BASELINE (optional).
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker } from '../js/testing/index.js';
import { countingCollector } from './counting-collector.mjs';
import { cpuNs, launch, positive, rotation, threadsShortfallMs } from './workerd-cpu.mjs';

const ROUNDS = positive('ROUNDS', 8);
const PER_ROUND = positive('PER_ROUND', 400);
const WARM_UP = 200;
const VARIANTS = ['plain', 'plain-again', 'tee', 'timer', 'signal', 'waituntil', 'now20', 'plain-nobody', 'empty-nobody', 'watch', 'empty', 'unsampled-noexport', 'spans50', 'log1', 'log1-nobuffer', 'logs20', 'metrics30', 'post', 'noexport-post', 'unsampled-barefetch', 'unsampled', 'flush-empty', 'flush-log', 'drain-encode', 'drain-only', 'flush-log-nobuffer', 'encode-send'];
const COMPARED = ['watch', 'empty', 'empty-nobody', 'unsampled'];
const chosen = (process.env.SIDES ?? VARIANTS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const s of chosen) if (!VARIANTS.includes(s)) throw new Error(`SIDES: unknown side ${JSON.stringify(s)}; use some of ${VARIANTS.join(',')}`);
if (!chosen.includes('plain')) chosen.unshift('plain');

const entry = fileURLToPath(new URL('./workers/hot-path.js', import.meta.url));
const bundles = { current: await bundleWorker(entry) };
if (process.env.BASELINE) {
  const workers = join(process.env.BASELINE, 'bench', '.current-workers'); // '../../js' is the baseline's
  cpSync(fileURLToPath(new URL('./workers', import.meta.url)), workers, { recursive: true, force: true });
  bundles.baseline = await bundleWorker(join(workers, 'hot-path.js'));
}

const sides = {};
for (const variant of chosen) {
  for (const build of Object.keys(bundles)) {
    if (build === 'baseline' && !COMPARED.includes(variant)) continue;
    const name = build === 'current' ? variant : `${variant}@baseline`;
    const collector = await countingCollector();
    const launched = await launch(bundles[build], { VARIANT: variant, KIND: 'string', COLLECTOR_URL: collector.url });
    sides[name] = { name, variant, build, ...launched, collector, perRound: [], bad: 0, firstBad: null };
  }
}

// Each request read to its end and its answer checked: a side that answers wrongly is not doing the
// same work, and its row says so. The no-body sides answer 204.
async function drive(side, n) {
  const noBody = side.variant.endsWith('-nobody');
  for (let i = 0; i < n; i++) {
    const pathname = `/item/${i % 10}`;
    try {
      const res = await fetch(`${side.worker.url}${pathname}`);
      const text = await res.text();
      if (noBody ? res.status !== 204 : res.status !== 200 || text !== `hello ${pathname}`) {
        side.bad++;
        side.firstBad ??= `status ${res.status}: ${text.slice(0, 120)}`;
      }
    } catch (error) {
      side.bad++;
      side.firstBad ??= String(error.cause ?? error);
    }
  }
}

// The sides that send to the collector wait, each round, until every request's POST has arrived,
// so its CPU is counted in the round that caused it.
const POSTING = new Set(['post', 'noexport-post', 'unsampled-barefetch', 'unsampled']);
const settle = (side, n) => (POSTING.has(side.variant) ? side.collector.settle(n) : undefined);
const names = Object.keys(sides);
const started = performance.now();
for (const side of Object.values(sides)) {
  await drive(side, WARM_UP);
  await settle(side, WARM_UP);
  side.bad = 0;
}
for (let round = 0; round < ROUNDS; round++) {
  for (const name of rotation(names, round)) {
    const side = sides[name];
    const start = cpuNs(side.pid);
    await drive(side, PER_ROUND);
    await settle(side, PER_ROUND);
    side.perRound[round] = (cpuNs(side.pid) - start) / 1e6 / PER_ROUND;
  }
}
const seconds = (performance.now() - started) / 1000;
for (const side of Object.values(sides)) {
  side.shortfallMs = threadsShortfallMs(side.pid);
  await side.worker.dispose();
  await side.collector.close();
  side.ms = side.perRound.reduce((a, b) => a + b, 0) / ROUNDS;
  side.broken = side.bad > 0 || side.collector.missing > 0;
}

const signed = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function added(a, b) {
  const diffs = a.perRound.map((v, i) => v - b.perRound[i]);
  return `${signed(a.ms - b.ms)} [${signed(median(diffs))}] (${signed(Math.min(...diffs))}..${signed(Math.max(...diffs))})`;
}
const { plain } = sides;
console.log(`\nworkerd CPU per request (ms), ${ROUNDS} rotating rounds × ${PER_ROUND} requests per side, one run (${seconds.toFixed(0)} s); added: mean [median of the per-round differences] (smallest..largest):\n`);
console.log('| side | ms CPU/request | added over plain | added over the baseline side |');
console.log('| --- | ---: | ---: | ---: |');
for (const s of Object.values(sides)) {
  const base = s.build === 'current' ? sides[`${s.variant}@baseline`] : null;
  // A no-body side is compared with the plain no-body side when there is one.
  const ref = (s.variant.endsWith('-nobody') && sides['plain-nobody']) || plain;
  const overBase = base ? `${added(s, base)}, ${((s.ms - ref.ms) / (base.ms - ref.ms)).toFixed(2)}× the baseline's added` : '–';
  console.log(`| ${s.name} | ${s.ms.toFixed(3)}${s.broken ? ' !' : ''} | ${s === ref || s === plain ? '–' : `${added(s, ref)}${ref === plain ? '' : ' (over plain-nobody)'}`} | ${overBase} |`);
}
for (const s of Object.values(sides)) {
  const problems = [
    s.bad > 0 && `${s.bad} responses wrong (first: ${s.firstBad})`,
    s.collector.missing > 0 && `${s.collector.missing} exports never arrived`,
    s.shortfallMs > 20 && `threads that exited took ${s.shortfallMs.toFixed(0)} ms of CPU the per-thread count cannot see`,
  ].filter(Boolean);
  if (problems.length > 0 || s.output.lines > 0) console.log(`! ${s.name}: ${problems.join('; ') || 'no problem counted'}; workerd printed ${s.output.lines} lines, first: ${s.output.first ?? '-'}`);
}
