// POST /v1/traces, /v1/metrics, /v1/logs: OTLP/HTTP export requests (OTLP specification,
// "OTLP/HTTP"), JSON (application/json) or binary protobuf (application/x-protobuf), optionally
// gzip, within the same bounds as the native endpoint (http/body.js). Decoded by the wire
// module's Worker-safe decoders into the canonical records and stored as ONE D1 batch
// (store.js), so a payload is stored whole or not at all.
//
// Idempotency: edgescope's exporters send the payload's batch id as the Idempotency-Key header
// (IETF draft-ietf-httpapi-idempotency-key-header) on every attempt. It becomes the stored batch
// id, so a retry of an export whose answer was lost is acknowledged 200 again and not stored
// twice. Without the header every request is stored. A key must identify one request (the draft:
// "unique"), across the three signals: it is the batch's key.
//
// A request that carries no records (an empty export, or Cloudflare Workers Observability's probe
// when a destination is set up) is answered 200 with an empty response and stores nothing: "If
// the server receives an empty request ... the server SHOULD respond with success" (OTLP, "Full
// Success"). An empty body counts as an empty request: zero bytes are the empty protobuf message.
import { DecodeError } from '../../wire/index.js';
import { decodeOtlpJson, decodeOtlpProto, UNKNOWN_SERVICE } from '../../wire/otlp-decode/index.js';
import { mediaType, parseJsonBody, readBodyBytes } from '../http/body.js';
import { HttpError } from '../http/http-error.js';
import { exportResponse, failureResponse } from './otlp-response.js';
import { storePayload } from './store.js';

const PROTOBUF = 'application/x-protobuf';
const TYPES = ['application/json', PROTOBUF];

// The exporters' batch ids and the draft's keys: a short token (post.js sends the same form). The
// draft also allows the key as a quoted structured-field string.
const KEY = /^[0-9A-Za-z_.-]{1,256}$/;

export function idempotencyKey(request) {
  let key = request.headers.get('idempotency-key');
  if (key === null) return null;
  key = key.trim();
  if (/^"[^"]*"$/.test(key)) key = key.slice(1, -1);
  if (!KEY.test(key)) {
    throw new HttpError(400, 'the Idempotency-Key header must be 1 to 256 letters, digits, "-", "_" or "." (optionally quoted)', 'Idempotency-Key');
  }
  return key;
}

function decode(signal, type, bytes) {
  try {
    if (type === PROTOBUF) return decodeOtlpProto(signal, bytes);
    return decodeOtlpJson(signal, bytes.byteLength === 0 ? {} : parseJsonBody(bytes));
  } catch (e) {
    if (e instanceof DecodeError) throw new HttpError(400, `malformed OTLP ${signal} payload: ${e.message}`, e.path);
    throw e;
  }
}

// A request with no body and no Content-Type: nothing to decode, so no type to refuse (a
// destination check may send one so). Answered as the empty export request it is.
const isBareProbe = (request) => request.headers.get('content-type') === null && (request.body === null || request.headers.get('content-length') === '0');

export function ingestOtlp(signal) {
  return async function handleOtlp(request, { db, settings }) {
    if (isBareProbe(request)) return exportResponse(signal, false);
    // The answer's encoding follows the request's, even for a refusal.
    const protobuf = mediaType(request) === PROTOBUF;
    try {
      const { type, bytes } = await readBodyBytes(request, settings, TYPES);
      const batchId = idempotencyKey(request);
      const decoded = decode(signal, type, bytes);
      if (decoded.rejected > 0) {
        console.warn(`edgescope collector: ${signal}: ${decoded.rejected} record(s) not stored: ${decoded.message}`);
      }
      const records = decoded.spans.length + decoded.metrics.length + decoded.logs.length;
      if (records > 0) {
        const service = decoded.services.join(',') || UNKNOWN_SERVICE;
        const { spans, metrics, logs, resource } = decoded;
        await storePayload(db, { batchId, version: null, service, resource, spans, metrics, logs });
        // A duplicate (the batch id is stored already) gets the same answer: the retry is done.
      }
      return exportResponse(signal, protobuf, decoded.rejected, decoded.message);
    } catch (e) {
      if (e instanceof HttpError) return failureResponse(e, protobuf);
      throw e;
    }
  };
}
