// scheduled and queue handlers under instrument().
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async scheduled(controller) {
      scopeOf(controller).log.info('cron ran', { cron: controller.cron });
    },
    async queue(batch) {
      const t = scopeOf(batch);
      for (const message of batch.messages) {
        await t.trace('message', (span) => span.setAttribute('message.id', message.id));
        message.ack();
      }
      t.metrics.increment('messages.processed', batch.messages.length);
    },
  },
  (env) => ({ service: 'events-worker', exporter: exporters.http({ url: env.COLLECTOR_URL }) }),
);
