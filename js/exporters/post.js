// One POST of one payload: one attempt, inside the flush's deadline, subrequest budget and
// connection slots. Every outcome is a result object, never a throw or a rejection:
//   { ok, status, sent, retryable, retryAfterMs, cause, error, message?, partial? }
// `sent` says whether a request left (a subrequest was spent); `retryable` whether the OTLP/HTTP
// rules allow retrying it within the flush (classify.js); `message` is the collector's own
// explanation of a refusal (bounded, one line); `partial` an OTLP partial success (a 2xx whose
// body rejects some records, partial-success.js). `cause` says why it failed:
//   'deadline'         no time left before the exporter's deadline, so not sent
//   'budget'           the flush's subrequest budget is spent, so not sent
//   'subrequest-limit' the runtime refused the fetch ("Too many subrequests ..."); not retried
//   'timeout'          no response within min(timeoutMs, time left before the deadline)
//   'network'          fetch threw or rejected
//   'redirect'         a 3xx: redirects are not followed (below)
//   'auth'             401 or 403: the collector refused the credentials
//   'too-large'        413: the payload is larger than the collector takes
//   'rejected'         any other 4xx but 408 and 429: the collector refused the data
//   'http'             any other non-2xx status (429, 408, 5xx)
//   'compression'      the body could not be gzipped, so not sent (compress.js; set by the caller)
//
// The payload's batchId goes out as the Idempotency-Key header on every attempt (the same key on
// a retry), so a collector that received a request whose answer was lost can recognise it.
import { classifyOutcome } from './classify.js';
import { maskUrl } from './endpoint-url.js';
import { isOtlp } from './formats.js';
import { readPartialSuccess, readPartialSuccessProto } from './partial-success.js';
import { collectorMessage, discardBody, readBodyBytes, readBodyPrefix, releaseBody } from './response-body.js';
import { parseRetryAfter } from './retry-after.js';

const MAX_MESSAGE_CHARS = 200;
// A partial-success response is a few fields and a message; a longer body is not one.
const PARTIAL_SUCCESS_BYTES = 16 * 1024;

// workerd throws "Too many subrequests by single Worker invocation." once the plan's
// per-invocation limit is reached; every later fetch of the invocation fails the same way.
const SUBREQUEST_LIMIT = /too many subrequests/i;

// format: the exporter's wire format; an OTLP response body is read for a partial success.
// body: the bytes to send when they are not payload.body itself (its gzip, compress.js), with
// headers then carrying Content-Encoding; the same bytes go out on every retry.
export async function postPayload({ fetchImpl, url, headers, payload, body = payload.body, format, timeoutMs, deadline, context }) {
  if (deadline - Date.now() <= 0) return notSent('deadline', 'export deadline reached before this payload was sent');
  // A free slot is taken without waiting a turn of the microtask queue (the common case: one
  // payload per flush); otherwise this waits in line for one.
  if (!context.connections.tryAcquire()) await context.connections.acquire();
  try {
    const left = deadline - Date.now();
    if (left <= 0) return notSent('deadline', 'export deadline reached before this payload was sent');
    if (!context.budget.take()) return notSent('budget', context.budget.describe());
    const attemptMs = Math.min(timeoutMs, left);
    const request = { url, headers: requestHeaders(headers, payload), body };
    return await attempt({ fetchImpl, request, payload, format, attemptMs, clipped: attemptMs < timeoutMs, context });
  } finally {
    context.connections.release();
  }
}

// A batch id is 32 hex digits from the core, with `-0`/`-1` per split (split-payload.js); anything
// else (a custom payload's id with spaces or line breaks) would make fetch throw on every attempt,
// so it is not sent.
const BATCH_ID = /^[0-9A-Za-z_.-]{1,256}$/;

export function requestHeaders(headers, payload) {
  return typeof payload.batchId === 'string' && BATCH_ID.test(payload.batchId) ? { ...headers, 'idempotency-key': payload.batchId } : headers;
}

async function attempt({ fetchImpl, request, payload, format, attemptMs, clipped, context }) {
  const { url, headers, body } = request;
  // One timer the runtime owns and drops with the signal, instead of an AbortController, a
  // setTimeout and a clearTimeout per attempt (about half of the exporter's CPU above a bare POST
  // in workerd, bench/exporter-overhead.mjs). AbortSignal.timeout (DOM standard) is in workerd and
  // Node 18+; in Workers it needs a request context, which a flush always runs in (Cloudflare
  // changelog 2026-08-19: "AbortSignal.timeout() still requires an active request context").
  // The timer is not cleared on success: it fires into a signal nobody listens to any more, or is
  // dropped with the invocation's I/O context.
  const signal = AbortSignal.timeout(attemptMs);
  try {
    // redirect: 'manual': by the Fetch standard a followed 301/302/303 turns a POST into a GET
    // without its body, so following would "succeed" while the telemetry is gone. A 307/308 keeps
    // the method, but following it would send the payload and its credentials (authorization
    // header, query token) to wherever the collector points; the URL is configuration, so any 3xx
    // is reported as a failure naming the new location, and the URL can be fixed.
    const response = await fetchImpl(url, { method: 'POST', headers, body, redirect: 'manual', signal });
    if (response.ok) return { ok: true, status: response.status, sent: true, partial: await partialSuccess(response, payload, format) };
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      await discardBody(response);
      return failure('redirect', response.status, redirectMessage(response, url));
    }
    const message = collectorMessage(await readBodyPrefix(response), MAX_MESSAGE_CHARS);
    return {
      ...failure(statusCause(response.status), response.status, `HTTP ${response.status}${message ? `: ${message}` : ''}`),
      message,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    };
  } catch (error) {
    if (signal.aborted) {
      const why = clipped ? ' (the time left before the export deadline)' : '';
      return failure('timeout', 0, `timed out after ${attemptMs} ms${why}`);
    }
    const message = error?.message ?? String(error);
    if (SUBREQUEST_LIMIT.test(message)) {
      context.budget.exhaust(`the runtime refused a subrequest: ${message}`);
      return failure('subrequest-limit', 0, `the runtime refused a subrequest: ${message}`);
    }
    return failure('network', 0, `network error: ${message}`);
  }
}

// Only an OTLP response is read, in the encoding its content-type declares: a conforming collector
// answers in the request's encoding (OTLP/HTTP "Response"), protobuf for 'otlp-proto', JSON for
// 'otlp-json'; a JSON answer to a protobuf request is read as JSON too. Anything else is only
// released (response-body.js releaseBody: a short declared body finished, any other cancelled).
async function partialSuccess(response, payload, format) {
  const type = (response.headers.get('content-type') ?? '').trim();
  if (format === 'otlp-proto' && /^application\/x-protobuf\b/i.test(type)) {
    const { bytes, truncated } = await readBodyBytes(response, PARTIAL_SUCCESS_BYTES);
    return readPartialSuccessProto(bytes, payload.signal, payload.records, truncated);
  }
  if (!isOtlp(format) || !/^application\/json\b/i.test(type)) {
    await releaseBody(response);
    return null;
  }
  return readPartialSuccess(await readBodyPrefix(response, PARTIAL_SUCCESS_BYTES), payload.signal, payload.records);
}

function statusCause(status) {
  if (status === 401 || status === 403) return 'auth';
  if (status === 413) return 'too-large';
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'rejected';
  return 'http';
}

function notSent(cause, error) {
  return { ok: false, status: 0, sent: false, retryable: false, cause, error };
}

function failure(cause, status, error) {
  const outcome = { ok: false, status, sent: true, cause, error };
  outcome.retryable = classifyOutcome(outcome).action === 'retry';
  return outcome;
}

function redirectMessage(response, url) {
  const location = response.headers.get('location');
  let target = '(no Location header)';
  if (location) {
    try {
      target = maskUrl(new URL(location, url).href);
    } catch {
      target = '(an unparseable Location)';
    }
  }
  const status = response.status || 'redirect';
  return `HTTP ${status} redirect to ${target} not followed (redirects are never followed: configure the final URL)`;
}
