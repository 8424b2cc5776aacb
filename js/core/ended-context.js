// The context of an ended span as the shim keeps it (core-telemetry.js endSpan): the words the
// core left in the io block, turned into a traceparent only when something asks for it.

// Two lowercase hex digits per byte value.
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// 8 lowercase hex digits of a uint32 word.
export function hex8(word) {
  return HEX[word >>> 24] + HEX[(word >>> 16) & 0xff] + HEX[(word >>> 8) & 0xff] + HEX[word & 0xff];
}

// The context of an ended span, as es_span_end left it in the io block: the words are kept, the
// header text is made only if a child or a log after the end asks for it.
export class EndedContext {
  constructor(t0, t1, t2, t3, s0, s1, flags, tracestate) {
    this.t0 = t0;
    this.t1 = t1;
    this.t2 = t2;
    this.t3 = t3;
    this.s0 = s0;
    this.s1 = s1;
    this.flags = flags;
    this.tracestate = tracestate;
    this.text = null;
  }

  // W3C trace-context version 00: version-traceid-parentid-flags.
  get traceparent() {
    this.text ??= `00-${hex8(this.t0)}${hex8(this.t1)}${hex8(this.t2)}${hex8(this.t3)}-${hex8(this.s0)}${hex8(this.s1)}-${this.flags.toString(16).padStart(2, '0')}`;
    return this.text;
  }
}
