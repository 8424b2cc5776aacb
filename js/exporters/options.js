// Validation shared by the HTTP and Direct exporters; errors name the option.
import { EdgescopeConfigError } from '../config.js';

export function validateHttpOptions(kind, options) {
  if (options === null || typeof options !== 'object') {
    throw new EdgescopeConfigError(`exporters.${kind}()`, 'an options object like { url }', options);
  }
  const { url, format = 'native', headers = {}, bearerToken, timeoutMs = 5000 } = options;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new EdgescopeConfigError(`exporters.${kind}({ url })`, 'an absolute http(s) URL', url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new EdgescopeConfigError(`exporters.${kind}({ url })`, 'an absolute http(s) URL', url);
  }
  if (format !== 'native' && format !== 'otlp-json') {
    throw new EdgescopeConfigError(`exporters.${kind}({ format })`, "'native' or 'otlp-json'", format);
  }
  if (headers === null || typeof headers !== 'object' || Object.values(headers).some((v) => typeof v !== 'string')) {
    throw new EdgescopeConfigError(`exporters.${kind}({ headers })`, 'an object of string header values', headers);
  }
  if (bearerToken !== undefined && (typeof bearerToken !== 'string' || bearerToken === '')) {
    throw new EdgescopeConfigError(`exporters.${kind}({ bearerToken })`, 'a non-empty string', bearerToken);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 25000) {
    throw new EdgescopeConfigError(`exporters.${kind}({ timeoutMs })`, 'an integer from 1 to 25000', timeoutMs);
  }
  const allHeaders = { 'content-type': 'application/json', ...lowerKeys(headers) };
  if (bearerToken) allHeaders.authorization = `Bearer ${bearerToken}`;
  return { url: parsed.href, format, headers: allHeaders, timeoutMs };
}

function lowerKeys(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

export function describeEndpoint(url) {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`; // never the query string: it may hold a token
}
