// edgescope/testing (Node only): a loopback collector and a workerd runner for your Worker's tests.

export interface CapturedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  service: string;
  kind: string;
  startTime: number;
  endTime: number;
  status: 'unset' | 'ok' | 'error';
  statusMessage: string;
  attributes: Record<string, unknown>;
  events: { name: string; time: number; attributes: Record<string, unknown> }[];
  format: 'native' | 'otlp-json';
}
/** One data point: an OTLP metric with several data points becomes several records. */
export interface CapturedMetric {
  name: string;
  type: 'counter' | 'updowncounter' | 'gauge' | 'histogram';
  /** An OTLP asInt beyond 2^53 is rounded to the nearest double. */
  value: number;
  unit: string;
  time: number;
  /** Attribute values: an OTLP intValue beyond 2^53 is a bigint, bytesValue a Uint8Array. */
  tags: Record<string, unknown>;
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  bounds?: number[];
  bucketCounts?: number[];
  service: string;
  format: 'native' | 'otlp-json';
}
export interface CapturedLog {
  time: number;
  level: string;
  message: string;
  attributes: Record<string, unknown>;
  error: { name?: string; message?: string; stack?: string } | null;
  traceId: string | null;
  spanId: string | null;
  service: string;
  format: 'native' | 'otlp-json';
}

export interface Collector {
  url: string;
  port: number;
  /** POST native ingest JSON here. */
  nativeUrl: string;
  /** OTLP base URL (/v1/traces, /v1/metrics, /v1/logs). */
  otlpUrl: string;
  readonly spans: CapturedSpan[];
  readonly metrics: CapturedMetric[];
  readonly logs: CapturedLog[];
  /** Accepted payloads; `records` excludes those refused by a scripted partialSuccess. */
  readonly payloads: { format: string; signal: string; bytes: number; records: number; headers: Record<string, unknown>; batchId: string | null }[];
  readonly rejected: { path: string; status: number; reason: string }[];
  readonly requests: number;
  /** Batch ids (Idempotency-Key header, else the native body's batchId) accepted, in arrival order. */
  readonly batchIds: string[];
  /** Batches sent again after they were accepted: answered 200 and not recorded again. `count`: repeats. */
  readonly duplicates: { batchId: string; path: string; count: number }[];
  failNext(status: number, options?: { times?: number; body?: string; headers?: Record<string, string> }): void;
  failAlways(status: number, options?: { body?: string; headers?: Record<string, string> }): void;
  /** Accept and record the next `times` batches (default 1), then destroy each connection without answering. */
  acceptThenDrop(options?: { times?: number }): void;
  /**
   * Accept the next `times` batches (default 1) but their last `rejected` records, answering 200 with
   * an OTLP partialSuccess body (rejectedSpans / rejectedDataPoints / rejectedLogRecords as an int64 string).
   */
  partialSuccess(options: { rejected: number; message?: string; times?: number }): void;
  recover(): void;
  clear(): void;
  waitFor(predicate: (collector: Collector) => boolean, options?: { timeoutMs?: number }): Promise<Collector>;
  summary(): string;
  close(): Promise<void>;
}

export function startCollector(options?: {
  port?: number;
  host?: string;
  maxBodyBytes?: number;
  onRecords?: (records: { spans: CapturedSpan[]; metrics: CapturedMetric[]; logs: CapturedLog[] }, info: { format: string; bytes: number; headers: Record<string, string | string[] | undefined>; doc: unknown }) => void;
}): Promise<Collector>;

export interface WorkerBundle {
  modules: { type: 'ESModule' | 'CompiledWasm'; path: string; contents: string | Uint8Array }[];
  size: number;
}
export function bundleWorker(entry: string, options?: { define?: Record<string, string>; external?: string[] }): Promise<WorkerBundle>;

export interface RunningWorker {
  mf: unknown;
  url: string;
  bundle: WorkerBundle;
  fetch(path?: string, init?: RequestInit): Promise<Response>;
  scheduled(cron?: string): Promise<unknown>;
  queue(queueName: string, messages: { id: string; timestamp: Date; body: unknown; attempts: number }[]): Promise<unknown>;
  dispose(): Promise<void>;
}
export function startWorker(options: {
  entry?: string;
  bundle?: WorkerBundle;
  bindings?: Record<string, unknown>;
  kvNamespaces?: string[];
  /** Binding name -> class name (SQLite storage, as `new_sqlite_classes`), or Miniflare's own options for it. */
  durableObjects?: Record<string, string | { className: string; useSQLite?: boolean; scriptName?: string }>;
  /** A directory: KV and Durable Object storage kept across starts. */
  persist?: string;
  /** Any other Miniflare option, passed through. */
  miniflare?: Record<string, unknown>;
  compatibilityDate?: string;
  compatibilityFlags?: string[];
  log?: boolean;
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}): Promise<RunningWorker>;

export class DecodeError extends Error {
  /** JSON path of the offending value, e.g. `$.resourceSpans[0].scopeSpans[0].spans[1].traceId`. */
  readonly path: string;
}
export function decodeNative(doc: unknown): { spans: CapturedSpan[]; metrics: CapturedMetric[]; logs: CapturedLog[] };
/** Validates with validateOtlpJson, then maps every span, data point and log record. */
export function decodeOtlp(signal: 'traces' | 'metrics' | 'logs', doc: unknown): { spans: CapturedSpan[]; metrics: CapturedMetric[]; logs: CapturedLog[] };
/**
 * Strict OTLP/HTTP JSON check of one Export{Trace,Metrics,Logs}ServiceRequest against the
 * opentelemetry-proto definitions (needs the dev dependency @elastic/mockotlpserver, which ships
 * them). Stricter than an OTLP receiver: the canonical form a sender must emit (64-bit integers as
 * strings, enums as integers, lowerCamelCase keys, no unknown fields, no null, lowercase non-zero
 * hex ids, times in nanoseconds between 2000 and 2100) plus OTLP's semantic rules. Throws a
 * DecodeError naming the JSON path of the first offending value.
 */
export function validateOtlpJson(signal: 'traces' | 'metrics' | 'logs', doc: unknown): void;
export function formatRecordLines(doc: unknown): string[];
