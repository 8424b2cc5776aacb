// The collector's endpoints, one row each: method, path (literal and `:param` segments), who may
// call it, and the handler. `access`: 'ingest' (a sender's bearer token, config `tokens`),
// 'read' (the query API and the dashboard's data: config `readTokens`, or `publicRead: true`),
// 'public' (the dashboard's static page, which holds no data).
// A handler is (request, context) -> Response, with context { env, ctx, db, settings, params,
// url, tokenName }; it throws HttpError for anything it refuses.
import { ingestNative } from './ingest/native.js';
import { listLogs } from './query/logs.js';
import { metricSeries } from './query/metrics.js';
import { summary } from './query/summary.js';
import { getTrace } from './query/trace.js';
import { listTraces } from './query/traces.js';
import { ackAlert, getAlerts, getSlos } from './slo/api.js';

export const INGEST_PATH = '/api/observe/ingest';

export const ROUTES = [
  { method: 'POST', path: INGEST_PATH, access: 'ingest', handler: ingestNative },
  { method: 'GET', path: '/api/traces', access: 'read', handler: listTraces },
  { method: 'GET', path: '/api/traces/:traceId', access: 'read', handler: getTrace },
  { method: 'GET', path: '/api/logs', access: 'read', handler: listLogs },
  { method: 'GET', path: '/api/slos', access: 'read', handler: getSlos },
  { method: 'GET', path: '/api/alerts', access: 'read', handler: getAlerts },
  { method: 'POST', path: '/api/alerts/:id/ack', access: 'read', handler: ackAlert },
  { method: 'GET', path: '/api/observe/summary', access: 'read', handler: summary },
  { method: 'GET', path: '/api/metrics/:name', access: 'read', handler: metricSeries },
];

// The dashboard (dashboard/serve.js): a page, its script and its stylesheet, no data.
import { serveDashboard } from './dashboard/serve.js';

ROUTES.push(
  { method: 'GET', path: '/', access: 'public', handler: serveDashboard },
  { method: 'GET', path: '/dashboard.js', access: 'public', handler: serveDashboard },
  { method: 'GET', path: '/dashboard.css', access: 'public', handler: serveDashboard },
);
