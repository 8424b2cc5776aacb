// POST /api/observe/ingest: one native JSON payload (README "Wire formats"), optionally gzip,
// decoded strictly and stored as one D1 batch. 202 stored; 200 a batch id already stored
// (acknowledged, not stored again, so a sender's retry ends).
import { decodeIngestRequest } from './decode.js';
import { storePayload } from './store.js';

export async function ingestNative(request, { db, settings, tokenName }) {
  const payload = await decodeIngestRequest(request, settings);
  const result = await storePayload(db, payload);
  if (result.duplicate) return Response.json({ batchId: payload.batchId, duplicate: true, token: tokenName }, { status: 200 });
  return Response.json({ batchId: payload.batchId, records: result.records, token: tokenName }, { status: 202 });
}
