// The package as users get it: `npm pack`, installed into an empty folder, imported under Node and
// bundled into a Worker that runs in workerd and reports to a collector.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { bundleWorker, startCollector, startWorker } from 'edgescope/testing';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'edgescope-pack-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `./${tarball}`], { cwd: dir, stdio: 'pipe' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the packed package holds the module, the shim and the types, and nothing built for tests', () => {
  const files = execFileSync('find', ['node_modules/edgescope', '-type', 'f'], { cwd: dir, encoding: 'utf8' }).split('\n');
  assert.ok(files.includes('node_modules/edgescope/dist/edgescope.wasm'));
  assert.ok(files.includes('node_modules/edgescope/dist/edgescope-resilience.wasm'), 'the resilience module ships too');
  assert.ok(files.includes('node_modules/edgescope/js/resilience/index.d.ts'));
  assert.ok(files.includes('node_modules/edgescope/js/index.d.ts'));
  assert.ok(files.includes('node_modules/edgescope/js/testing/index.js'));
  assert.ok(!files.some((f) => f.includes('/tests/') || f.includes('/build/') || f.endsWith('.cpp')));
});

test('installed into an empty folder, it imports and works under Node', () => {
  writeFileSync(
    join(dir, 'node-check.mjs'),
    `import { createTelemetry, exporters } from 'edgescope';
     const lines = [];
     const t = createTelemetry({ service: 'consumer', exporter: exporters.console({ write: (l) => lines.push(l) }) });
     t.trace('hello', (s) => s.setAttribute('ok', true));
     await t.flush();
     console.log(JSON.stringify(lines));`,
  );
  const out = JSON.parse(execFileSync('node', ['node-check.mjs'], { cwd: dir, encoding: 'utf8' }));
  assert.equal(out.length, 1);
  assert.match(out[0], /span hello internal/);
});

test("installed into an empty folder, 'edgescope/resilience' imports and works under Node", () => {
  writeFileSync(
    join(dir, 'resilience-check.mjs'),
    `import { createBreaker, CircuitOpenError } from 'edgescope/resilience';
     const b = createBreaker('consumer', { failureThreshold: 1, openMs: 60000 }).use();
     await b.execute(() => { throw new Error('down'); }).catch(() => {});
     const refused = await b.execute(() => 'ran').catch((e) => e);
     console.log(JSON.stringify({ open: refused instanceof CircuitOpenError, state: refused.state }));`,
  );
  const out = JSON.parse(execFileSync('node', ['resilience-check.mjs'], { cwd: dir, encoding: 'utf8' }));
  assert.deepEqual(out, { open: true, state: 'OPEN' });
});

// Bundles `source` (a Worker importing the installed package) and runs it in workerd against a
// loopback collector: its answer and the one log line and root span it exported.
async function runInstalledWorker(file, source) {
  writeFileSync(join(dir, file), source);
  const collector = await startCollector();
  const bundle = await bundleWorker(join(dir, file));
  const worker = await startWorker({ bundle, bindings: { COLLECTOR_URL: collector.nativeUrl } });
  try {
    const text = await (await worker.fetch('/')).text();
    await collector.waitFor((c) => c.logs.length === 1 && c.spans.length === 1);
    return { modules: bundle.modules.map((m) => m.type), text, log: collector.logs[0].message };
  } finally {
    await worker.dispose();
    await collector.close();
  }
}

test('installed into an empty folder, it bundles into a Worker that runs in workerd', async () => {
  const run = await runInstalledWorker(
    'worker.js',
    `import { exporters, instrument, scopeOf } from 'edgescope';
     export default instrument({
       fetch(request) { scopeOf(request).log.info('from the packed package'); return new Response('packed'); },
     }, (env) => ({ service: 'consumer', exporter: exporters.http({ url: env.COLLECTOR_URL }) }));`,
  );
  assert.deepEqual(run, { modules: ['ESModule', 'CompiledWasm'], text: 'packed', log: 'from the packed package' });
});

test("installed into an empty folder, a Worker taking its exporter from 'edgescope/exporters' runs in workerd", async () => {
  const run = await runInstalledWorker(
    'worker-named.js',
    `import { instrument, scopeOf } from 'edgescope';
     import { http } from 'edgescope/exporters';
     export default instrument({
       fetch(request) { scopeOf(request).log.info('named exporter'); return new Response('named'); },
     }, (env) => ({ service: 'consumer', exporter: http({ url: env.COLLECTOR_URL }) }));`,
  );
  assert.deepEqual(run, { modules: ['ESModule', 'CompiledWasm'], text: 'named', log: 'named exporter' });
});
