// The numbers the shim shares with the C++ core: enums, status codes, the Stats and Limits tables.
// Each mirrors the header named beside it, and tests/js/shared-tables.test.js parses those headers
// and checks every entry, so a change on one side without the other fails the suite.

// wasm/include/edgescope/span.hpp SpanKind (OTLP Span.SpanKind numbering).
export const SpanKind = Object.freeze({ internal: 1, server: 2, client: 3, producer: 4, consumer: 5 });
// wasm/include/edgescope/span.hpp StatusCode (OTLP Status.StatusCode numbering).
export const StatusCode = Object.freeze({ unset: 0, ok: 1, error: 2 });
// wasm/include/edgescope/metrics.hpp MetricType.
export const MetricType = Object.freeze({ counter: 0, updown: 1, gauge: 2, histogram: 3 });
// wasm/include/edgescope/logs.hpp LogLevel (OpenTelemetry SeverityNumber).
export const LogLevel = Object.freeze({ debug: 5, info: 9, warn: 13, error: 17, fatal: 21 });
// wasm/include/edgescope/wire.hpp WireFormat.
export const WireFormat = Object.freeze({ native: 0, 'otlp-json': 1, 'otlp-proto': 2 });
// wasm/include/edgescope/wire.hpp Signal, by number.
export const SIGNALS = Object.freeze(['mixed', 'traces', 'metrics', 'logs']);
// wasm/include/edgescope/buffer_policy.hpp StoreAction, ReplayAction, AttemptOutcome: the action
// bytes es_buffer_plan_store / es_buffer_plan_replay write, and what es_buffer_after_attempt returns.
export const StoreAction = Object.freeze({ keep: 0, evict: 1, refuse: 2 });
export const ReplayAction = Object.freeze({ wait: 0, replay: 1, expired: 2, exhausted: 3 });
export const AttemptOutcome = Object.freeze({ delete: 0, keep: 1, 'drop-exhausted': 2, 'drop-expired': 3 });
// wasm/include/edgescope/attributes.hpp AttributeType: es_stage_array's element types (array is
// the value's own type, never an element's).
export const AttributeType = Object.freeze({ string: 0, int: 1, double: 2, bool: 3, array: 4 });
// bindings/edgescope.h ES_* status codes.
export const Status = Object.freeze({ ok: 0, handle: -1, argument: -2, typeConflict: -3, rejected: -4 });

// wasm/include/edgescope/limits.hpp StatId, in order.
export const STAT_NAMES = Object.freeze([
  'spansDroppedOpenLimit',
  'spansDroppedBufferFull',
  'logsDroppedBufferFull',
  'seriesDroppedLimit',
  'metricValuesRejected',
  'attributesDropped',
  'valuesTruncated',
  'stringsRepaired',
  'recordsDroppedOversize',
  'recordsShrunk',
  'namesDroppedInternLimit',
  'spansDroppedByteBudget',
  'logsDroppedByteBudget',
  'seriesDroppedByteBudget',
  'namesDroppedByteBudget',
  'attributesDroppedByteBudget',
  'namesRefusedEmpty',
  'recordsDroppedUnnamed',
  'metricTypeConflicts',
  'attributeValuesRejected',
  'valuesUnconvertible',
  'seriesDroppedIncompleteTags',
  'namesEvicted',
  'seriesEvicted',
  'valuesRedacted',
]);
export const StatId = Object.freeze(Object.fromEntries(STAT_NAMES.map((name, i) => [name, i])));

// Of those, the ones that mean a record (or a metric value) never reaches a collector.
export const DROP_STATS = Object.freeze([
  'spansDroppedOpenLimit',
  'spansDroppedBufferFull',
  'logsDroppedBufferFull',
  'seriesDroppedLimit',
  'metricValuesRejected',
  'recordsDroppedOversize',
  'spansDroppedByteBudget',
  'logsDroppedByteBudget',
  'seriesDroppedByteBudget',
  'recordsDroppedUnnamed',
  'seriesDroppedIncompleteTags',
]);

// wasm/include/edgescope/limits.hpp LimitId, in order. The values come from the core (es_limit).
export const LIMIT_NAMES = Object.freeze([
  'maxAttributeValueBytes',
  'maxAttributes',
  'maxEventsPerSpan',
  'maxNameBytes',
  'maxMessageBytes',
  'maxOpenSpans',
  'maxFinishedSpans',
  'maxLogs',
  'maxSeries',
  'maxInterned',
  'maxRecordBytes',
  'maxSpanBytes',
  'maxLogBytes',
  'maxSeriesBytes',
  'maxNameTableBytes',
  'maxResourceBytes',
  'memoryCeilingBytes',
]);
