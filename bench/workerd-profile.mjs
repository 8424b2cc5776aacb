// A sampling CPU profile of one side of bench/hot-path.mjs inside workerd, through the inspector
// Miniflare opens (Chrome DevTools protocol, Profiler domain), written as a .cpuprofile that Chrome
// DevTools or `node bench/workerd-profile.mjs --top <file>` reads. It shows where the isolate's
// time goes by function (JavaScript, the runtime's own API calls such as tee, setTimeout,
// waitUntil, and wasm functions by index: `wasm-objdump -x -j Function` on a module linked with
// --profiling-funcs and optimized with `wasm-opt -Oz -g` names them, since the indices match
// dist/edgescope.wasm). It measures nothing by itself: the figures to quote are bench/hot-path.mjs'
// (CPU read from outside). With the inspector attached, V8 may run wasm in its debug tier, so wasm
// shares read high.
//
// Usage: VARIANT=empty N=3000 node bench/workerd-profile.mjs [out.cpuprofile]
//        node bench/workerd-profile.mjs --top <file.cpuprofile> [rows]   (inclusive shares)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorker, startWorker } from '../js/testing/index.js';
import { positive } from './workerd-cpu.mjs';
import { profileWhile } from './inspector-profile.mjs';
import { printInclusive } from './profile-tables.mjs';

if (process.argv[2] === '--top') {
  printInclusive(JSON.parse(readFileSync(process.argv[3], 'utf8')), Number(process.argv[4] ?? 50));
} else {
  await profile(process.env.VARIANT ?? 'empty', positive('N', 3000), process.argv[2] ?? `/tmp/edgescope-${process.env.VARIANT ?? 'empty'}.cpuprofile`);
}

async function profile(variant, n, out) {
  const PORT = positive('INSPECTOR_PORT', 9333);
  const bundle = await bundleWorker(fileURLToPath(new URL('./workers/hot-path.js', import.meta.url)));
  // Nothing listens on port 9: the sides that export fail fast and count it (retries 0).
  const worker = await startWorker({ bundle, bindings: { VARIANT: variant, KIND: 'string', COLLECTOR_URL: 'http://127.0.0.1:9/ingest' }, miniflare: { inspectorPort: PORT } });
  try {
    const drive = async (count) => {
      for (let i = 0; i < count; i++) await (await fetch(`${worker.url}/item/${i % 10}`)).arrayBuffer();
    };
    await drive(500); // warm-up: compiled and tiered up before the profile starts
    const profile = await profileWhile(PORT, 50, () => drive(n));
    writeFileSync(out, JSON.stringify(profile));
    console.log(`${variant}: ${n} requests profiled -> ${out}`);
    printInclusive(profile, 40);
  } finally {
    await worker.dispose();
  }
}
