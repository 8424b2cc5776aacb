// `npm start`: the example app (examples/app) and the edgescope collector (examples/collector)
// together under `wrangler dev`, on local D1 — no Cloudflare account, no setup — with a traffic
// generator so the collector's dashboard has data within seconds.
//
//   1. applies the collector's D1 migrations (every file in examples/collector/migrations) to a
//      local database: `wrangler d1 migrations apply edgescope --local --persist-to DIR`;
//   2. generates an ingest token for this run and hands it to both Workers as a local secret
//      (`--env-file`, a file in a fresh temporary directory, mode 0600, removed on exit: never in
//      the repository and never on a command line, where `ps` would show it);
//   3. starts the collector (`wrangler dev`, same DIR, so it sees the migrated database) with the
//      var EDGESCOPE_LOCAL_READ=1: its query API and dashboard answer loopback requests without a
//      read token (examples/collector/src/index.js says why that stays local);
//   4. starts the app with COLLECTOR_URL = the collector's /api/observe/ingest and the token;
//   5. once both answer, prints the dashboard's and the app's URLs and starts the traffic;
//   6. when the collector's configuration has triggers.crons, fires them at the start of every
//      minute (wrangler dev --test-scheduled; start-cron.mjs), as Cloudflare's cron trigger would.
// Ctrl-C (or SIGTERM) stops the traffic and both wrangler process groups, workerd included.
//
//   npm start [-- options]; a flag wins over its environment variable:
//     --port N             EDGESCOPE_PORT            the app (default 8787)
//     --collector-port N   EDGESCOPE_COLLECTOR_PORT  the collector and its dashboard (default
//                                                    8788; 0 = any free port). Not 4318: that is
//                                                    where a local OpenTelemetry Collector listens.
//     --persist-to DIR     EDGESCOPE_PERSIST_TO      local D1 (and cache) state, kept between runs
//                                                    (default .wrangler/edgescope-start)
//     --no-traffic         EDGESCOPE_TRAFFIC=0       no generated requests
//     --verbose            EDGESCOPE_VERBOSE=1       also wrangler's line per request served, and
//                                                    its report of each /error exception
//     --console            EDGESCOPE_CONSOLE=1       the app also prints each record through
//                                                    exporters.console(), in its wrangler output
//     --help
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTraffic } from './start-traffic.mjs';
import { runWrangler, stopWrangler } from './start-wrangler.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP_CONFIG = join(ROOT, 'examples/app/wrangler.toml');
const COLLECTOR_CONFIG = join(ROOT, 'examples/collector/wrangler.jsonc');
const INGEST_PATH = '/api/observe/ingest';
const APP_DELIBERATE_ERROR = 'Error: something broke on purpose'; // examples/app's /error

const USAGE = `usage: npm start [-- options]
  --port N             the example app's port (default 8787; env EDGESCOPE_PORT)
  --collector-port N   the collector and its dashboard (default 8788, 0 = any free port; env EDGESCOPE_COLLECTOR_PORT)
  --persist-to DIR     local D1 state, kept between runs (default .wrangler/edgescope-start; env EDGESCOPE_PERSIST_TO)
  --no-traffic         do not generate requests to the app (env EDGESCOPE_TRAFFIC=0)
  --verbose            also print wrangler's line for every request served and each /error stack (env EDGESCOPE_VERBOSE=1)
  --console            the app also prints each record via exporters.console() (env EDGESCOPE_CONSOLE=1)
  --help               this text`;

const READY_POLL_MS = 250;
const READY_ATTEMPT_MS = 2000;
const SLOW_START_NOTE_MS = 30000;
const TRAFFIC_REPORT_MS = 15000;

function fail(message, code = 2) {
  console.error(`[start] ${message}`);
  process.exit(code);
}

function parseOptions(argv, env) {
  const options = {
    port: env.EDGESCOPE_PORT ?? '8787',
    portFrom: 'EDGESCOPE_PORT',
    collectorPort: env.EDGESCOPE_COLLECTOR_PORT ?? '8788',
    collectorPortFrom: 'EDGESCOPE_COLLECTOR_PORT',
    persistTo: env.EDGESCOPE_PERSIST_TO ?? join(ROOT, '.wrangler/edgescope-start'),
    traffic: env.EDGESCOPE_TRAFFIC !== '0',
    verbose: env.EDGESCOPE_VERBOSE === '1',
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
    else if (flag === '--persist-to') options.persistTo = value();
    else if (flag === '--no-traffic') options.traffic = false;
    else if (flag === '--verbose') options.verbose = true;
    else if (flag === '--console') options.console = true;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown option ${argv[i]}\n${USAGE}`);
  }
  options.port = port(options.port, options.portFrom, 1);
  options.collectorPort = port(options.collectorPort, options.collectorPortFrom, 0);
  if (options.collectorPort === options.port) fail(`${options.collectorPortFrom} and ${options.portFrom} are both ${options.port}: the app and the collector need a port each`);
  if (options.persistTo.trim() === '') fail('--persist-to (or EDGESCOPE_PERSIST_TO) must name a directory');
  options.persistTo = resolve(options.persistTo);
  return options;
}

function port(text, from, min) {
  const n = /^\d+$/.test(String(text).trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > 65535) fail(`${from} must be a port number from ${min} to 65535 (got ${JSON.stringify(text)})`);
  return n;
}

// Listens on 127.0.0.1:portNumber and closes again: the port it got (any free one for 0), or an
// error code. wrangler dev would otherwise fail later, with a message about its own internals.
async function probePort(portNumber) {
  const server = createServer();
  return new Promise((done) => {
    server.once('error', (error) => done({ error: error.code ?? error.message }));
    server.listen(portNumber, '127.0.0.1', () => {
      const got = server.address().port;
      server.close(() => done({ port: got }));
    });
  });
}

async function freePort(portNumber, hint) {
  const { port: got, error } = await probePort(portNumber);
  if (error) fail(`port ${portNumber} on 127.0.0.1 is not available (${error}); ${hint}`, 1);
  return got;
}

// The run's secrets, one env file per Worker (wrangler dev --env-file), in a directory only this
// user can read; removed on exit, however this script ends.
function writeSecrets(token) {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-start-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = (name, text) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  return { collector: file('collector.env', `INGEST_TOKEN=${token}\n`), app: file('app.env', `COLLECTOR_TOKEN=${token}\n`) };
}

// `wrangler d1 migrations apply`: every migration in the collector's migrations_dir not yet
// applied to the local database in persistTo. Its output is shown only when it fails.
async function applyMigrations(persistTo, database) {
  const lines = [];
  const run = runWrangler(['d1', 'migrations', 'apply', database, '--local', '--persist-to', persistTo, '--config', COLLECTOR_CONFIG], {
    label: 'd1',
    print: false,
    collect: lines,
    env: { CI: '1' }, // non-interactive: wrangler applies without asking (it says so in its output)
  });
  stopOnSignal = () => stopWrangler(run);
  const code = await run.exited;
  stopOnSignal = null;
  if (code !== 0) {
    for (const line of lines) console.error(`[d1] ${line}`);
    fail(`applying the collector's D1 migrations to ${persistTo} failed (wrangler exited with ${code}); its output is above`, 1);
  }
  // wrangler prints its status table after each migration: each name once, in order.
  const applied = [...new Set(lines.map((line) => /(\d+_\S+\.sql)\s*│\s*✅/.exec(line)?.[1]).filter(Boolean))];
  console.log(`[start] local D1 in ${persistTo}: ${applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date'}`);
}

function devArgs(config, portNumber, inspectorPort, persistTo, envFile, vars) {
  const args = ['dev', '--config', config, '--ip', '127.0.0.1', '--port', String(portNumber), '--inspector-port', String(inspectorPort), '--persist-to', persistTo, '--env-file', envFile, '--show-interactive-dev-session=false'];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  return args;
}

// An unsampled W3C traceparent (sampled flag 0): the app records no span for a readiness probe.
function unsampledTraceparent() {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
}

// Polls url until isReady(response); false if the process exits first.
async function waitUntilAnswering(url, proc, init, isReady) {
  let exited = false;
  proc.exited.then(() => (exited = true));
  const started = Date.now();
  let noted = false;
  let last = 'no answer yet';
  while (!exited) {
    try {
      const res = await fetch(url, { ...init(), signal: AbortSignal.timeout(READY_ATTEMPT_MS) });
      await res.arrayBuffer();
      if (isReady(res)) return true;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.name ?? String(error);
    }
    if (!noted && Date.now() - started > SLOW_START_NOTE_MS) {
      noted = true;
      console.log(`[start] ${url} has not answered after ${SLOW_START_NOTE_MS / 1000} s (last: ${last}); still waiting (the [${proc.label}] lines say why)`);
    }
    await new Promise((done) => setTimeout(done, READY_POLL_MS));
  }
  return false;
}

let stopOnSignal = null; // what a signal stops while the migrations run
let stopping = null;
let everything = null; // stops the traffic and both Workers, set once they are started
function shutdown(code) {
  stopping ??= (async () => {
    if (everything) await everything();
    else if (stopOnSignal) await stopOnSignal();
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGHUP', () => shutdown(0));

const options = parseOptions(process.argv.slice(2), process.env);
const appPort = await freePort(options.port, 'another wrangler dev? pass --port N (or EDGESCOPE_PORT=N)');
const collectorHint = options.collectorPort === 4318 ? ' (4318 is the OTLP port: is an OpenTelemetry Collector running?)' : '';
const collectorPort = await freePort(options.collectorPort, `pass --collector-port N (or EDGESCOPE_COLLECTOR_PORT=N; 0 picks any free port)${collectorHint}`);
const inspectorPorts = [await freePort(0, ''), await freePort(0, '')];

// The collector's D1 database name and cron expressions, from its wrangler configuration.
// (start-cron.mjs loads wrangler's config reader, which takes a moment: not needed for --help.)
const { readCollectorConfig, startCronTrigger } = await import('./start-cron.mjs');
let collectorConfig;
try {
  collectorConfig = readCollectorConfig(COLLECTOR_CONFIG);
} catch (error) {
  fail(`cannot read the collector's configuration: ${error.message}`, 1);
}

mkdirSync(options.persistTo, { recursive: true });
await applyMigrations(options.persistTo, collectorConfig.database);
if (stopping) await stopping;

const token = randomBytes(24).toString('base64url');
const secrets = writeSecrets(token);
const collectorUrl = `http://127.0.0.1:${collectorPort}/`;
const appUrl = `http://127.0.0.1:${appPort}/`;

const collectorArgs = devArgs(COLLECTOR_CONFIG, collectorPort, inspectorPorts[0], options.persistTo, secrets.collector, { EDGESCOPE_LOCAL_READ: '1' });
// --test-scheduled: /__scheduled runs the cron (start-cron.mjs), as the platform's trigger would.
if (collectorConfig.crons.length) collectorArgs.push('--test-scheduled');
const collector = runWrangler(collectorArgs, { label: 'collector', quietRequests: !options.verbose });
const appVars = { COLLECTOR_URL: new URL(INGEST_PATH, collectorUrl).href, ...(options.console ? { EDGESCOPE_CONSOLE: '1' } : {}) };
// The app keeps its Cache API state apart from the collector's D1 (wrangler dev keeps both under
// --persist-to; one directory per Worker keeps them from sharing a lock).
const app = runWrangler(devArgs(APP_CONFIG, appPort, inspectorPorts[1], join(options.persistTo, 'app'), secrets.app, appVars), {
  label: 'app',
  quietRequests: !options.verbose,
  // The app's /error throws on purpose (the generated traffic calls it): wrangler's report of
  // that one exception, with its stack, is shown only with --verbose; any other error is shown.
  expectedErrors: options.verbose ? [] : [APP_DELIBERATE_ERROR],
});

let traffic = null;
let report = null;
let cron = null;
everything = async () => {
  clearInterval(report);
  await Promise.all([traffic?.stop(), cron?.stop()]);
  await Promise.all([stopWrangler(app), stopWrangler(collector)]);
};
for (const proc of [collector, app]) {
  proc.exited.then((code) => {
    if (stopping) return;
    console.error(`[start] wrangler dev for the ${proc.label} exited (code ${code}); stopping the other`);
    shutdown(code || 1);
  });
}
console.log(`[start] starting the collector (${collectorUrl}) and the app (${appUrl}) under wrangler dev; waiting for both to answer…`);

const ready = await Promise.all([
  // Any HTTP answer: the collector's router is up (its routes need a token or data; / may be 404).
  waitUntilAnswering(collectorUrl, collector, () => ({}), () => true),
  waitUntilAnswering(appUrl, app, () => ({ method: 'HEAD', headers: { traceparent: unsampledTraceparent() } }), (res) => res.ok),
]);
if (ready.every(Boolean) && !stopping) {
  console.log(`[start] dashboard: open ${collectorUrl}`);
  console.log(`[start] example app: ${appUrl} (try /api/items, /api/price?sku=3, /stream, /error)`);
  if (collectorConfig.crons.length) {
    cron = startCronTrigger(collectorUrl, collectorConfig.crons, {
      onRun: ({ cron: expression, ok, status, detail }) => {
        if (!ok) console.error(`[start] the collector's cron (${expression}) failed: ${status ? `HTTP ${status}` : 'no answer'} ${detail}`);
      },
    });
    console.log(`[start] the collector's cron (${collectorConfig.crons.join(', ')}) runs at the start of every minute (wrangler dev --test-scheduled)`);
  }
  if (options.traffic) {
    traffic = startTraffic(appUrl);
    console.log(`[start] generating traffic to the app (about 5 requests/s; --no-traffic turns it off); Ctrl-C stops everything`);
    let before = traffic.counts();
    report = setInterval(() => {
      const now = traffic.counts();
      const last = before;
      const d = (key) => now[key] - last[key];
      before = now;
      console.log(`[traffic] ${d('requests')} requests in ${TRAFFIC_REPORT_MS / 1000} s: ${d('ok')} ok, ${d('clientErrors')} 4xx, ${d('serverErrors')} 5xx (/error throws on purpose)${d('failed') ? `, ${d('failed')} unanswered` : ''} (${now.requests} in all)${cron ? `, ${cron.runs()} cron runs` : ''}; dashboard ${collectorUrl}`);
    }, TRAFFIC_REPORT_MS);
  } else {
    console.log('[start] no generated traffic (--no-traffic); Ctrl-C stops everything');
  }
}
