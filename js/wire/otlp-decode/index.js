// OTLP/HTTP request bodies (JSON or binary protobuf) into edgescope's canonical records,
// Worker-safe: no Node built-ins, no code generation, no files. One message table (messages.js),
// two wire decoders to the same plain objects (json.js, proto.js), one mapping to records
// (records.js). Both entry points return { spans, metrics, logs, rejected, message, services,
// resource } or throw a DecodeError naming the JSON path of what is wrong.
//
// The Node-only decoders in ../otlp/ stay what the tests' capture collector uses: they check what
// a careful sender must emit (strict), these what a receiver must accept.
import { DecodeError } from '../decode-error.js';
import { decodeJsonMessage } from './json.js';
import { SIGNALS } from './messages.js';
import { decodeProtoMessage } from './proto.js';
import { otlpRecords } from './records.js';

function signalOf(signal) {
  const s = SIGNALS[signal];
  if (!s) throw new DecodeError('signal', `expected traces, metrics or logs, got ${JSON.stringify(signal)}`);
  return s;
}

// doc: the parsed JSON body.
export function decodeOtlpJson(signal, doc) {
  return otlpRecords(signal, decodeJsonMessage(signalOf(signal).request, doc));
}

// bytes: the (gunzipped) body, a Uint8Array.
export function decodeOtlpProto(signal, bytes) {
  return otlpRecords(signal, decodeProtoMessage(signalOf(signal).request, bytes));
}

export { SIGNALS } from './messages.js';
export { UNKNOWN_SERVICE } from './records.js';
