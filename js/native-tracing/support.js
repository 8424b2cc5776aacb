// What the runtime's custom-spans API (`tracing` from 'cloudflare:workers') offers for putting
// edgescope's spans into the platform's trace, read from the object's shape only: no span is
// created (each platform span is billed as an observability event), nothing is called.
//
// Joining needs, per invocation, the platform's own active span and its ids:
//   tracing.getActiveSpan()  the invocation's root span, without opening a new one
//                            (Cloudflare changelog 2026-09-25)
//   span.spanContext()       { traceId, spanId, traceFlags } as the platform exports them
//                            (Cloudflare changelog 2026-10-26, workerd PR #7351)
// enterSpan/startActiveSpan alone cannot do it: they open a (billed) span and expose no ids.
const NEEDED = [
  ['getActiveSpan', (t) => typeof t.getActiveSpan === 'function'],
  ['Span.prototype.spanContext', (t) => typeof t.Span?.prototype?.spanContext === 'function'],
];

// -> { present, methods, missing, canJoin }
//   present  the runtime exports `tracing` at all
//   methods  the tracing object's methods (for the one log line saying why no join happens)
//   missing  what joining needs and the runtime lacks, in NEEDED's order
export function nativeTracingSupport(tracing) {
  if (tracing === undefined || tracing === null || typeof tracing !== 'object') {
    return { present: false, methods: [], missing: NEEDED.map(([name]) => name), canJoin: false };
  }
  const methods = [];
  for (let proto = tracing; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key !== 'constructor' && !methods.includes(key) && typeof tracing[key] === 'function') methods.push(key);
    }
  }
  const missing = NEEDED.filter(([, has]) => !has(tracing)).map(([name]) => name);
  return { present: true, methods: methods.sort(), missing, canJoin: missing.length === 0 };
}

// The reason, as one sentence, for the log line when `nativeTracing: 'join'` cannot join.
export function describeSupport(support) {
  if (!support.present) return "the runtime's 'cloudflare:workers' has no `tracing` export (a workerd older than Workers custom spans, 2026-06-16)";
  if (support.canJoin) return 'the runtime offers getActiveSpan() and spanContext()';
  return `the runtime's tracing lacks ${support.missing.join(' and ')} (it has ${support.methods.join(', ') || 'no methods'})`;
}
