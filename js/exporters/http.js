// The HTTP exporter: each payload is POSTed with bounded retries (full-jitter exponential backoff,
// Retry-After honoured) inside a deadline well under the 30 s that ctx.waitUntil allows after the
// response (Workers limits: "waitUntil ... 30 seconds"). What is retried, kept for a later flush,
// split or dropped follows the OTLP/HTTP rules (classify.js, deliver.js); each result says which
// records were delivered, dropped, or handed back in `retryLater` (results.js).
//
// The deadline is a hard bound on the whole send(): every attempt's timeout is
// min(timeoutMs, time left), a payload whose turn comes after the deadline is not sent (cause
// 'deadline'), and a wait (backoff or Retry-After) that would end past the deadline is not taken.
// Requests share the flush's connection slots (6) and subrequest budget with every other exporter
// of the flush (flush-context.js).
import { integerIn } from '../config.js';
import { compressionFailure, encodeBody } from './compress.js';
import { deliverPayload } from './deliver.js';
import { payloadUrl } from './endpoint-url.js';
import { createFlushContext, MAX_OPEN_CONNECTIONS } from './flush-context.js';
import { ExportNotices } from './notices.js';
import { validateHttpOptions } from './options.js';
import { postPayload } from './post.js';
import { defaultSleep, retryPost } from './retry-loop.js';

const TEST_SLEEP = Symbol.for('edgescope.test.sleep');

export function http(options = {}) {
  const base = validateHttpOptions('http', options);
  const retries = integerIn('exporters.http({ retries })', options.retries ?? 2, 0, 10);
  const fetchImpl = base.fetch;
  // Tests replace the backoff wait through a registry symbol: not an option of the public API.
  const sleep = typeof options[TEST_SLEEP] === 'function' ? options[TEST_SLEEP] : defaultSleep;

  // One payload (or half of one), with every retry the rules and the deadline allow. The same
  // Idempotency-Key and the same body bytes go with each attempt (post.js): a compressed body is
  // made once, here, before the first attempt.
  async function postWithRetries(payload, url, deadline, context) {
    // Uncompressed (the default), the body goes as it is: no promise to wait for.
    const wire = base.compression === 'none' ? { ok: true, body: payload.body, headers: base.headers } : await encodeBody(payload.body, base.compression, base.headers);
    if (!wire.ok) return { outcome: compressionFailure(wire.error), attempts: 0 };
    const post = () => postPayload({ fetchImpl, url, headers: wire.headers, payload, body: wire.body, format: base.format, timeoutMs: base.timeoutMs, deadline, context });
    return retryPost(post, { retries, deadline, sleep });
  }

  // The URL of each signal is the same for every send(): parsed once per exporter, not per payload.
  const urls = Object.create(null);
  const urlOf = (signal) => (urls[signal] ??= payloadUrl(base.url, base.format, signal));

  return {
    name: 'http',
    format: base.format,
    endpoint: base.endpoint,
    // context: the flush's shared budget and connection slots (a fresh one when called alone).
    async send(payloads, context = createFlushContext()) {
      const deadline = Date.now() + base.deadlineMs;
      const notices = new ExportNotices('http');
      const results = new Array(payloads.length);
      let next = 0;
      const worker = async () => {
        while (next < payloads.length) {
          const i = next++;
          const payload = payloads[i];
          const url = urlOf(payload.signal);
          const send = (piece) => postWithRetries(piece, url, deadline, context);
          results[i] = await deliverPayload({ payload, url, format: base.format, send, split: true, notices });
        }
      };
      await Promise.all(Array.from({ length: Math.min(MAX_OPEN_CONNECTIONS, payloads.length) }, worker));
      notices.write();
      return results;
    },
  };
}
