// OTLP/HTTP JSON and protobuf decoding into the canonical records (../schema.js). Node only, for
// two reasons a Worker cannot get around: the opentelemetry-proto definitions are read from .proto
// files at run time (otlp-schema.js: node:module, node:path and protobufjs's loadSync on a file
// system), and protobufjs builds each type's encode/decode/fromObject with new Function on first
// use (otlp-proto.js calls type.decode and type.encode), which workerd refuses ("Code generation
// from strings disallowed"). A Worker-side OTLP decoder needs the definitions compiled in ahead of
// time and a decoder without code generation.
export { decodeOtlp } from './decode-otlp.js';
export { validateOtlpJson } from './otlp-json.js';
export { otlpProtoResponse, otlpProtoToJson } from './otlp-proto.js';
export { otlpSchema } from './otlp-schema.js';
