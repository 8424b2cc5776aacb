// Validation shared by the HTTP and Direct exporters; errors name the option.
import { EdgescopeConfigError, integerIn } from '../config.js';
import { COMPRESSIONS } from './compress.js';
import { maskUrl } from './endpoint-url.js';
import { contentTypeOf, FORMAT_LIST, isFormat, isOtlp } from './formats.js';

// ctx.waitUntil keeps an invocation alive 30 s after the response (Workers limits, "Duration");
// the export deadline stays under that with room for the drain and the log line.
export const MAX_DEADLINE_MS = 25000;
export const DEFAULT_DEADLINE_MS = 15000;

export function validateHttpOptions(kind, options) {
  if (options === null || typeof options !== 'object') {
    throw new EdgescopeConfigError(`exporters.${kind}()`, 'an options object like { url }', options);
  }
  const { url, format = 'native', headers = {}, bearerToken, timeoutMs = 5000, deadlineMs = DEFAULT_DEADLINE_MS, compression = 'none' } = options;
  const parsed = validateUrl(kind, url);
  if (!isFormat(format)) {
    throw new EdgescopeConfigError(`exporters.${kind}({ format })`, FORMAT_LIST, format);
  }
  if (isOtlp(format)) refuseSignalUrl(kind, parsed, format);
  if (headers === null || typeof headers !== 'object' || Object.values(headers).some((v) => typeof v !== 'string')) {
    throw new EdgescopeConfigError(`exporters.${kind}({ headers })`, 'an object of string header values', headers);
  }
  if (bearerToken !== undefined && (typeof bearerToken !== 'string' || bearerToken === '')) {
    throw new EdgescopeConfigError(`exporters.${kind}({ bearerToken })`, 'a non-empty string', bearerToken);
  }
  integerIn(`exporters.${kind}({ timeoutMs })`, timeoutMs, 1, MAX_DEADLINE_MS);
  // Each attempt's timeout is min(timeoutMs, time left before the deadline), so a deadline
  // shorter than timeoutMs is allowed: it simply wins.
  integerIn(`exporters.${kind}({ deadlineMs })`, deadlineMs, 1, MAX_DEADLINE_MS);
  // gzip goes through the runtime's CompressionStream (compress.js); the payload cap still bounds
  // the uncompressed body.
  if (!COMPRESSIONS.includes(compression)) {
    throw new EdgescopeConfigError(`exporters.${kind}({ compression })`, "'gzip' or 'none'", compression);
  }
  const allHeaders = { 'content-type': contentTypeOf(format), ...lowerKeys(headers) };
  if (bearerToken) allHeaders.authorization = `Bearer ${bearerToken}`;
  return { url: parsed.href, format, compression, headers: allHeaders, timeoutMs, deadlineMs, endpoint: maskUrl(parsed.href) };
}

function validateUrl(kind, url) {
  const field = `exporters.${kind}({ url })`;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new EdgescopeConfigError(field, 'an absolute http(s) URL', url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new EdgescopeConfigError(field, 'an absolute http(s) URL', url);
  }
  // A fragment is never sent to the server (RFC 9110 section 4.2.5, RFC 3986 section 3.5), and an
  // OTLP signal path appended after it would vanish with it: whatever was meant, it is a mistake.
  if (parsed.href.includes('#')) {
    throw new EdgescopeConfigError(field, 'a URL without a #fragment (fragments are never sent to the collector)', `${maskUrl(url)}#…`);
  }
  // Userinfo is deprecated in http(s) URIs (RFC 9110 section 4.2.4) and the Fetch standard's
  // Request constructor throws on a URL with credentials, so every export would fail; say so now.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new EdgescopeConfigError(
      field,
      "a URL without user:password@ (fetch refuses credentials in URLs; pass headers: { authorization: 'Basic ...' })",
      maskUrl(url),
    );
  }
  return parsed;
}

// For OTLP the url is the base (OTEL_EXPORTER_OTLP_ENDPOINT): /v1/traces, /v1/metrics and
// /v1/logs are appended to it. A signal's own URL (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, what a
// vendor's page often shows) would post to .../v1/traces/v1/traces, and it cannot serve the other
// two signals, so it is refused rather than silently trimmed: the fix is to drop the suffix.
const SIGNAL_PATH = /\/v1\/(traces|metrics|logs)\/*$/i;

function refuseSignalUrl(kind, parsed, format) {
  const match = SIGNAL_PATH.exec(parsed.pathname);
  if (!match) return;
  const base = new URL(parsed.href);
  base.pathname = parsed.pathname.slice(0, match.index) || '/';
  throw new EdgescopeConfigError(
    `exporters.${kind}({ url })`,
    `the OTLP base URL, here ${maskUrl(base.href)}: with format '${format}' edgescope appends /v1/traces, ` +
      `/v1/metrics and /v1/logs to it, and a URL ending in /v1/${match[1]} can serve only that one signal`,
    maskUrl(parsed.href),
  );
}

function lowerKeys(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
