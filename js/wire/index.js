// edgescope's wire formats, Worker-safe: the canonical record schema, the native JSON decoder
// and the D1 tables built from the schema, and the Worker-safe OTLP decoders (./otlp-decode/). The
// strict OTLP validators over the official .proto files are in ./otlp/ (Node only).
export { DecodeError } from './decode-error.js';
export { decodeNative } from './native.js';
export { ACCEPTED_VERSIONS, NATIVE_FORMAT_VERSION, PAYLOAD, RECORDS, SHAPES } from './schema.js';
export { createTableStatements, insertStatement } from './sql.js';
export { decodeOtlpJson, decodeOtlpProto } from './otlp-decode/index.js';
