// Validation shared by the channel factories (slack(), pagerDuty(), webhook(), email()): every
// error names the factory and the field, as the exporters' do (js/exporters/options.js).
import { EdgescopeConfigError } from '../config.js';
import { MAX_DEADLINE_MS } from '../exporters/options.js';

export function checkOptions(kind, options, known) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new EdgescopeConfigError(`${kind}()`, `an options object with ${known.join(', ')}`, options);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new EdgescopeConfigError(`${kind}({ ${key} })`, `one of the known options (${known.join(', ')})`, key);
  }
  return options;
}

// An absolute http(s) URL without credentials or fragment (fetch refuses userinfo; a fragment is
// never sent). The URL is a secret for Slack (the webhook URL is the credential): it is never
// logged whole (js/exporters/endpoint-url.js maskUrl does that).
export function checkUrl(kind, field, url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new EdgescopeConfigError(`${kind}({ ${field} })`, 'an absolute http(s) URL', typeof url === 'string' ? '(not a URL)' : url);
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username || parsed.password || parsed.hash) {
    throw new EdgescopeConfigError(`${kind}({ ${field} })`, 'an absolute http(s) URL without user:password@ or #fragment', `${parsed.protocol}//${parsed.host}…`);
  }
  return parsed.href;
}

export function checkString(kind, field, value, { max = 1024, optional = false } = {}) {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || /[\r\n]/.test(value)) {
    throw new EdgescopeConfigError(`${kind}({ ${field} })`, `a non-empty string of at most ${max} characters without line breaks`, value === undefined ? value : typeof value === 'string' ? '(a string)' : value);
  }
  return value;
}

// How one channel's request is sent: the exporter's defaults (js/exporters/http.js), inside the
// waitUntil window (Workers: 30 s after the response).
export function checkDelivery(kind, options) {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_DEADLINE_MS) {
    throw new EdgescopeConfigError(`${kind}({ timeoutMs })`, `an integer from 1 to ${MAX_DEADLINE_MS}`, timeoutMs);
  }
  const retries = options.retries ?? 2;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new EdgescopeConfigError(`${kind}({ retries })`, 'an integer from 0 to 10', retries);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new EdgescopeConfigError(`${kind}({ fetch })`, 'a fetch function', options.fetch);
  return { timeoutMs, retries, fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)) };
}

export const DELIVERY_OPTIONS = ['timeoutMs', 'retries', 'fetch'];
