// The partial success an OTLP/HTTP collector may report in a 2xx response (OpenTelemetry Protocol
// specification, "Partial Success"): the body is an Export{Trace,Metrics,Logs}ServiceResponse
// whose `partialSuccess` says how many records it rejected (rejectedSpans, rejectedDataPoints,
// rejectedLogRecords: int64) and why (errorMessage). The spec says the client MUST NOT retry
// such a request; rejected records are counted and logged. A message with a zero count is a
// warning from the server ("servers MAY ... set error_message with rejected_<signal> = 0").
//
// The body comes from a server, so nothing is trusted: it is read bounded (response-body.js), and
// anything that is not the documented shape (not JSON, wrong types, negative or fractional counts)
// is ignored as if absent, never a throw. proto3 JSON writes int64 as a decimal string, and a
// parser must also accept a number and the original snake_case field names.

const FIELDS = {
  traces: ['rejectedSpans', 'rejected_spans'],
  metrics: ['rejectedDataPoints', 'rejected_data_points'],
  logs: ['rejectedLogRecords', 'rejected_log_records'],
};
const MAX_MESSAGE_CHARS = 200;

// -> null (nothing to report) or { spans, dataPoints, logRecords, message }. Only the count of the
// payload's own signal is read (a traces request cannot have rejected data points); `records`
// caps it: a server cannot reject more than it was sent.
export function readPartialSuccess(text, signal, records) {
  const names = FIELDS[signal];
  if (!names || typeof text !== 'string' || text.trim() === '') return null;
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  const partial = isObject(doc) ? (doc.partialSuccess ?? doc.partial_success) : undefined;
  if (!isObject(partial)) return null;
  const count = Math.min(records, readCount(partial[names[0]] ?? partial[names[1]]));
  const rawMessage = partial.errorMessage ?? partial.error_message;
  const message = typeof rawMessage === 'string' ? oneLine(rawMessage).slice(0, MAX_MESSAGE_CHARS) : '';
  if (count === 0 && message === '') return null;
  return {
    spans: signal === 'traces' ? count : 0,
    dataPoints: signal === 'metrics' ? count : 0,
    logRecords: signal === 'logs' ? count : 0,
    message,
  };
}

// The count of rejected records the object reports for its signal.
export function rejectedCount(rejected) {
  return rejected ? rejected.spans + rejected.dataPoints + rejected.logRecords : 0;
}

// int64 as proto3 JSON: a decimal string or a number; anything else (or below zero) counts as 0.
function readCount(value) {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? Math.min(value, Number.MAX_SAFE_INTEGER) : 0;
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) return 0;
  const n = BigInt(value);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function oneLine(text) {
  return text.replace(/\s+/g, ' ').trim();
}
