// The SendResult an exporter returns for one payload (index.d.ts `SendResult`): the outcome of
// its last attempt, with the URL masked for logs (query values and userinfo never leave here).
import { maskUrl } from './endpoint-url.js';

export function deliveryResult(outcome, payload, url, attempts) {
  const result = { ok: outcome.ok, status: outcome.status, records: payload.records, url: maskUrl(url), attempts };
  if (!outcome.ok) {
    result.cause = outcome.cause;
    result.error = outcome.error;
  }
  return result;
}
