// `npm start` (scripts/start.mjs): the example app and the collector under `wrangler dev` on local
// D1, with generated traffic. Started here on free ports and a fresh state directory, the way a
// user runs it; D1 is read with `wrangler d1 execute --local`, the way a user would look.
// Linux only (the process checks read /proc), like the rest of the suite's machines.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START = join(ROOT, 'scripts/start.mjs');
const COLLECTOR_CONFIG = join(ROOT, 'examples/collector/wrangler.jsonc');
const WRANGLER = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
const ROUTES = ['/', '/api/items', '/api/price', '/stream', '/error'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// `wrangler d1 execute` against the local database npm start keeps in persistTo: the result rows.
async function query(persistTo, sql) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [WRANGLER, 'd1', 'execute', 'edgescope', '--local', '--persist-to', persistTo, '--config', COLLECTOR_CONFIG, '--json', '--command', sql],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout)[0].results;
}

// /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { pid, comm: text.slice(text.indexOf('(') + 1, close), state: fields[0], ppid: Number(fields[1]), started: fields[19] };
  } catch {
    return null; // gone
  }
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

// Every process below pid (children, their children...), as stat() records.
function descendants(pid) {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => stat(Number(name))).filter(Boolean);
  const out = [];
  const parents = [pid];
  while (parents.length) {
    const parent = parents.pop();
    for (const p of all) if (p.ppid === parent) (out.push(p), parents.push(p.pid));
  }
  return out;
}

// The same process (pid and start time) is still running: not gone, not a zombie.
const stillRunning = (p) => {
  const now = stat(p.pid);
  return now !== null && now.started === p.started && now.state !== 'Z';
};

function startNpmStart(args, env = {}) {
  const child = spawn(process.execPath, [START, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const lines = [];
  let text = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      text += chunk;
      lines.push(...chunk.split('\n').filter(Boolean));
    });
  }
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const waitFor = async (pattern, ms) => {
    const until = Date.now() + ms;
    for (;;) {
      const match = pattern.exec(text);
      if (match) return match;
      if (child.exitCode !== null || Date.now() > until) assert.fail(`no line matching ${pattern} (exit ${child.exitCode}); output:\n${text}`);
      await sleep(100);
    }
  };
  return { child, lines, exited, waitFor, output: () => text };
}

test('npm start -- --help lists every option; a bad one is refused by name', async () => {
  const help = startNpmStart(['--help']);
  assert.deepEqual(await help.exited, { code: 0, signal: null });
  for (const flag of ['--port N', '--collector-port N', '--persist-to DIR', '--no-traffic', '--verbose', '--console', '--help']) {
    assert.match(help.output(), new RegExp(`^  ${flag} `, 'm'), `--help lists ${flag}`);
  }
  const same = startNpmStart(['--port', '9999', '--collector-port', '9999']);
  assert.equal((await same.exited).code, 2);
  assert.match(same.output(), /--collector-port and --port are both 9999/);
  const unknown = startNpmStart(['--trafic']);
  assert.equal((await unknown.exited).code, 2);
  assert.match(unknown.output(), /unknown option --trafic/);
});

test('npm start serves the app and the collector on local D1, stores the generated traffic of every route, and Ctrl-C leaves no process behind', { timeout: 90_000 }, async (t) => {
  const persistTo = mkdtempSync(join(tmpdir(), 'edgescope-npm-start-'));
  t.after(() => rmSync(persistTo, { recursive: true, force: true }));
  const [port, collectorPort] = [await freePort(), await freePort()];
  const run = startNpmStart(['--port', String(port), '--collector-port', String(collectorPort), '--persist-to', persistTo]);
  const seen = new Map(); // pid -> stat record of every process npm start ran
  const record = () => {
    for (const p of descendants(run.child.pid)) seen.set(p.pid, p);
  };
  t.after(() => {
    // Only if an assertion failed midway: nothing of this run outlives the test.
    for (const p of seen.values()) if (stillRunning(p)) process.kill(p.pid, 'SIGKILL');
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
  });

  const [, dashboard] = await run.waitFor(/\[start\] dashboard: open (\S+)/, 60_000);
  assert.equal(dashboard, `http://127.0.0.1:${collectorPort}/`);
  await run.waitFor(new RegExp(`\\[start\\] example app: http://127\\.0\\.0\\.1:${port}/ `), 1000);
  assert.match(run.output(), /\[start\] local D1 in .*: applied 0001_init\.sql/);
  record();
  assert.ok([...seen.values()].filter((p) => p.comm === 'workerd').length >= 2, 'a workerd for each Worker');
  // The run's ingest token is a local secret: on no process's command line.
  for (const p of seen.values()) assert.doesNotMatch(cmdline(p.pid), /INGEST_TOKEN|COLLECTOR_TOKEN/);

  // The collector enforces the token it was given: a payload without it is refused.
  const refused = await fetch(`${dashboard}api/observe/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"service":"x"}' });
  assert.equal(refused.status, 401);
  await refused.arrayBuffer();

  // The traffic reaches D1 through the app's exporter: every route's request-duration points.
  const routesSql = `SELECT DISTINCT json_extract(tags, '$."http.route"') AS route FROM metric_points WHERE name = 'http.server.request.duration'`;
  let routes = [];
  for (const until = Date.now() + 40_000; Date.now() < until; await sleep(500)) {
    routes = (await query(persistTo, routesSql)).map((r) => r.route);
    if (ROUTES.every((r) => routes.includes(r))) break;
  }
  record();
  assert.deepEqual(routes.filter((r) => ROUTES.includes(r)).sort(), [...ROUTES].sort(), `routes stored so far: ${routes}`);
  const [stored] = await query(
    persistTo,
    `SELECT (SELECT count(*) FROM spans WHERE status = 'error' AND name = 'GET /error') AS errorSpans,
            (SELECT count(*) FROM spans WHERE batch_id NOT IN (SELECT batch_id FROM batches)) AS orphanSpans,
            (SELECT count(*) FROM metric_points WHERE name = 'edgescope.cache.lookups' AND json_extract(tags, '$."cache.tier"') = 'cache') AS cacheLookups,
            (SELECT count(*) FROM logs WHERE message = 'listed items') AS logs`,
  );
  assert.ok(stored.errorSpans >= 1, JSON.stringify(stored));
  assert.ok(stored.cacheLookups >= 1, JSON.stringify(stored));
  assert.ok(stored.logs >= 1, JSON.stringify(stored));
  assert.equal(stored.orphanSpans, 0);

  // Ctrl-C: npm start stops the traffic and both wrangler dev process groups, then exits 0.
  record();
  run.child.kill('SIGINT');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  for (let i = 0; i < 20 && [...seen.values()].some(stillRunning); i++) await sleep(100);
  const left = [...seen.values()].filter(stillRunning).map((p) => `${p.pid} ${p.comm} ${cmdline(p.pid)}`);
  assert.deepEqual(left, [], 'processes left running after npm start exited');
  // The run's secrets directory is gone with it.
  const secretsDir = /Using secrets defined in (\S+)\/collector\.env/.exec(run.output())?.[1];
  assert.ok(secretsDir, 'wrangler named the secrets file');
  // wrangler prints it relative to its working directory, the repository (npm start's too).
  assert.throws(() => readFileSync(resolve(ROOT, secretsDir, 'collector.env')), { code: 'ENOENT' });
});

test('with EDGESCOPE_TRAFFIC=0 (--no-traffic) only our own request leaves a trace (the readiness probe is unsampled); SIGTERM stops everything', { timeout: 90_000 }, async (t) => {
  const persistTo = mkdtempSync(join(tmpdir(), 'edgescope-npm-start-'));
  t.after(() => rmSync(persistTo, { recursive: true, force: true }));
  const [port, collectorPort] = [await freePort(), await freePort()];
  const run = startNpmStart(['--port', String(port), '--collector-port', String(collectorPort), '--persist-to', persistTo], { EDGESCOPE_TRAFFIC: '0' });
  const seen = new Map();
  t.after(() => {
    for (const p of seen.values()) if (stillRunning(p)) process.kill(p.pid, 'SIGKILL');
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
  });
  await run.waitFor(/\[start\] no generated traffic \(--no-traffic\)/, 60_000);
  for (const p of descendants(run.child.pid)) seen.set(p.pid, p);
  // A request of our own still goes through the app to the collector.
  const res = await fetch(`http://127.0.0.1:${port}/api/items`);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  let rows = [];
  for (const until = Date.now() + 30_000; Date.now() < until && rows.length === 0; await sleep(500)) {
    // A trace's root: no parent stored (under wrangler dev's newer workerd the root joins the
    // platform's trace, so its parent is the platform's invocation span, which is not stored).
    rows = await query(persistTo, "SELECT name FROM spans s WHERE NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_span_id)");
  }
  assert.deepEqual(rows.map((r) => r.name), ['GET /api/items'], 'only our request left a trace (the HEAD probe is unsampled)');
  run.child.kill('SIGTERM');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.doesNotMatch(run.output(), /\[traffic\]/);
  for (let i = 0; i < 20 && [...seen.values()].some(stillRunning); i++) await sleep(100);
  assert.deepEqual([...seen.values()].filter(stillRunning).map((p) => `${p.pid} ${p.comm}`), []);
});
