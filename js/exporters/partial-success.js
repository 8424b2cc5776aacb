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
//
// A protobuf request (format 'otlp-proto') is answered in protobuf ("OTLP/HTTP Response": the
// response uses the request's encoding): Export*ServiceResponse { partial_success = 1 } with
// Export*PartialSuccess { int64 rejected_<records> = 1; string error_message = 2 }. It is read
// with the strict wire reader (proto-wire.js); unknown fields are skipped as protobuf requires of
// a reader (a newer collector may send more). A body that is not valid protobuf of that shape is
// reported as a warning naming what is wrong, with nothing counted as rejected: the 2xx said the
// request was accepted.
import { lenValue, fields, ProtoWireError, varint64, WIRE } from './proto-wire.js';

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
  return shape(signal, count, message);
}

// bytes: the response body (at most the bound post.js reads); truncated: the body was longer.
// -> null, or the same shape as readPartialSuccess; a malformed body gives a message-only result
// ({ 0 counts, message: 'unreadable protobuf partial success: ...' }), never a throw.
export function readPartialSuccessProto(bytes, signal, records, truncated = false) {
  if (!FIELDS[signal] || !(bytes instanceof Uint8Array)) return null;
  let count = 0n;
  let message = '';
  try {
    if (truncated) throw new ProtoWireError(`the body is longer than ${bytes.length} bytes, more than a partial success can be`);
    for (const top of fields(bytes)) {
      if (top.field !== 1) continue;
      lenValue(bytes, top, 'partial_success');
      for (const f of fields(bytes, top.valueStart, top.end)) {
        if (f.field === 1) {
          if (f.wire !== WIRE.VARINT) throw new ProtoWireError(`${FIELDS[signal][1]} (field 1) has wire type ${f.wire}, expected 0 (int64)`);
          count = varint64(bytes, f.valueStart, f.end)[0];
        } else if (f.field === 2) {
          message = strict.decode(lenValue(bytes, f, 'error_message'));
        }
      }
    }
  } catch (error) {
    if (!(error instanceof ProtoWireError) && !(error instanceof TypeError)) throw error;
    const why = error instanceof TypeError ? 'error_message is not valid UTF-8' : error.message;
    return { spans: 0, dataPoints: 0, logRecords: 0, message: oneLine(`unreadable protobuf partial success (${why}); the request was accepted`).slice(0, MAX_MESSAGE_CHARS) };
  }
  // A negative count is not a rejection (as in JSON, where it is ignored).
  const n = count <= 0n ? 0 : count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
  return shape(signal, Math.min(records, n), oneLine(message).slice(0, MAX_MESSAGE_CHARS));
}

function shape(signal, count, message) {
  if (count === 0 && message === '') return null;
  return {
    spans: signal === 'traces' ? count : 0,
    dataPoints: signal === 'metrics' ? count : 0,
    logRecords: signal === 'logs' ? count : 0,
    message,
  };
}

const strict = new TextDecoder('utf-8', { fatal: true });

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
