// The collector's endpoints, one row each: method, path (literal and `:param` segments), who may
// call it, and the handler. `access`: 'ingest' (a sender's bearer token, config `tokens`),
// 'read' (the query API and the dashboard's data: config `readTokens`, or `publicRead: true`;
// acknowledging an alert is a reader's act too), 'public' (the dashboard's static page, script
// and stylesheet, which hold no data).
// A handler is (request, context) -> Response, with context { env, ctx, db, settings, params,
// url, tokenName }; it throws HttpError for anything it refuses.
import { serveDashboard } from './dashboard/serve.js';
import { ingestNative } from './ingest/native.js';
import { ingestOtlp } from './ingest/otlp.js';
import { listLogs } from './query/logs.js';
import { metricSeries } from './query/metrics.js';
import { summary } from './query/summary.js';
import { getTrace } from './query/trace.js';
import { listTraces } from './query/traces.js';
import { ackAlert, getAlerts, getSlos } from './slo/api.js';

export const INGEST_PATH = '/api/observe/ingest';

export const ROUTES = [
  // Ingest: native JSON, and OTLP/HTTP (OTLP specification, "OTLP/HTTP Request": one path per
  // signal), JSON or protobuf.
  { method: 'POST', path: INGEST_PATH, access: 'ingest', handler: ingestNative },
  { method: 'POST', path: '/v1/traces', access: 'ingest', handler: ingestOtlp('traces') },
  { method: 'POST', path: '/v1/metrics', access: 'ingest', handler: ingestOtlp('metrics') },
  { method: 'POST', path: '/v1/logs', access: 'ingest', handler: ingestOtlp('logs') },
  // The query API (query/), SLOs and alerts (slo/api.js).
  { method: 'GET', path: '/api/observe/summary', access: 'read', handler: summary },
  { method: 'GET', path: '/api/metrics/:name', access: 'read', handler: metricSeries },
  { method: 'GET', path: '/api/traces', access: 'read', handler: listTraces },
  { method: 'GET', path: '/api/traces/:traceId', access: 'read', handler: getTrace },
  { method: 'GET', path: '/api/logs', access: 'read', handler: listLogs },
  { method: 'GET', path: '/api/slos', access: 'read', handler: getSlos },
  { method: 'GET', path: '/api/alerts', access: 'read', handler: getAlerts },
  { method: 'POST', path: '/api/alerts/:id/ack', access: 'read', handler: ackAlert },
  // The dashboard (dashboard/serve.js).
  { method: 'GET', path: '/', access: 'public', handler: serveDashboard },
  { method: 'GET', path: '/dashboard.js', access: 'public', handler: serveDashboard },
  { method: 'GET', path: '/dashboard.css', access: 'public', handler: serveDashboard },
];
