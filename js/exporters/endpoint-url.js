// Collector URLs: where each payload goes, and how a URL is shown in logs and stats.
//
// Vendors often take the API key in the query string (`https://host/otlp?token=abc`), so the
// signal path is appended to the URL's *path* and the query is kept; and because that query is a
// credential, every URL that reaches a log line or stats() goes through maskUrl().
import { isOtlp } from './formats.js';

// Native JSON goes to the URL as given. OTLP/HTTP goes to <base path>/v1/<signal>, the rule for
// OTEL_EXPORTER_OTLP_ENDPOINT in the OpenTelemetry Protocol Exporter specification ("Endpoint
// URLs for OTLP/HTTP": the signal path is appended to the base URL's path).
export function payloadUrl(base, format, signal) {
  if (!isOtlp(format)) return base;
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return url.href;
}

// The URL for humans: scheme, host and path kept; every query value and any userinfo replaced by
// `***` (keys are kept so a reader can tell which parameter was set). Never throws: a value that
// does not parse as a URL is not shown at all.
export function maskUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparseable URL)';
  }
  const userinfo = parsed.username || parsed.password ? '***@' : '';
  const query = parsed.search === '' ? '' : `?${parsed.search.slice(1).split('&').map(maskParam).join('&')}`;
  return `${parsed.protocol}//${userinfo}${parsed.host}${parsed.pathname}${query}`;
}

function maskParam(part) {
  const eq = part.indexOf('=');
  return eq < 0 ? part : `${part.slice(0, eq)}=***`;
}
