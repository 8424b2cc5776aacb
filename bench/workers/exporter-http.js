// The exporter side of bench/exporter-overhead.mjs: the same prebuilt payload as ./exporter-post.js
// through exporters.http(...).send() directly (no recording, no encoding, no pipeline), in
// waitUntil, in the wire format env.FORMAT (default otlp-json). The exporter is built once per isolate, as a Worker's config function would keep it.
// Imported from the source tree, not 'edgescope', so the side needs no wasm module.
import { exporters } from '../../js/exporters/index.js';
import { respond } from './responses.js';
import { BATCH_ID, BODY, RECORDS } from './exporter-payload.js';

let exporter = null;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    exporter ??= exporters.http({ url: env.COLLECTOR_URL, format: env.FORMAT ?? 'otlp-json', retries: 0 });
    const payload = { signal: 'traces', records: RECORDS, batchId: BATCH_ID, body: BODY };
    ctx.waitUntil(
      exporter.send([payload]).then(([result]) => {
        if (!result.ok || result.delivered !== RECORDS) console.error(`export failed: ${result.cause} ${result.error}`);
      }),
    );
    return respond('string', url, env);
  },
};
