// What an exporter does with the outcome of one POST, by the OTLP/HTTP rules (OpenTelemetry
// Protocol specification, "OTLP/HTTP Response"):
//   'delivered'    2xx ("Full Success"; a body may still report "Partial Success", partial-success.js)
//   'retry'        retried within the flush, with backoff: 429, 502, 503, 504 ("Retryable Response
//                  Codes"; 429/503 are "OTLP/HTTP Throttling" and may carry Retry-After), and a
//                  request that got no response at all ("OTLP/HTTP Connection": a client that
//                  cannot connect SHOULD retry with exponential backoff and jitter)
//   'retry-later'  not retried now, handed back for a later flush (the offline buffer): "All other
//                  4xx or 5xx response status codes MUST NOT be retried" in-flush, but the data is
//                  not the problem, so it is kept
//   'split'        413: the payload is too large for this collector; its halves may not be
//   'drop'         the collector refused the data itself ("Bad Data": 400 MUST NOT be retried); no
//                  later attempt can succeed, so the records are dropped (counted and logged)
// Every verdict carries `reason`, the rule it follows, for log lines and tests.

// "Retryable Response Codes": the only status codes an OTLP/HTTP client SHOULD retry.
const RETRYABLE = new Set([429, 502, 503, 504]);

export function classifyStatus(status) {
  if (status >= 200 && status < 300) return { action: 'delivered', reason: 'a 2xx is a full (or partial) success' };
  if (RETRYABLE.has(status)) return { action: 'retry', reason: `HTTP ${status} is a retryable response code (OTLP/HTTP "Retryable Response Codes")` };
  if (status === 413) return { action: 'split', reason: 'HTTP 413: the payload is too large for the collector; it is sent again in halves' };
  if (status === 401 || status === 403) {
    // Not retried (the spec), yet not the data's fault: a rotated or mistyped token must not cost
    // the telemetry that arrives while it is being fixed.
    return { action: 'retry-later', reason: `HTTP ${status}: the collector refused the credentials; the data is kept for a later flush` };
  }
  if (status >= 300 && status < 400) {
    // Redirects are never followed (post.js); the URL is a configuration error, kept until fixed.
    return { action: 'retry-later', reason: `HTTP ${status} redirect: the URL needs fixing; the data is kept for a later flush` };
  }
  if (status === 408) return { action: 'retry-later', reason: 'HTTP 408 is not a retryable response code in OTLP/HTTP; kept for a later flush' };
  if (status >= 400 && status < 500) {
    return { action: 'drop', reason: `HTTP ${status}: the collector refused the data ("Bad Data" and other 4xx MUST NOT be retried)` };
  }
  // 500, 501, 505 ... and anything outside the known classes: the spec forbids retrying now.
  return { action: 'retry-later', reason: `HTTP ${status} is not a retryable response code in OTLP/HTTP; kept for a later flush` };
}

// Outcome of postPayload (post.js) -> verdict. Requests that never got a status are classified by
// their cause.
export function classifyOutcome(outcome) {
  if (outcome.ok) return classifyStatus(outcome.status);
  switch (outcome.cause) {
    case 'network':
    case 'timeout':
      return { action: 'retry', reason: `${outcome.cause}: no response; retried with backoff (OTLP/HTTP "Connection")` };
    case 'deadline':
    case 'budget':
    case 'subrequest-limit':
      return { action: 'retry-later', reason: `${outcome.cause}: not sent in this flush; kept for a later one` };
    default:
      return outcome.status > 0 ? classifyStatus(outcome.status) : { action: 'retry-later', reason: `${outcome.cause ?? 'unknown'}: kept for a later flush` };
  }
}
