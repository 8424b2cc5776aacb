// The Direct exporter: no buffering, no retries, no batching across calls: every payload handed to
// send() is exactly one POST, in order. For collectors that do their own retrying, and for the
// simplest possible delivery path when debugging. It keeps the same bounds as the HTTP exporter:
// the deadline (deadlineMs, each attempt's timeout clipped to the time left), the flush's
// subrequest budget and connection slots. Its results are classified by the same OTLP/HTTP rules
// (deliver.js): what the HTTP exporter would retry is handed back in `retryLater`, and a 413 is
// dropped with an error saying to lower maxPayloadBytes (splitting would be a second request).
import { compressionFailure, encodeBody } from './compress.js';
import { deliverPayload } from './deliver.js';
import { payloadUrl } from './endpoint-url.js';
import { createFlushContext } from './flush-context.js';
import { ExportNotices } from './notices.js';
import { validateHttpOptions } from './options.js';
import { postPayload } from './post.js';

export function direct(options = {}) {
  const base = validateHttpOptions('direct', options);
  const fetchImpl = base.fetch;
  return {
    name: 'direct',
    format: base.format,
    endpoint: base.endpoint,
    async send(payloads, context = createFlushContext()) {
      const deadline = Date.now() + base.deadlineMs;
      const notices = new ExportNotices('direct');
      const results = [];
      for (const payload of payloads) {
        const url = payloadUrl(base.url, base.format, payload.signal);
        const send = async (piece) => {
          const wire = await encodeBody(piece.body, base.compression, base.headers);
          if (!wire.ok) return { outcome: compressionFailure(wire.error), attempts: 0 };
          const outcome = await postPayload({ fetchImpl, url, headers: wire.headers, payload: piece, body: wire.body, format: base.format, timeoutMs: base.timeoutMs, deadline, context });
          return { outcome, attempts: outcome.sent ? 1 : 0 };
        };
        results.push(await deliverPayload({ payload, url, format: base.format, send, split: false, notices }));
      }
      notices.write();
      return results;
    },
  };
}
