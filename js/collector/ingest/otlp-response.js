// OTLP/HTTP answers, in the request's encoding (OTLP specification, "OTLP/HTTP Response": a
// protobuf request gets a protobuf body, a JSON request a JSON body).
//   200: an Export{Trace,Metrics,Logs}ServiceResponse; empty on full success, with
//        partial_success { rejected_<records>, error_message } when some records were refused
//        ("Partial Success"; proto3 JSON writes the int64 count as a decimal string).
//   4xx/5xx: a google.rpc.Status { code, message } ("Failures": "The response body for all HTTP
//        4xx and HTTP 5xx responses MUST be a Protobuf-encoded Status message"; JSON-encoded for
//        a JSON request). The JSON form also carries the collector's own `error` and, for a
//        malformed payload, `path`, as every other collector endpoint answers.
import { concat, lenField } from '../../exporters/proto-wire.js';
import { SIGNALS } from '../../wire/otlp-decode/index.js';

const encoder = new TextEncoder();

function varintField(field, value) {
  const out = [];
  let n = BigInt(field) * 8n;
  const push = (v) => {
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
  };
  push(n);
  n = BigInt.asUintN(64, BigInt(value));
  push(n);
  return new Uint8Array(out);
}

// rejected: records left out; message: why (both 0/'' on full success).
export function exportResponse(signal, protobuf, rejected = 0, message = '') {
  const partial = rejected > 0 || message !== '';
  if (protobuf) {
    const body = partial
      ? lenField(1, concat([rejected > 0 ? varintField(1, rejected) : new Uint8Array(0), message ? lenField(2, encoder.encode(message)) : new Uint8Array(0)]))
      : new Uint8Array(0);
    return new Response(body, { status: 200, headers: { 'content-type': 'application/x-protobuf' } });
  }
  const body = partial ? { partialSuccess: { [SIGNALS[signal].rejectedField]: String(rejected), errorMessage: message } } : {};
  return Response.json(body, { status: 200 });
}

// google.rpc.Code for the statuses an OTLP path answers (google/rpc/code.proto, and its HTTP
// mapping): INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, UNIMPLEMENTED (a
// method the path does not take), RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE.
const RPC_CODE = { 400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 413: 3, 415: 3, 429: 8, 500: 13, 503: 14 };

// An HttpError as an OTLP failure response.
export function failureResponse(error, protobuf) {
  const code = RPC_CODE[error.status] ?? 2; // 2 UNKNOWN
  // A decoder's message names the path already; any other names it here.
  const message = error.path !== undefined && !error.message.includes(error.path) ? `${error.path}: ${error.message}` : error.message;
  if (protobuf) {
    const body = concat([varintField(1, code), lenField(2, encoder.encode(message))]);
    return new Response(body, { status: error.status, headers: { 'content-type': 'application/x-protobuf', ...error.headers } });
  }
  const body = { code, message, error: error.message };
  if (error.path !== undefined) body.path = error.path;
  return Response.json(body, { status: error.status, headers: error.headers });
}
