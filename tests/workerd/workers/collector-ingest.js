// The collector as a test deploys it: two token secrets (so rotation can be exercised by
// starting it with one of them unset) and small caps, so oversize bodies stay small in tests.
import { createCollector } from '../../../js/collector/index.js';

export default createCollector({
  tokens: [
    { name: 'current', secret: 'INGEST_TOKEN' },
    { name: 'previous', secret: 'INGEST_TOKEN_PREVIOUS' },
  ],
  maxBodyBytes: 64 * 1024,
  maxDecodedBytes: 256 * 1024,
});
