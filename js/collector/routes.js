// The collector's endpoints, one row each: method, path (literal and `:param` segments), who may
// call it, and the handler. `access`: 'ingest' (a sender's bearer token, config `tokens`),
// 'read' (the query API and the dashboard's data: config `readTokens`, or `publicRead: true`),
// 'public' (the dashboard's static page, which holds no data).
// A handler is (request, context) -> Response, with context { env, ctx, db, settings, params,
// url, tokenName }; it throws HttpError for anything it refuses.
import { ingestNative } from './ingest/native.js';
import { ingestOtlp } from './ingest/otlp.js';

export const INGEST_PATH = '/api/observe/ingest';

export const ROUTES = [
  { method: 'POST', path: INGEST_PATH, access: 'ingest', handler: ingestNative },
  // OTLP/HTTP (OTLP specification, "OTLP/HTTP Request": one path per signal), JSON or protobuf.
  { method: 'POST', path: '/v1/traces', access: 'ingest', handler: ingestOtlp('traces') },
  { method: 'POST', path: '/v1/metrics', access: 'ingest', handler: ingestOtlp('metrics') },
  { method: 'POST', path: '/v1/logs', access: 'ingest', handler: ingestOtlp('logs') },
];
