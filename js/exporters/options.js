// Validation shared by the HTTP and Direct exporters; errors name the option.
import { checkKnownKeys, checkObject, EdgescopeConfigError, integerIn } from '../config.js';
import { COMPRESSIONS } from './compress.js';
import { maskUrl } from './endpoint-url.js';
import { contentTypeOf, FORMAT_LIST, isFormat, isOtlp } from './formats.js';

// ctx.waitUntil keeps an invocation alive 30 s after the response (Workers limits, "Duration");
// the export deadline stays under that with room for the drain and the log line.
export const MAX_DEADLINE_MS = 25000;
export const DEFAULT_DEADLINE_MS = 15000;

// Every option each exporter reads: any other key (a misspelling such as `compresion`, or
// `retries` given to direct) is refused, as the top-level config refuses its unknown keys, instead
// of being ignored. Symbol keys are not options (checkKnownKeys looks at string keys only): the
// tests' registry symbol for the backoff wait (http.js) passes.
const DIRECT_KEYS = ['url', 'format', 'headers', 'bearerToken', 'timeoutMs', 'deadlineMs', 'compression', 'fetch'];
const KEYS = { direct: DIRECT_KEYS, http: [...DIRECT_KEYS, 'retries'] };

export function validateHttpOptions(kind, options) {
  const field = (name) => `exporters.${kind}({ ${name} })`;
  checkObject(`exporters.${kind}()`, options, 'an options object like { url }');
  const known = KEYS[kind];
  checkKnownKeys(options, known, `exporters.${kind}`, kind === 'direct' ? `one of ${known.join(', ')} (direct never retries: use exporters.http)` : undefined);
  const { url, format = 'native', headers = {}, bearerToken, timeoutMs = 5000, deadlineMs = DEFAULT_DEADLINE_MS, compression = 'none', fetch } = options;
  const parsed = validateUrl(kind, url);
  if (!isFormat(format)) {
    throw new EdgescopeConfigError(field('format'), FORMAT_LIST, format);
  }
  if (isOtlp(format)) refuseSignalUrl(kind, parsed, format);
  if (bearerToken !== undefined && (typeof bearerToken !== 'string' || bearerToken === '')) {
    throw new EdgescopeConfigError(field('bearerToken'), 'a non-empty string', bearerToken);
  }
  integerIn(field('timeoutMs'), timeoutMs, 1, MAX_DEADLINE_MS);
  // Each attempt's timeout is min(timeoutMs, time left before the deadline), so a deadline
  // shorter than timeoutMs is allowed: it simply wins.
  integerIn(field('deadlineMs'), deadlineMs, 1, MAX_DEADLINE_MS);
  // gzip goes through the runtime's CompressionStream (compress.js); the payload cap still bounds
  // the uncompressed body.
  if (!COMPRESSIONS.includes(compression)) {
    throw new EdgescopeConfigError(field('compression'), "'gzip' or 'none'", compression);
  }
  if (fetch !== undefined && typeof fetch !== 'function') throw new EdgescopeConfigError(field('fetch'), 'a function', fetch);
  const sent = validateHeaders(field('headers'), headers);
  if (bearerToken) {
    // bearerToken is the authorization header: with one in headers too, one would be lost.
    if (sent.has('authorization')) throw new EdgescopeConfigError(field('bearerToken'), 'given without an authorization header', 'both');
    try {
      appendHeader(sent, '', 'authorization', `Bearer ${bearerToken}`);
    } catch {
      throw new EdgescopeConfigError(field('bearerToken'), 'a string fetch can send in a header (no CR, LF, NUL or chars above U+00FF inside)', 'authorization: Bearer (not shown)');
    }
  }
  return {
    url: parsed.href,
    format,
    compression,
    headers: { 'content-type': contentTypeOf(format), ...Object.fromEntries(sent) },
    timeoutMs,
    deadlineMs,
    endpoint: maskUrl(parsed.href),
    fetch: fetch ?? ((...args) => globalThis.fetch(...args)),
  };
}

// headers: a plain object, or what fetch takes as HeadersInit besides (a Headers, [name, value]
// pairs). Anything iterable is read as pairs, so a Headers is never read as an object with no own
// keys and its headers dropped. They are gathered in a Headers, as fetch would gather them: names
// lower-cased, a name given twice sent once with both values (RFC 9110 section 5.3).
const HEADERS_FORM = 'an object, a Headers or [name, value] pairs of strings';

function validateHeaders(field, headers) {
  const pairs = headers !== null && typeof headers === 'object' && typeof headers[Symbol.iterator] === 'function' ? [...headers] : Object.entries(checkObject(field, headers, HEADERS_FORM));
  const sent = new Headers();
  for (const pair of pairs) {
    // The error names the shape, never the value: a header value is often a secret (an API key).
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== 'string') throw new EdgescopeConfigError(field, HEADERS_FORM, shapeOf(pair));
    appendHeader(sent, field, pair[0], pair[1]);
  }
  return sent;
}

// `[string, number]`, `[string, string, string]`, `number`: what was given, without its values.
function shapeOf(pair) {
  return Array.isArray(pair) ? `[${pair.map((v) => (v === null ? 'null' : typeof v)).join(', ')}]` : pair === null ? 'null' : typeof pair;
}

// RFC 9110 section 5.6.2: a field name is a token.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Headers edgescope sets on every request: the payload's batch id (post.js) and the encoding that
// follows `compression` (compress.js). One given here would be replaced, or would describe a body
// it does not describe.
const OWN_HEADERS = ['idempotency-key', 'content-encoding'];

// Fetch would throw on a name that is not a token, or a value with a NUL, CR or LF inside or a
// character above U+00FF (Fetch standard, "Headers": it strips whitespace around a value first),
// and the exporter would meet that only at send time, as a "network error" with the payload
// buffered and retried. So each header is checked now, twice: by this runtime's own Headers and by
// the rule. The error names the header, never its value: that is often a secret.
function appendHeader(sent, field, name, value) {
  let ok = TOKEN.test(name) && !OWN_HEADERS.includes(name.toLowerCase());
  try {
    sent.append(name, value);
  } catch {
    ok = false;
  }
  if (!ok || /[\0\r\n]/.test(sent.get(name))) {
    throw new EdgescopeConfigError(field, `headers fetch can send (RFC 9110 token names, values without CR, LF, NUL or chars above U+00FF), not ${OWN_HEADERS.join(' or ')}`, name);
  }
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
