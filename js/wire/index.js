// edgescope's wire formats, Worker-safe: the canonical record schema, the native JSON decoder
// and the D1 tables built from the schema. The OTLP decoders are in ./otlp/ (Node only).
export { DecodeError } from './decode-error.js';
export { decodeNative } from './native.js';
export { ACCEPTED_VERSIONS, NATIVE_FORMAT_VERSION, PAYLOAD, RECORDS } from './schema.js';
export { createTableStatements, insertStatement } from './sql.js';
