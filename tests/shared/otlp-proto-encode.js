// Test helper: an OTLP JSON document (as the core's 'otlp-json' writes it) encoded as the
// protobuf Export*ServiceRequest by protobufjs over the official definitions, for tests that need
// protobuf bytes written by someone other than edgescope (collector and exporter edge cases).
import { otlpSchema } from '../../js/wire/otlp/otlp-schema.js';

const HEX_IDS = new Set(['trace_id', 'span_id', 'parent_span_id']);

export function encodeOtlpProto(signal, doc) {
  const type = otlpSchema().types[signal];
  return type.encode(type.fromObject(toProtoObject(type, doc))).finish();
}

// proto3 JSON (lowerCamelCase, hex ids) -> the object protobufjs's fromObject takes with keepCase
// (snake_case keys, base64 bytes, decimal-string 64-bit integers, numeric enums).
function toProtoObject(type, doc) {
  const { protobuf } = otlpSchema();
  const out = {};
  for (const field of type.fieldsArray) {
    const key = field.name.replace(/_(.)/g, (_, c) => c.toUpperCase());
    if (!(key in doc)) continue;
    const convert = (v) => {
      if (field.resolvedType instanceof protobuf.Type) return toProtoObject(field.resolvedType, v);
      if (field.type === 'bytes' && HEX_IDS.has(field.name)) return Buffer.from(v, 'hex').toString('base64');
      return v;
    };
    out[field.name] = field.repeated ? doc[key].map(convert) : convert(doc[key]);
  }
  return out;
}
