// One POST of one payload. The response body is always consumed (read for a failure's message,
// cancelled on success): an unread body holds the connection open and, in Workers, counts
// against the invocation's simultaneous-connection limit.
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

export async function postPayload({ fetchImpl, url, headers, body, timeoutMs }) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await fetchImpl(url, { method: 'POST', headers, body, signal: controller.signal });
    if (response.ok) {
      await response.body?.cancel();
      return { ok: true, status: response.status };
    }
    const text = await response.text().catch(() => '');
    return {
      ok: false,
      status: response.status,
      retryable: RETRYABLE.has(response.status),
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
      error: `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
    };
  } catch (error) {
    return { ok: false, status: 0, retryable: true, error: `network error: ${error?.message ?? error}` };
  } finally {
    clearTimeout(timer);
  }
}

function retryAfterMs(header) {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : 0;
}

export const CONTENT_TYPE = 'application/json';

// Where a payload goes: native JSON to the URL as given; OTLP/HTTP to <base>/v1/<signal>, the
// same rule as OTEL_EXPORTER_OTLP_ENDPOINT in the OpenTelemetry exporter specification.
export function payloadUrl(base, format, signal) {
  if (format !== 'otlp-json') return base;
  return `${base.replace(/\/+$/, '')}/v1/${signal}`;
}
