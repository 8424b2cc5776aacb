// One invocation, summed up after its root span ended: what the invocation exporters (the
// Analytics Engine exporter, js/exporters/analytics-engine.js) write. Built from facts the scope
// holds at finalize (js/invocation-scope.js), never from the drained records, so it is the same
// whether the trace was sampled or not.
//
// Called once per invocation from finalize(), after the root span ended: the body has been
// delivered (or cancelled), so the cache tier, the byte counts and the status are final. Work
// handed to ctx.waitUntil that runs later is not in it.
import { MAX_WRITES_PER_INVOCATION } from './exporters/analytics-engine-layout.js';
import { isInvocationExporter } from './exporters/analytics-engine.js';
import { reportInternalFailure } from './internal-failures.js';

// The fields (blobs, then doubles, in the Analytics Engine slot order):
//   event        the invocation kind: fetch (an HTTP request), else the root span name's first
//                word: scheduled, queue, email, tail, ...
//   service      config `service`
//   version      versionMetadata.tag, else its id, else resource service.version, else ''
//   method       the HTTP request method ('' for other invocations)
//   route        the route given to setRoute() ('' when none)
//   statusClass  1xx .. 5xx; '' when there was no response
//   cacheTier    the tier that served the request, final at finalize; 'none' when no span matched
//   errorType    error.type of the first error: the exception's type, an error response's status
//   outcome      edgescope.response.outcome: complete, cancelled, error, threw, no-body, upgrade, ...
//   traceId      the trace id (32 hex digits), to find the trace in the tracing backend
//   count        always 1: sum(_sample_interval * count) counts invocations under AE sampling
//   durationMs   from the invocation start to the root span end, ms
//   bytesIn      request body bytes as declared by Content-Length (0 when absent)
//   bytesOut     response body bytes delivered to the client
//   cacheHits, cacheLookups   lookups that hit, and all lookups (recordFetch, instrumented bindings)
//   spans, logs  spans and log records the invocation recorded
//   status       the HTTP status code (0 when there was no response)
//   errors       errors classified in the invocation
//   cacheBytes, cacheMs       bytes read from and time spent in cache lookups, all tiers
//   sampled      1 when the trace was sampled (its spans were exported), else 0
const written = new WeakSet(); // scopes whose summary was written: once per invocation

export function invocationSummary(scope) {
  const telemetry = scope.telemetry;
  const config = telemetry.config;
  const root = scope.rootSpan;
  const context = root?.spanContext() ?? null;
  const status = Number.isInteger(scope.status) ? scope.status : 0;
  const facts = scope.cacheFacts ?? { hits: 0, lookups: 0, byTier: {} };
  let cacheBytes = 0;
  let cacheMs = 0;
  for (const tier of Object.values(facts.byTier ?? {})) {
    cacheBytes += tier.bytes ?? 0;
    cacheMs += tier.durationMs ?? 0;
  }
  const counts = scope.counts ?? { spans: 0, logs: 0 };
  const firstError = scope.errorRecords?.[0];
  return {
    // A fetch invocation has a method; other roots are named by kind first ("scheduled <cron>",
    // "queue <name>", "email", "tail") by instrument().
    event: scope.method ? 'fetch' : (root?.name ?? '').split(' ')[0] || 'unknown',
    service: config.service,
    version: config.versionMetadata?.tag || config.versionMetadata?.id || stringOr(config.resource?.['service.version']),
    method: scope.method ?? '',
    route: scope.route ?? '',
    statusClass: status > 0 ? `${Math.floor(status / 100)}xx` : '',
    cacheTier: scope.cacheTier ?? 'none',
    errorType: firstError ? errorTypeOf(firstError) : '',
    outcome: scope.outcome ?? '',
    traceId: context?.traceId ?? '',
    count: 1,
    durationMs: Math.max(0, Date.now() - scope.startTime),
    bytesIn: requestBytes(scope.request),
    bytesOut: scope.responseBytes ?? 0,
    cacheHits: facts.hits ?? 0,
    cacheLookups: facts.lookups ?? 0,
    spans: counts.spans ?? 0,
    logs: counts.logs ?? 0,
    status,
    errors: scope.errorRecords?.length ?? 0,
    cacheBytes,
    cacheMs,
    sampled: context && context.traceFlags & 1 ? 1 : 0,
  };
}

// Writes the summary through every invocation exporter of the config, at most
// MAX_WRITES_PER_INVOCATION data points (the rest are refused, counted and reported once by their
// exporter). Never throws: a failure is counted and logged, and the invocation goes on.
export function writeInvocationSummaries(scope) {
  try {
    const list = invocationExporters(scope.telemetry.config);
    if (list.length === 0 || written.has(scope)) return;
    written.add(scope);
    const summary = invocationSummary(scope);
    list.forEach((exporter, i) => {
      if (i < MAX_WRITES_PER_INVOCATION) exporter.write(summary);
      else exporter.refuse(MAX_WRITES_PER_INVOCATION);
    });
  } catch (error) {
    reportInternalFailure('invocation summary', error);
  }
}

// error.type as the `errors` counter tags it (js/monitoring/error-records.js): the exception's
// type; for an error response its status code; otherwise _OTHER.
function errorTypeOf(record) {
  if (record.type) return record.type;
  return record.source === 'response' && record.status ? String(record.status) : '_OTHER';
}

// The request body's declared size; a chunked upload (and any non-HTTP invocation) has none.
function requestBytes(request) {
  try {
    return Number(request?.headers.get('content-length')) || 0;
  } catch {
    return 0;
  }
}

// Per config, once: the finalize of every invocation asks.
const invocationLists = new WeakMap();
function invocationExporters(config) {
  let list = invocationLists.get(config);
  if (!list) {
    list = config.exporters.filter(isInvocationExporter);
    invocationLists.set(config, list);
  }
  return list;
}

function stringOr(value) {
  return value === undefined || value === null ? '' : String(value);
}
