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
}
export const INGEST_PATH: '/api/observe/ingest';
/** A Worker: `export default createCollector({ tokens: [{ name: 'current', secret: 'INGEST_TOKEN' }] })`. Throws EdgescopeConfigError naming a bad field. */
export function createCollector(config: CollectorConfig): {
  fetch(request: Request, env: Record<string, unknown>): Promise<Response>;
  /** The cron trigger: rollups, then retention. */
  scheduled(controller: { scheduledTime: number; cron?: string }, env: Record<string, unknown>): Promise<void>;
};
