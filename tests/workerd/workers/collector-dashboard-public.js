// A collector whose query API is open (publicRead: a local run, or one behind Cloudflare Access):
// the dashboard must not ask for a token.
import { createCollector } from '../../../js/collector/index.js';

export default createCollector({ tokens: [{ name: 'app', secret: 'INGEST_TOKEN' }], publicRead: true });
