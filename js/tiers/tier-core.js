// Cache-tier attribution in the core (wasm/include/edgescope/tiers/, bindings/edgescope.h
// es_tier_*): the patterns cross once per core instance (again on a fresh instance after a trap);
// an invocation's entries cross at most once, at finalize, and only when a span set a source.
//
//   rulesFor(packed)            the isolate's TierRules for this pattern list (shared)
//   rules.decide(entries)       entries: [{ order, name, source }] -> index of the deciding entry,
//                               -1 when none decides, or null when the core is unavailable
import { getCore, isTrap, markDead } from '../core/wasm-core.js';

const rules = new Map(); // packed patterns -> TierRules
const MAX_RULE_SETS = 8; // the core holds 16; an isolate has one or two configs
const encoder = new TextEncoder();
const MAX_NAME_UNITS = 256;
export const MAX_ENTRIES = 1024; // kMaxEntries

export function rulesFor(packed) {
  let found = rules.get(packed);
  if (!found) {
    if (rules.size >= MAX_RULE_SETS) {
      const [oldest, evicted] = rules.entries().next().value;
      rules.delete(oldest);
      evicted.destroy();
    }
    found = new TierRules(packed);
    rules.set(packed, found);
  }
  return found;
}

export class TierRules {
  constructor(packed) {
    this.packed = packed;
    this.core = null;
    this.handle = 0;
    const refusal = this.attach();
    if (refusal) throw new TypeError(`edgescope: cacheTiers.patterns refused by the core: ${refusal}`);
  }

  attach() {
    const core = getCore();
    const memory = core.memory;
    let handle;
    try {
      const ptr = memory.scratchFor(this.packed.length * 3);
      handle = core.exports.es_tier_rules(memory.writeText(ptr, this.packed));
    } catch (error) {
      if (isTrap(error)) markDead(core); // a fresh instance at the next invocation (wasm-core.js)
      throw error;
    }
    if (handle < 0) return memory.lastError();
    this.core = core;
    this.handle = handle;
    return null;
  }

  destroy() {
    try {
      if (this.core === getCore() && this.handle > 0) this.core.exports.es_tier_rules_destroy(this.handle);
    } catch (error) {
      if (!isTrap(error)) throw error;
      markDead(this.core);
    }
    this.core = null;
    this.handle = 0;
  }

  decide(entries) {
    try {
      if (this.core !== getCore() && this.attach()) return null;
      return this.run(entries);
    } catch (error) {
      if (!isTrap(error)) throw error;
      markDead(this.core);
      return null;
    }
  }

  // One packed text, "<order>\t<source>\t<name bytes>\t<name>\n" per entry: a name is counted in
  // UTF-8 bytes (as written) so it may hold any character, tabs and line breaks included.
  run(entries) {
    let text = '';
    for (const { order, name, source } of entries) {
      // Only a name's first 128 bytes can match (kMaxPatternBytes); a cut name stays longer than
      // any pattern, so it never equals one either.
      const cut = name.length > MAX_NAME_UNITS ? name.slice(0, MAX_NAME_UNITS) : name;
      text += `${order}\t${source}\t${utf8Length(cut)}\t${cut}\n`;
    }
    const memory = this.core.memory;
    const ptr = memory.scratchFor(text.length * 3);
    const result = this.core.exports.es_tier_decide(this.handle, memory.writeText(ptr, text));
    if (result < 0) throw new RangeError(`edgescope: cache tier decision: ${memory.lastError()}`);
    return result - 1;
  }
}

// The UTF-8 length TextEncoder gives (a lone surrogate becomes U+FFFD, 3 bytes); ASCII names
// need no encoding.
function utf8Length(text) {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return encoder.encode(text).length;
  return text.length;
}
