// The Direct exporter: no buffering, no retries, no batching across calls: every payload handed to
// send() is exactly one POST, in order. For collectors that do their own retrying, and for the
// simplest possible delivery path when debugging.
import { describeEndpoint, validateHttpOptions } from './options.js';
import { payloadUrl, postPayload } from './post.js';

export function direct(options = {}) {
  const base = validateHttpOptions('direct', options);
  const fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
  return {
    name: 'direct',
    format: base.format,
    endpoint: describeEndpoint(base.url),
    async send(payloads) {
      const results = [];
      for (const payload of payloads) {
        const url = payloadUrl(base.url, base.format, payload.signal);
        const result = await postPayload({ fetchImpl, url, headers: base.headers, body: payload.body, timeoutMs: base.timeoutMs });
        results.push({ ...result, records: payload.records, url: describeEndpoint(url) });
      }
      return results;
    },
  };
}
