// One TraceItem (one invocation of a watched Worker) into its service's Telemetry: the root span,
// its logs and exceptions, the request and CPU-time histograms and the invocation counter. Only
// recorded here; settling the error records and the flush are the caller's (index.js), once per
// service per tail() call.
//
// Times: the span starts at `eventTimestamp` and lasts `wallTime` (ms); the platform measures
// both, and `cpuTime`, which code inside the watched isolate cannot (Workers' clock does not
// advance during CPU work).
import { ATTR } from '../http-attributes.js';
import { classifyError, errorAttributes } from '../monitoring/error-records.js';
import { reportInternalFailure } from '../internal-failures.js';
import { eventInfo } from './event-info.js';
import { recordExceptions } from './exceptions.js';
import { recordDiagnostics } from './diagnostics.js';
import { recordLogs } from './logs.js';
import { traceparentOf } from './trace-context.js';

export const CPU_METRIC = 'edgescope.cpu.time'; // ms: the platform's unit for cpuTime
export const INVOCATIONS_METRIC = 'edgescope.tail.invocations';
export const TRUNCATED_METRIC = 'edgescope.tail.truncated';
export const OUTCOME_ATTRIBUTE = 'edgescope.tail.outcome';

// scope: the invocation's error records ({ telemetry, ctx, errorRecords, route }), settled by the
// caller. Returns nothing; never throws for a malformed item field (each is read defensively).
export function recordItem(telemetry, scope, item, { readHeaders, now }) {
  const info = eventInfo(item);
  const outcome = typeof item.outcome === 'string' && item.outcome !== '' ? item.outcome : 'unknown';
  const wallTime = nonNegative(item.wallTime);
  const cpuTime = nonNegative(item.cpuTime);
  const start = Number.isFinite(item.eventTimestamp) && item.eventTimestamp > 0 ? item.eventTimestamp : now - wallTime;
  const end = start + wallTime;

  const attributes = { ...info.attributes, [OUTCOME_ATTRIBUTE]: outcome, [CPU_METRIC]: cpuTime };
  if (typeof item.entrypoint === 'string' && item.entrypoint !== '') attributes['cloudflare.entrypoint'] = item.entrypoint;
  if (typeof item.durableObjectId === 'string' && item.durableObjectId !== '') attributes['edgescope.durable_object.id'] = item.durableObjectId;
  if (typeof item.dispatchNamespace === 'string' && item.dispatchNamespace !== '') attributes['cloudflare.dispatch_namespace'] = item.dispatchNamespace;
  if (item.truncated === true) attributes['edgescope.tail.truncated'] = true;

  const context = info.type === 'fetch' && readHeaders ? traceparentOf(info.request) : null;
  const { span: root, rejectedHeader } = telemetry.startRemoteSpan(info.name, {
    kind: info.kind,
    traceparent: context?.traceparent ?? '',
    tracestate: context?.tracestate ?? '',
    attributes,
    startTime: start,
  });
  if (rejectedHeader) root.setAttribute('edgescope.traceparent.rejected', true);

  recordLogs(telemetry, scope, root, item.logs, end);
  const thrown = recordExceptions(telemetry, scope, root, item.exceptions, end);
  recordDiagnostics(telemetry, root, item.diagnosticsChannelEvents, end);

  // Status (OpenTelemetry: error for a failed invocation, else unset): an outcome other than `ok`
  // (exception, exceededCpu, exceededMemory, canceled, ...); an `ok` invocation with an exception
  // entry (an unhandled rejection the platform reports after the response); a 5xx response.
  if (outcome !== 'ok') root.setStatus('error', thrown ? `${thrown.name}: ${thrown.message}` : outcome);
  else if (thrown) root.setStatus('error', `${thrown.name}: ${thrown.message}`);
  else if (info.status !== null && info.status >= 500) root.setStatus('error', `HTTP ${info.status}`);
  if (info.status !== null && info.status >= 400) {
    try {
      const record = classifyError(telemetry, scope, { source: 'response', status: info.status, span: root });
      if (record && !root.classified) root.setAttributes(errorAttributes(record));
    } catch (failure) {
      reportInternalFailure('error classification', failure);
    }
  }
  // A fetch without a response threw (or was cut off) before answering: error.type from the
  // exception, else the outcome (semantic conventions: error.type when there is no status code).
  const errorType = info.type === 'fetch' && info.status === null ? (thrown?.name ?? outcome) : null;
  if (errorType !== null) root.setAttribute(ATTR.errorType, errorType);
  root.end(end);

  const metrics = telemetry.metrics;
  if (info.type === 'fetch' && telemetry.config.requestMetrics) {
    const outcomeTags = info.status !== null ? { [ATTR.status]: info.status } : { [ATTR.errorType]: errorType };
    metrics.histogram('http.server.request.duration', wallTime / 1000, { [ATTR.method]: info.method, ...outcomeTags }, { unit: 's' });
  }
  const trigger = info.attributes[ATTR.faasTrigger];
  metrics.histogram(CPU_METRIC, cpuTime, { [ATTR.faasTrigger]: trigger }, { unit: 'ms' });
  const counted = { [ATTR.faasTrigger]: trigger, [OUTCOME_ATTRIBUTE]: outcome };
  if (info.status !== null) counted[ATTR.status] = info.status;
  metrics.increment(INVOCATIONS_METRIC, 1, counted);
  if (item.truncated === true) metrics.increment(TRUNCATED_METRIC, 1, { [ATTR.faasTrigger]: trigger });
}

function nonNegative(value) {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
