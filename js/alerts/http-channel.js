// One JSON POST for a channel (Slack, PagerDuty, webhook) with the HTTP exporter's rules: one
// attempt is post.js (deadline, subrequest budget, connection slots, redirects never followed,
// Retry-After read), retried by js/exporters/retry-loop.js while classify.js says the status is
// retryable (429, 502, 503, 504, no response). There is no later flush for an alert: whatever is
// not delivered now is reported as failed (js/alerts/deliver.js counts and logs it).
//
// `id` goes out as the Idempotency-Key header, the same on every retry, so a receiver that got a
// request whose answer was lost can drop the repeat.
import { postPayload } from '../exporters/post.js';
import { retryPost } from '../exporters/retry-loop.js';

// -> { ok, status, cause?, error?, attempts }
export async function postJson({ url, headers, body, id, delivery, deadline, context }) {
  const payload = { body, batchId: id, records: 1, signal: 'alerts' };
  const post = () =>
    postPayload({
      fetchImpl: delivery.fetch,
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload,
      format: 'native', // not OTLP: the response body is discarded unread (post.js)
      timeoutMs: delivery.timeoutMs,
      deadline,
      context,
    });
  const { outcome, attempts } = await retryPost(post, { retries: delivery.retries, deadline });
  return outcome.ok ? { ok: true, status: outcome.status, attempts } : { ok: false, status: outcome.status, cause: outcome.cause, error: outcome.error, attempts };
}
