// setRoute names the root span "{method} {route}" (OpenTelemetry HTTP conventions); careless input
// never produces "GET undefined": it is refused, counted and reported once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instrument, scopeOf } from 'edgescope';
import { captureConsole, memoryExporter } from './helpers.js';

async function serve(route) {
  const memory = memoryExporter();
  let telemetry;
  const worker = instrument(
    {
      fetch(request) {
        const t = scopeOf(request);
        telemetry = t.telemetry;
        t.setRoute(route);
        return new Response('ok');
      },
    },
    () => ({ service: 'svc', exporter: memory.exporter, requestMetrics: false }),
  );
  const promises = [];
  const res = await worker.fetch(new Request('https://example.com/users/42'), {}, { waitUntil: (p) => promises.push(p) });
  await res.text();
  await Promise.all(promises);
  const root = memory.spans.find((s) => s.kind === 'server');
  return { root: { name: root.operationName, attributes: root.attributes }, telemetry };
}

test('a route template names the root span and sets http.route', async () => {
  const { root } = await serve('/users/:id');
  assert.equal(root.name, 'GET /users/:id');
  assert.equal(root.attributes['http.route'], '/users/:id');
});

test('undefined, empty and non-string routes are refused, counted and reported once; the name stays the method', async () => {
  const lines = await captureConsole('warn', async () => {
    for (const bad of [undefined, '', '   ', 42]) {
      const { root, telemetry } = await serve(bad);
      assert.equal(root.name, 'GET', String(bad));
      assert.equal(root.attributes['http.route'], undefined);
      assert.ok(telemetry.stats().api.routesRefused >= 1);
    }
  });
  assert.ok(lines.filter((l) => l.includes('setRoute()')).length >= 1);
});
