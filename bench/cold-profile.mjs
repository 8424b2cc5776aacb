// A sampling CPU profile of the first requests a fresh isolate serves (the cold start after the
// bundle has loaded), through the inspector Miniflare opens, the way bench/workerd-profile.mjs
// profiles warm requests. It shows which functions' first runs (V8 compiles lazily) and which
// one-time setup the first request pays for; the figures to quote are bench/cold-start.mjs'
// (CPU read from outside). With the inspector attached, wasm may run in V8's debug tier.
//
// Usage: WORKER=formats-instrumented REQUESTS=1 node bench/cold-profile.mjs [out.cpuprofile]
//        (WORKER: a file in bench/workers/ without .js; KIND, FORMAT as those Workers read them)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorker, startWorker } from '../js/testing/index.js';
import { countingCollector } from './counting-collector.mjs';
import { profileWhile } from './inspector-profile.mjs';
import { positive } from './workerd-cpu.mjs';
import { printInclusive, printSelf } from './profile-tables.mjs';

const name = process.env.WORKER ?? 'formats-instrumented';
const requests = positive('REQUESTS', 1);
const out = process.argv[2] ?? `/tmp/edgescope-cold-${name}.cpuprofile`;
const PORT = positive('INSPECTOR_PORT', 9334);
const collector = await countingCollector();
const bundle = await bundleWorker(fileURLToPath(new URL(`./workers/${name}.js`, import.meta.url)));
const worker = await startWorker({
  bundle,
  bindings: { KIND: process.env.KIND ?? 'string', FORMAT: process.env.FORMAT ?? 'native', COLLECTOR_URL: collector.url },
  miniflare: { inspectorPort: PORT },
});
try {
  const profile = await profileWhile(PORT, 10, async () => {
    for (let i = 0; i < requests; i++) await (await fetch(`${worker.url}/item/${i % 10}`)).arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first export runs in waitUntil
  });
  writeFileSync(out, JSON.stringify(profile));
  console.log(`${name}: the first ${requests} request(s) of a fresh isolate profiled -> ${out}`);
  printInclusive(profile, 40);
  printSelf(profile, 25);
} finally {
  await worker.dispose();
  await collector.close();
}
