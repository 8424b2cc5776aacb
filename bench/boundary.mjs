// The JavaScript side of the hot path in Node: each API call the benchmark Worker makes, timed per
// call in ns, and the whole request (bench/workers/workload.js under an invocation scope, as
// instrument() runs it) in µs, for one or more checkouts side by side. workerd's clock is frozen
// during CPU work, so this runs in Node; bench/workerd-overhead.mjs measures workerd from outside.
//
// Usage: node bench/boundary.mjs [checkout-dir ...]
//   Each argument is the root of an edgescope checkout with a built dist/edgescope.wasm (for
//   example the baseline worktree bench/workerd-overhead.mjs leaves under /tmp); without any, this
//   checkout. The first column is the first checkout.
// Environment: CALLS (calls per timed round, default 2000), ROUNDS (default 15; the median round
//   is reported), REQUESTS (requests per round of the request rows, default 300).
// Profile: node --cpu-prof --cpu-prof-dir=/tmp/prof bench/boundary.mjs, or PROFILE=request to run
//   only the sampled request workload (REQUESTS x ROUNDS of it) so the profile shows nothing else;
//   EDGESCOPE_WASM=<file> loads that module instead of dist/edgescope.wasm (one checkout only), e.g.
//   one linked with emcc --profiling-funcs so that the profile names the core's functions.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const CALLS = Number(process.env.CALLS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const REQUESTS = Number(process.env.REQUESTS ?? 300);
const PROFILE = process.env.PROFILE ?? '';

const here = fileURLToPath(new URL('..', import.meta.url));
const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((d) => resolve(d)) : [here];

// An exporter that accepts every payload without sending it: the export's I/O is not measured here.
function nullExporter(format) {
  return {
    name: `null-${format}`,
    format,
    endpoint: 'null',
    async send(payloads) {
      return payloads.map((p) => ({ ok: true, records: p.records }));
    },
  };
}

async function loadSide(dir) {
  const at = (p) => pathToFileURL(resolve(dir, p)).href;
  if (process.env.EDGESCOPE_WASM) {
    // A module built with names (emcc --profiling-funcs), so a profile names the core's functions.
    const { provideModule } = await import(at('js/core/module-slot.js'));
    provideModule(new WebAssembly.Module(readFileSync(process.env.EDGESCOPE_WASM)));
  } else {
    await import(at('js/entry/node.js')); // provides the wasm module to this checkout's module slot
  }
  const { createTelemetry } = await import(at('js/telemetry.js'));
  const { InvocationScope } = await import(at('js/invocation-scope.js'));
  const { serverRequestAttributes } = await import(at('js/http-attributes.js'));
  const { recordWork } = await import(at('bench/workers/workload.js')).catch(() => import(pathToFileURL(resolve(here, 'bench/workers/workload.js')).href));
  return { dir, createTelemetry, InvocationScope, serverRequestAttributes, recordWork };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// ns per call: `setup()` runs untimed before each round and returns the state `call(state, i)`
// gets; `teardown(state)` runs untimed after it (a flush, so bounds are never reached).
function perCall({ setup, call, teardown }) {
  const rounds = [];
  for (let r = 0; r < ROUNDS + 2; r++) {
    const state = setup();
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) call(state, i);
    const ns = Number(process.hrtime.bigint() - start) / CALLS;
    teardown?.(state);
    if (r >= 2) rounds.push(ns); // two warm-up rounds
  }
  return median(rounds);
}

// The request of the benchmark Worker, as instrument() runs it (js/instrument.js runFetch) minus
// the body watcher and workerd's own work: the invocation scope, the server root span from the
// request, recordWork(), the finalize (root attributes, end, flush: drain, encode, release, the
// exporter's send) and the background wait.
async function oneRequest(side, t, request, response) {
  t.beginInvocation();
  const waits = [];
  const scope = new side.InvocationScope(t, { waitUntil: (p) => waits.push(p) });
  const { span } = t.startRemoteSpan(request.method, {
    kind: 'server',
    traceparent: request.headers.get('traceparent') ?? '',
    tracestate: request.headers.get('tracestate') ?? '',
    attributes: side.serverRequestAttributes(request, t.config.capture),
    scope,
  });
  scope.attach(span, request.method);
  side.recordWork(scope, new URL(request.url));
  scope.noteResponse(response);
  scope.finalize({ response, outcome: 'complete' });
  await scope.done;
}

// µs per request for every side, their rounds interleaved (side order rotating each round).
async function perRequest(list, config) {
  const states = list.map((side) => {
    const t = side.createTelemetry({ service: 'bench', requestMetrics: false, exporter: nullExporter('native'), ...config });
    const requests = Array.from({ length: 10 }, (_, i) => new Request(`http://bench.example/item/${i}`, { headers: { 'user-agent': 'bench/1.0' } }));
    return { side, t, requests, rounds: [] };
  });
  const response = new Response('hello', { headers: { 'content-type': 'text/plain' } });
  for (let r = 0; r < ROUNDS + 2; r++) {
    for (let k = 0; k < states.length; k++) {
      const state = states[(k + r) % states.length];
      const start = process.hrtime.bigint();
      for (let i = 0; i < REQUESTS; i++) await oneRequest(state.side, state.t, state.requests[i % 10], response);
      if (r >= 2) state.rounds.push(Number(process.hrtime.bigint() - start) / REQUESTS / 1000);
    }
  }
  for (const state of states) state.t.dispose();
  return states.map((state) => median(state.rounds));
}

// The per-call rows. Each runs on a fresh Telemetry with the native format and every request
// sampled (unsampled rows say so).
function callRows(side) {
  const make = (config = {}) => side.createTelemetry({ service: 'bench', requestMetrics: false, exporter: nullExporter('native'), ...config });
  const t = make();
  const tu = make({ sampleRate: 0 });
  const drainAll = (tel) => {
    tel.core.drain();
    tel.core.release();
  };
  const span = (tel) => ({
    setup: () => ({ root: tel.startSpan('root'), child: null }),
    call: (s) => {
      s.child = tel.startSpan('step', { parent: s.root });
      s.child.end();
    },
    teardown: (s) => {
      s.root.end();
      drainAll(tel);
    },
  });
  // CALLS stays under maxFinishedSpans and maxLogs (4096), so nothing is refused by a bound while
  // it is timed.
  const rows = [];
  const row = (name, spec) => rows.push([name, () => perCall(spec)]);
  row('startSpan + end (child)', span(t));
  row('startSpan + end, unsampled', span(tu));
  row('trace(fn) (child)', {
    ...span(t),
    call: (s) => t.trace('step', () => {}, { parent: s.root }),
  });
  row('setAttribute int', {
    setup: () => ({ root: t.startSpan('root') }),
    call: (s, i) => s.root.setAttribute('step.index', i),
    teardown: (s) => {
      s.root.end();
      drainAll(t);
    },
  });
  row('setAttribute string', {
    setup: () => ({ root: t.startSpan('root') }),
    call: (s) => s.root.setAttribute('step.kind', 'compute'),
    teardown: (s) => {
      s.root.end();
      drainAll(t);
    },
  });
  row('setAttribute string, unsampled', {
    setup: () => ({ root: tu.startSpan('root') }),
    call: (s) => s.root.setAttribute('step.kind', 'compute'),
    teardown: (s) => {
      s.root.end();
      drainAll(tu);
    },
  });
  row('setAttributes (7 server attrs)', {
    setup: () => ({ root: t.startSpan('root') }),
    call: (s) =>
      s.root.setAttributes({
        'http.request.method': 'GET',
        'url.full': 'http://bench.example/item/3',
        'url.scheme': 'http',
        'server.address': 'bench.example',
        'server.port': 80,
        'url.path': '/item/3',
        'faas.trigger': 'http',
      }),
    teardown: (s) => {
      s.root.end();
      drainAll(t);
    },
  });
  row('metrics.increment (tagged)', {
    setup: () => null,
    call: () => t.metrics.increment('bench.requests', 1, { path: '/item/3' }),
    teardown: () => drainAll(t),
  });
  row('metrics.gauge (untagged)', {
    setup: () => null,
    call: () => t.metrics.gauge('bench.inflight', 1),
    teardown: () => drainAll(t),
  });
  const logRow = (tel) => ({
    setup: () => {
      const root = tel.startSpan('root');
      return { root, logger: tel.logger.forSpan(root) };
    },
    call: (s) => s.logger.info('handled', { path: '/item/3' }),
    teardown: (s) => {
      s.root.end();
      drainAll(tel);
    },
  });
  row('log.info (1 attr)', logRow(t));
  row('log.info, unsampled', logRow(tu));
  // One request's records (root + 5 children with 2 attributes, 3 metrics, 1 log), drained and
  // encoded: the flush's synchronous part, per call.
  const filled = (format) => ({
    setup: () => null,
    call: () => {
      const root = t.startSpan('GET');
      const scopeLike = { trace: (n, fn) => root.trace(n, fn), metrics: t.metrics, log: t.logger.forSpan(root) };
      side.recordWork(scopeLike, new URL('http://bench.example/item/3'));
      root.end();
      t.core.drain();
      t.core.encode(format);
      t.core.release();
    },
  });
  row('record + drain + encode native', filled('native'));
  row('record + drain + encode otlp-json', filled('otlp-json'));
  row('record only (same records)', {
    setup: () => null,
    call: (s, i) => {
      const root = t.startSpan('GET');
      const scopeLike = { trace: (n, fn) => root.trace(n, fn), metrics: t.metrics, log: t.logger.forSpan(root) };
      side.recordWork(scopeLike, new URL('http://bench.example/item/3'));
      root.end();
      if (i % 100 === 99) drainAll(t);
    },
    teardown: () => drainAll(t),
  });
  row('stats()', { setup: () => null, call: () => t.core.stats() });
  return rows;
}

const sides = [];
for (const dir of dirs) sides.push(await loadSide(dir));

if (PROFILE === 'request') {
  const results = await perRequest(sides, {});
  sides.forEach((side, i) => console.log(`${side.dir}: ${results[i].toFixed(2)} µs/request`));
} else {
  // Row by row, each side in turn (alternating which goes first), so load on the machine falls on
  // every side alike.
  const table = new Map();
  const perSide = sides.map((side) => callRows(side));
  perSide[0].forEach(([name], row) => {
    const cells = new Array(sides.length);
    const order = sides.map((_, i) => (row % 2 === 0 ? i : sides.length - 1 - i));
    for (const i of order) cells[i] = `${perSide[i][row][1]().toFixed(0)} ns`;
    table.set(name, cells);
  });
  const request = [
    ['request (sampled, exported)', {}],
    ['request (unsampled)', { sampleRate: 0 }],
  ];
  for (const [name, config] of request) {
    table.set(name, (await perRequest(sides, config)).map((us) => `${us.toFixed(1)} µs`));
  }
  const header = ['call', ...sides.map((s) => (s.dir === here ? 'this checkout' : s.dir))];
  const rows = [header, ...[...table].map(([name, cells]) => [name, ...cells])];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  console.log(`Node ${process.version}; median of ${ROUNDS} rounds, ${CALLS} calls (${REQUESTS} requests) per round`);
  for (const r of rows) console.log(`  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : (cell ?? '').padStart(widths[c]))).join('  ')}`);
}
