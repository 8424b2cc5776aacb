// A small instrumented Worker for the Vitest example: POST /orders reserves stock in a child span,
// counts the order and logs it; a malformed order is answered 400 and logged as a warning.
import { exporters, instrument, scopeOf } from 'edgescope';

const STOCK = { tea: 5, coffee: 0 };

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      const url = new URL(request.url);
      if (url.pathname !== '/orders' || request.method !== 'POST') return new Response('not found', { status: 404 });
      t.setRoute('/orders');
      const order = await request.json().catch(() => null);
      if (typeof order?.item !== 'string' || !Number.isSafeInteger(order.quantity) || order.quantity < 1) {
        t.log.warn('order refused', { reason: 'expected { item: string, quantity: positive integer }' });
        return Response.json({ error: 'expected { item: string, quantity: positive integer }' }, { status: 400 });
      }
      const reserved = t.trace('inventory.reserve', (span) => {
        span.setAttributes({ 'order.item': order.item, 'order.quantity': order.quantity });
        const ok = (STOCK[order.item] ?? 0) >= order.quantity;
        if (!ok) span.setStatus('error', 'out of stock');
        return ok;
      });
      t.metrics.increment('orders.placed', 1, { item: order.item, outcome: reserved ? 'reserved' : 'out_of_stock' });
      t.log.info('order placed', { item: order.item, quantity: order.quantity, reserved });
      return Response.json({ item: order.item, reserved }, { status: reserved ? 201 : 409 });
    },
  },
  (env) => ({
    service: 'orders',
    // OTLP/HTTP JSON: the test collector checks every payload against the opentelemetry-proto
    // definitions before recording it, as a strict OTLP receiver would.
    exporter: exporters.http({ url: env.OTLP_URL, format: 'otlp-json' }),
  }),
);
