// `cacheTiers: { patterns?, tiers? }`: which spans decide a request's cache tier and which tier
// names spans and lookups may use. Validated once, up front (config.js); every error names the
// field. The core checks the patterns again when it takes them (wasm/src/tiers).
//
//   patterns  span names that decide the tier: exact, or a prefix written `x:*` ('*' only at the
//             end); 1 to 32 of them, each 1 to 128 UTF-8 bytes without control characters.
//             Default ['index', 'index-build', 'file:*'].
//   tiers     tier names added to the default vocabulary (memory cache kv r2 d1 origin build miss):
//             lowercase [a-z0-9_-], starting with a letter, at most 32 characters; at most 32 added.
//             'none', 'tier', 'hits' and 'lookups' are reserved: the root span's cache.tier,
//             cache.hits and cache.lookups attributes, and cache.<tier>.* per tier, must not collide.
import { checkKnownKeys, checkObject, EdgescopeConfigError } from '../config.js';

export const DEFAULT_PATTERNS = Object.freeze(['index', 'index-build', 'file:*']);
export const DEFAULT_TIERS = Object.freeze(['memory', 'cache', 'kv', 'r2', 'd1', 'origin', 'build', 'miss']);
export const NO_TIER = 'none';
const MAX_PATTERNS = 32; // wasm/include/edgescope/tiers/tier_attribution.hpp kMaxPatterns
const MAX_PATTERN_BYTES = 128; // kMaxPatternBytes
const MAX_ADDED_TIERS = 32;
const TIER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const RESERVED = new Set([NO_TIER, 'tier', 'hits', 'lookups']);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const encoder = new TextEncoder();

export function validateCacheTiers(cacheTiers) {
  if (cacheTiers === undefined) return build(DEFAULT_PATTERNS, []);
  checkObject('cacheTiers', cacheTiers, "an object like { patterns: ['index', 'file:*'], tiers: ['l2'] }");
  checkKnownKeys(cacheTiers, ['patterns', 'tiers'], 'cacheTiers', 'patterns or tiers (the only cacheTiers options)');
  const patterns = cacheTiers.patterns ?? DEFAULT_PATTERNS;
  if (!Array.isArray(patterns) || patterns.length === 0 || patterns.length > MAX_PATTERNS) {
    throw new EdgescopeConfigError('cacheTiers.patterns', `an array of 1 to ${MAX_PATTERNS} span-name patterns (exact, or a prefix like 'file:*')`, patterns);
  }
  patterns.forEach((pattern, i) => {
    const field = `cacheTiers.patterns[${i}]`;
    if (typeof pattern !== 'string' || pattern === '' || encoder.encode(pattern).length > MAX_PATTERN_BYTES || CONTROL.test(pattern)) {
      throw new EdgescopeConfigError(field, `a span name or prefix of 1 to ${MAX_PATTERN_BYTES} bytes without control characters`, pattern);
    }
    const star = pattern.indexOf('*');
    if (star !== -1 && star !== pattern.length - 1) {
      throw new EdgescopeConfigError(field, "an exact span name, or a prefix with '*' only at the end (like 'file:*')", pattern);
    }
  });
  const tiers = cacheTiers.tiers ?? [];
  if (!Array.isArray(tiers) || tiers.length > MAX_ADDED_TIERS) {
    throw new EdgescopeConfigError('cacheTiers.tiers', `an array of at most ${MAX_ADDED_TIERS} tier names`, tiers);
  }
  tiers.forEach((tier, i) => {
    if (typeof tier !== 'string' || !TIER_NAME.test(tier) || RESERVED.has(tier)) {
      throw new EdgescopeConfigError(
        `cacheTiers.tiers[${i}]`,
        `a tier name of lowercase letters, digits, '_' or '-', starting with a letter, at most 32 characters, not ${[...RESERVED].join('/')}`,
        tier,
      );
    }
  });
  return build(patterns, tiers);
}

function build(patterns, added) {
  const tiers = Object.freeze([...new Set([...DEFAULT_TIERS, ...added])]);
  return Object.freeze({ patterns: Object.freeze([...patterns]), packed: patterns.join('\n'), tiers, tierSet: new Set(tiers) });
}
