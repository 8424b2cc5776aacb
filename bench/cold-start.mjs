// What edgescope adds to a cold start: loading the package and its wasm module into a fresh isolate,
// instantiating the module and creating the first Telemetry, measured from outside as workerd
// process CPU (bench/workerd-cpu.mjs: the sum of its threads' schedstat, in ns), never inside it.
//
// Each trial starts one fresh workerd (Miniflare) per side, the sides in rotating order, and reads
// the process's CPU at three points:
//   load           from spawn until Miniflare reports it ready: workerd parses and evaluates the
//                  Worker's JavaScript and takes in its wasm module, whose functions V8 compiles
//                  only on their first call (the wasm code-only sides: load does not grow with
//                  the code).
//   first request  one request, read to its end (and, instrumented, its export received): the
//                  module is instantiated and the first Telemetry created here, on first use.
//   warm-up        WARM more requests, per request: V8 still compiles and optimises the code
//                  these run (JavaScript and wasm tier up as they get hot).
//   steady         STEADY requests after those, per request: what every later request costs.
// The sides, all answering the same short string (bench/workers/responses.js):
//   plain          bench/workers/plain.js, without edgescope.
//   import only    bench/workers/import-only.js: the same handler in a Worker that imports
//                  edgescope (so carries and loads its JS and wasm) but never creates a Telemetry.
//   instantiate    bench/workers/instantiate-only.js: as import only, and the first request
//                  instantiates the wasm core (no Telemetry).
//   POST floor     bench/workers/plain-with-post.js: plain plus one POST of a prebuilt body per
//                  request, to the same collector: what a fresh isolate's first subrequest costs
//                  by itself, which the instrumented side's first export pays too.
//   instrumented   bench/workers/formats-instrumented.js: the bench workload, native format,
//                  exported every request, so its first request uses the module (V8 compiles wasm
//                  functions lazily, on first call: a first request that skipped the module would
//                  hide their compilation).
//   instrumented minified    the same, its JavaScript minified as `wrangler deploy --minify` ships
//                  it (SIDES picks it; MINIFY=1 minifies every side).
// Sides that split the first request and the load further (SIDES picks them; each file says what
// it adds to the one before it, in this order):
//   cold-platform, cold-tee     no edgescope: the platform calls its first request makes (random
//                               ids, TextEncoder/Decoder) and the body tee instrument() adds.
//   cold-wasm-only              the wasm module without edgescope's JavaScript (load only).
//   cold-config                 the module instantiated and the config validated (the exporter
//                               made), no Telemetry.
//   cold-es-create              + the core's es_create called directly (no redaction policy,
//                               resource or JavaScript around it).
//   cold-core                   + the core Telemetry (es_create, redaction, the resource), no
//                               export pipeline, buffer or API objects.
//   cold-telemetry              the first Telemetry created from config, nothing recorded.
//   cold-span                   + one server span per request, never exported.
//   cold-span-flush             + a flush per request to the HTTP exporter over a fetch that answers
//                               without I/O (drain, native encode, the exporter's JavaScript).
//   cold-workload               + the bench workload under the root span.
//   cold-workload-nobuffer      as cold-workload with `buffer: false`.
//   cold-workload-post          as cold-workload with a real POST.
//   cold-instrument-empty       instrument() around a handler that records nothing, real POST.
// Sides that split the load (SIDES picks them):
//   cold-js-only                edgescope's JavaScript (js/index.js) without the wasm module.
//   cold-js-unevaluated         the same JavaScript inside a function nothing calls (only parsed):
//                               cold-js-only minus this side is what evaluating its top levels adds.
//   cold-wasm-only              the wasm module without edgescope's JavaScript.
//   wasm data-only, wasm code-only, wasm code-only 4x   cold-wasm-only with a generated module in
//                               place of the core's: its size all data, all code (637 functions),
//                               and 4x the code: whether workerd compiles a module's code at load.
//   wasm call-one, wasm call-all   a generated module of the core's code size instantiated on the
//                               first request, then one or all 637 of its functions called: what a
//                               wasm function's first call (lazy compilation) costs.
//   js call-one, js call-all    the same for JavaScript: 637 generated functions of about 170 bytes
//                               in plain's Worker, one or all called on every request.
// Any side's name may end in ' minified' (its JavaScript minified), ' hinted' (V8's compile hint
// on its first line) or '@base' (bundled from BASE_REF's js/, to compare a change with the code
// it replaces in one run), e.g. 'instrumented minified@base'.
// A side's cold-start cost, paired within each trial against plain:
//   (load − plain's) + (first request − plain's) − (steady − plain's steady)
// i.e. what the first request costs beyond what every warm instrumented request costs anyway (the
// recording and the export's POST, which bench/formats.mjs reports). Goal (issue "Cold start"): ≤ 2 ms.
// What the warm-up requests cost above steady is reported next to it: the rest of the price of a
// fresh isolate, spread over its next requests.
//
// Environment:
//   TRIALS   fresh starts per side (default 20)
//   WARM     warm-up requests after the first (default 100)
//   STEADY   requests after the warm-up, for the steady figure (default 100)
//   MINIFY   1: every side's JavaScript minified, as `wrangler deploy --minify` ships it
//   COMPILE_HINTS  1: every side's JavaScript starts with V8's `//# allFunctionsCalledOnLoad`
//            (explicit compile hints: compile every function at load instead of on first call)
//   SIDES    comma-separated side names to run, plain first (default: plain, import only,
//            instantiate, POST floor, instrumented; the cold-* sides split the first request)
//   BASE_REF a git ref, for the '@base' sides: that commit's js/ and package.json, with this
//            tree's bench Workers and dist/
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { bundleWorker } from '../js/testing/index.js';
import { cpuNs, launch, rotation, threadsShortfallMs } from './workerd-cpu.mjs';

const TRIALS = positive('TRIALS', 20);
const WARM = positive('WARM', 100);
const STEADY = positive('STEADY', 100);
const MINIFY = process.env.MINIFY === '1';
const HINTS = process.env.COMPILE_HINTS === '1';
// Before each CPU reading: background threads (V8's concurrent compilers, the export's socket)
// finish what the phase started, so its CPU is not counted in the next phase. An idle workerd
// uses no CPU while waiting.
const SETTLE_MS = 100;
const EXPORT_WAIT_MS = 5000;

function positive(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(process.env[name])}`);
  return value;
}

const path = (p) => fileURLToPath(new URL(p, import.meta.url));
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The collector of the sides that POST: counts requests, so each phase includes its exports.
const received = { posts: 0 };
const collector = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received.posts++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise((resolve) => collector.listen(0, '127.0.0.1', resolve));
const collectorUrl = `http://127.0.0.1:${collector.address().port}/ingest`;

async function exportsReach(side, count) {
  for (let waited = 0; received.posts < count; waited += 10) {
    if (waited > EXPORT_WAIT_MS) throw new Error(`${side.name}: ${count - received.posts} POST(s) did not arrive within ${EXPORT_WAIT_MS} ms`);
    await pause(10);
  }
}

// Every side this bench knows; SIDES picks which run (default: the five above). The cold-* sides
// stop at successive points of the first request, to split its cost (bench/workers/cold-*.js).
const SIDE_FILES = [
  { name: 'plain', file: 'plain.js' },
  { name: 'import only', file: 'import-only.js' },
  { name: 'instantiate', file: 'instantiate-only.js' },
  { name: 'POST floor', file: 'plain-with-post.js', exports: true },
  { name: 'instrumented', file: 'formats-instrumented.js', exports: true },
  { name: 'instrumented minified', file: 'formats-instrumented.js', exports: true, minify: true },
  { name: 'cold-platform', file: 'cold-platform.js' },
  { name: 'cold-wasm-only', file: 'cold-wasm-only.js' },
  { name: 'cold-tee', file: 'cold-tee.js' },
  { name: 'cold-config', file: 'cold-config.js' },
  { name: 'cold-es-create', file: 'cold-es-create.js' },
  { name: 'cold-core', file: 'cold-core.js' },
  { name: 'cold-telemetry', file: 'cold-telemetry.js' },
  { name: 'cold-span', file: 'cold-span.js' },
  { name: 'cold-span-flush', file: 'cold-span-flush.js' },
  { name: 'cold-workload', file: 'cold-workload.js' },
  { name: 'cold-workload-nobuffer', file: 'cold-workload-nobuffer.js' },
  { name: 'cold-workload-post', file: 'cold-workload-post.js', exports: true },
  { name: 'cold-instrument-empty', file: 'cold-instrument-empty.js', exports: true },
  { name: 'cold-js-only', file: 'cold-js-only.js' },
  // plain's Worker carrying the same JavaScript as cold-js-only inside a function it never calls
  // (declared, not parenthesised, so V8 only pre-parses it): cold-js-only minus this side is what
  // evaluating edgescope's module top levels costs beyond parsing them.
  { name: 'cold-js-unevaluated', file: 'plain.js', unevaluated: './workers/cold-js-only.js' },
  // cold-wasm-only's Worker with its module replaced by a generated one (dummyWasm below), to see
  // what workerd does with a module at load: the same size as edgescope.wasm, all data or all
  // code, and code at 4× the size.
  { name: 'wasm data-only', file: 'cold-wasm-only.js', wasm: () => dummyWasm({ dataBytes: coreSize }) },
  { name: 'wasm code-only', file: 'cold-wasm-only.js', wasm: () => dummyWasm({ codeBytes: coreSize }) },
  { name: 'wasm code-only 4x', file: 'cold-wasm-only.js', wasm: () => dummyWasm({ codeBytes: 4 * coreSize }) },
  // A generated module of the core's code size with every function exported, instantiated on the
  // first request; then its first function, or all 637, called on every request: the difference
  // in the first request beyond steady is what 636 first calls cost (lazy compilation).
  { name: 'wasm call-one', file: 'cold-wasm-call-one.js', wasm: () => dummyWasm({ codeBytes: coreSize, exported: true }) },
  { name: 'wasm call-all', file: 'cold-wasm-call-all.js', wasm: () => dummyWasm({ codeBytes: coreSize, exported: true }) },
  // The same for JavaScript: plain's Worker with 637 generated functions of about 170 bytes
  // (object literals, property reads, a template string, a loop), the first or all of them called
  // on every request: what a JavaScript function's first call costs (V8 compiles each lazily and
  // its inline caches start empty).
  { name: 'js call-one', file: 'plain.js', js: () => generatedJs(false) },
  { name: 'js call-all', file: 'plain.js', js: () => generatedJs(true) },
];
const DEFAULT_SIDES = ['plain', 'import only', 'instantiate', 'POST floor', 'instrumented'];
const chosen = process.env.SIDES ? process.env.SIDES.split(',').map((name) => name.trim()) : DEFAULT_SIDES;
// A side's name may end in modifiers (any order): ' minified', that side's JavaScript minified
// (MINIFY=1 minifies all); ' hinted', with V8's compile hint (COMPILE_HINTS=1 hints all); '@base',
// the same Worker bundled from BASE_REF's js/ (see baseTree below).
const MODIFIERS = { ' minified': { minify: true }, ' hinted': { hints: true }, '@base': { base: true } };
const sideNamed = (name) => {
  const found = SIDE_FILES.find((s) => s.name === name);
  if (found) return found;
  for (const [suffix, options] of Object.entries(MODIFIERS)) {
    if (!name.endsWith(suffix)) continue;
    const side = sideNamed(name.slice(0, -suffix.length));
    return side && { ...side, ...options };
  }
  return undefined;
};
for (const name of chosen) {
  if (!sideNamed(name)) throw new Error(`SIDES: unknown side ${JSON.stringify(name)}; known: ${SIDE_FILES.map((s) => s.name).join(', ')} (each also with ' minified', ' hinted' or '@base' after it)`);
}
if (chosen[0] !== 'plain') throw new Error('SIDES: the list must start with plain (every side is paired against it)');
const coreSize = statSync(path('../dist/edgescope.wasm')).size;
// BASE_REF=<git ref>: the '@base' sides' tree, that commit's js/ and package.json with this tree's
// bench Workers and dist/ (the same wasm module), so old and new JavaScript are measured side by
// side in one run.
let baseTree = null;
if (chosen.some((name) => sideNamed(name).base)) {
  if (!process.env.BASE_REF) throw new Error("SIDES: an '@base' side needs BASE_REF=<git ref>");
  baseTree = mkdtempSync(join(tmpdir(), 'cold-start-base-'));
  execFileSync('tar', ['-x', '-C', baseTree], { input: execFileSync('git', ['archive', process.env.BASE_REF, 'js', 'package.json'], { cwd: path('..'), maxBuffer: 1 << 28 }) });
  cpSync(path('./workers'), join(baseTree, 'bench/workers'), { recursive: true });
  cpSync(path('../dist'), join(baseTree, 'dist'), { recursive: true });
}
const sides = [];
for (const name of chosen) {
  const { file, exports = false, minify = MINIFY, hints = HINTS, wasm, unevaluated, js, base = false } = sideNamed(name);
  const built = await bundleWorker(base ? join(baseTree, 'bench/workers', file) : path(`./workers/${file}`));
  if (js) built.modules[0].contents = js();
  if (unevaluated) built.modules[0].contents = `${await neverCalled(path(unevaluated))}\n${built.modules[0].contents}`;
  const bundle = await prepared(built, minify, hints);
  if (wasm) bundle.modules = bundle.modules.map((m) => (m.type === 'CompiledWasm' ? { ...m, contents: wasm() } : m));
  sides.push({ name, bundle, exports });
}

// The Worker `entry` bundled as a script (as bundleWorker bundles it, its exports kept in a
// variable) inside a function declaration that nothing calls.
async function neverCalled(entry) {
  const { build } = await import('esbuild');
  const result = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', globalName: 'edgescopeSide', platform: 'neutral', target: 'es2022', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], external: ['cloudflare:*'], logLevel: 'silent' });
  return `function edgescopeNeverCalled() {\n${result.outputFiles[0].text}}\nglobalThis.edgescopeNeverCalled = edgescopeNeverCalled;`;
}

// A Worker module of 637 generated functions (about 110 KB) answering as plain.js does, calling
// every function (`every`) or only the first on each request.
function generatedJs(every) {
  const count = 637;
  const fns = Array.from({ length: count }, (_, i) => `function f${i}(o) {
  const r = { a: o.a + ${i}, b: o.b * 2, c: \`\${o.c}-${i}\` };
  if (r.a > 1e12) throw new Error('f${i}: out of range');
  for (let k = 0; k < 3; k++) r.b += k;
  return r.a + r.b + r.c.length;
}`);
  return `${fns.join('\n')}
const all = [${Array.from({ length: count }, (_, i) => `f${i}`).join(', ')}];
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    let sum = 0;
    for (const f of ${every ? 'all' : 'all.slice(0, 1)'}) sum += f({ a: 1, b: 2, c: url.pathname });
    if (!Number.isFinite(sum)) throw new Error('a generated function returned a non-number');
    return new Response(\`hello \${url.pathname}\`, { headers: { 'content-type': 'text/plain' } });
  },
};
`;
}

// A valid wasm module of about `dataBytes` of data (one active segment in a memory, no functions)
// or `codeBytes` of code (as many functions as edgescope.wasm has, 637, each (i32) -> i32 and a run
// of `local.get 0; i32.const 1; i32.add; local.set 0`), every function exported as f<i> when
// `exported`: what workerd spends at load on a module of that shape and size, and on first calls
// (WebAssembly binary format, sections 1, 3, 5, 7, 10, 11).
function dummyWasm({ dataBytes = 0, codeBytes = 0, exported = false }) {
  const leb = (n) => {
    const out = [];
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n) byte |= 0x80;
      out.push(byte);
    } while (n);
    return out;
  };
  const section = (id, body) => [id].concat(leb(body.length), body);
  let bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (codeBytes > 0) {
    const functions = 637;
    const step = [0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00];
    const steps = Math.max(1, Math.floor(codeBytes / functions / step.length));
    const body = [0x00].concat(Array.from({ length: steps }, () => step).flat(), [0x20, 0x00, 0x0b]);
    const entry = leb(body.length).concat(body);
    bytes = bytes.concat(section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f])); // (i32) -> i32
    bytes = bytes.concat(section(3, leb(functions).concat(new Array(functions).fill(0x00))));
    if (exported) {
      const name = (i) => Array.from(`f${i}`, (c) => c.charCodeAt(0));
      const entries = Array.from({ length: functions }, (_, i) => [...leb(name(i).length), ...name(i), 0x00, ...leb(i)]).flat();
      bytes = bytes.concat(section(7, leb(functions).concat(entries)));
    }
    bytes = bytes.concat(section(10, leb(functions).concat(Array.from({ length: functions }, () => entry).flat())));
  } else {
    const pages = Math.ceil(dataBytes / 65536) || 1;
    bytes = bytes.concat(section(5, [0x01, 0x00].concat(leb(pages))));
    const data = Array.from({ length: dataBytes }, (_, i) => (i * 31) & 0xff);
    bytes = bytes.concat(section(11, [0x01, 0x00, 0x41, 0x00, 0x0b].concat(leb(data.length), data)));
  }
  const module = Uint8Array.from(bytes);
  if (!WebAssembly.validate(module)) throw new Error('dummyWasm: the generated module does not validate');
  return module;
}

// MINIFY=1: each side's JavaScript minified (as `wrangler deploy --minify` ships it), to see what
// the size of the JavaScript workerd parses at load costs. COMPILE_HINTS=1: V8's explicit compile
// hint on the first line, so workerd compiles every function at load rather than on first call.
async function prepared(bundle, minify, hints) {
  let [main, ...rest] = bundle.modules;
  if (minify) {
    const { transform } = await import('esbuild');
    main = { ...main, contents: (await transform(main.contents, { minify: true, format: 'esm', target: 'es2022' })).code };
  }
  if (hints) main = { ...main, contents: `//# allFunctionsCalledOnLoad\n${main.contents}` };
  return { modules: [main, ...rest], size: Buffer.byteLength(main.contents) };
}
const has = (name) => sides.some((s) => s.name === name);
const bindings = { KIND: 'string', COLLECTOR_URL: collectorUrl, FORMAT: 'native', COMPRESSION: 'none', SAMPLE_RATE: '1' };

async function request(side, worker, pathname) {
  const res = await fetch(`${worker.url}${pathname}`);
  const text = await res.text();
  if (res.status !== 200 || text !== `hello ${pathname}`) throw new Error(`${side.name}: ${pathname} answered ${res.status}: ${text.slice(0, 200)}`);
}

// One fresh start of one side: ms of workerd CPU in each phase.
async function trial(side) {
  const { worker, pid, output } = await launch(side.bundle, bindings);
  try {
    await pause(SETTLE_MS);
    const load = cpuNs(pid);
    const postsBefore = received.posts;
    await request(side, worker, '/item/0');
    if (side.exports) await exportsReach(side, postsBefore + 1);
    await pause(SETTLE_MS);
    const first = cpuNs(pid);
    for (let i = 1; i <= WARM; i++) await request(side, worker, `/item/${i % 10}`);
    if (side.exports) await exportsReach(side, postsBefore + 1 + WARM);
    await pause(SETTLE_MS);
    const warm = cpuNs(pid);
    for (let i = 1; i <= STEADY; i++) await request(side, worker, `/item/${i % 10}`);
    if (side.exports) await exportsReach(side, postsBefore + 1 + WARM + STEADY);
    await pause(SETTLE_MS);
    const steady = cpuNs(pid);
    const shortfall = threadsShortfallMs(pid);
    if (shortfall > 20) throw new Error(`${side.name}: threads that exited took ${shortfall.toFixed(0)} ms of CPU the per-thread count cannot see`);
    if (output.lines > 0) console.error(`[cold-start] ${side.name}: workerd printed ${output.lines} lines, first: ${output.first}`);
    return { load: load / 1e6, first: (first - load) / 1e6, warm: (warm - first) / 1e6 / WARM, steady: (steady - warm) / 1e6 / STEADY };
  } finally {
    await worker.dispose();
  }
}

const started = performance.now();
const results = Object.fromEntries(sides.map((s) => [s.name, []]));
for (let t = 0; t < TRIALS; t++) {
  for (const side of rotation(sides, t)) results[side.name][t] = await trial(side);
}
collector.close();
if (baseTree) rmSync(baseTree, { recursive: true, force: true });
const seconds = (performance.now() - started) / 1000;

// ---- report --------------------------------------------------------------------------------

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const signed = (v, digits = 2) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
const summary = (xs, digits = 2) => `${signed(mean(xs), digits)} (median ${signed(median(xs), digits)}; ${signed(Math.min(...xs), digits)}..${signed(Math.max(...xs), digits)})`;
const plain = results.plain;
const diffs = (name, key) => results[name].map((r, t) => r[key] - plain[t][key]);
const cold = (name) => results[name].map((r, t) => r.load - plain[t].load + (r.first - plain[t].first) - (r.steady - plain[t].steady));

console.log(`\nworkerd CPU (ms) of a fresh start, ${TRIALS} trials per side in rotating order, one run (${seconds.toFixed(0)} s); mean (smallest..largest):\n`);
console.log('| side | load | first request | warm-up, per request | steady, per request |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const s of sides) {
  const r = results[s.name];
  const cell = (key, digits) => `${mean(r.map((x) => x[key])).toFixed(digits)} (${Math.min(...r.map((x) => x[key])).toFixed(digits)}..${Math.max(...r.map((x) => x[key])).toFixed(digits)})`;
  console.log(`| ${s.name} | ${cell('load', 1)} | ${cell('first', 2)} | ${cell('warm', 3)} | ${cell('steady', 3)} |`);
}
console.log(`\nadded over plain, paired within each trial: mean (median; smallest..largest):\n`);
console.log('| side | load | first request | steady, per request | cold-start cost | warm-up beyond steady, all ' + WARM + ' requests |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
const warmUpExtra = (name) => results[name].map((r, t) => WARM * (r.warm - r.steady - (plain[t].warm - plain[t].steady)));
for (const s of sides.slice(1)) {
  console.log(`| ${s.name} | ${summary(diffs(s.name, 'load'), 1)} | ${summary(diffs(s.name, 'first'))} | ${summary(diffs(s.name, 'steady'), 3)} | **${summary(cold(s.name))}** | ${summary(warmUpExtra(s.name), 1)} |`);
}
// The first request's parts, each side against the one before it in the same trial.
const step = (a, b) => results[a].map((r, t) => r.first - results[b][t].first - (r.steady - results[b][t].steady));
console.log(`\ncold-start cost = (load − plain's) + (first request − plain's) − (steady − plain's steady); goal ≤ 2 ms.`);
if (has('import only') && has('instantiate') && has('POST floor') && has('instrumented')) console.log(`the first request's parts (beyond steady), paired within each trial: instantiating the core (instantiate − import only) ${summary(step('instantiate', 'import only'))} ms; the first Telemetry, its first recording and export (instrumented − instantiate) ${summary(step('instrumented', 'instantiate'))} ms, of which a fresh isolate's first subrequest by itself (POST floor − plain) ${summary(step('POST floor', 'plain'))} ms`);
// Each side against the one listed before it (SIDES order), paired within each trial: what that
// step adds to load and to the first request beyond steady.
console.log(`\neach side against the one before it in SIDES order, paired within each trial: mean (median; smallest..largest):\n`);
console.log('| step | load | first request beyond steady |');
console.log('| --- | ---: | ---: |');
for (let i = 1; i < sides.length; i++) {
  const [a, b] = [sides[i].name, sides[i - 1].name];
  console.log(`| ${b} → ${a} | ${summary(results[a].map((r, t) => r.load - results[b][t].load), 1)} | ${summary(step(a, b))} |`);
}
console.log(`JavaScript per side (bytes${MINIFY ? ', minified' : ''}): ${sides.map((s) => `${s.name} ${s.bundle.size}`).join(', ')}`);
const wasmBytes = (s) => s.bundle.modules.filter((m) => m.type === 'CompiledWasm').reduce((n, m) => n + m.contents.length, 0);
console.log(`wasm per side (bytes): ${sides.map((s) => `${s.name} ${wasmBytes(s)}`).join(', ')}`);
console.log(`load includes workerd's own start (the same Worker-independent work on every side); warm-up: ${WARM} requests after the first; steady: the ${STEADY} after those; the instrumented side exports every request (native, uncompressed)`);
