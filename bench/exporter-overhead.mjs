// What the HTTP exporter itself costs per request in workerd CPU, against a bare POST of the same
// payload: no recording, no encoding, no pipeline. CPU of each workerd process is read from outside
// (bench/workerd-cpu.mjs: schedstat of its threads, in ns), because workerd's clock does not
// advance during CPU work: never time code inside it. Sides run in rotating rounds (as in
// bench/formats.mjs), so machine noise hits them alike; compare differences within this run.
//   post           a bare POST of a prebuilt ~2.8 KB OTLP/JSON payload per request in waitUntil,
//                  body cancelled (bench/workers/exporter-post.js): the floor.
//   post-read      the same, the 2-byte response body read to its end instead of cancelled.
//   http           the same payload through exporters.http({ format: 'otlp-json', retries: 0 })
//                  .send() directly, the exporter built once per isolate
//                  (bench/workers/exporter-http.js).
//   http@<ref>     with BASE_REF=<git ref>: the same Worker bundled from that commit's js/ (taken
//                  with git archive into a temporary directory) and this tree's bench/workers/,
//                  so a change to the exporter is measured side by side against the code before it.
// The loopback collector answers 200 with `{}` as application/json (an empty OTLP response: full
// success), so the exporter's partial-success read runs as it does against a real collector. A
// round ends when every request's POST has arrived, so the export's CPU is in the round.
//
// Environment: ROUNDS, PER_ROUND (default 8 x 400); BASE_REF (optional, see above); FORMAT, the
// exporter's wire format (default otlp-json; 'native' takes the path that reads no partial success).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker } from '../js/testing/index.js';
import { cpuNs, drive, launch, positive, rotation, threadsShortfallMs } from './workerd-cpu.mjs';

const ROUNDS = positive('ROUNDS', 8);
const PER_ROUND = positive('PER_ROUND', 400);
const WARM_UP = 100;
const QUIET_MS = 3000;


const here = (p) => fileURLToPath(new URL(p, import.meta.url));

async function collector() {
  const c = { posts: 0, expected: 0, missing: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      c.posts++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  c.url = `http://127.0.0.1:${server.address().port}`;
  c.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  });
  // Waits until every request so far has had its POST; what never came within QUIET_MS of the
  // last progress is counted and reported.
  c.settle = async (n) => {
    c.expected += n;
    let seen = c.posts;
    for (let quiet = 0; c.posts < c.expected; quiet += 10) {
      if (c.posts !== seen) [seen, quiet] = [c.posts, 0];
      if (quiet > QUIET_MS) {
        c.missing += c.expected - c.posts;
        c.expected = c.posts;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return c;
}

const specs = [
  { name: 'post', label: 'bare POST, body cancelled (floor)', entry: here('./workers/exporter-post.js') },
  { name: 'postRead', label: 'bare POST, body read', entry: here('./workers/exporter-post.js'), bindings: { READ: '1' } },
  { name: 'http', label: 'exporters.http().send() (this tree)', entry: here('./workers/exporter-http.js') },
];
let baseDir = null;
if (process.env.BASE_REF) {
  const ref = process.env.BASE_REF;
  baseDir = mkdtempSync(join(tmpdir(), 'exporter-base-'));
  // That commit's js/ with this tree's bench Workers: a base older than this bench has no
  // bench/workers/exporter-*.js, and the Workers only call exporters.http(), unchanged in shape.
  const tar = execFileSync('git', ['archive', ref, 'js'], { cwd: here('..'), maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', baseDir], { input: tar });
  cpSync(here('./workers'), join(baseDir, 'bench/workers'), { recursive: true });
  specs.push({ name: 'base', label: `exporters.http().send() (${ref})`, entry: join(baseDir, 'bench/workers/exporter-http.js') });
}

const sides = {};
for (const spec of specs) {
  const c = await collector();
  const bundle = await bundleWorker(spec.entry);
  sides[spec.name] = { ...spec, ...(await launch(bundle, { COLLECTOR_URL: c.url, FORMAT: process.env.FORMAT ?? 'otlp-json', ...spec.bindings })), collector: c, perRound: [], bad: 0, firstBad: null };
}
if (baseDir) rmSync(baseDir, { recursive: true, force: true });


const names = Object.keys(sides);
for (const side of Object.values(sides)) {
  await drive(side, WARM_UP);
  await side.collector.settle(WARM_UP);
  side.bad = 0;
}
for (let round = 0; round < ROUNDS; round++) {
  for (const name of rotation(names, round)) {
    const side = sides[name];
    const start = cpuNs(side.pid);
    await drive(side, PER_ROUND);
    await side.collector.settle(PER_ROUND);
    side.perRound[round] = (cpuNs(side.pid) - start) / 1e6 / PER_ROUND;
  }
}
for (const side of Object.values(sides)) {
  side.shortfallMs = threadsShortfallMs(side.pid);
  await side.worker.dispose();
  await side.collector.close();
  side.ms = side.perRound.reduce((a, b) => a + b, 0) / ROUNDS;
  side.broken = side.bad > 0 || side.collector.missing > 0 || side.output.lines > 0;
}

const signed = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
function diff(a, b) {
  const d = a.perRound.map((v, i) => v - b.perRound[i]);
  return `${signed(a.ms - b.ms)} (${signed(Math.min(...d))}..${signed(Math.max(...d))})`;
}
const floor = sides.post;
const readFloor = sides.postRead;
console.log(`\nworkerd CPU per request (ms), ${ROUNDS} rotating rounds × ${PER_ROUND} requests per side; in parentheses the smallest..largest per-round difference:\n`);
console.log(`| side | ms CPU/request | over the POST, body cancelled | over the POST, body read |${sides.base ? ' over the base ref |' : ''}`);
console.log(`| --- | ---: | ---: | ---: |${sides.base ? ' ---: |' : ''}`);
for (const s of Object.values(sides)) {
  const overBase = sides.base ? ` ${s === sides.http ? diff(s, sides.base) : '–'} |` : '';
  console.log(`| ${s.label}${s.broken ? ' !' : ''} | ${s.ms.toFixed(3)} | ${s === floor ? '–' : diff(s, floor)} | ${s === floor || s === readFloor ? '–' : diff(s, readFloor)} |${overBase}`);
}
for (const s of Object.values(sides)) {
  const problems = [
    s.bad > 0 && `${s.bad} responses wrong (first: ${s.firstBad})`,
    s.collector.missing > 0 && `${s.collector.missing} POSTs never arrived`,
    s.shortfallMs > 20 && `exited threads took ${s.shortfallMs.toFixed(0)} ms the per-thread count cannot see`,
    s.output.lines > 0 && `workerd printed ${s.output.lines} lines, first: ${s.output.first}`,
  ].filter(Boolean);
  if (problems.length > 0) console.log(`! ${s.label}: ${problems.join('; ')}`);
}
