// Telemetry fails open: whatever goes wrong inside edgescope, the handler's response is unchanged,
// the invocation's waitUntil settles, and the active-invocation count returns to zero. Runs
// instrument() in Node with a ctx that records what it was given.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instrument, scopeOf } from 'edgescope';
import { captureConsole, memoryExporter } from './helpers.js';

function context() {
  const promises = [];
  return { promises, ctx: { waitUntil: (p) => promises.push(p), passThroughOnException() {} } };
}
const settleAll = (promises) => Promise.all(promises.map((p) => Promise.resolve(p).catch(() => {})));

test('a config function that throws: every request is answered by the handler as without edgescope, logged once', async () => {
  const worker = instrument({ fetch: () => new Response('plain answer', { status: 201 }) }, () => {
    throw new Error('config exploded');
  });
  const lines = await captureConsole('error', async () => {
    for (let i = 0; i < 3; i++) {
      const { ctx } = context();
      const res = await worker.fetch(new Request('https://example.com/'), {}, ctx);
      assert.equal(res.status, 201);
      assert.equal(await res.text(), 'plain answer');
    }
  });
  assert.equal(lines.filter((l) => l.includes('config exploded')).length, 1);
});

test('exporters that throw and a beforeSend that throws: waitUntil settles and the invocation count returns to zero', async () => {
  const throwing = { name: 'throwing', format: 'native', endpoint: 'x', send() { throw new Error('exporter bug'); } };
  let telemetry;
  const worker = instrument(
    {
      fetch(request, env, ctx) {
        ctx.waitUntil(Promise.reject(new Error('user background failure')));
        return new Response('ok');
      },
    },
    () => ({ service: 'svc', exporter: throwing, beforeSend: () => { throw new Error('hook bug'); } }),
  );
  await captureConsole('error', () => captureConsole('warn', async () => {
    const { ctx, promises } = context();
    const res = await worker.fetch(new Request('https://example.com/'), {}, ctx);
    assert.equal(await res.text(), 'ok');
    await settleAll(promises);
    telemetry = scopeOf(ctx).telemetry;
  }));
  assert.equal(telemetry.activeInvocations, 0);
});

test('a core that trapped during one invocation is replaced at the next, which records again', async () => {
  const mem = memoryExporter();
  let scope;
  const worker = instrument(
    {
      fetch(request) {
        scope = scopeOf(request);
        if (new URL(request.url).pathname === '/trap') scope.telemetry.core.x.stackRestore(0);
        scope.log.info('handled');
        return new Response('still answered');
      },
    },
    { service: 'svc', exporter: mem.exporter, requestMetrics: false },
  );
  await captureConsole('error', async () => {
    const first = context();
    const res = await worker.fetch(new Request('https://example.com/trap'), {}, first.ctx);
    assert.equal(await res.text(), 'still answered');
    await settleAll(first.promises);
  });
  assert.equal(scope.telemetry.core.dead, true);
  const second = context();
  const res = await worker.fetch(new Request('https://example.com/after'), {}, second.ctx);
  assert.equal(await res.text(), 'still answered');
  await settleAll(second.promises);
  assert.equal(scope.telemetry.core.dead, false);
  assert.equal(scope.telemetry.activeInvocations, 0);
  assert.ok(mem.logs.some((l) => l.message === 'handled'), 'the revived core records and exports');
  assert.ok(mem.spans.some((s) => s.attributes['url.path'] === '/after'));
});
