// The collector as the dashboard test deploys it: an ingest token and a read token (so the page
// has to ask for one), both wrangler-style secrets, and two SLOs on the test's service: an
// availability SLO the test's thrown requests break (so an alert fires) and a latency SLO they
// meet. `scheduled` runs the collector's cron (rollups) and then the SLO evaluation
// (slo/evaluate.js) at the event's time, so the page reads rolled-up data.
import { createCollector } from '../../../js/collector/index.js';
import { validateCollectorConfig } from '../../../js/collector/config.js';
import { evaluateSlos } from '../../../js/collector/slo/evaluate.js';

const config = {
  tokens: [{ name: 'app', secret: 'INGEST_TOKEN' }],
  readTokens: [{ name: 'reader', secret: 'READ_TOKEN' }],
  slos: [
    { name: 'shop-availability', service: 'shop', kind: 'availability', objective: 0.99 },
    { name: 'shop-latency', service: 'shop', kind: 'latency', objective: 0.9, thresholdMs: 250 },
  ],
};
const collector = createCollector(config);
const settings = validateCollectorConfig(config);

export default {
  fetch: collector.fetch,
  // The collector's own cron (rollups, retention), then the SLO evaluation at the same time.
  async scheduled(controller, env, ctx) {
    await collector.scheduled(controller, env, ctx);
    console.log(`slo evaluation: ${JSON.stringify(await evaluateSlos(env.DB, settings, env, controller.scheduledTime))}`);
  },
};
