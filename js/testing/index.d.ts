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
  format: 'native' | 'otlp-json' | 'otlp-proto';
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
  /** An exponential histogram's buckets (OTLP ExponentialHistogramDataPoint). */
  exponential?: { scale: number; zeroCount: number; positive: { offset: number; bucketCounts: number[] }; negative: { offset: number; bucketCounts: number[] } };
  /** Native format only: this flush's estimates from the exponential histogram. */
  p50?: number;
  p95?: number;
  p99?: number;
  service: string;
  format: 'native' | 'otlp-json' | 'otlp-proto';
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
  format: 'native' | 'otlp-json' | 'otlp-proto';
}

export interface Collector {
  url: string;
  port: number;
  /** POST native ingest JSON here. */
  nativeUrl: string;
  /** OTLP base URL (/v1/traces, /v1/metrics, /v1/logs), for application/json and application/x-protobuf. */
  otlpUrl: string;
  readonly spans: CapturedSpan[];
  readonly metrics: CapturedMetric[];
  readonly logs: CapturedLog[];
  /**
   * Accepted payloads; `records` excludes those refused by a scripted partialSuccess. `bytes` is the
   * decoded body's size, `wireBytes` the size as received (smaller when `contentEncoding` is 'gzip').
   */
  readonly payloads: {
    format: string;
    signal: string;
    bytes: number;
    wireBytes: number;
    contentEncoding: 'identity' | 'gzip';
    records: number;
    headers: Record<string, unknown>;
    batchId: string | null;
  }[];
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
  /** The wrangler configuration file that was read (absolute path), or null. */
  config: string | null;
  fetch(path?: string, init?: RequestInit): Promise<Response>;
  scheduled(cron?: string): Promise<unknown>;
  queue(queueName: string, messages: { id: string; timestamp: Date; body: unknown; attempts: number }[]): Promise<unknown>;
  dispose(): Promise<void>;
}
/** Miniflare's binding lists: an array of binding names (each its own id), or binding name -> id / options. */
export type BindingList = string[] | Record<string, string | Record<string, unknown>>;
/** A Miniflare service: a function answering in Node, another Worker's name, or Miniflare's own designators. */
export type ServiceTarget = string | ((request: Request, mf: unknown) => Response | Promise<Response>) | Record<string, unknown>;
export interface StartWorkerOptions {
  /** The Worker's entry module; bundled with esbuild. Default: the configuration's `main`. */
  entry?: string;
  /** A bundle from bundleWorker, reused across starts. */
  bundle?: WorkerBundle;
  /**
   * A wrangler.toml / wrangler.json / wrangler.jsonc file, read by wrangler (an optional peer) as
   * `wrangler dev` reads it: vars and .dev.vars, KV, D1, R2, Durable Objects, queues, services,
   * assets, compatibility date and flags, `define`, `main`. Not given: looked up from the working
   * directory upwards only when neither `entry` nor `bundle` is given. `false`: never read one.
   */
  config?: string | false;
  /** The configuration's `[env.<name>]` section to use (wrangler's `--env`). */
  environment?: string;
  /** Vars (and any other values Miniflare binds as-is); merged over the configuration's vars. */
  bindings?: Record<string, unknown>;
  /** Merged over the configuration's, by binding name. */
  kvNamespaces?: BindingList;
  d1Databases?: BindingList;
  r2Buckets?: BindingList;
  /** Binding name -> class name (SQLite storage, as `new_sqlite_classes`), or Miniflare's own options for it. Merged over the configuration's. */
  durableObjects?: Record<string, string | { className: string; useSQLite?: boolean; scriptName?: string }>;
  /** Merged over the configuration's: stands in for a Worker the configuration binds but the harness does not run. */
  serviceBindings?: Record<string, ServiceTarget>;
  /** A directory: KV, D1, R2 and Durable Object storage kept across starts. */
  persist?: string;
  /** Any other Miniflare option, passed through (applied last). */
  miniflare?: Record<string, unknown>;
  /** Default: the configuration's, else the newest date the supported workerd accepts. */
  compatibilityDate?: string;
  /** Replaces the configuration's list. `nodejs_compat` / `nodejs_als` also leave `node:*` imports to workerd when bundling. */
  compatibilityFlags?: string[];
  /** esbuild `define`, merged over the configuration's `[define]`; applies when startWorker bundles. */
  define?: Record<string, string>;
  log?: boolean;
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}
export function startWorker(options?: StartWorkerOptions): Promise<RunningWorker>;

/** A value as captured: attribute values and tags may also be bigint, bytes or arrays. */
export type CapturedValue = string | number | boolean | bigint | null | Uint8Array | readonly unknown[];
/** A value compared exactly (deep equality for arrays, bigint, bytes); a RegExp tested against a string; a function as a predicate. */
export type Match<T = CapturedValue> = T | RegExp | ((value: T) => boolean);
export interface SpanMatcher {
  name?: Match<string>;
  /** null: a root span; a name: the parent that arrived has it; a captured span: that span is the parent. */
  parent?: null | Match<string> | CapturedSpan;
  /** Each listed attribute present with a matching value (the span may have more). */
  attributes?: Record<string, Match>;
  status?: Match<CapturedSpan['status']>;
  kind?: Match<string>;
  service?: Match<string>;
  traceId?: Match<string>;
}
export interface MetricMatcher {
  name: Match<string>;
  /** Selects the series having these tags (it may have more); with several, the one with exactly these. */
  tags?: Record<string, Match>;
  /** The series' value over every point: summed deltas (counter, up-down counter), summed sums (histogram), the latest value (gauge). */
  value?: Match<number>;
  /** Histograms: the summed counts. */
  count?: Match<number>;
  type?: Match<CapturedMetric['type']>;
  service?: Match<string>;
}
export interface MetricSeries {
  name: string;
  type: CapturedMetric['type'];
  unit: string;
  tags: Record<string, unknown>;
  service: string;
  value: number;
  count?: number;
  points: CapturedMetric[];
}
export interface LogMatcher {
  level: Match<'debug' | 'info' | 'warn' | 'error' | 'fatal'>;
  message?: Match;
  attributes?: Record<string, Match>;
  service?: Match<string>;
  traceId?: Match<string | null>;
  spanId?: Match<string | null>;
}
type Captured = Pick<Collector, 'spans' | 'metrics' | 'logs'> & Partial<Pick<Collector, 'waitFor' | 'summary' | 'rejected'>>;
/** The first span that matches; else an AssertionError listing the spans that arrived (name, parent) and why same-named ones did not match. */
export function expectSpan(collector: Captured, matcher: SpanMatcher): CapturedSpan;
/** The matching series; else an AssertionError listing every series with its value. */
export function expectMetric(collector: Captured, matcher: MetricMatcher): MetricSeries;
/** The first log that matches; else an AssertionError listing the logs by level and message. */
export function expectLog(collector: Captured, matcher: LogMatcher): CapturedLog;
/** The same, waiting through collector.waitFor (default 5000 ms) and failing with the same message. */
export function waitForSpan(collector: Collector, matcher: SpanMatcher, options?: { timeoutMs?: number }): Promise<CapturedSpan>;
export function waitForMetric(collector: Collector, matcher: MetricMatcher, options?: { timeoutMs?: number }): Promise<MetricSeries>;
export function waitForLog(collector: Collector, matcher: LogMatcher, options?: { timeoutMs?: number }): Promise<CapturedLog>;
/**
 * Passes when telemetry.stats() counts no loss: failed, dropped, rejected, the core's drop
 * counters, the offline buffer's evicted/refused/expired/exhausted/corrupt/rejected records, and
 * internalFailures. `allow` lists counters that may be non-zero ('rejected', 'core.valuesTruncated'...).
 * Returns the stats; else an AssertionError naming each non-zero counter and each exporter's figures.
 */
export function expectNothingDropped<S extends { exported: number; core: Record<string, number> }>(stats: S, options?: { allow?: string[] }): S;

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

/**
 * An OTLP/HTTP binary protobuf request body (already gunzipped) decoded by protobufjs over the
 * opentelemetry-proto definitions into the OTLP JSON document (proto3 JSON mapping: ids as hex,
 * 64-bit integers as strings, enums as numbers) that validateOtlpJson and decodeOtlp take. Throws
 * DecodeError naming the path and the problem when the bytes are not well-formed protobuf of the
 * signal's Export*ServiceRequest (unknown fields, wrong wire types, invalid UTF-8 included).
 */
export function otlpProtoToJson(signal: 'traces' | 'metrics' | 'logs', body: Uint8Array): Record<string, unknown>;
