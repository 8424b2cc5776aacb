// The 'edgescope/tail' declarations (js/tail/index.d.ts) compile as the README's "Tail Workers"
// section uses them and refuse a misuse a type can catch; the entry exports exactly the declared API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT as root, typeErrors } from './typecheck.js';

test('the tail API as the README uses it type-checks, and misuse does not', () => {
  const head = `import { exporters, tailStats, tailWorker } from '${root}js/tail/index.js';`;
  const good = `${head}
    const handler = tailWorker((env: { COLLECTOR_URL: string }) => ({
      service: 'local-dev', readHeaders: true, maxServices: 32,
      exporter: exporters.http({ url: env.COLLECTOR_URL }),
    }));
    const truncated: number = tailStats(handler).truncated;
    export default handler;`;
  assert.equal(typeErrors(good), null);
  assert.match(typeErrors(`${head} tailWorker({ readHeaders: 'yes' });`) ?? '', /TS2322.*'string' is not assignable to type 'boolean/);
  assert.match(typeErrors(`${head} const s: string = tailStats(tailWorker({})).items;`) ?? '', /number/);
});

test("'edgescope/tail' exports tailWorker, tailStats, tailStreamHandler and exporters", async () => {
  const module = await import('edgescope/tail');
  assert.deepEqual(Object.keys(module).sort(), ['exporters', 'tailStats', 'tailStreamHandler', 'tailWorker']);
});
