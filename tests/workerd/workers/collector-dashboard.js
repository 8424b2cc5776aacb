// The collector as the dashboard test deploys it: an ingest token and a read token (so the page
// has to ask for one), both wrangler-style secrets.
import { createCollector } from '../../../js/collector/index.js';

export default createCollector({
  tokens: [{ name: 'app', secret: 'INGEST_TOKEN' }],
  readTokens: [{ name: 'reader', secret: 'READ_TOKEN' }],
});
