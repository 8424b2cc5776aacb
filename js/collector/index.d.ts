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
