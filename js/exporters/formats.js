// The wire formats an exporter may ask the core for, and what each one means on the wire.
//   native      edgescope's own JSON, one POST to the URL as given
//   otlp-json   OTLP/HTTP, JSON Protobuf Encoding: one Export*ServiceRequest per signal
//   otlp-proto  OTLP/HTTP, Binary Protobuf Encoding: the same requests as protobuf bytes
// Content types are the ones the OpenTelemetry Protocol specification names for each encoding
// ("OTLP/HTTP": "Binary Protobuf Encoding" uses Content-Type: application/x-protobuf, "JSON
// Protobuf Encoding" application/json); the native format is JSON too.

export const FORMATS = Object.freeze(['native', 'otlp-json', 'otlp-proto']);

const CONTENT_TYPES = Object.freeze({ native: 'application/json', 'otlp-json': 'application/json', 'otlp-proto': 'application/x-protobuf' });

// "'native', 'otlp-json' or 'otlp-proto'", for error messages.
export const FORMAT_LIST = `${FORMATS.slice(0, -1).map((f) => `'${f}'`).join(', ')} or '${FORMATS.at(-1)}'`;

export function isFormat(format) {
  return FORMATS.includes(format);
}

// The OTLP formats post each signal to <base>/v1/<signal> (endpoint-url.js).
export function isOtlp(format) {
  return format === 'otlp-json' || format === 'otlp-proto';
}

export function contentTypeOf(format) {
  return CONTENT_TYPES[format];
}
