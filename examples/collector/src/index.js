// The edgescope collector as a deployable Worker: ingest into D1 (binding DB).
// Tokens are wrangler secrets: `wrangler secret put INGEST_TOKEN`. To rotate, put the new value
// in INGEST_TOKEN_NEXT, move the senders to it, then swap and `wrangler secret delete` the old one:
// a token whose secret is absent is not accepted.
import { createCollector } from 'edgescope/collector';

export default createCollector({
  tokens: [
    { name: 'current', secret: 'INGEST_TOKEN' },
    { name: 'next', secret: 'INGEST_TOKEN_NEXT' },
  ],
  database: 'DB',
});
