// A generic JSON webhook: a POST of { type: 'edgescope.alert', version: 1, alert } (the fields in
// fields.js) to `url`, with static `headers` (an Authorization header, say) if given.
//
// With `secret`, every request is signed so the receiver can tell it came from this Worker and was
// not replayed (the scheme Stripe and Slack use for their own webhooks):
//   x-edgescope-timestamp: <unix seconds when the alert was built>
//   x-edgescope-signature: v1=<hex HMAC-SHA256(secret, `${timestamp}.${body}`)>
// Verify by recomputing the HMAC over the timestamp header, a '.', and the raw body bytes as
// received (before any JSON parsing), comparing in constant time (crypto.timingSafeEqual), and
// refusing a timestamp more than 5 minutes from now. Retries re-send the same body, signature and
// Idempotency-Key. The HMAC is WebCrypto's (crypto.subtle, in Workers and Node).
import { EdgescopeConfigError } from '../config.js';
import { checkDelivery, checkOptions, checkUrl, DELIVERY_OPTIONS } from './channel-options.js';
import { postJson } from './http-channel.js';

export const SIGNATURE_HEADER = 'x-edgescope-signature';
export const TIMESTAMP_HEADER = 'x-edgescope-timestamp';
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function webhook(options) {
  checkOptions('webhook', options, ['url', 'secret', 'headers', ...DELIVERY_OPTIONS]);
  const url = checkUrl('webhook', 'url', options.url);
  const { secret } = options;
  // RFC 2104 section 3: a key shorter than the hash output (32 bytes) weakens the MAC.
  if (secret !== undefined && (typeof secret !== 'string' || new TextEncoder().encode(secret).length < 32)) {
    throw new EdgescopeConfigError('webhook({ secret })', 'a string of at least 32 bytes (an HMAC-SHA256 key; e.g. 32 random bytes, hex-encoded)', typeof secret === 'string' ? '(a shorter string)' : secret);
  }
  const headers = options.headers ?? {};
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) throw new EdgescopeConfigError('webhook({ headers })', 'an object of string header values', headers);
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || /[\r\n]/.test(value)) {
      throw new EdgescopeConfigError(`webhook({ headers.${name} })`, 'a header name with a string value without line breaks', value);
    }
  }
  const delivery = checkDelivery('webhook', options);
  let key = null; // the imported HMAC key, made once per isolate
  return Object.freeze({
    kind: 'webhook',
    build: webhookBody,
    async deliver(alert, { id, deadline, context }) {
      const body = JSON.stringify(webhookBody(alert));
      const signed = { ...headers };
      if (secret !== undefined) {
        key ??= await importKey(secret);
        const timestamp = String(Math.floor(Date.now() / 1000));
        signed[TIMESTAMP_HEADER] = timestamp;
        signed[SIGNATURE_HEADER] = `v1=${await sign(key, timestamp, body)}`;
      }
      return postJson({ url, headers: signed, body, id, delivery, deadline, context });
    },
  });
}

export function webhookBody(alert) {
  return { type: 'edgescope.alert', version: 1, alert };
}

function importKey(secret) {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

export async function sign(key, timestamp, body) {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestamp}.${body}`)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}
