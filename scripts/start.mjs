// `npm start`: runs the example app (examples/app) under `wrangler dev`, with a local capture
// collector (edgescope/testing) it reports to, and prints every span, metric and log that arrives,
// laid out for the terminal's width.
//
//   npm start [-- options]
//     --port N               the example app's port (default 8787, wrangler's own default)
//     --collector-port N     the capture collector's port (default 0: any free port, printed).
//                            Not 4318: that is the standard OTLP/HTTP port, where a local
//                            OpenTelemetry Collector is likely to be listening already.
//     --console              also print each record from inside the Worker, through
//                            exporters.console(), in wrangler's output
//     --help                 this text
//   Environment (a flag wins over its variable):
//     EDGESCOPE_PORT=N            as --port
//     EDGESCOPE_COLLECTOR_PORT=N  as --collector-port
//     EDGESCOPE_CONSOLE=1         as --console: passed to the Worker as the EDGESCOPE_CONSOLE var,
//                                 for which examples/app adds exporters.console() next to its
//                                 HTTP exporter (one `[edgescope] span|metric|log ...` line per
//                                 record, the layout `wrangler tail` shows)
//
// "open http://127.0.0.1:PORT/" is printed once the app answers: the script polls it with
// HEAD / requests carrying an unsampled traceparent, so the probe records no span (its request
// duration metric, method HEAD, is the only trace it leaves).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { lineFormatter } from '../js/format-lines.js';
import { startCollector } from '../js/testing/index.js';

const USAGE = `usage: npm start [-- --port N] [--collector-port N] [--console]
  --port N             the example app's port (default 8787; env EDGESCOPE_PORT)
  --collector-port N   the capture collector's port (default 0 = any free port; env EDGESCOPE_COLLECTOR_PORT)
  --console            also print records from inside the Worker via exporters.console() (env EDGESCOPE_CONSOLE=1)`;

const READY_POLL_MS = 250;
const READY_ATTEMPT_MS = 2000;
const SLOW_START_NOTE_MS = 30000;

function fail(message, code = 2) {
  console.error(`[start] ${message}`);
  process.exit(code);
}

function parseOptions(argv, env) {
  const options = {
    port: env.EDGESCOPE_PORT ?? '8787',
    portFrom: 'EDGESCOPE_PORT',
    collectorPort: env.EDGESCOPE_COLLECTOR_PORT ?? '0',
    collectorPortFrom: 'EDGESCOPE_COLLECTOR_PORT',
    console: env.EDGESCOPE_CONSOLE === '1',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--port') [options.port, options.portFrom] = [value(), '--port'];
    else if (flag === '--collector-port') [options.collectorPort, options.collectorPortFrom] = [value(), '--collector-port'];
    else if (flag === '--console') options.console = true;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown option ${argv[i]}\n${USAGE}`);
  }
  options.port = port(options.port, options.portFrom, 1);
  options.collectorPort = port(options.collectorPort, options.collectorPortFrom, 0);
  return options;
}

function port(text, from, min) {
  const n = /^\d+$/.test(String(text).trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > 65535) fail(`${from} must be a port number from ${min} to 65535 (got ${JSON.stringify(text)})`);
  return n;
}

// wrangler dev would otherwise fail later, with a message about its own internals.
async function assertPortFree(portNumber, hint) {
  const server = createServer();
  const error = await new Promise((resolve) => {
    server.once('error', resolve);
    server.listen(portNumber, '127.0.0.1', () => server.close(() => resolve(null)));
  });
  if (error) fail(`port ${portNumber} on 127.0.0.1 is not available (${error.code ?? error.message}); ${hint}`, 1);
}

const options = parseOptions(process.argv.slice(2), process.env);
await assertPortFree(options.port, 'another wrangler dev? pass --port N (or EDGESCOPE_PORT=N)');

const width = () => Math.max(60, (process.stdout.isTTY && process.stdout.columns) || 100);
let format = lineFormatter({ width: width() });
process.stdout.on('resize', () => (format = lineFormatter({ width: width() })));
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

let collector;
try {
  collector = await startCollector({
    port: options.collectorPort,
    onRecords({ spans, metrics, logs }, { format: wire, bytes, doc }) {
      console.log(`\n[collector] ${wire} payload, ${bytes} bytes: ${plural(spans.length, 'span')}, ${plural(metrics.length, 'metric')}, ${plural(logs.length, 'log')}`);
      if (wire === 'native') for (const line of format(doc)) console.log(line);
    },
  });
} catch (error) {
  const hint = options.collectorPort === 4318 ? ' (4318 is the OTLP port: is an OpenTelemetry Collector running?)' : '';
  fail(`the capture collector cannot listen on 127.0.0.1:${options.collectorPort}${hint}: ${error.code ?? error.message}; pass --collector-port N (or EDGESCOPE_COLLECTOR_PORT=N; 0 picks any free port)`, 1);
}
console.log(`[collector] capture collector listening on ${collector.url} (POST /ingest, /v1/traces|metrics|logs)`);

const wranglerBin = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
const args = [
  wranglerBin, 'dev',
  '--config', 'examples/app/wrangler.toml',
  '--ip', '127.0.0.1',
  '--port', String(options.port),
  '--var', `COLLECTOR_URL:${collector.nativeUrl}`,
];
if (options.console) args.push('--var', 'EDGESCOPE_CONSOLE:1');
const wrangler = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
let wranglerExited = false;

const appUrl = `http://127.0.0.1:${options.port}/`;
console.log(`[start] starting wrangler dev on ${appUrl}${options.console ? ' (with exporters.console())' : ''}; waiting for it to answer…`);

// A W3C traceparent whose sampled flag is 0: the app follows it and records no span for the probe.
function unsampledTraceparent() {
  const hex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `00-${hex(16)}-${hex(8)}-00`;
}

async function waitUntilAnswering() {
  const started = Date.now();
  let noted = false;
  let last = 'no answer yet';
  while (!wranglerExited) {
    try {
      const res = await fetch(appUrl, { method: 'HEAD', headers: { traceparent: unsampledTraceparent() }, signal: AbortSignal.timeout(READY_ATTEMPT_MS) });
      if (res.ok) return true;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.name ?? String(error);
    }
    if (!noted && Date.now() - started > SLOW_START_NOTE_MS) {
      noted = true;
      console.log(`[start] ${appUrl} has not answered after ${SLOW_START_NOTE_MS / 1000} s (last: ${last}); still waiting (wrangler's output above says why)`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  return false;
}

// Ctrl-C reaches wrangler too (same process group); a SIGTERM to this script alone is passed on.
// Either way wrangler is given a few seconds to stop its workerd before this script exits.
let stopping = null;
function shutdown(code) {
  stopping ??= (async () => {
    if (!wranglerExited) {
      wrangler.kill('SIGINT');
      await Promise.race([new Promise((resolve) => wrangler.once('exit', resolve)), new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    await collector.close();
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
wrangler.on('exit', (code) => {
  wranglerExited = true;
  shutdown(code ?? 0);
});

if (await waitUntilAnswering()) {
  console.log(`[start] example app: open ${appUrl} (try /api/items, /stream, /error); Ctrl-C stops both`);
}
