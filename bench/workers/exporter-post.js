// The floor side of bench/exporter-overhead.mjs: one bare POST of the prebuilt payload per request
// in waitUntil, to the same /v1/traces URL with the same headers the HTTP exporter sends
// (content-type, Idempotency-Key). The response body is cancelled, or with env.READ = '1' read to its
// end (what the exporter does with a short declared 2xx body): either releases the connection, and
// the two floors show whether the choice matters to the runtime.
import { respond } from './responses.js';
import { BATCH_ID, BODY } from './exporter-payload.js';

const HEADERS = { 'content-type': 'application/json', 'idempotency-key': BATCH_ID };

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    ctx.waitUntil(fetch(`${env.COLLECTOR_URL}/v1/traces`, { method: 'POST', headers: HEADERS, body: BODY }).then((r) => (env.READ === '1' ? r.arrayBuffer() : r.body?.cancel())));
    return respond('string', url, env);
  },
};
