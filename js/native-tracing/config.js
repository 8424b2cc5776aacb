// The `nativeTracing` option: 'join' puts edgescope's root span into the platform's trace when the
// runtime allows it (see support.js); 'off' keeps edgescope's own trace ids. Default 'join': it
// costs no extra billed span (edgescope parents on the platform's span, it does not mirror).
export const NATIVE_TRACING_MODES = ['join', 'off'];

export function parseNativeTracing(value) {
  if (value === undefined) return 'join';
  if (NATIVE_TRACING_MODES.includes(value)) return value;
  const shown = typeof value === 'string' ? `'${value}'` : value === null ? 'null' : typeof value;
  throw new TypeError(`edgescope config: nativeTracing must be 'join' or 'off', got ${shown}`);
}
