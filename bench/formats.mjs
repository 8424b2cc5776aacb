// What each wire format costs per request, in workerd CPU and in bytes on the wire, from one run.
//
// CPU time of each workerd process is read from outside (bench/workerd-cpu.mjs: the sum of its
// threads' /proc/<pid>/task/<tid>/schedstat, in ns), because workerd's clock does not advance
// during CPU work: never time code inside it. All sides run side by side in rotating rounds, so
// machine noise hits them alike; compare ratios and differences within this run:
//   plain        the handler without edgescope (bench/workers/plain.js, a short string body).
//   POST floor   plain plus one POST of a prebuilt ~2 KB body per request in waitUntil
//                (bench/workers/plain-with-post.js): the export's I/O without recording or
//                encoding. No export can cost less than the subrequest that carries it.
//   <format>, <compression>
//                edgescope exporting every request (bench/workers/formats-instrumented.js: root
//                span + 5 child spans with 2 attributes each, 3 metric updates, 1 log line), once
//                per wire format the checkout's core encodes (js/core/tables.js WireFormat) and
//                per request compression the exporters offer (js/exporters/compress.js).
//   unsampled    the same Worker with sampleRate 0: no spans are recorded; metrics and the log
//                line still are and are exported (README, `sampleRate`), in the native format.
//
// Bytes on the wire are counted at the loopback collector each side exports to: the request bodies
// as received (compressed when the side compresses), per measured request. The collector answers
// 200 with an empty OTLP response in the request's content type (OTLP/HTTP "Response": an empty
// ExportXServiceResponse is full success) and decodes nothing but gzip. A round ends when every
// request's export has arrived, so its CPU is in the round: for edgescope when its log line has
// (the bytes "handled", the workload's log message, in the decompressed body: a string field is
// raw UTF-8 in JSON and protobuf alike), for the POST floor when its POST has.
//
// Environment:
//   ROUNDS, PER_ROUND   rotating rounds, and requests per side per round (default 6 x 300).
//   FORMATS=a,b         the wire formats to measure (default: every one the core encodes).
//   COMPRESSION=a,b     the compressions to measure (default: every one the exporters offer).
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { bundleWorker } from '../js/testing/index.js';
import { WireFormat } from '../js/core/tables.js';
import { COMPRESSIONS } from '../js/exporters/compress.js';
import { cpuNs, drive, launch, rotation, threadsShortfallMs } from './workerd-cpu.mjs';

const ROUNDS = positive('ROUNDS', 6);
const PER_ROUND = positive('PER_ROUND', 300);
const WARM_UP = 50;
const formats = pick('FORMATS', Object.keys(WireFormat));
const compressions = pick('COMPRESSION', COMPRESSIONS);
const QUIET_MS = 3000; // a side whose exports stop arriving is not waited for beyond this
const MARKER = Buffer.from('handled'); // the workload's log message (bench/workers/workload.js)

function positive(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(process.env[name])}`);
  return value;
}

function pick(name, known) {
  if (process.env[name] === undefined) return known;
  const chosen = process.env[name].split(',').map((s) => s.trim()).filter(Boolean);
  for (const c of chosen) if (!known.includes(c)) throw new Error(`${name}: unknown ${JSON.stringify(c)}; this checkout has ${known.join(', ')}`);
  if (chosen.length === 0) throw new Error(`${name}: empty; use one or more of ${known.join(',')}`);
  return chosen;
}

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

// ---- the loopback collector of one side --------------------------------------------------

function occurrences(haystack, needle) {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

async function countingCollector() {
  const c = { posts: 0, wireBytes: 0, bodyBytes: 0, handled: 0, expected: {}, missing: 0, refused: 0, firstRefusal: null };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const wire = Buffer.concat(chunks);
      let body = wire;
      try {
        if (/gzip/i.test(req.headers['content-encoding'] ?? '')) body = gunzipSync(wire);
      } catch (error) {
        c.refused++;
        c.firstRefusal ??= `corrupt gzip body: ${error.message}`;
        res.writeHead(400).end();
        return;
      }
      c.posts++;
      c.wireBytes += wire.length;
      c.bodyBytes += body.length;
      c.handled += occurrences(body, MARKER);
      const type = String(req.headers['content-type'] ?? '');
      if (type.startsWith('application/json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': type || 'application/octet-stream' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  c.url = `http://127.0.0.1:${server.address().port}`;
  c.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  });
  // Waits until every request so far has had its POST (`posts`) or its log line (`handled`)
  // delivered: a round's CPU includes its exports. What never came within QUIET_MS of the last
  // progress is counted and reported.
  c.settle = async (requests, what) => {
    c.expected[what] = (c.expected[what] ?? 0) + requests;
    let seen = c[what];
    for (let quiet = 0; c[what] < c.expected[what]; quiet += 20) {
      if (c[what] !== seen) [seen, quiet] = [c[what], 0];
      if (quiet > QUIET_MS) {
        c.missing += c.expected[what] - c[what];
        c.expected[what] = c[what];
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return c;
}

// ---- the sides ---------------------------------------------------------------------------

const bundles = {
  plain: await bundleWorker(path('./workers/plain.js')),
  post: await bundleWorker(path('./workers/plain-with-post.js')),
  instrumented: await bundleWorker(path('./workers/formats-instrumented.js')),
};
const specs = [
  { name: 'plain', label: 'uninstrumented', bundle: 'plain' },
  { name: 'post', label: 'POST floor (plain + one POST of a prebuilt 2 KB body)', bundle: 'post', settleOn: 'posts' },
  ...formats.flatMap((format) =>
    compressions.map((compression) => ({ name: `${format}/${compression}`, label: `edgescope, ${format}, ${compression === 'none' ? 'uncompressed' : compression}`, bundle: 'instrumented', format, compression, sampleRate: 1, settleOn: 'handled' })),
  ),
  { name: 'unsampled', label: 'edgescope, unsampled (sampleRate 0), native', bundle: 'instrumented', format: 'native', compression: 'none', sampleRate: 0, settleOn: 'handled' },
];

const sides = {};
for (const spec of specs) {
  const collector = await countingCollector();
  const collectorUrl = spec.format === 'native' || spec.bundle === 'post' ? `${collector.url}/ingest` : collector.url;
  const bindings = { KIND: 'string', COLLECTOR_URL: collectorUrl, ...(spec.format ? { FORMAT: spec.format, COMPRESSION: spec.compression, SAMPLE_RATE: String(spec.sampleRate) } : {}) };
  sides[spec.name] = { ...spec, ...(await launch(bundles[spec.bundle], bindings)), collector, perRound: [], bad: 0, firstBad: null };
}

const names = Object.keys(sides);
const started = performance.now();
for (const side of Object.values(sides)) {
  await drive(side, WARM_UP);
  if (side.settleOn) await side.collector.settle(WARM_UP, side.settleOn);
  side.bad = 0; // problems during warm-up show again in the rounds; count the rounds only
  side.from = { ...side.collector };
}
for (let round = 0; round < ROUNDS; round++) {
  for (const name of rotation(names, round)) {
    const side = sides[name];
    const start = cpuNs(side.pid);
    await drive(side, PER_ROUND);
    if (side.settleOn) await side.collector.settle(PER_ROUND, side.settleOn); // the export's CPU counts too
    side.perRound[round] = (cpuNs(side.pid) - start) / 1e6 / PER_ROUND;
  }
}
const seconds = (performance.now() - started) / 1000;
for (const side of Object.values(sides)) {
  side.shortfallMs = threadsShortfallMs(side.pid);
  await side.worker.dispose();
  await side.collector.close();
  const c = side.collector;
  const requests = ROUNDS * PER_ROUND;
  side.ms = side.perRound.reduce((a, b) => a + b, 0) / ROUNDS;
  side.postsPerRequest = (c.posts - side.from.posts) / requests;
  side.wirePerRequest = (c.wireBytes - side.from.wireBytes) / requests;
  side.bodyPerRequest = (c.bodyBytes - side.from.bodyBytes) / requests;
  side.missing = c.missing - side.from.missing;
  side.refused = c.refused;
  side.broken = side.bad > 0 || side.missing > 0 || side.refused > 0;
}

// ---- report --------------------------------------------------------------------------------

const signed = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
const mark = (...s) => (s.some((x) => x.broken) ? ' !' : '');
// The difference per round, paired within the round: its spread is the noise this run saw.
function added(a, b) {
  const diffs = a.perRound.map((v, i) => v - b.perRound[i]);
  return `${signed(a.ms - b.ms)} (${signed(Math.min(...diffs))}..${signed(Math.max(...diffs))})${mark(a, b)}`;
}
const ratio = (a, b) => `${(a.ms / b.ms).toFixed(2)}×`;
const bytes = (s) => {
  if (s.postsPerRequest === 0) return '–';
  const wire = Math.round(s.wirePerRequest).toLocaleString('en-US');
  const body = s.wirePerRequest === s.bodyPerRequest ? '' : ` (${Math.round(s.bodyPerRequest).toLocaleString('en-US')} uncompressed)`;
  return `${wire}${body}`;
};
const posts = (s) => (Number.isInteger(s.postsPerRequest) ? String(s.postsPerRequest) : s.postsPerRequest.toFixed(2));

const plain = sides.plain;
const floor = sides.post;
console.log(`\nworkerd CPU per request (ms), ${ROUNDS} rotating rounds × ${PER_ROUND} requests per side, one run (${seconds.toFixed(0)} s); in parentheses the smallest..largest difference within one round:\n`);
console.log('| side | ms CPU/request | added over uninstrumented | × | added over the POST floor | × | POSTs/request | bytes on the wire/request |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const s of Object.values(sides)) {
  const overPlain = s === plain ? '–' : added(s, plain);
  const overFloor = s === plain || s === floor ? '–' : added(s, floor);
  console.log(`| ${s.label} | ${s.ms.toFixed(3)}${mark(s)} | ${overPlain} | ${s === plain ? '1.00×' : ratio(s, plain)} | ${overFloor} | ${s === plain || s === floor ? '–' : ratio(s, floor)} | ${posts(s)} | ${bytes(s)} |`);
}
console.log(`\nformats: ${formats.join(', ')} (js/core/tables.js WireFormat); compression: ${compressions.join(', ')}; workload: root + 5 child spans with 2 attributes each, 3 metric updates, 1 log line, exported every request with retries: 0`);
console.log('bytes on the wire: request bodies as the loopback collector received them, per measured request (headers not counted)');
for (const s of Object.values(sides)) {
  const problems = [
    s.bad > 0 && `${s.bad} of ${ROUNDS * PER_ROUND} responses wrong (first: ${s.firstBad})`,
    s.missing > 0 && `${s.missing} exports never arrived`,
    s.refused > 0 && `${s.refused} export bodies refused (first: ${s.firstRefusal})`,
    s.shortfallMs > 20 && `threads that exited took ${s.shortfallMs.toFixed(0)} ms of CPU the per-thread count cannot see`,
  ].filter(Boolean);
  if (problems.length > 0 || s.output.lines > 0) {
    console.log(`! ${s.label}: ${problems.join('; ') || 'no problem counted'}; workerd printed ${s.output.lines} lines, first: ${s.output.first ?? '-'}`);
  }
}
