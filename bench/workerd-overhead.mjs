// CPU time of the workerd process per request, measured from outside (/proc/<pid>/stat
// utime+stime), because workerd's clock is frozen during CPU work: never time code inside it.
//
// For each response kind (bench/workers/responses.js: a string, a handler stream, a proxied gzip
// body) these Workers run side by side in one run, in rotating rounds, so machine noise hits
// them alike; results are ratios and differences between sides of the same run:
//   plain     the handler without edgescope.
//   +POST     (string kind only) plain plus one POST of a fixed ~2 KB body per request in
//             waitUntil: the export's I/O without recording or encoding. That I/O does not depend
//             on the response kind, so one kind is enough.
//   current   the handler under instrument() from this checkout, exporting every request.
//   baseline  the same Worker file bundled against another commit's edgescope: what a change on
//             the request path adds, measured against the code it replaces.
//
// Environment:
//   BASELINE=<git ref>  the baseline commit (default dd389ee, the foundation); `none` skips it.
//                       It is checked out once as a git worktree under /tmp and its wasm built.
//   KIND=a,b            the response kinds to measure (default string,stream,proxy).
//   ROUNDS, PER_ROUND   rotating rounds, and requests per side per round (default 6 x 400).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleWorker, startCollector } from '../js/testing/index.js';
import { cpuMs, launch, rotation } from './workerd-cpu.mjs';
import { KINDS, STREAM_CHUNKS, STREAM_CHUNK_BYTES } from './workers/responses.js';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const PER_ROUND = Number(process.env.PER_ROUND ?? 400);
const WARM_UP = 50;
const BASELINE = process.env.BASELINE ?? 'dd389ee';
const kinds = (process.env.KIND ?? KINDS.join(',')).split(',').map((k) => k.trim()).filter(Boolean);
for (const kind of kinds) if (!KINDS.includes(kind)) throw new Error(`KIND: unknown kind ${JSON.stringify(kind)}; use one or more of ${KINDS.join(',')}`);
const ORIGIN_BYTES = 64 * 1024;

const path = (p) => fileURLToPath(new URL(p, import.meta.url));
const repoRoot = path('..');

// ---- the baseline checkout ------------------------------------------------------------------

// Checks out `ref` as a detached git worktree under /tmp (reused when it is already there), builds
// its wasm, and copies this checkout's bench Workers into it, so that their `import 'edgescope'`
// resolves (package self-reference) to the baseline's package while the Worker code is today's.
function prepareBaseline(ref) {
  const git = (args, cwd = repoRoot) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const sha = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const dir = `/tmp/edgescope-baseline-${sha.slice(0, 12)}`;
  if (existsSync(dir)) {
    let head;
    try {
      head = git(['rev-parse', 'HEAD'], dir);
    } catch {
      throw new Error(`${dir} exists but is not a git checkout; remove it`);
    }
    if (head !== sha) throw new Error(`${dir} is at ${head}, not ${sha} (${ref}); remove it`);
  } else {
    // --force: the path may still be registered from a checkout that was deleted with /tmp.
    git(['worktree', 'add', '--force', '--detach', dir, sha]);
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(realpathSync(join(repoRoot, 'node_modules')), join(dir, 'node_modules'));
  console.error(`[bench] building the baseline's wasm in ${dir}`);
  execFileSync('bash', ['scripts/build.sh', 'wasm'], { cwd: dir, stdio: ['ignore', 2, 2] });
  const workers = join(dir, '.bench-current-workers'); // inside the package root, untracked there
  cpSync(path('./workers'), workers, { recursive: true, force: true });
  return { ref, sha, dir, entry: join(workers, 'instrumented.js') };
}

// ---- loopback peers: the proxied origin, and collectors counting exports --------------------

// 64 KiB of text that gzip compresses about as much as prose (3-4x): words from a vocabulary of
// 400 made-up words, drawn by a fixed linear congruential generator so every run serves the same
// bytes. Sent gzip-compressed with Content-Length, like a proxied static asset.
async function startOrigin() {
  let seed = 1;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff; // mod 2^31, in exact 32-bit arithmetic
    return seed >>> 8; // the high bits: the low ones cycle with short periods
  };
  const letters = (n) => Array.from({ length: n }, () => String.fromCharCode(97 + (next() % 26))).join('');
  const words = Array.from({ length: 400 }, () => letters(2 + (next() % 8)));
  let text = '';
  while (text.length < ORIGIN_BYTES) {
    const r = next();
    text += `${words[r % words.length]}${r % 11 === 0 ? '.\n' : ' '}`;
  }
  const gzipped = gzipSync(text.slice(0, ORIGIN_BYTES));
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': gzipped.length });
    res.end(gzipped);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/asset.txt`, gzippedBytes: gzipped.length, close: () => new Promise((r) => server.close(r)) };
}

// Each instrumented side exports to its own collector, which counts the "handled" log lines (one
// per request): a round's CPU includes its exports, so we wait for them before reading the clock.
// A side whose exports stop arriving (a broken body watcher can lose the finalize) is not waited
// for beyond QUIET_MS without progress; what never came is counted and reported with its figures.
const QUIET_MS = 3000;
async function countingCollector() {
  const counter = { handled: 0, expected: 0, missing: 0 };
  counter.collector = await startCollector({
    onRecords: ({ logs }) => {
      for (const log of logs) if (log.message === 'handled') counter.handled++;
    },
  });
  counter.settle = async (requests) => {
    counter.expected += requests;
    let seen = counter.handled;
    for (let quiet = 0; counter.handled < counter.expected; quiet += 20) {
      if (counter.handled !== seen) [seen, quiet] = [counter.handled, 0];
      if (quiet > QUIET_MS) {
        counter.missing += counter.expected - counter.handled;
        counter.expected = counter.handled;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return counter;
}

// ---- one kind: its sides, in rotating rounds ------------------------------------------------

function expectedBytes(kind, pathname) {
  if (kind === 'string') return `hello ${pathname}`.length;
  if (kind === 'stream') return STREAM_CHUNKS * STREAM_CHUNK_BYTES;
  return ORIGIN_BYTES; // proxy: fetch() here decodes the gzip body, so this is the text's length
}

// What else must hold for the sides to do the same work: a proxied body goes out as the origin
// sent it (still gzip, with its Content-Length), not decoded and re-framed on the way.
function framingProblem(kind, res, origin) {
  if (kind !== 'proxy') return null;
  const encoding = res.headers.get('content-encoding');
  const length = res.headers.get('content-length');
  if (encoding !== 'gzip' || length !== String(origin.gzippedBytes)) {
    return `Content-Encoding ${encoding ?? '(none)'}, Content-Length ${length ?? '(none)'} instead of gzip, ${origin.gzippedBytes}`;
  }
  return null;
}

// Sends n requests one after another, each read to its end (so the body is delivered and the
// instrumented sides finalize), and checks what came back: a side that answers wrongly is not
// doing the same work, and its figure says so in the table.
async function drive(side, kind, n, origin) {
  for (let i = 0; i < n; i++) {
    const pathname = `/item/${i % 10}`;
    try {
      const res = await fetch(`${side.worker.url}${pathname}`);
      const bytes = (await res.arrayBuffer()).byteLength;
      const problem =
        res.status !== 200 || bytes !== expectedBytes(kind, pathname)
          ? `status ${res.status}, ${bytes} bytes instead of ${expectedBytes(kind, pathname)}`
          : framingProblem(kind, res, origin);
      if (problem) {
        side.bad++;
        side.firstBad ??= problem;
      }
    } catch (error) {
      side.bad++;
      side.firstBad ??= String(error.cause ?? error);
    }
  }
}

async function measureKind(kind, ctx) {
  const names = ['plain', ...(kind === 'string' ? ['post'] : []), 'current', ...(ctx.bundles.baseline ? ['baseline'] : [])];
  const sides = {};
  for (const name of names) {
    const counter = ctx.counters[name]; // only the instrumented sides
    const collectorUrl = (counter ?? ctx.counters.current).collector.nativeUrl;
    const bindings = { KIND: kind, ORIGIN_URL: ctx.origin.url, COLLECTOR_URL: collectorUrl };
    sides[name] = { ...(await launch(ctx.bundles[name], bindings)), counter, perRound: [], bad: 0, firstBad: null };
  }
  for (const side of Object.values(sides)) {
    await drive(side, kind, WARM_UP, ctx.origin);
    await side.counter?.settle(WARM_UP);
    // Problems during warm-up would show again in the rounds; count the rounds only.
    side.bad = 0;
    side.missingBefore = side.counter?.missing ?? 0;
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of rotation(names, round)) {
      const side = sides[name];
      const start = cpuMs(side.pid);
      await drive(side, kind, PER_ROUND, ctx.origin);
      await side.counter?.settle(PER_ROUND); // count the export's CPU too
      side.perRound[round] = (cpuMs(side.pid) - start) / PER_ROUND;
    }
  }
  for (const side of Object.values(sides)) await side.worker.dispose();
  return Object.fromEntries(
    Object.entries(sides).map(([name, s]) => {
      const missing = (s.counter?.missing ?? 0) - s.missingBefore;
      const broken = s.bad > 0 || missing > 0;
      return [name, { ms: s.perRound.reduce((a, b) => a + b, 0) / ROUNDS, perRound: s.perRound, bad: s.bad, firstBad: s.firstBad, missing, broken, output: s.output }];
    }),
  );
}

// ---- the run --------------------------------------------------------------------------------

const baseline = BASELINE === 'none' || BASELINE === '' ? null : prepareBaseline(BASELINE);
const origin = await startOrigin();
const counters = { current: await countingCollector(), ...(baseline ? { baseline: await countingCollector() } : {}) };
const bundles = {
  plain: await bundleWorker(path('./workers/plain.js')),
  post: await bundleWorker(path('./workers/plain-with-post.js')),
  current: await bundleWorker(path('./workers/instrumented.js')),
  ...(baseline ? { baseline: await bundleWorker(baseline.entry) } : {}),
};
const results = {};
for (const kind of kinds) results[kind] = await measureKind(kind, { origin, counters, bundles });
for (const counter of Object.values(counters)) await counter.collector.close();
await origin.close();

// ---- report ---------------------------------------------------------------------------------

// A figure from a side that answered wrongly or lost exports is marked `!`: it did other work.
const ms = (r) => (r === undefined ? '-' : `${r.ms.toFixed(3)}${r.broken ? '!' : ''}`);
const signed = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
const mark = (a, b) => (a.broken || b.broken ? '!' : '');
const ratio = (a, b) => (a === undefined || b === undefined ? '-' : `${(a.ms / b.ms).toFixed(2)}x${mark(a, b)}`);
// The added cost per round, paired within the round: its spread is the noise this run saw.
const added = (a, b) => {
  if (!a || !b) return '-';
  const diffs = a.perRound.map((v, i) => v - b.perRound[i]);
  return `${signed(a.ms - b.ms)}${mark(a, b)} (${signed(Math.min(...diffs))}..${signed(Math.max(...diffs))})`;
};
const columns = [
  ['kind', (k) => k],
  ['plain', (_, r) => ms(r.plain)],
  ['+POST', (_, r) => ms(r.post)],
  ['current', (_, r) => ms(r.current)],
  ['baseline', (_, r) => ms(r.baseline)],
  ['cur/plain', (_, r) => ratio(r.current, r.plain)],
  ['cur/+POST', (_, r) => ratio(r.current, r.post)],
  ['cur/base', (_, r) => ratio(r.current, r.baseline)],
  ['added over plain (rounds)', (_, r) => added(r.current, r.plain)],
  ['added over baseline (rounds)', (_, r) => added(r.current, r.baseline)],
];
const rows = [columns.map(([title]) => title), ...kinds.map((k) => columns.map(([, cell]) => cell(k, results[k])))];
const widths = columns.map((_, c) => Math.max(...rows.map((row) => row[c].length)));

console.log(`workerd CPU per request in ms, ${ROUNDS} rotating rounds x ${PER_ROUND} requests per side:`);
for (const row of rows) console.log(`  ${row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()}`);
console.log(`  current: root + 5 child spans, 3 metrics, 1 log, exported every request; +POST: plain + one fixed 2 KB POST (the export's I/O)`);
console.log(`  baseline: ${baseline ? `the same Worker against ${baseline.ref} (${baseline.sha.slice(0, 12)}, ${baseline.dir})` : 'none (BASELINE=none)'}`);
console.log(`  kinds: string = short string body; stream = handler ReadableStream, ${STREAM_CHUNKS} x ${STREAM_CHUNK_BYTES} B; proxy = fetch() of ${ORIGIN_BYTES / 1024} KiB text, gzip (${origin.gzippedBytes} B) with Content-Length`);
console.log(`  added: mean difference in ms/request (smallest..largest difference within one round)`);
for (const kind of kinds) {
  for (const [name, r] of Object.entries(results[kind])) {
    if (!r.broken && r.output.lines === 0) continue;
    const what = [r.bad > 0 && `${r.bad} of ${ROUNDS * PER_ROUND} responses wrong (first: ${r.firstBad})`, r.missing > 0 && `${r.missing} exports never arrived`];
    console.log(`  ! ${kind}/${name}: ${what.filter(Boolean).join('; ')}; workerd printed ${r.output.lines} lines, first: ${r.output.first ?? '-'}`);
  }
}

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
    // cloudflare:* modules are the runtime's own (the EdgescopeState Durable Object imports
    // cloudflare:workers); wrangler leaves them external too, so they add nothing to the bundle.
    external: ['*.wasm', 'cloudflare:*'],
    logLevel: 'silent',
  });
  return out.outputFiles[0].contents;
})();
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`sizes:`);
console.log(`  dist/edgescope.wasm: ${kib(wasm.length)} raw, ${kib(gzipSync(wasm).length)} gzipped`);
if (baseline) {
  const baseWasm = readFileSync(join(baseline.dir, 'dist/edgescope.wasm'));
  console.log(`  baseline dist/edgescope.wasm: ${kib(baseWasm.length)} raw, ${kib(gzipSync(baseWasm).length)} gzipped`);
}
console.log(`  examples/app bundle (JS, minified): ${kib(minified.length)} raw, ${kib(gzipSync(minified).length)} gzipped`);
console.log(`  examples/app total (JS + wasm): ${kib(minified.length + wasm.length)} raw, ${kib(gzipSync(minified).length + gzipSync(wasm).length)} gzipped`);
