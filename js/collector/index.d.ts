// Types of edgescope's collector Worker (js/collector/index.js).
export interface CollectorToken {
  /** Shown in the 202/200 reply and used to tell tokens apart when rotating. Unique. */
  name: string;
  /** The token itself (local runs, tests). Exactly one of token or secret. */
  token?: string;
  /** The env binding (a wrangler secret) holding the token; absent in env = token not accepted. */
  secret?: string;
}
/** A retention period: whole minutes, hours or days, like '30m', '36h', '7d'. */
export type RetentionPeriod = `${number}${'m' | 'h' | 'd'}`;
/** How long each table keeps its rows (the cron deletes older ones; see the README for defaults). */
export interface CollectorRetention {
  spans?: RetentionPeriod;
  logs?: RetentionPeriod;
  /** Raw metric points; deleted only once rolled up into minutes. */
  metricPoints?: RetentionPeriod;
  /** Minute rollups; deleted only once their hour is rolled up. */
  rollupsMinute?: RetentionPeriod;
  rollupsHour?: RetentionPeriod;
  errorMinutes?: RetentionPeriod;
  /** Error fingerprints not seen for this long. */
  errors?: RetentionPeriod;
  /** Resolved alerts (firing ones are kept). */
  alerts?: RetentionPeriod;
}
export interface CollectorConfig {
  tokens: CollectorToken[];
  /** Request body as sent (gzip or not); default 1 MiB. Over it: 413. */
  maxBodyBytes?: number;
  /** Body after gzip; default 8 MiB. Over it: 413. */
  maxDecodedBytes?: number;
  /** The D1 binding's name; default 'DB'. */
  database?: string;
  retention?: CollectorRetention;
  /** The cron's rollup budget per run (README "Storage, rollups and retention"); positive integers. */
  rollup?: {
    pointsPerStep?: number;
    maxPointsPerRun?: number;
    maxQueriesPerRun?: number;
    maxRunMs?: number;
    maxHours?: number;
    maxMinuteRows?: number;
    pageRows?: number;
    maxDeletes?: number;
  };
}
export const INGEST_PATH: '/api/observe/ingest';
/** A Worker: `export default createCollector({ tokens: [{ name: 'current', secret: 'INGEST_TOKEN' }] })`. Throws EdgescopeConfigError naming a bad field. */
export function createCollector(config: CollectorConfig): {
  fetch(request: Request, env: Record<string, unknown>): Promise<Response>;
  /** The cron trigger: rollups, then retention, then the SLO evaluation (burn rates; alerts fire, remind, resolve). */
  scheduled(controller: { scheduledTime: number; cron?: string }, env: Record<string, unknown>): Promise<void>;
};

// ---- The query API (js/collector/query/): what its endpoints answer. ----
export interface CollectorConfig {
  /** Tokens for the query API and the dashboard's data; the same form as `tokens`. An ingest token cannot read. */
  readTokens?: CollectorToken[];
  /** true: the query API answers without a token (a local run, or behind Cloudflare Access). Default false. */
  publicRead?: boolean;
}
export type QueryWindow = '5m' | '15m' | '1h' | '6h' | '24h' | '7d' | '30d';
export type QueryStep = '1m' | '5m' | '15m' | '1h' | '6h' | '1d';
/** Requests from http.server.request.duration; ratios and percentiles (seconds) are null without data. */
export interface RequestSummary {
  requests: number;
  /** Status >= 500, or the handler threw (a non-empty error.type). */
  errors: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}
export interface ServiceSummary extends RequestSummary {
  service: string;
  routes: Array<RequestSummary & { route: string | null }>;
  cacheTiers: Array<{ tier: string | null; lookups: number; hits: number; hitRatio: number | null; bytes: number }>;
  errorsBySeverity: { CRITICAL: number; WARNING: number; INFO: number } & Record<string, number>;
  topErrors: Array<{ fingerprint: string; severity: string | null; category: string | null; type: string | null; message: string | null; route: string | null; count: number; lastSeen: number | null }>;
  /** This service's rows of GET /api/slos (same computation), in configuration order. */
  slos: SloStatusRow[];
}
/** GET /api/observe/summary?service=&window= */
export interface SummaryResponse {
  window: QueryWindow;
  from: number;
  to: number;
  services: ServiceSummary[];
}
/** GET /api/metrics/:name?service=&window=&step=&groupBy=&limit=&cursor=
 * groupBy: a tag key, 'service', or 'error' (requests split as the summary counts errors: group { error: boolean }). */
export interface MetricSeriesResponse {
  name: string;
  unit: string | null;
  type: 'counter' | 'updowncounter' | 'gauge' | 'histogram' | null;
  window: QueryWindow;
  step: QueryStep;
  series: Array<{
    group: Record<string, string | number | boolean | null>;
    points: Array<{ t: number; value: number; count: number | null; sum: number | null; min: number | null; max: number | null; p50?: number | null; p95?: number | null; p99?: number | null }>;
  }>;
  nextCursor: string | null;
}
/** GET /api/traces?service=&minDurationMs=&error=&window=&limit=&cursor= */
export interface TraceListResponse {
  traces: Array<{ traceId: string; service: string | null; rootName: string; startTime: number; durationMs: number; spanCount: number; error: boolean }>;
  nextCursor: string | null;
}
/** GET /api/traces/:traceId (404 when unknown) */
export interface TraceResponse {
  traceId: string;
  spans: Array<{
    spanId: string;
    parentSpanId: string | null;
    name: string;
    service: string | null;
    kind: string | null;
    startTime: number;
    endTime: number;
    durationMs: number;
    status: 'unset' | 'ok' | 'error';
    statusMessage: string | null;
    attributes: Record<string, unknown>;
    events: unknown[];
  }>;
  nextCursor: string | null;
}
/** GET /api/logs?service=&level=&traceId=&q=&window=&limit=&cursor= */
export interface LogListResponse {
  logs: Array<{ id: number; time: number | null; level: 'debug' | 'info' | 'warn' | 'error' | 'fatal'; service: string; message: string; traceId: string | null; spanId: string | null; attributes: Record<string, unknown>; error: Record<string, unknown> | null }>;
  nextCursor: string | null;
}
// SLOs and burn-rate alerts (js/collector/slo/): merged into CollectorConfig above.
type AlertChannels = Record<string, import('../alerts/index.js').AlertChannel>;
interface SloBase {
  /** 1 to 64 letters, digits, _ . - ; unique. Alert keys are `slo:<name>:page` and `slo:<name>:ticket`. */
  name: string;
  /** The service whose `http.server.request.duration` is counted. */
  service: string;
  /** The good fraction promised, 0.5 <= objective < 1 (e.g. 0.999). */
  objective: number;
  /** The compliance window, 3 to 90 days; default 30. */
  windowDays?: number;
  /** Only requests of this http.route. */
  route?: string;
}
/** Good: status < 500 and no error.type. */
export interface AvailabilitySlo extends SloBase { kind: 'availability'; thresholdMs?: never }
/** Good: at most thresholdMs (bucket-granular, from the merged exponential sketch). */
export interface LatencySlo extends SloBase { kind: 'latency'; thresholdMs: number }
export type CollectorSlo = AvailabilitySlo | LatencySlo;
export interface CollectorAlerting {
  /** Channels from 'edgescope/alerts', or a function of env building them at each evaluation (secrets). */
  channels: AlertChannels | ((env: Record<string, any>) => AlertChannels);
  /** Default: page to every channel, ticket to the slack and webhook ones. */
  routes?: { page?: string[]; ticket?: string[] };
  /** Reminder of an unacknowledged firing alert; default 60; null: never. */
  renotifyMinutes?: number | null;
  /** Per evaluation's deliveries; default 10000. */
  deadlineMs?: number;
  /** Delivery requests per evaluation, retries included; default 10. */
  maxSubrequests?: number;
}
export interface CollectorConfig {
  slos?: CollectorSlo[];
  alerting?: CollectorAlerting;
}
/** A row of GET /api/slos. compliance is null while the window has no requests. */
export interface SloStatusRow {
  name: string;
  service: string;
  kind: 'availability' | 'latency';
  objective: number;
  windowDays: number;
  route?: string;
  thresholdMs?: number;
  good: number;
  total: number;
  compliance: number | null;
  errorBudgetRemaining: number;
  burnRates: { '5m': number; '30m': number; '1h': number; '6h': number; '3d': number };
  status: 'ok' | 'ticket' | 'page';
  /** Latency rows without a sketch or explicit buckets (not judged, left out of good and total). */
  unmeasured?: number;
}
/** An alert of GET /api/alerts and POST /api/alerts/:id/ack. Times in ms since the epoch. */
export interface SloAlert {
  id: string;
  key: string;
  kind: 'slo';
  name: string;
  service: string | null;
  severity: 'page' | 'ticket';
  state: 'firing' | 'resolved';
  firedAt: number;
  resolvedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  details: Record<string, unknown>;
}
