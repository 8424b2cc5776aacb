// Retry-After (RFC 9110 section 10.2.3): either delay-seconds (1*DIGIT) or an HTTP-date. Returns
// the wait in ms from `now`, or null when the header is absent or malformed (a malformed header
// is ignored, as if absent: the exporter's own backoff applies).
export function parseRetryAfter(header, now = Date.now()) {
  if (header === null || header === undefined) return null;
  const value = String(header).trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // HTTP-date (section 5.6.7): IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and the obsolete
  // RFC 850 form end in "GMT"; the obsolete asctime form ("Sun Nov  6 08:49:37 1994") is in UTC
  // without saying so. Anything else (ISO strings, fractions, negative numbers) is not an HTTP-date.
  let text;
  if (/ GMT$/.test(value)) text = value;
  else if (/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(value)) text = `${value} GMT`;
  else return null;
  const date = Date.parse(text);
  if (!Number.isFinite(date)) return null;
  return Math.max(0, date - now);
}
