// Types of edgescope's collector Worker (js/collector/index.js).
export interface CollectorToken {
  /** Shown in the 202/200 reply and used to tell tokens apart when rotating. Unique. */
  name: string;
  /** The token itself (local runs, tests). Exactly one of token or secret. */
  token?: string;
  /** The env binding (a wrangler secret) holding the token; absent in env = token not accepted. */
  secret?: string;
}
export interface CollectorConfig {
  tokens: CollectorToken[];
  /** Request body as sent (gzip or not); default 1 MiB. Over it: 413. */
  maxBodyBytes?: number;
  /** Body after gzip; default 8 MiB. Over it: 413. */
  maxDecodedBytes?: number;
  /** The D1 binding's name; default 'DB'. */
  database?: string;
}
export const INGEST_PATH: '/api/observe/ingest';
/** A Worker: `export default createCollector({ tokens: [{ name: 'current', secret: 'INGEST_TOKEN' }] })`. Throws EdgescopeConfigError naming a bad field. */
export function createCollector(config: CollectorConfig): { fetch(request: Request, env: Record<string, unknown>): Promise<Response> };

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
  /** Status >= 500, or the handler threw (error.type). */
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
  slos: unknown[];
}
/** GET /api/observe/summary?service=&window= */
export interface SummaryResponse {
  window: QueryWindow;
  from: number;
  to: number;
  services: ServiceSummary[];
}
/** GET /api/metrics/:name?service=&window=&step=&groupBy=&limit=&cursor= */
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
