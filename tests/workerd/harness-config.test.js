// startWorker reads a Worker's wrangler configuration the way `wrangler dev` does, through
// wrangler itself: the fixture folder (tests/workerd/fixtures/config-worker) declares `main`, a
// var, KV, D1 and R2 bindings, `nodejs_compat`, a `define` and a staging environment; explicit
// options win over the file; a bad file is an error naming the file, the place and the problem;
// a missing peer dependency is an error naming the package to install.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { expectLog, expectMetric, expectNothingDropped, expectSpan, startWorker, waitForSpan } from 'edgescope/testing';
import { checkWranglerVersion, WRANGLER_RANGE } from '../../js/testing/compatibility.js';
import { useCollector } from '../shared/use-collector.js';

const collector = useCollector();
const fixture = fileURLToPath(new URL('./fixtures/config-worker/', import.meta.url));
const toml = join(fixture, 'wrangler.toml');
const jsonc = join(fixture, 'jsonc/wrangler.jsonc');
const root = fileURLToPath(new URL('../../', import.meta.url));

const scratch = mkdtempSync(join(tmpdir(), 'edgescope-harness-config-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let folders = 0;
// A Worker folder holding one configuration file; `main` may point back at the fixture's Worker.
function folderWith(file, text) {
  const dir = join(scratch, `worker-${++folders}`);
  mkdirSync(dir);
  writeFileSync(join(dir, file), text);
  return join(dir, file);
}

async function running(options, fn) {
  const worker = await startWorker(options);
  try {
    return await fn(worker);
  } finally {
    await worker.dispose();
  }
}

test("startWorker({ config }) runs the file's main with its var, KV, D1 and R2 bindings, compatibility flag and define", async () => {
  await running({ config: toml, bindings: { COLLECTOR_URL: collector.nativeUrl } }, async (worker) => {
    assert.equal(worker.config, toml);
    const response = await worker.fetch('/');
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.greeting, 'hello from wrangler.toml', 'the [vars] value');
    assert.equal(body.stored, 'hello from wrangler.toml', 'written to and read back from the CACHE KV namespace');
    assert.equal(body.encoded, Buffer.from('edgescope').toString('base64'), 'node:buffer resolved: nodejs_compat is on');
    assert.equal(body.processEnvGreeting, 'hello from wrangler.toml', "vars in process.env: nodejs_compat at the file's date (after 2025-04-01)");
    assert.equal(body.label, 'built from wrangler.toml', 'the [define] replacement');
    assert.equal(body.d1, true);
    assert.equal(body.r2, true);

    // The telemetry reached the collector the explicit binding points at.
    const rootSpan = await waitForSpan(collector, { name: 'GET /', parent: null, attributes: { 'http.response.status_code': 200 } });
    expectSpan(collector, { name: 'cache.roundtrip', parent: rootSpan, attributes: { 'cache.binding': 'CACHE' } });
    expectMetric(collector, { name: 'greetings.served', tags: { source: 'config' }, value: 1 });
    expectLog(collector, { level: 'info', message: 'greeted', attributes: { greeting: 'hello from wrangler.toml' } });
    expectNothingDropped(await (await worker.fetch('/__stats')).json());
  });
});

test("the file's Durable Object binding is live: an export the collector refused waits in it, the next request delivers it", async () => {
  await running({ config: toml, bindings: { COLLECTOR_URL: collector.nativeUrl } }, async (worker) => {
    collector.failAlways(503);
    const first = await worker.fetch('/');
    assert.equal(first.status, 200);
    await first.arrayBuffer();
    let stats;
    for (let tries = 0; tries < 100 && !(stats?.buffer?.stored >= 1); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stats = await (await worker.fetch('/__stats')).json();
    }
    assert.equal(stats.buffer.kind, 'durable-object', 'EDGESCOPE_STATE from [[durable_objects.bindings]]');
    assert.equal(stats.buffer.stored, 1, 'the refused payload, kept in the SQLite Durable Object');
    collector.recover();
    const second = await worker.fetch('/');
    assert.equal(second.status, 200);
    await second.arrayBuffer();
    await collector.waitFor((c) => c.spans.filter((span) => span.name === 'GET /').length === 2);
    expectNothingDropped(await (await worker.fetch('/__stats')).json());
  });
});

test("explicit options win over the file's: a var, a KV namespace, the compatibility date, a define", async () => {
  const persist = join(scratch, 'persist');
  // The file's CACHE namespace, kept in `persist`, holds what the first isolate wrote.
  await running({ config: toml, bindings: { COLLECTOR_URL: collector.nativeUrl }, persist }, async (worker) => {
    assert.equal((await worker.fetch('/')).status, 200);
  });
  await running({ config: toml, bindings: { COLLECTOR_URL: collector.nativeUrl }, persist }, async (worker) => {
    assert.deepEqual(await (await worker.fetch('/peek')).json(), { stored: 'hello from wrangler.toml' }, 'same namespace id, same data');
  });
  await running(
    {
      config: toml,
      bindings: { COLLECTOR_URL: collector.nativeUrl, GREETING: 'hello from the test', EXTRA: 'added' },
      kvNamespaces: { CACHE: 'a-namespace-of-the-test' },
      compatibilityDate: '2025-03-01',
      define: { BUILD_LABEL: "'built by the test'" },
      persist,
    },
    async (worker) => {
      assert.deepEqual(await (await worker.fetch('/peek')).json(), { stored: null }, 'CACHE is the namespace the test named, not the file\'s');
      const response = await worker.fetch('/');
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.greeting, 'hello from the test');
      assert.equal(body.extra, 'added');
      assert.equal(body.label, 'built by the test');
      assert.equal(body.processEnvGreeting, null, 'before 2025-04-01 nodejs_compat does not populate process.env: the explicit date applied');
      assert.equal(body.encoded, Buffer.from('edgescope').toString('base64'), "the file's flag still applies");
      assert.equal(body.d1, true, "the file's other bindings stay");
    },
  );
});

test('a wrangler.jsonc file (comments, trailing commas) works the same way, its main relative to it', async () => {
  await running({ config: jsonc, bindings: { COLLECTOR_URL: collector.nativeUrl } }, async (worker) => {
    const response = await worker.fetch('/');
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.greeting, 'hello from wrangler.jsonc');
    assert.equal(body.stored, 'hello from wrangler.jsonc');
    assert.equal(body.label, null, 'this file has no define');
    assert.equal(body.d1, false, 'nor a D1 binding');
  });
});

test("`environment` selects the file's [env.<name>] section, as wrangler's --env does", async () => {
  await running({ config: toml, environment: 'staging', bindings: { COLLECTOR_URL: collector.nativeUrl } }, async (worker) => {
    const response = await worker.fetch('/');
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.greeting, 'hello from the staging environment');
    assert.equal(body.label, 'built for staging', "the environment's define");
  });
});

test('with nothing named, the file is found from the working directory upwards; with an entry, none is read', async (t) => {
  const cwd = process.cwd();
  t.after(() => process.chdir(cwd));
  process.chdir(join(fixture, 'src'));
  await running({ bindings: { COLLECTOR_URL: collector.nativeUrl } }, async (worker) => {
    assert.equal(worker.config, toml, 'the wrangler.toml one folder up');
    assert.equal((await (await worker.fetch('/')).json()).greeting, 'hello from wrangler.toml');
  });
  await running({ entry: join(fixture, 'src/index.js'), compatibilityFlags: ['nodejs_compat'], bindings: { COLLECTOR_URL: collector.nativeUrl } }, async (worker) => {
    assert.equal(worker.config, null);
    const body = await (await worker.fetch('/')).json();
    assert.equal(body.greeting, null, 'no var from the file');
    assert.equal(body.stored, null, 'no KV namespace from the file');
  });
  await assert.rejects(startWorker({ config: false }), { name: 'TypeError', message: /pass `entry` \(the Worker's entry module\), `bundle` \(from bundleWorker\) or `config`/ });
  process.chdir(scratch);
  await assert.rejects(startWorker({}), { name: 'TypeError', message: new RegExp(`no wrangler\\.json, wrangler\\.jsonc or wrangler\\.toml found in ${scratch.replace(/[.]/g, '\\.')} or its parents`) });
});

test('a malformed file is an error naming the file, the line and what is wrong', async () => {
  const brokenToml = folderWith('wrangler.toml', 'name = "broken"\nmain = "src/index.js"\n[vars\nGREETING = "x"\n');
  await assert.rejects(startWorker({ config: brokenToml }), (error) => {
    assert.match(error.message, new RegExp(`^startWorker: cannot read wrangler configuration ${brokenToml.replace(/[.]/g, '\\.')}:3:\\d+ \\(\`\\[vars\`\\): TOML parse error: Invalid TOML document`));
    return true;
  });
  const brokenJsonc = folderWith('wrangler.jsonc', '{\n  "name": "broken",\n  "vars": { "A": "1" }\n  "main": "src/index.js"\n}\n');
  await assert.rejects(startWorker({ config: brokenJsonc }), { message: new RegExp(`cannot read wrangler configuration ${brokenJsonc.replace(/[.]/g, '\\.')}:4:\\d+ \\(\`"main": "src/index.js"\`\\): JSON\\(C\\) parse error: CommaExpected`) });
  // Valid TOML, but not a valid configuration: wrangler's own validation message comes through.
  const invalid = folderWith('wrangler.toml', `name = "invalid"\nmain = "${join(fixture, 'src/index.js')}"\n[[kv_namespaces]]\nid = "no-binding-name"\n`);
  await assert.rejects(startWorker({ config: invalid }), { message: /cannot read wrangler configuration .*wrangler\.toml: Processing .*configuration:[\s\S]*"kv_namespaces\[0\]" bindings should have a string "binding" field/ });
  await assert.rejects(startWorker({ config: join(scratch, 'nowhere/wrangler.toml') }), { message: /startWorker\(\{ config \}\): .*nowhere\/wrangler\.toml does not exist/ });
  await assert.rejects(startWorker({ config: 42 }), { name: 'TypeError', message: /expected the path of a wrangler\.toml, wrangler\.json or wrangler\.jsonc file, or false, got number/ });
  const noMain = folderWith('wrangler.toml', 'name = "no-main"\ncompatibility_date = "2026-07-01"\n');
  await assert.rejects(startWorker({ config: noMain }), { name: 'TypeError', message: /has no `main`; set it, or pass `entry` or `bundle`/ });
  await assert.rejects(startWorker({ config: toml, environment: 'production' }), { message: /production/ }, 'an environment the file does not have');
  await assert.rejects(startWorker({ entry: join(fixture, 'src/index.js'), environment: 'staging' }), { name: 'TypeError', message: /pass `config` too/ });
});

test('a service binding to a Worker the harness does not run is named, and serviceBindings stands in for it', async () => {
  const config = folderWith(
    'wrangler.toml',
    `name = "with-service"\nmain = "${join(fixture, 'src/index.js')}"\ncompatibility_date = "2026-07-01"\ncompatibility_flags = ["nodejs_compat"]\n[[services]]\nbinding = "AUTH"\nservice = "auth-worker"\n`,
  );
  await assert.rejects(startWorker({ config }), {
    message: /binds service AUTH to the Worker "auth-worker", which this harness does not run; pass serviceBindings: \{ AUTH: async \(request\) => new Response\(\.\.\.\) \}/,
  });
  const seen = [];
  const stand = async (request) => {
    seen.push(new URL(request.url).pathname);
    return new Response('allowed by the stand-in');
  };
  await running({ config, serviceBindings: { AUTH: stand }, bindings: { COLLECTOR_URL: collector.nativeUrl } }, async (worker) => {
    const response = await worker.fetch('/auth');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'allowed by the stand-in');
    assert.deepEqual(seen, ['/check']);
  });
});

test('the supported wrangler range is checked by version', () => {
  for (const ok of ['4.164.0', '4.165.2', '4.200.0']) assert.doesNotThrow(() => checkWranglerVersion(ok), ok);
  for (const bad of ['3.114.0', '4.163.9', '5.0.0', 'banana']) {
    assert.throws(() => checkWranglerVersion(bad), (error) => error.message.includes(`found wrangler ${bad}`) && error.message.includes(WRANGLER_RANGE), bad);
  }
});

// A project where only some peers are installed: a copy of the package's js/ with a node_modules
// holding links to the chosen packages, so Node's resolution really does not find the others.
function projectWith(peers) {
  const dir = join(scratch, `project-${++folders}`);
  cpSync(join(root, 'js'), join(dir, 'js'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'edgescope', type: 'module' }));
  mkdirSync(join(dir, 'node_modules'));
  for (const peer of peers) symlinkSync(join(root, 'node_modules', peer), join(dir, 'node_modules', peer), 'dir');
  return dir;
}

function errorOf(dir, call) {
  const script = `import { bundleWorker, startWorker } from './js/testing/index.js';\ntry { await ${call}; console.log('no error'); } catch (error) { console.log(error.message); }`;
  writeFileSync(join(dir, 'run.mjs'), script);
  // The project's own packages only: not the compatibility check's EDGESCOPE_MINIFLARE.
  const env = { ...process.env };
  delete env.EDGESCOPE_MINIFLARE;
  return execFileSync(process.execPath, [join(dir, 'run.mjs')], { cwd: dir, encoding: 'utf8', env, timeout: 60000 }).trim();
}

test('a missing peer dependency is an error naming the package to install', () => {
  const entry = JSON.stringify(join(fixture, 'src/index.js'));
  assert.match(errorOf(projectWith([]), `startWorker({ entry: ${entry} })`), /^edgescope\/testing needs miniflare to run Workers: npm install --save-dev miniflare@4 \(Cannot find package 'miniflare'/);
  const noEsbuild = projectWith(['miniflare']);
  assert.match(errorOf(noEsbuild, `startWorker({ entry: ${entry} })`), /^edgescope\/testing needs esbuild to bundle your Worker: npm install --save-dev esbuild \(Cannot find package 'esbuild'/);
  assert.match(errorOf(noEsbuild, `bundleWorker(${entry})`), /needs esbuild to bundle your Worker/);
  const noWrangler = projectWith(['miniflare', 'esbuild']);
  assert.match(
    errorOf(noWrangler, `startWorker({ config: ${JSON.stringify(toml)} })`),
    /^edgescope\/testing needs wrangler to read a wrangler configuration file \(startWorker `config`\): npm install --save-dev wrangler@4 \(Cannot find package 'wrangler'/,
  );
  assert.match(errorOf(noWrangler, 'startWorker({})'), /^startWorker: pass `entry`, `bundle` or `config` \(looking for a wrangler configuration by itself needs wrangler: edgescope\/testing needs wrangler/);
});
