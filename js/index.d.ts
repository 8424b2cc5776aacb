// Public API of edgescope. Runtime behaviour is documented in README.md.

export type AttributeValue = string | number | boolean | bigint | Error | null | undefined | object;
export type Attributes = Record<string, AttributeValue>;
export type Tags = Record<string, string | number | boolean>;
export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusName = 'unset' | 'ok' | 'error';
/** 'otlp-proto': OTLP/HTTP binary protobuf (content-type application/x-protobuf); 'otlp-json': OTLP/HTTP JSON. */
export type WireFormatName = 'native' | 'otlp-json' | 'otlp-proto';

export interface Payload {
  /** 'mixed' for native JSON; one signal per OTLP payload. */
  signal: 'mixed' | 'traces' | 'metrics' | 'logs';
  records: number;
  body: Uint8Array;
  /** 32 lowercase hex digits; sent as Idempotency-Key (and `batchId` in native JSON). */
  batchId?: string;
}

export interface SendResult {
  /** Every record was accepted (a 2xx; an OTLP partial success counts as accepted, see `rejected`). */
  ok: boolean;
  records: number;
  status?: number;
  error?: string;
  url?: string;
  /**
   * Why it failed: deadline, budget, subrequest-limit, retry-after, timeout, network, redirect,
   * auth (401/403), too-large (413), rejected (other 4xx), http (429, 408, 5xx), exporter, encode.
   */
  cause?: string;
  attempts?: number;
  /** The payload's batch id (sent as the Idempotency-Key header), when it has one. */
  batchId?: string;
  /**
   * The built-in exporters fill the next three so that
   * delivered + droppedRecords + (records of retryLater) = records.
   * Records the collector accepted.
   */
  delivered?: number;
  /** Payloads (this one, or its halves after a 413) to send again in a later flush: not retried now. */
  retryLater?: Payload[];
  /** Records dropped for good: refused by a 4xx, too large alone, or rejected in a partial success. */
  droppedRecords?: number;
  /** An OTLP partial success (counted in droppedRecords, never retried). */
  rejected?: { spans: number; dataPoints: number; logRecords: number; message: string };
}

/** Shared by the exporters of one flush: the subrequest budget and the connection slots. */
export interface FlushContext {
  readonly [key: string]: unknown;
}

export interface Exporter {
  name: string;
  format: WireFormatName;
  endpoint?: string;
  send(payloads: Payload[], context?: FlushContext): Promise<SendResult[]>;
}

export interface HttpExporterOptions {
  /** Native format: the ingest URL. OTLP: the base URL; /v1/traces, /v1/metrics, /v1/logs are appended. */
  url: string;
  format?: WireFormatName;
  /**
   * Sent with every request. A plain object, a Headers or [name, value] pairs; names are RFC 9110
   * tokens and values what fetch can send (no CR, LF or NUL, nothing above U+00FF), checked when
   * the exporter is made. Not idempotency-key or content-encoding (edgescope sets them), and no
   * authorization together with bearerToken. A name given twice is sent once with both values.
   */
  headers?: Record<string, string> | Headers | Iterable<[string, string]>;
  /** Sent as `authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Per attempt, clipped to the time left before the deadline. Default 5000. */
  timeoutMs?: number;
  /** Every attempt and every queued payload of one flush ends within this many ms. Default 15000; 1..25000. */
  deadlineMs?: number;
  /**
   * 'gzip': each payload is compressed once with the runtime's CompressionStream and sent with
   * Content-Encoding: gzip (the same bytes on every retry). maxPayloadBytes bounds the uncompressed
   * body. A body that cannot be compressed is not sent (cause 'compression') and kept for later.
   * Default 'none'.
   */
  compression?: 'gzip' | 'none';
  /** Fetch implementation (e.g. a service binding's fetch); defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface RetryingHttpExporterOptions extends HttpExporterOptions {
  /** Retries of a transient failure (network, 408, 429, 5xx). Default 2. */
  retries?: number;
}

export const exporters: {
  http(options: RetryingHttpExporterOptions): Exporter;
  direct(options: HttpExporterOptions): Exporter;
  console(options?: { write?: (line: string) => void }): Exporter;
  /** One Analytics Engine data point per invocation, slot layout in the README ("Analytics Engine"). */
  analyticsEngine(options: AnalyticsEngineExporterOptions): InvocationExporter;
};

/** The invocation facts an invocation exporter writes (js/invocation-summary.js). */
export interface InvocationSummary {
  event: string; service: string; version: string; method: string; route: string; statusClass: string;
  cacheTier: string; errorType: string; outcome: string; traceId: string;
  count: number; durationMs: number; bytesIn: number; bytesOut: number; cacheHits: number; cacheLookups: number;
  spans: number; logs: number; status: number; errors: number; cacheBytes: number; cacheMs: number; sampled: number;
}

export interface AnalyticsEngineExporterOptions {
  /** The dataset binding (env.MY_DATASET); use a config function of env to reach it. */
  dataset: { writeDataPoint(point: { blobs?: string[]; doubles?: number[]; indexes?: string[] }): void };
  /** What index1 holds (cut to 96 bytes). Default 'service'. */
  indexBy?: 'service' | 'route' | 'cacheTier' | 'method' | 'event' | 'version' | 'statusClass' | ((summary: InvocationSummary) => string);
}

/** Gets one summary per invocation instead of payloads (the export pipeline leaves it out). */
export interface InvocationExporter {
  name: string;
  write(summary: InvocationSummary): { blobs: string[]; doubles: number[]; indexes: string[] } | null;
  stats(): { written: number; failed: number; truncated: number; refused: number };
}

export interface EdgescopeConfig {
  service: string;
  exporter?: Exporter;
  /** Payload exporters, and optionally invocation exporters (analyticsEngine) alongside them. */
  exporters?: Array<Exporter | InvocationExporter>;
  /** Head sampling ratio, 0..1. Default 1. A sampled/unsampled incoming traceparent wins. */
  sampleRate?: number;
  /**
   * 'join' (default): where the runtime exposes the invocation's span context (`tracing` from
   * `cloudflare:workers` with `spanContext()`) and the invocation is traced, the root span joins the
   * platform's trace as its child (an incoming `traceparent` still wins; only at sampleRate 1, so
   * the platform's sampling never overrides a lower ratio). 'off': never.
   */
  nativeTracing?: 'join' | 'off';
  /** No payload is larger. Default 65536; 1024..16777216. */
  maxPayloadBytes?: number;
  /** Records per payload (never a threshold for sending). Default: no limit besides the byte cap. */
  maxBatchSize?: number;
  /** OpenTelemetry resource attributes besides service.name. */
  resource?: Record<string, string | number | boolean | string[] | number[] | boolean[]>;
  /** Record the http.server.request.duration histogram (seconds) per request. Default true. */
  requestMetrics?: boolean;
  /** How long to wait for work handed to ctx.waitUntil before exporting what it produced. Default 10000; 0..25000. */
  backgroundDeadlineMs?: number;
  /** Export requests per invocation, shared by every exporter. Default 10; 1..10000. */
  maxSubrequests?: number;
  /** The version metadata binding: sets faas.version and service.version. */
  versionMetadata?: { id: string; tag?: string; timestamp?: string };
  /** Personal data recorded only when asked: the client address and the named headers. */
  capture?: { clientAddress?: boolean; requestHeaders?: string[]; responseHeaders?: string[] };
  /** Sees each record as it enters; return it (edited) or null to drop it. A throw drops it. */
  beforeSend?: (record: BeforeSendRecord) => BeforeSendRecord | null;
  /** Where undelivered payloads wait for a later invocation. Default: an in-memory buffer per isolate; false: none. */
  buffer?: false | BufferOptions;
  /**
   * Head sampling (`ratio`, the same setting as `sampleRate`: give one or the other) and keep
   * rules: a trace the ratio rejects is recorded provisionally and exported whole, marked
   * `edgescope.sampling.kept_by`, when a rule matched at its root's end. Patterns: exact, or `prefix*`.
   */
  sampling?: {
    ratio?: number;
    keep?: { errors?: boolean; statusAtLeast?: number; slowerThanMs?: number; routes?: string[]; spanNames?: string[] };
  };
  /** Exponential histograms (duration histograms by default): at most `maxBuckets` buckets per sign, 4..4096, default 160. */
  histograms?: { maxBuckets?: number };
  /** Cache-tier attribution: span-name patterns (exact or prefix 'x:*'; default ['index', 'index-build', 'file:*']) and tiers added to the default vocabulary. */
  cacheTiers?: { patterns?: string[]; tiers?: string[] };
  /** Slow work flagged (`edgescope.slow = true`, counter `edgescope.slow{kind}`). queryMs defaults to 100; the others are off. */
  slow?: { requestMs?: number; fetchMs?: number; queryMs?: number };
  /**
   * Error classification: your rules first (first match wins), then the built-in ones unless
   * `defaults: false`. Each recorded exception, error response and fatal log gets error.severity,
   * error.category and error.fingerprint, and adds 1 to the `errors` counter.
   */
  errors?: { rules?: ErrorRule[]; defaults?: boolean; /** false: no `errors` counter from this Worker (a tail Worker counts them; README "Which mode when"). */ count?: boolean };
  /** createAlerts({ ... }) from 'edgescope/alerts': error alerts routed by severity, once per fingerprint per cooldown across the fleet. */
  alerts?: object;
}

export type ErrorSeverity = 'CRITICAL' | 'WARNING' | 'INFO';
/** Patterns ignore ASCII case; with `*` or `?` a glob over the whole value, else a substring. An array means any of. */
export interface ErrorRule {
  name?: string | string[];
  message?: string | string[];
  route?: string | string[];
  binding?: string | string[];
  span?: string | string[];
  log?: LogLevelName | LogLevelName[];
  /** 429, or a range like "400-499". */
  status?: number | string;
  severity: ErrorSeverity;
  /** 1..64 bytes. */
  category: string;
  /** Raise to `severity` once the fleet saw this fingerprint `count` times within `windowMs` (needs `alerts`). */
  repeated?: { count: number; windowMs: number; severity: ErrorSeverity };
}
type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface BufferOptions {
  /** Default stores.memory(). */
  store?: BufferStore;
  /** Entries kept; the whole excess is evicted oldest first. 0 stores nothing. Default 200. */
  maxEntries?: number;
  /** Bytes kept (entry headers included). Default 8 MiB. */
  maxBytes?: number;
  /** An entry older than this is dropped (counted). Default 86400000 (24 h). */
  maxAgeMs?: number;
  /** An entry tried this many times is dropped (counted). Default 10. */
  maxAttempts?: number;
  /** Automatic replay at the start of each invocation's export: entries (default 4; 0 turns it off) and subrequests (default half of maxSubrequests). */
  replay?: { maxEntries?: number; maxSubrequests?: number };
}

export interface BufferEntryMeta {
  created: number;
  bytes: number;
  attempts: number;
}

export interface BufferLimits {
  maxEntries: number;
  maxBytes: number;
  maxAgeMs: number;
  maxAttempts: number;
  replayMaxEntries: number;
}

/** The storage interface every buffer store implements (the core's policy decides; the store does the I/O). */
export interface BufferStore {
  readonly kind: string;
  append(entries: Array<{ key: string; meta: BufferEntryMeta; value: Uint8Array }>, limits: BufferLimits): Promise<{ stored: string[]; evicted: string[]; refused: string[]; size?: { entries: number; bytes: number } }>;
  take(limits: BufferLimits, now: number): Promise<{ entries: Array<{ key: string; meta: BufferEntryMeta; value: Uint8Array }>; expired: string[]; exhausted: string[]; corrupt: Array<{ key: string; error: string }>; vanished?: number; }>;
  settle(outcomes: Array<{ key: string; delivered: boolean; attempted?: boolean; meta: BufferEntryMeta }>, limits: BufferLimits, now: number): Promise<{ deleted: string[]; kept: string[]; dropped: Array<{ key: string; reason: string }> }>;
  status(limits: BufferLimits): Promise<BufferStatus>;
  clear(): Promise<{ removed: number; failures: Array<{ key: string; error: string }> }>;
}

export interface BufferStatus {
  entries: number;
  bytes: number;
  /** Creation time (ms) of the oldest and newest entry, or null when empty. */
  oldest: number | null;
  newest: number | null;
  cap: number;
}

export interface ReplayReport {
  total: number;
  succeeded: number;
  failed: number;
  failures: Array<{ id: string; error: string }>;
}

export interface BufferControl {
  status(): Promise<BufferStatus>;
  /** Continues past individual failures; `removed` is the number actually removed. */
  clear(): Promise<{ removed: number; failures: Array<{ key: string; error: string }> }>;
  /** Every entry is attempted once, failures up to maxRetries more times. */
  replay(options?: { maxRetries?: number; maxEntries?: number; maxSubrequests?: number }): Promise<ReplayReport>;
}

export const stores: {
  /** Per isolate. */
  memory(): BufferStore;
  /** Shared across isolates, eventually consistent (see README, "When the collector is down"). */
  kv(namespace: KVNamespaceLike, options?: { prefix?: string }): BufferStore;
  /** Shared and strongly consistent: the package's EdgescopeState Durable Object (SQLite storage). */
  durableObject(namespace: DurableObjectNamespaceLike, options?: { name?: string }): BufferStore;
};

/** The subset of a KV namespace binding the KV store uses. */
export interface KVNamespaceLike {
  get(key: string, type: 'arrayBuffer'): Promise<ArrayBuffer | null>;
  put(key: string, value: ArrayBuffer | ArrayBufferView, options?: { metadata?: unknown; expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<{ keys: Array<{ name: string; metadata?: unknown }>; list_complete: boolean; cursor?: string }>;
}

/** The subset of a Durable Object namespace binding the Durable Object store uses. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): any;
}

export type BeforeSendRecord =
  | { type: 'span'; name: string; attributes: Attributes }
  | { type: 'attributes'; attributes: Attributes }
  | { type: 'event'; name: string; attributes: Attributes }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error' | 'fatal'; message: unknown; attributes: Attributes };

export class EdgescopeConfigError extends TypeError {
  readonly field: string;
}
export function validateConfig(config: EdgescopeConfig): Required<Omit<EdgescopeConfig, 'exporter' | 'maxBatchSize'>> & {
  maxBatchSize?: number;
};

export interface SpanOptions {
  parent?: Span;
  kind?: SpanKindName;
  attributes?: Attributes;
  startTime?: number;
  /** Where this span's result came from (cache tiers): memory cache kv r2 d1 origin build miss, or a tier added in `cacheTiers.tiers`. */
  source?: string;
}

export interface SpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceparent: string;
  tracestate: string;
}

export class Span {
  readonly ended: boolean;
  isRecording(): boolean;
  setAttribute(key: string, value: AttributeValue): this;
  setAttributes(attributes: Attributes): this;
  addEvent(name: string, attributes?: Attributes): this;
  /** OpenTelemetry rules: 'unset' is ignored, 'ok' is final, the message is kept only with 'error'. */
  setStatus(code: StatusName, message?: string): this;
  recordException(error: unknown): this;
  updateName(name: string): this;
  /** Where this span's result came from (cache tiers); an unknown tier is counted in stats().api.sourcesRefused, never thrown. */
  setSource(tier: string): this;
  end(endTime?: number): void;
  spanContext(): SpanContext | null;
  startSpan(name: string, options?: Omit<SpanOptions, 'parent'>): Span;
  trace<T>(name: string, fn: (span: Span) => T, options?: Omit<SpanOptions, 'parent'>): T;
  readonly logger: Logger;
}

export interface Metrics {
  increment(name: string, value?: number, tags?: Tags, options?: { unit?: string }): void;
  /** Up-down counter: deltas may be negative. */
  add(name: string, delta: number, tags?: Tags, options?: { unit?: string }): void;
  gauge(name: string, value: number, tags?: Tags, options?: { unit?: string }): void;
  /**
   * A histogram. Durations (unit 's' or 'ms', including http.server.request.duration) aggregate
   * as an OpenTelemetry base-2 exponential histogram (at most 160 buckets a sign, scale lowered
   * as needed): exported as OTLP `exponentialHistogram` (delta) and in native JSON as the
   * mergeable buckets plus p50/p95/p99 estimated from that flush's values alone. Other units use
   * explicit buckets. `aggregation` picks one explicitly.
   */
  histogram(name: string, value: number, tags?: Tags, options?: { unit?: string; aggregation?: 'explicit' | 'exponential' }): void;
  /** Returns stop(), which records elapsed ms as a histogram and returns it. */
  startTimer(name: string, tags?: Tags, options?: { unit?: string; aggregation?: 'explicit' | 'exponential' }): (extraTags?: Tags) => number;
}

export interface Logger {
  debug(message: string | Error, attributes?: Attributes): void;
  info(message: string | Error, attributes?: Attributes): void;
  warn(message: string | Error, attributes?: Attributes): void;
  error(message: string | Error, attributes?: Attributes): void;
  fatal(message: string | Error, attributes?: Attributes): void;
  child(context: Attributes): Logger;
  forSpan(span: Span): Logger;
}

export interface TelemetryStats {
  /** Records delivered (2xx). */
  exported: number;
  /** Records kept in the offline buffer for a later invocation (replays: `buffer`). */
  buffered: number;
  /** Records the collector refused for good (4xx other than 401/403/408/413/429, OTLP partialSuccess). */
  rejected: number;
  /** Records lost: not delivered and not buffered (buffer: false, buffer full or failing). */
  failed: number;
  /** Records refused by a bound (buffer full, oversize, bad metric value...). */
  dropped: number;
  payloadsSent: number;
  payloadsFailed: number;
  flushes: number;
  lastError: string | null;
  /** The same per exporter; totals count each drained record once. */
  exporters: Array<{
    name: string;
    endpoint: string;
    exported: number;
    buffered: number;
    rejected: number;
    failed: number;
    dropped: number;
    payloadsSent: number;
    payloadsFailed: number;
    failedByCause: Record<string, number>;
    lastError: string | null;
  }>;
  core: Record<string, number>;
  /** The offline buffer's counters (payloads) and last known size; null with buffer: false. */
  buffer: null | {
    kind: string;
    stored: number;
    storedRecords: number;
    evicted: number;
    refused: number;
    refusedRecords: number;
    replayed: number;
    replayedRecords: number;
    replayFailed: number;
    rejectedRecords: number;
    expired: number;
    exhausted: number;
    corrupt: number;
    vanished: number;
    unknownExporter: number;
    storeErrors: number;
    entries: number | null;
    bytes: number | null;
  };
  /** Careless input refused or repaired at the API, and records beforeSend dropped. */
  api: Record<string, number>;
  /** Failures of edgescope itself, by stage (the request went on without telemetry for that part). */
  internalFailures: Record<string, number>;
}

export class Telemetry {
  readonly config: ReturnType<typeof validateConfig>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly log: Logger;
  startSpan(name: string, options?: SpanOptions): Span;
  trace<T>(name: string, fn: (span: Span) => T, options?: SpanOptions): T;
  fetch(input: RequestInfo | URL, init?: RequestInit, options?: { parent?: Span }): Promise<Response>;
  /** Drains everything finished, synchronously, then delivers it (after replaying the offline buffer's backlog, within its bounds). Pass to ctx.waitUntil. */
  flush(options?: { replay?: boolean; maxSubrequests?: number }): Promise<{ records: number }>;
  /** The offline buffer; null with `buffer: false`. */
  readonly buffer: BufferControl | null;
  stats(): TelemetryStats;
  /** Frees the core instance; the Telemetry must not be used afterwards. */
  dispose(): void;
}

export function createTelemetry(config: EdgescopeConfig): Telemetry;

export interface InvocationScope {
  readonly telemetry: Telemetry;
  /**
   * The invocation's ctx (the ExecutionContext, or a Durable Object's state): work handed to its
   * waitUntil is awaited before the invocation's last export. When telemetry is unavailable (a
   * failed config), the runtime's own ctx, so code that uses it keeps working.
   */
  readonly ctx: ExecutionContextLike;
  readonly span: Span;
  readonly log: Logger;
  readonly logger: Logger;
  readonly metrics: Metrics;
  trace<T>(name: string, fn: (span: Span) => T, options?: Omit<SpanOptions, 'parent'>): T;
  startSpan(name: string, options?: Omit<SpanOptions, 'parent'>): Span;
  /** fetch() with a CLIENT span and traceparent/tracestate injected. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Sets http.route and names the root span "{method} {route}". */
  setRoute(route: string): void;
  /** One lookup in a cache of your own (a module-level Map, a custom store); the key is never recorded. */
  recordFetch(fetch: { tier: string; hit: boolean; durationMs: number; bytes?: number; status?: number; key?: string }): void;
  /** The request's cache tier: the decision so far, final only after finalize (body delivered or cancelled); 'none' when nothing matched. */
  readonly cacheTier: string;
  readonly cacheFacts: {
    hits: number;
    lookups: number;
    byTier: Record<string, { hits: number; lookups: number; bytes: number; durationMs: number }>;
  };
  readonly counts: { spans: number; logs: number };
  /** Set at finalize. */
  readonly status: number | null;
  readonly outcome: string | null;
  readonly responseBytes: number | null;
}

/** The scope of the invocation a request, ctx, scheduled controller or queue batch belongs to. */
export function scopeOf(requestOrCtxOrEvent: object): InvocationScope;

/** The package's Durable Object (workerd entry only): re-export it from your Worker and bind it for stores.durableObject. */
export class EdgescopeState {
  constructor(ctx: unknown, env: unknown);
  /** The versioned request protocol: { v: 1, feature, op, args }. */
  request(message: { v: number; feature: string; op: string; args?: unknown }): Promise<unknown>;
}

export class BufferStoreError extends Error {}
export class BufferEntryError extends Error {}

/** The part of the runtime's ExecutionContext edgescope relies on (workers-types' ExecutionContext fits). */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

/**
 * A Worker's handlers, typed by its Env, as `ExportedHandler<Env>` from @cloudflare/workers-types
 * describes them (that type is assignable here), so `request`, `env` and `ctx` are typed in the
 * object literal under `strict`. Other members (other handlers, helpers) pass through untouched.
 */
export interface InstrumentableHandler<Env> {
  fetch?(request: Request, env: Env, ctx: ExecutionContextLike): Response | Promise<Response>;
  scheduled?(controller: any, env: Env, ctx: ExecutionContextLike): void | Promise<void>;
  queue?(batch: any, env: Env, ctx: ExecutionContextLike): void | Promise<void>;
}

/**
 * Wraps a Worker's handlers. `config` is the config, or a function of the Worker's `env` (typed by
 * `Env`) evaluated once per isolate. Returns the same handler type, so `export default` keeps
 * satisfying `ExportedHandler<Env>`.
 */
export function instrument<Env = unknown, H extends InstrumentableHandler<Env> = InstrumentableHandler<Env>>(
  handler: H & InstrumentableHandler<Env>,
  config: EdgescopeConfig | ((env: Env) => EdgescopeConfig),
): H;

// ---- Durable Objects, WorkerEntrypoints, email and tail ------------------------------------------

/** The handlers instrument() also wraps (declaration merging into InstrumentableHandler). */
export interface InstrumentableHandler<Env> {
  /** An Email Worker: `message` is the runtime's ForwardableEmailMessage; scopeOf(message) is its scope. */
  email?(message: any, env: Env, ctx: ExecutionContextLike): void | Promise<void>;
  /** A Tail Worker: `events` are the producers' TraceItems; scopeOf(events) is its scope. */
  tail?(events: any[], env: Env, ctx: ExecutionContextLike): void | Promise<void>;
}

/** The trailing argument an instrumented RPC caller appends; an instrumented callee removes it. */
export interface EdgescopeTraceContextArgument {
  __edgescopeTraceContext: 1;
  traceparent: string;
  tracestate: string;
}

/**
 * A Durable Object class whose fetch, alarm, WebSocket Hibernation handlers and RPC methods are
 * traced, one invocation each. Export the result in the class's place:
 * `export const Counter = instrumentDurableObject(CounterImpl, config)`. The same class for the
 * runtime and for `instanceof`; static members and the name are the original's.
 * scopeOf(this.ctx) is the invocation that started last on the object: read it before the
 * method's first await.
 */
export function instrumentDurableObject<C extends abstract new (ctx: any, env: any) => any, Env = unknown>(
  Class: C,
  config: EdgescopeConfig | ((env: Env) => EdgescopeConfig),
): C;

/** A WorkerEntrypoint class whose fetch and RPC methods are traced, one invocation each; scopeOf(this.ctx) as for Durable Objects. */
export function instrumentEntrypoint<C extends abstract new (ctx: any, env: any) => any, Env = unknown>(
  Class: C,
  config: EdgescopeConfig | ((env: Env) => EdgescopeConfig),
): C;

/** Binding types instrument() recognises in env (README, "Bindings"); 'cache' is scope.caches. */
export type BindingType = 'kv' | 'r2' | 'd1' | 'durable_object' | 'service' | 'queue' | 'ai' | 'analytics_engine' | 'cache';

export interface BindingsOptions {
  /** Binding types or binding names (as in the wrangler configuration) left untraced and untouched. */
  exclude?: Array<BindingType | (string & {})>;
  /** RPC bindings whose method calls get the trace context as one trailing argument: all (true) or by name. Default false. */
  rpcContext?: boolean | string[];
}

export interface EdgescopeConfig {
  /** Binding instrumentation: on by default (true, or options); false leaves env and scope.caches the runtime's own. */
  bindings?: boolean | BindingsOptions;
}

export interface InvocationScope {
  /**
   * The Cache API with match, put and delete traced as this invocation's spans (`caches.default`,
   * `caches.open(name)`). The runtime's own `caches` with `bindings: false` or 'cache' excluded.
   */
  readonly caches: CacheStorage & { readonly default: Cache };
}
