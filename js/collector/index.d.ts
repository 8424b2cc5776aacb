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
