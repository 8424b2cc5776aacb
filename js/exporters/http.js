// The HTTP exporter: each payload is POSTed with bounded retries (full-jitter exponential backoff,
// Retry-After honoured) inside a deadline well under the 30 s that ctx.waitUntil allows after the
// response (Workers limits: "waitUntil ... 30 seconds"). At most 6 requests are in flight, the
// Workers limit on simultaneous open connections per invocation.
import { EdgescopeConfigError } from '../config.js';
import { describeEndpoint, validateHttpOptions } from './options.js';
import { payloadUrl, postPayload } from './post.js';

const MAX_IN_FLIGHT = 6;

export function http(options = {}) {
  const base = validateHttpOptions('http', options);
  const retries = options.retries ?? 2;
  const deadlineMs = options.deadlineMs ?? 15000;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new EdgescopeConfigError('exporters.http({ retries })', 'an integer from 0 to 10', retries);
  }
  if (!Number.isInteger(deadlineMs) || deadlineMs < base.timeoutMs || deadlineMs > 25000) {
    throw new EdgescopeConfigError('exporters.http({ deadlineMs })', `an integer from timeoutMs (${base.timeoutMs}) to 25000`, deadlineMs);
  }
  const fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));

  async function sendOne(payload, deadline) {
    const url = payloadUrl(base.url, base.format, payload.signal);
    let result;
    for (let attempt = 0; ; attempt++) {
      result = await postPayload({ fetchImpl, url, headers: base.headers, body: payload.body, timeoutMs: base.timeoutMs });
      if (result.ok || !result.retryable || attempt >= retries) break;
      const backoff = Math.max(result.retryAfterMs ?? 0, Math.random() * Math.min(4000, 200 * 2 ** attempt));
      if (Date.now() + backoff + base.timeoutMs > deadline) break;
      await sleep(backoff);
    }
    return { ...result, records: payload.records, url: describeEndpoint(url) };
  }

  return {
    name: 'http',
    format: base.format,
    endpoint: describeEndpoint(base.url),
    async send(payloads) {
      const deadline = Date.now() + deadlineMs;
      const results = new Array(payloads.length);
      let next = 0;
      const worker = async () => {
        while (next < payloads.length) {
          const i = next++;
          results[i] = await sendOne(payloads[i], deadline);
        }
      };
      await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, payloads.length) }, worker));
      return results;
    },
  };
}
