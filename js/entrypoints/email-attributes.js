// Root-span attributes of an Email Worker invocation (`email(message, env, ctx)`; the message is a
// ForwardableEmailMessage: developers.cloudflare.com/email-routing/email-workers/runtime-api/).
// The envelope addresses identify people, so by default only sizes are recorded: the raw
// message's size and the length of each address. `capture.clientAddress` (the switch that records
// who the client is for HTTP requests) also records the addresses. Never throws: a message
// without these fields gives fewer attributes.
export function emailAttributes(message, capture) {
  const attributes = { 'faas.trigger': 'other' };
  const rawSize = message?.rawSize;
  if (typeof rawSize === 'number' && Number.isFinite(rawSize)) attributes['edgescope.email.raw_size'] = rawSize;
  const from = message?.from;
  const to = message?.to;
  if (typeof from === 'string') attributes['edgescope.email.from.length'] = from.length;
  if (typeof to === 'string') attributes['edgescope.email.to.length'] = to.length;
  if (capture?.clientAddress) {
    if (typeof from === 'string') attributes['edgescope.email.from'] = from;
    if (typeof to === 'string') attributes['edgescope.email.to'] = to;
  }
  return attributes;
}
