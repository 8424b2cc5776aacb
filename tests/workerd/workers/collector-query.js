// The collector as the query tests deploy it: reads need a read token (publicRead off), and a
// sender's token is a different one, so the tests can show that it cannot read.
import { createCollector } from '../../../js/collector/index.js';

export default createCollector({
  tokens: [{ name: 'sender', secret: 'INGEST_TOKEN' }],
  readTokens: [{ name: 'reader', secret: 'READ_TOKEN' }],
});
