// One POST of one payload: one attempt, inside the flush's deadline, subrequest budget and
// connection slots. Every outcome is a result object, never a throw or a rejection:
//   { ok, status, sent, retryable, retryAfterMs, cause, error }
// `sent` says whether a request left (a subrequest was spent); `cause` says why it failed:
//   'deadline'         no time left before the exporter's deadline, so not sent
//   'budget'           the flush's subrequest budget is spent, so not sent
//   'subrequest-limit' the runtime refused the fetch ("Too many subrequests ..."); not retried
//   'timeout'          no response within min(timeoutMs, time left before the deadline)
//   'network'          fetch threw or rejected
//   'redirect'         a 3xx: redirects are not followed (below)
//   'http'             any other non-2xx status
import { maskUrl } from './endpoint-url.js';
import { discardBody, readBodyPrefix } from './response-body.js';
import { parseRetryAfter } from './retry-after.js';

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const MAX_MESSAGE_CHARS = 200;

// workerd throws "Too many subrequests by single Worker invocation." once the plan's
// per-invocation limit is reached; every later fetch of the invocation fails the same way.
const SUBREQUEST_LIMIT = /too many subrequests/i;

export async function postPayload({ fetchImpl, url, headers, body, timeoutMs, deadline, context }) {
  if (deadline - Date.now() <= 0) return notSent('deadline', 'export deadline reached before this payload was sent');
  await context.connections.acquire();
  try {
    const left = deadline - Date.now();
    if (left <= 0) return notSent('deadline', 'export deadline reached before this payload was sent');
    if (!context.budget.take()) return notSent('budget', context.budget.describe());
    const attemptMs = Math.min(timeoutMs, left);
    return await attempt({ fetchImpl, url, headers, body, attemptMs, clipped: attemptMs < timeoutMs, context });
  } finally {
    context.connections.release();
  }
}

async function attempt({ fetchImpl, url, headers, body, attemptMs, clipped, context }) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timed out')), attemptMs);
  try {
    // redirect: 'manual': by the Fetch standard a followed 301/302/303 turns a POST into a GET
    // without its body, so following would "succeed" while the telemetry is gone. A 307/308 keeps
    // the method, but following it would send the payload and its credentials (authorization
    // header, query token) to wherever the collector points; the URL is configuration, so any 3xx
    // is reported as a failure naming the new location, and the URL can be fixed.
    const response = await fetchImpl(url, { method: 'POST', headers, body, redirect: 'manual', signal: controller.signal });
    if (response.ok) {
      await discardBody(response);
      return { ok: true, status: response.status, sent: true };
    }
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      await discardBody(response);
      return failure('redirect', response.status, redirectMessage(response, url), false);
    }
    const text = oneLine(await readBodyPrefix(response));
    return {
      ...failure('http', response.status, `HTTP ${response.status}${text ? `: ${text.slice(0, MAX_MESSAGE_CHARS)}` : ''}`, RETRYABLE.has(response.status)),
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    };
  } catch (error) {
    if (controller.signal.aborted) {
      const why = clipped ? ' (the time left before the export deadline)' : '';
      return failure('timeout', 0, `timed out after ${attemptMs} ms${why}`, true);
    }
    const message = error?.message ?? String(error);
    if (SUBREQUEST_LIMIT.test(message)) {
      context.budget.exhaust(`the runtime refused a subrequest: ${message}`);
      return failure('subrequest-limit', 0, `the runtime refused a subrequest: ${message}`, false);
    }
    return failure('network', 0, `network error: ${message}`, true);
  } finally {
    clearTimeout(timer);
  }
}

function notSent(cause, error) {
  return { ok: false, status: 0, sent: false, retryable: false, cause, error };
}

function failure(cause, status, error, retryable) {
  return { ok: false, status, sent: true, retryable, cause, error };
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

function oneLine(text) {
  return text.replace(/\s+/g, ' ').trim();
}
