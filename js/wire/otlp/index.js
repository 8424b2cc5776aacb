// OTLP/HTTP JSON and protobuf decoding into the canonical records (../schema.js). Node only: the
// opentelemetry-proto definitions are read from .proto files at run time (otlp-schema.js, via
// node:module and protobufjs's file loader), which a Worker cannot do. A Worker-side OTLP decoder
// would need the definitions compiled in ahead of time (protobufjs's reflection alone makes no
// eval/new Function call, but loadSync needs a file system).
export { decodeOtlp } from './decode-otlp.js';
export { validateOtlpJson } from './otlp-json.js';
export { otlpProtoResponse, otlpProtoToJson } from './otlp-proto.js';
export { otlpSchema } from './otlp-schema.js';
