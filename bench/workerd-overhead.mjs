// CPU time of the workerd process per request, uninstrumented vs instrumented, measured from
// outside (/proc/<pid>/stat utime+stime), because workerd's clock is frozen during CPU work.
// The two Workers run side by side in one run, in alternating rounds, so machine noise hits both
// alike; the result is reported as a ratio. Also reports the wasm and bundle sizes.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleWorker, startCollector, startWorker } from '../js/testing/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const PER_ROUND = Number(process.env.PER_ROUND ?? 400);
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

function workerdPids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm.startsWith('workerd') && ppid === process.pid) pids.push(Number(entry));
    } catch {
      // the process went away
    }
  }
  return pids;
}

function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
}

async function launch(bundle, bindings) {
  const before = new Set(workerdPids());
  const worker = await startWorker({ bundle, bindings });
  const pid = workerdPids().find((p) => !before.has(p));
  if (!pid) throw new Error('could not find the workerd process of the worker');
  return { worker, pid };
}

async function drive(worker, n) {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${worker.url}/item/${i % 10}`);
    await res.arrayBuffer();
  }
}

// Counts the instrumented Worker's logs ("handled", one per request) as they arrive.
let handled = 0;
const collector = await startCollector({
  onRecords: ({ logs }) => {
    for (const log of logs) if (log.message === 'handled') handled++;
  },
});
async function untilHandled(count) {
  for (let waited = 0; handled < count; waited += 20) {
    if (waited > 60000) throw new Error(`only ${handled} of ${count} instrumented exports arrived`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const sides = {
  plain: await launch(await bundleWorker(path('./workers/plain.js')), {}),
  post: await launch(await bundleWorker(path('./workers/plain-with-post.js')), { COLLECTOR_URL: collector.nativeUrl }),
  instrumented: await launch(await bundleWorker(path('./workers/instrumented.js')), { COLLECTOR_URL: collector.nativeUrl }),
};
const { plain, post, instrumented } = sides;

for (const side of Object.values(sides)) await drive(side.worker, 50); // warm-up
await untilHandled(50);

const total = { plain: 0, post: 0, instrumented: 0 };
const order = Object.keys(sides);
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order every round so no side always runs first.
  const names = order.map((_, i) => order[(i + round) % order.length]);
  for (const name of names) {
    const side = sides[name];
    const start = cpuMs(side.pid);
    await drive(side.worker, PER_ROUND);
    if (name === 'instrumented') {
      // Count the export's CPU too: wait until this round's telemetry has arrived.
      await untilHandled(50 + (round + 1) * PER_ROUND);
    }
    total[name] += cpuMs(side.pid) - start;
  }
}
const requests = ROUNDS * PER_ROUND;
const perRequest = Object.fromEntries(Object.entries(total).map(([k, v]) => [k, v / requests]));

for (const side of Object.values(sides)) await side.worker.dispose();
await collector.close();

const wasm = readFileSync(path('../dist/edgescope.wasm'));
const minified = await (async () => {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [path('../examples/app/src/index.js')],
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['*.wasm'],
    logLevel: 'silent',
  });
  return out.outputFiles[0].contents;
})();
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

console.log(`workerd CPU per request over ${requests} requests each, ${ROUNDS} alternating rounds:`);
console.log(`  uninstrumented:                 ${perRequest.plain.toFixed(3)} ms`);
console.log(`  uninstrumented + one POST:      ${perRequest.post.toFixed(3)} ms (the same I/O as the export, fixed body)`);
console.log(`  instrumented:                   ${perRequest.instrumented.toFixed(3)} ms (root + 5 child spans, 3 metrics, 1 log, exported every request)`);
console.log(`  ratio instrumented/uninstrumented:     ${(perRequest.instrumented / perRequest.plain).toFixed(2)}x`);
console.log(`  ratio instrumented/uninstrumented+POST: ${(perRequest.instrumented / perRequest.post).toFixed(2)}x (recording + encoding: ${(perRequest.instrumented - perRequest.post).toFixed(3)} ms/request)`);
console.log(`sizes:`);
console.log(`  dist/edgescope.wasm: ${kib(wasm.length)} raw, ${kib(gzipSync(wasm).length)} gzipped`);
console.log(`  examples/app bundle (JS, minified): ${kib(minified.length)} raw, ${kib(gzipSync(minified).length)} gzipped`);
console.log(`  examples/app total (JS + wasm): ${kib(minified.length + wasm.length)} raw, ${kib(gzipSync(minified).length + gzipSync(wasm).length)} gzipped`);
