// The collector as the dashboard test deploys it: an ingest token and a read token (so the page
// has to ask for one), both wrangler-style secrets, and two SLOs on the test's service: an
// availability SLO the test's thrown requests break (so an alert fires) and a latency SLO they
// meet. The collector's own `scheduled` runs the rollups and then the SLO evaluation at the
// event's time, so the page reads rolled-up data and a fired alert.
import { createCollector } from '../../../js/collector/index.js';

const config = {
  tokens: [{ name: 'app', secret: 'INGEST_TOKEN' }],
  readTokens: [{ name: 'reader', secret: 'READ_TOKEN' }],
  slos: [
    { name: 'shop-availability', service: 'shop', kind: 'availability', objective: 0.99 },
    { name: 'shop-latency', service: 'shop', kind: 'latency', objective: 0.9, thresholdMs: 250 },
  ],
};
export default createCollector(config);
