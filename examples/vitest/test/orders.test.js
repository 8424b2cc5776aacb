// The orders Worker's telemetry, end to end: the Worker runs in workerd under
// @cloudflare/vitest-pool-workers, its OTLP exporter posts to edgescope's capture collector (a
// Node server started by test/global-setup.js), and these tests read what the collector decoded
// and validated against the OTLP definitions.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { collector } from 'edgescope/testing/vitest';
import { beforeEach, expect, it } from 'vitest';
import worker from '../src/index.js';

const order = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
// Everything one placed order exports (traces, metrics and logs are separate OTLP requests): a test
// waits for all of it, so nothing of it is still on its way when the next test clears the collector.
const onePlacedOrder = (c) => c.spans.length === 2 && c.metrics.filter((m) => m.name !== 'errors').length === 2 && c.logs.length === 1;

beforeEach(() => collector.clear());

it('a placed order arrives as a server span with its child span, a counter and a correlated log', async () => {
  const response = await SELF.fetch('https://orders.test/orders', order({ item: 'tea', quantity: 2 }));
  expect(response.status).toBe(201);
  expect(await response.json()).toEqual({ item: 'tea', reserved: true });

  // SELF.fetch returns with the response; the export runs after it, in the request's waitUntil.
  const t = await collector.waitFor(onePlacedOrder);
  const root = t.spans.find((s) => s.kind === 'server');
  expect(root).toMatchObject({ name: 'POST /orders', service: 'orders', status: 'unset', format: 'otlp-json' });
  expect(root.attributes['http.response.status_code']).toBe(201);
  const reserve = t.spans.find((s) => s.name === 'inventory.reserve');
  expect(reserve).toMatchObject({ traceId: root.traceId, parentSpanId: root.spanId, attributes: { 'order.item': 'tea', 'order.quantity': 2 } });
  expect(t.metrics.find((m) => m.name === 'orders.placed')).toMatchObject({ type: 'counter', value: 1, tags: { item: 'tea', outcome: 'reserved' } });
  expect(t.logs[0]).toMatchObject({ level: 'info', message: 'order placed', traceId: root.traceId, attributes: { item: 'tea', quantity: 2, reserved: true } });
  expect(t.rejected).toEqual([]);
});

it('an order out of stock: 409, the child span has error status, the counter says why', async () => {
  const response = await SELF.fetch('https://orders.test/orders', order({ item: 'coffee', quantity: 1 }));
  expect(response.status).toBe(409);
  await response.arrayBuffer();

  const t = await collector.waitFor(onePlacedOrder);
  expect(t.spans.find((s) => s.name === 'inventory.reserve')).toMatchObject({ status: 'error', statusMessage: 'out of stock' });
  expect(t.metrics.find((m) => m.name === 'orders.placed').tags).toEqual({ item: 'coffee', outcome: 'out_of_stock' });
});

it('called directly: once waitOnExecutionContext resolves, the telemetry has already arrived', async () => {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request('https://orders.test/orders', order({ item: 'tea' })), env, ctx);
  expect(response.status).toBe(400);
  await waitOnExecutionContext(ctx);

  // The export is awaited inside ctx.waitUntil, so a snapshot needs no waiting.
  const t = await collector.snapshot();
  expect(t.logs).toHaveLength(1);
  expect(t.logs[0]).toMatchObject({ level: 'warn', message: 'order refused' });
  expect(t.spans.map((s) => [s.name, s.attributes['http.response.status_code']])).toEqual([['POST /orders', 400]]);
  const duration = t.metrics.find((m) => m.name === 'http.server.request.duration');
  expect(duration).toMatchObject({ type: 'histogram', count: 1, tags: { 'http.request.method': 'POST', 'http.response.status_code': 400, 'http.route': '/orders' } });
});

it('a collector that answers 503 once: the Worker sends that batch again and everything arrives once', async () => {
  await collector.failNext(503);
  const response = await SELF.fetch('https://orders.test/orders', order({ item: 'tea', quantity: 1 }));
  expect(response.status).toBe(201);
  await response.arrayBuffer();

  const t = await collector.waitFor(onePlacedOrder);
  expect(t.rejected).toEqual([expect.objectContaining({ status: 503, reason: 'scripted failure' })]);
  expect(t.payloads).toHaveLength(3);
  expect(t.duplicates).toEqual([]);
});
