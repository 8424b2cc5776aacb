// A Worker written for edgescope (scopeOf first, spans, metrics, logs) whose config is broken in
// whichever way its bindings say: no COLLECTOR_URL (the README example's exporter then throws), or
// a SAMPLE_RATE out of range. /__stats answers with the scope's telemetry stats; the scheduled
// handler uses scopeOf(controller) and scopeOf(ctx).
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      if (new URL(request.url).pathname === '/__stats') return Response.json(t.telemetry.stats());
      t.setRoute('/');
      const items = await t.trace('load', async (span) => {
        span.setAttribute('items', 2);
        return ['tea', 'coffee'];
      });
      t.metrics.increment('served');
      const stop = t.metrics.startTimer('render');
      t.log.info('served', { items: items.length });
      stop();
      return new Response(`served without telemetry: ${items.join(', ')}`);
    },
    async scheduled(controller, env, ctx) {
      const t = scopeOf(controller);
      if (scopeOf(ctx) !== t) throw new Error('scopeOf(ctx) and scopeOf(controller) differ');
      await t.trace('tick', (span) => span.setAttribute('cron', controller.cron));
      t.log.info('ticked');
    },
  },
  (env) => ({
    service: 'bad',
    ...(env.SAMPLE_RATE === undefined ? {} : { sampleRate: Number(env.SAMPLE_RATE) }),
    exporter: exporters.http({ url: env.COLLECTOR_URL }),
  }),
);
