// edgescope's collector, as a Worker: `export default createCollector(config)`.
//   POST /api/observe/ingest   native JSON (README "Wire formats"), optionally gzip.
// Answers (JSON bodies): 202 stored, 200 a batch id already stored (acknowledged, not stored
// again, so a sender's retry ends), 400 malformed (naming the field), 401 token, 404 path,
// 405 method, 413 size, 415 type or encoding, 500 the store failed (nothing stored: one batch).
import { authenticate } from './auth.js';
import { validateCollectorConfig } from './config.js';
import { decodeIngestRequest } from './decode.js';
import { IngestError } from './ingest-error.js';
import { storePayload } from './store.js';

export const INGEST_PATH = '/api/observe/ingest';

export function createCollector(config) {
  const settings = validateCollectorConfig(config);
  return {
    async fetch(request, env) {
      const { pathname } = new URL(request.url);
      try {
        if (pathname !== INGEST_PATH) throw new IngestError(404, `no endpoint at ${pathname} (ingest is POST ${INGEST_PATH})`);
        if (request.method !== 'POST') throw new IngestError(405, `${request.method} ${pathname}: use POST`);
        const tokenName = authenticate(request, settings.tokens, env);
        const db = env?.[settings.database];
        if (!db || typeof db.batch !== 'function') {
          // A deployment without its D1 binding: the sender keeps the payload and retries.
          console.error(`edgescope collector: env.${settings.database} is not a D1 binding; nothing stored`);
          return Response.json({ error: `the collector has no D1 binding named ${settings.database}` }, { status: 500 });
        }
        const payload = await decodeIngestRequest(request, settings);
        const result = await storePayload(db, payload);
        if (result.duplicate) return Response.json({ batchId: payload.batchId, duplicate: true, token: tokenName }, { status: 200 });
        return Response.json({ batchId: payload.batchId, records: result.records, token: tokenName }, { status: 202 });
      } catch (e) {
        if (e instanceof IngestError) return e.toResponse();
        console.error(`edgescope collector: ingest failed, nothing stored: ${e?.stack ?? e}`);
        return Response.json({ error: `the collector could not store the payload: ${e?.message ?? e}` }, { status: 500 });
      }
    },
  };
}
