// The README's examples, exactly as printed: every fenced block marked `file=<path>` is written
// to that path in a user's project (the packed package installed with npm into an empty folder),
// the JavaScript Worker runs under the README's own `node --test` file, and the TypeScript Worker
// type-checks under `strict` with @cloudflare/workers-types and serves the same responses. Every
// other js/ts block must at least parse.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { packedConsumer, repoRoot } from '../shared/packed-consumer.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const fences = [...readme.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1],
  file: /\bfile=(\S+)/.exec(m[2])?.[1] ?? null,
  code: m[3],
  line: readme.slice(0, m.index).split('\n').length,
}));
const files = fences.filter((f) => f.file);

// The environment of a user's terminal: not reporting into this test runner, and with the
// project's own Miniflare (the compatibility check points this suite at another one through
// EDGESCOPE_MINIFLARE; the user's project has its own installed).
function userEnv() {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.EDGESCOPE_MINIFLARE;
  return env;
}

let dir;
before(() => {
  dir = packedConsumer({ withPackages: ['esbuild', 'miniflare', 'wrangler', 'typescript', '@cloudflare/workers-types', 'vitest', '@cloudflare/vitest-pool-workers'] });
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.file)), { recursive: true });
    writeFileSync(join(dir, f.file), f.code);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the README has the example Worker, its wrangler.toml, its TypeScript version and a test file', () => {
  assert.deepEqual(files.map((f) => f.file).sort(), ['src/index.js', 'src/index.ts', 'test/global-setup.js', 'test/users.vitest.js', 'test/worker.test.mjs', 'vitest.config.js', 'wrangler.toml']);
});

test("the README's node --test file passes against the README's Worker, installed from the packed package", () => {
  let output;
  try {
    output = execFileSync(process.execPath, ['--test', '--test-reporter=tap', 'test/worker.test.mjs'], { cwd: dir, encoding: 'utf8', stdio: 'pipe', env: userEnv(), timeout: 120000 });
  } catch (error) {
    assert.fail(`the README's test failed:\n${error.stdout}\n${error.stderr}`);
  }
  assert.match(output, /# pass 1/);
  assert.match(output, /# fail 0/);
});

test("the README's Vitest files pass against the README's Worker under @cloudflare/vitest-pool-workers", () => {
  let output;
  try {
    output = execFileSync(join(dir, 'node_modules/.bin/vitest'), ['run', '--reporter=json'], { cwd: dir, encoding: 'utf8', stdio: 'pipe', env: userEnv(), timeout: 120000 });
  } catch (error) {
    assert.fail(`vitest failed:\n${error.stdout?.slice(-3000)}\n${error.stderr?.slice(-3000)}`);
  }
  const report = JSON.parse(output.slice(output.indexOf('{')));
  assert.deepEqual([report.numPassedTests, report.numFailedTests], [1, 0]);
});

test("the README's TypeScript Worker type-checks under strict with @cloudflare/workers-types", () => {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'es2022', moduleResolution: 'bundler', lib: ['es2022'], types: ['@cloudflare/workers-types'] },
      files: ['src/index.ts'],
    }),
  );
  try {
    execFileSync(join(dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    assert.fail(`tsc rejected the README's TypeScript example:\n${error.stdout}${error.stderr}`);
  }
});

test("the README's TypeScript Worker serves the same responses as the JavaScript one", async () => {
  const testing = await import(join(dir, 'node_modules/edgescope/js/testing/index.js'));
  const collector = await testing.startCollector();
  const worker = await testing.startWorker({ entry: join(dir, 'src/index.ts'), kvNamespaces: ['USERS'], bindings: { COLLECTOR_URL: collector.nativeUrl } });
  try {
    const missing = await worker.fetch('/users/42');
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), 'not found');
    await (await worker.mf.getKVNamespace('USERS')).put('42', 'Ada');
    const found = await worker.fetch('/users/42');
    assert.equal(found.status, 200);
    assert.equal(await found.text(), 'Ada');
    await collector.waitFor((c) => c.spans.filter((s) => s.kind === 'server').length === 2);
    assert.deepEqual(collector.spans.filter((s) => s.kind === 'server').map((s) => s.name), ['GET /users/:id', 'GET /users/:id']);
  } finally {
    await worker.dispose();
    await collector.close();
  }
});

test('every other JavaScript and TypeScript block in the README parses', async () => {
  const esbuild = await import('esbuild');
  for (const f of fences.filter((x) => !x.file && ['js', 'ts', 'javascript', 'typescript'].includes(x.lang))) {
    try {
      await esbuild.transform(f.code, { loader: f.lang.startsWith('t') ? 'ts' : 'js', format: 'esm' });
    } catch (error) {
      assert.fail(`README line ${f.line}: the ${f.lang} block does not parse: ${error.message}`);
    }
  }
});
