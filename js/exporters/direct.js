// The Direct exporter: no buffering, no retries, no batching across calls: every payload handed to
// send() is exactly one POST, in order. For collectors that do their own retrying, and for the
// simplest possible delivery path when debugging. It keeps the same bounds as the HTTP exporter:
// the deadline (deadlineMs, each attempt's timeout clipped to the time left), the flush's
// subrequest budget and connection slots.
import { payloadUrl } from './endpoint-url.js';
import { createFlushContext } from './flush-context.js';
import { validateHttpOptions } from './options.js';
import { postPayload } from './post.js';
import { deliveryResult } from './results.js';

export function direct(options = {}) {
  const base = validateHttpOptions('direct', options);
  const fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
  return {
    name: 'direct',
    format: base.format,
    endpoint: base.endpoint,
    async send(payloads, context = createFlushContext()) {
      const deadline = Date.now() + base.deadlineMs;
      const results = [];
      for (const payload of payloads) {
        const url = payloadUrl(base.url, base.format, payload.signal);
        const outcome = await postPayload({ fetchImpl, url, headers: base.headers, body: payload.body, timeoutMs: base.timeoutMs, deadline, context });
        results.push(deliveryResult(outcome, payload, url, outcome.sent ? 1 : 0));
      }
      return results;
    },
  };
}
