// Generated from js/wire/schema.js by js/wire/types.js: do not edit by hand.
export type Attributes = Record<string, unknown>;
export interface ExponentialBuckets { offset: number; bucketCounts: number[] }
export interface ExponentialSketch { scale: number; zeroCount: number; positive: ExponentialBuckets; negative: ExponentialBuckets }
export interface SpanEvent {
  name: string;
  time: number;
  attributes: Attributes;
  droppedAttributesCount?: number;
}
export interface LogError {
  name?: string;
  message?: string;
  stack?: string;
}
export interface WireSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  service?: string;
  kind?: string;
  startTime: number;
  endTime: number;
  status: "unset" | "ok" | "error";
  statusMessage: string;
  attributes: Attributes;
  events: SpanEvent[];
}
export interface WireMetric {
  name: string;
  type: "counter" | "updowncounter" | "gauge" | "histogram";
  value: number;
  unit?: string;
  time: number;
  tags: Attributes;
  service: string;
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  bounds?: number[];
  bucketCounts?: number[];
  exponential?: ExponentialSketch;
  p50?: number;
  p95?: number;
  p99?: number;
}
export interface WireLog {
  time?: number;
  level: "debug" | "info" | "warn" | "error" | "fatal";
  message: string;
  attributes: Attributes;
  error: LogError | null;
  traceId: string | null;
  spanId: string | null;
  service: string;
}
export interface DecodedPayload {
  version: number;
  batchId: string | null;
  spans: WireSpan[];
  metrics: WireMetric[];
  logs: WireLog[];
}
export type RecordKind = "span" | "metric" | "log";
export interface FieldSpec { name: string; wire?: string; type: string; required?: boolean; [bound: string]: unknown }
export const NATIVE_FORMAT_VERSION: number;
export const ACCEPTED_VERSIONS: readonly number[];
export const PAYLOAD: readonly FieldSpec[];
export const RECORDS: Readonly<Record<RecordKind, { list: string; table: string; fields: readonly FieldSpec[] }>>;
/** The objects nested in records, named by a field's `items` (array elements) or `shape`. */
export const SHAPES: Readonly<Record<"SpanEvent" | "LogError", readonly FieldSpec[]>>;
export class DecodeError extends Error {
  /** JSON path of the offending value, e.g. `$.spans[1].traceId`. */
  readonly path: string;
}
/** Validates a native ingest payload against the schema; throws DecodeError naming the bad field. */
export function decodeNative(doc: unknown): DecodedPayload;
/** CREATE TABLE statements (batches, spans, metric_points, logs) for D1. */
export function createTableStatements(): string[];
/** The parameterised INSERT of one decoded record, for D1 prepare(sql).bind(...params). */
export function insertStatement(kind: RecordKind | 'batch', record: object, batchId?: string | null): { sql: string; params: unknown[] };
