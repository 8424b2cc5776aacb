// The sizes the README's "Size" table and the size budget (scripts/size-budget.mjs) are about:
//   the module      dist/edgescope.wasm as built, raw and gzipped
//   the resilience  dist/edgescope-resilience.wasm, raw and gzipped: its own module, loaded only
//   module          by Workers that import 'edgescope/resilience' (so not part of the example app)
//   the example app examples/app/src/index.js bundled as wrangler ships a Worker: esbuild, ESM,
//                   minified, the `workerd` export condition, the .wasm and the runtime's own
//                   cloudflare:* modules left as separate modules (wrangler uploads the wasm as
//                   its own module and never bundles cloudflare:*)
//   app total       the app's JS and the module, each gzipped on its own, summed (they are
//                   uploaded as separate modules)
//   the minimal     MINIMAL_WORKER bundled the same way: instrument() around a fetch handler with
//   Worker          one HTTP exporter, the JS most users carry
// "gzipped" is zlib at level 9 (as `gzip -9`): the upload size the Workers limit counts is
// compressed, and level 9 is the smallest the format gives, so the figure does not move with a
// tool's default level.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
export const WASM_PATH = 'dist/edgescope.wasm';
export const RESILIENCE_WASM_PATH = 'dist/edgescope-resilience.wasm';
export const APP_ENTRY = 'examples/app/src/index.js';

const gzipped = (bytes) => gzipSync(bytes, { level: 9 }).length;

// The esbuild options wrangler's bundling amounts to (see the header).
export const WORKER_BUNDLE_OPTIONS = Object.freeze({
  bundle: true,
  minify: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  external: ['*.wasm', 'cloudflare:*'],
  logLevel: 'silent',
});

// The smallest instrumented Worker: one fetch handler, one HTTP exporter imported by name from
// 'edgescope/exporters' (the `exporters` object would keep all four: js/exporters/index.js), every
// default.
export const MINIMAL_WORKER = `import { instrument } from 'edgescope';
import { http } from 'edgescope/exporters';
export default instrument(
  { async fetch() { return new Response('ok'); } },
  { service: 'minimal', exporters: [http({ url: 'https://collector.example/v1/traces' })] },
);
`;

// The example app's Worker JS as wrangler would bundle it, minified.
export async function bundleExampleApp() {
  return bundleWorker({ entryPoints: [`${root}/${APP_ENTRY}`] });
}

// MINIMAL_WORKER bundled the same way ('edgescope' resolves to this checkout by the package's
// self-reference, as it does for the example app).
export async function bundleMinimalWorker() {
  return bundleWorkerSource(MINIMAL_WORKER);
}

// A Worker given as source text (importing 'edgescope'), bundled the same way.
export async function bundleWorkerSource(source) {
  return bundleWorker({ stdin: { contents: source, resolveDir: root, sourcefile: 'worker.js', loader: 'js' } });
}

async function bundleWorker(input) {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({ ...WORKER_BUNDLE_OPTIONS, ...input });
  return out.outputFiles[0].contents;
}

function readBuilt(path) {
  try {
    return readFileSync(`${root}/${path}`);
  } catch (error) {
    throw new Error(`${path} not readable (${error.code ?? error.message}); build it first: bash scripts/build.sh wasm`);
  }
}

// -> { wasmRaw, wasmGzip, resilienceWasmRaw, resilienceWasmGzip, appJsRaw, appJsGzip, appTotalRaw,
// appTotalGzip, minimalJsRaw, minimalJsGzip } in bytes. Throws naming the missing file when a module has not been built.
export async function measureSizes() {
  const wasm = readBuilt(WASM_PATH);
  const resilience = readBuilt(RESILIENCE_WASM_PATH);
  const js = await bundleExampleApp();
  const minimal = await bundleMinimalWorker();
  const sizes = { wasmRaw: wasm.length, wasmGzip: gzipped(wasm), resilienceWasmRaw: resilience.length, resilienceWasmGzip: gzipped(resilience), appJsRaw: js.length, appJsGzip: gzipped(js) };
  sizes.minimalJsRaw = minimal.length;
  sizes.minimalJsGzip = gzipped(minimal);
  sizes.appTotalRaw = sizes.appJsRaw + sizes.wasmRaw;
  sizes.appTotalGzip = sizes.appJsGzip + sizes.wasmGzip;
  return sizes;
}

export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

// The README "Size" table (Markdown).
export function sizeTable(sizes) {
  return [
    '| size | raw | gzipped (level 9) |',
    '| --- | ---: | ---: |',
    `| \`${WASM_PATH}\` | ${kib(sizes.wasmRaw)} | ${kib(sizes.wasmGzip)} |`,
    `| \`${RESILIENCE_WASM_PATH}\` (only with \`edgescope/resilience\`) | ${kib(sizes.resilienceWasmRaw)} | ${kib(sizes.resilienceWasmGzip)} |`,
    `| \`examples/app\` bundled (JS, minified) | ${kib(sizes.appJsRaw)} | ${kib(sizes.appJsGzip)} |`,
    `| \`examples/app\` JS + wasm | ${kib(sizes.appTotalRaw)} | ${kib(sizes.appTotalGzip)} |`,
    `| a minimal Worker bundled (JS, minified; \`instrument()\` + \`http\` from \`edgescope/exporters\`) | ${kib(sizes.minimalJsRaw)} | ${kib(sizes.minimalJsGzip)} |`,
  ].join('\n');
}

// What `sizes` exceeds of `budget` (scripts/size-budget.mjs): one message per artifact over it,
// naming the artifact, its size, the budget and by how much; [] when everything fits.
// A budget key the measurement does not know is an error, not a silent pass.
export const ARTIFACTS = Object.freeze({
  wasmRaw: `${WASM_PATH} (raw)`,
  wasmGzip: `${WASM_PATH} (gzipped)`,
  resilienceWasmRaw: `${RESILIENCE_WASM_PATH} (raw)`,
  resilienceWasmGzip: `${RESILIENCE_WASM_PATH} (gzipped)`,
  appTotalGzip: 'examples/app JS + wasm (gzipped)',
  minimalJsGzip: 'the minimal Worker bundled, JS only (gzipped)',
});
export function overBudget(sizes, budget) {
  const messages = [];
  for (const [key, limit] of Object.entries(budget)) {
    if (!Object.hasOwn(ARTIFACTS, key) || typeof sizes[key] !== 'number') throw new Error(`size budget names ${JSON.stringify(key)}, which is not measured; use ${Object.keys(ARTIFACTS).join(', ')}`);
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new Error(`size budget ${key} must be a positive number of bytes, got ${String(limit)}`);
    if (sizes[key] > limit) {
      messages.push(`${ARTIFACTS[key]} is ${sizes[key]} bytes (${kib(sizes[key])}), ${sizes[key] - limit} bytes over its budget of ${limit} (${kib(limit)}) in scripts/size-budget.mjs`);
    }
  }
  return messages;
}
