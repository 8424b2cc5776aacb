// The OTLP message definitions, read from the official opentelemetry-proto .proto files rather than
// written out by hand here: the validator in otlp-json.js walks these reflected types, so a field
// name, a scalar type, an enum value or a oneof is exactly what the proto says.
//
// The .proto files come from the dev dependency @elastic/mockotlpserver, which ships them unchanged
// from github.com/open-telemetry/opentelemetry-proto (its opentelemetry/proto/collector/README.md
// names the tag), and they are parsed with the protobufjs that package depends on. Both are
// resolved from that package's own folder, so they are found wherever npm placed them. Loaded once,
// on first use: the native /ingest path never needs them.
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';

const PROTO_PACKAGE = '@elastic/mockotlpserver';

// OTLP/HTTP: one Export*ServiceRequest per POST to /v1/{traces,metrics,logs}
// (opentelemetry-proto docs/specification.md, "OTLP/HTTP Request").
const REQUESTS = {
  traces: ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'],
  metrics: ['opentelemetry/proto/collector/metrics/v1/metrics_service.proto', 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'],
  logs: ['opentelemetry/proto/collector/logs/v1/logs_service.proto', 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'],
};

let loaded = null;

function load() {
  const require = createRequire(import.meta.url);
  let manifest;
  try {
    manifest = require.resolve(`${PROTO_PACKAGE}/package.json`);
  } catch {
    throw new Error(
      `edgescope/testing: validating OTLP JSON needs the opentelemetry-proto definitions from ${PROTO_PACKAGE}; install it as a dev dependency (npm install --save-dev ${PROTO_PACKAGE})`,
    );
  }
  const protobuf = createRequire(manifest)('protobufjs');
  const protoDir = dirname(manifest);
  // keepCase: fields keep their proto names (time_unix_nano); otlp-json.js derives the JSON names
  // itself by the proto3 rule, instead of relying on protobufjs's own camel-casing.
  const root = new protobuf.Root();
  // Imports in these files are relative to the proto root ("opentelemetry/proto/common/v1/..."),
  // not to the importing file, which is what protobufjs assumes by default.
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(protoDir, target));
  root.loadSync(Object.values(REQUESTS).map(([file]) => file), { keepCase: true });
  root.resolveAll();
  const version = require(manifest).version;
  const types = {};
  for (const [signal, [, name]] of Object.entries(REQUESTS)) types[signal] = root.lookupType(name);
  return { protobuf, root, types, source: `${PROTO_PACKAGE}@${version}` };
}

// { protobuf, root, types: { traces, metrics, logs }, source }; throws a plain Error naming the
// missing package when it is not installed.
export function otlpSchema() {
  loaded ??= load();
  return loaded;
}

export function otlpRequestType(signal) {
  const type = otlpSchema().types[signal];
  if (!type) throw new Error(`unknown OTLP signal ${JSON.stringify(signal)}; expected traces, metrics or logs`);
  return type;
}

// protobufjs names reflected types with a leading dot (".opentelemetry.proto.trace.v1.Span").
export const typeName = (type) => type.fullName.replace(/^\./, '');

// proto3 JSON field names: the proto name with each underscore dropped and the letter after it
// upper-cased (protoc's ToJsonName). No OTLP field sets a json_name option.
export function jsonName(protoName) {
  return protoName.replace(/_(.)/g, (_, c) => c.toUpperCase());
}
