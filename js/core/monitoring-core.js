// Error classification in the core (wasm/include/edgescope/monitoring/, bindings/edgescope.h
// es_cls_*): a classifier made from packed rules (js/monitoring/error-config.js) on the telemetry
// module's instance, re-made on a fresh instance after a trap. Strings go in through the scratch
// buffer with CoreMemory's helpers (core-memory.js); the answer comes back in the output buffer.
//
//   new ErrorClassifier({ packed, defaults })   throws TypeError when the core refuses the rules
//   classify({ type, message, stack, status, route, binding, spanName, level })
//     -> { severity, category, fingerprint, normalizedMessage, repeated: { count, windowMs, severity } | null }
//        or null when the core is unavailable (it trapped and could not be replaced): telemetry
//        fails open, the error itself is never hidden from user code.
import { getCore, isTrap, markDead } from './wasm-core.js';
import { cut, textOf } from './attribute-values.js';

export const SEVERITY_NAMES = Object.freeze(['INFO', 'WARNING', 'CRITICAL']); // core Severity order
// Each input is cut before it crosses, bounding the copy (the core reads a message up to 4096
// bytes, fingerprint.hpp; a stack's first application frame is near its top).
const LIMITS = [256, 4096, 16384, 1024, 128, 1024, 8];

export class ErrorClassifier {
  constructor({ packed = '', defaults = true } = {}) {
    this.packed = packed;
    this.defaults = defaults;
    this.core = null;
    this.handle = 0;
    const refusal = this.attach();
    if (refusal) throw new TypeError(`edgescope: errors.rules refused by the core: ${refusal}`);
  }

  // Makes the core classifier on the current instance; returns the core's refusal, if any.
  attach() {
    const core = getCore();
    const memory = core.memory;
    const length = this.packed.length * 3;
    const ptr = memory.scratchFor(length);
    const len = length ? memory.writeText(ptr, this.packed) : 0;
    const handle = core.exports.es_cls_create(len, this.defaults ? 1 : 0);
    if (handle < 0) return memory.lastError();
    this.core = core;
    this.handle = handle;
    return null;
  }

  // Gives the core's slot back (the classifier is unusable after).
  destroy() {
    try {
      if (this.core === getCore() && this.handle > 0) this.core.exports.es_cls_destroy(this.handle);
    } catch (error) {
      if (!isTrap(error)) throw error;
      markDead(this.core);
    }
    this.core = null;
    this.handle = 0;
  }

  classify(input) {
    try {
      if (this.core !== getCore() && this.attach()) return null;
      return this.run(input);
    } catch (error) {
      if (!isTrap(error)) throw error;
      markDead(this.core);
      return null;
    }
  }

  run({ type, message, stack, status, route, binding, spanName, level }) {
    const texts = [type, message, stack, route, binding, spanName, level].map((v, i) => (v == null ? '' : cut(textOf(v), LIMITS[i])));
    let capacity = 0;
    for (const text of texts) capacity += text.length * 3;
    const memory = this.core.memory;
    const ptr = memory.scratchFor(capacity);
    const lengths = [];
    let offset = 0;
    for (const text of texts) {
      const written = text ? memory.writeText(ptr + offset, text) : 0;
      lengths.push(written);
      offset += written;
    }
    const code = Number.isInteger(status) && status >= 100 && status <= 599 ? status : 0;
    const result = this.core.exports.es_cls_classify(this.handle, code, ...lengths);
    if (result < 0) throw new RangeError(`edgescope: classify: ${memory.lastError()}`);
    // "<fingerprint>\n<count>\n<windowMs>\n<category>\n<normalized message>"
    const out = memory.output();
    const a = out.indexOf('\n');
    const b = out.indexOf('\n', a + 1);
    const c = out.indexOf('\n', b + 1);
    const d = out.indexOf('\n', c + 1);
    const count = Number(out.slice(a + 1, b));
    return {
      severity: SEVERITY_NAMES[result & 3],
      category: out.slice(c + 1, d),
      fingerprint: out.slice(0, a),
      normalizedMessage: out.slice(d + 1),
      repeated: count > 0 ? { count, windowMs: Number(out.slice(b + 1, c)), severity: SEVERITY_NAMES[(result >> 2) & 3] } : null,
    };
  }
}
