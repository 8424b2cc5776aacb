// The request metric and what counts as a failed request: one definition, read by the summary
// (query/summary.js), the metrics API's `groupBy=error` (query/metrics.js, which the dashboard's
// rate chart uses) and the availability SLOs (slo/good.js), so the three always agree.
//
// OpenTelemetry HTTP server semantic conventions: the duration histogram
// `http.server.request.duration` carries `http.response.status_code`, and `error.type` when the
// request ended without a status (a throw); a 5xx is a server error, a 4xx is not.
export const REQUEST_METRIC = 'http.server.request.duration';
export const STATUS_TAG = 'http.response.status_code';
export const ERROR_TYPE_TAG = 'error.type';

// tags: one series' attributes. An empty `error.type` names no error (the conventions require a
// non-empty low-cardinality value), so it does not make the request an error by itself.
export function isErrorRequest(tags) {
  const type = tags[ERROR_TYPE_TAG];
  if (type !== undefined && type !== null && type !== '') return true;
  const status = Number(tags[STATUS_TAG]);
  return Number.isFinite(status) && status >= 500;
}
