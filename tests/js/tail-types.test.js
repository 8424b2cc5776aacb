// The 'edgescope/tail' declarations (js/tail/index.d.ts) compile as the README's "Tail Workers"
// section uses them and refuse a misuse a type can catch; the entry exports exactly the declared API.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];

function compiles(dir, name, source) {
  writeFileSync(join(dir, name), source);
  try {
    execFileSync(join(root, 'node_modules/.bin/tsc'), [...args, join(dir, name)], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return String(error.stdout);
  }
}

test('the tail API as the README uses it type-checks, and misuse does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-tail-types-'));
  const head = `import { exporters, tailStats, tailWorker } from '${root}js/tail/index.js';`;
  try {
    const good = `${head}
      const handler = tailWorker((env: { COLLECTOR_URL: string }) => ({
        service: 'local-dev', readHeaders: true, maxServices: 32,
        exporter: exporters.http({ url: env.COLLECTOR_URL }),
      }));
      const truncated: number = tailStats(handler).truncated;
      export default handler;`;
    assert.equal(compiles(dir, 'good.ts', good), null);
    assert.match(compiles(dir, 'bad-headers.ts', `${head} tailWorker({ readHeaders: 'yes' });`) ?? '', /TS2322.*'string' is not assignable to type 'boolean/);
    assert.match(compiles(dir, 'bad-stats.ts', `${head} const s: string = tailStats(tailWorker({})).items;`) ?? '', /number/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("'edgescope/tail' exports tailWorker, tailStats, tailStreamHandler and exporters", async () => {
  const module = await import('edgescope/tail');
  assert.deepEqual(Object.keys(module).sort(), ['exporters', 'tailStats', 'tailStreamHandler', 'tailWorker']);
});
