// The collector as bench/collector.mjs measures it: ingest with one token, reads open (the bench
// is the only client, on loopback), no SLOs or alerting, so the cron is rollups and retention.
import { createCollector } from '../../js/collector/index.js';

export default createCollector({ tokens: [{ name: 'bench', secret: 'INGEST_TOKEN' }], publicRead: true });
