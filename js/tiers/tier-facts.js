// Per-invocation cache facts (scope.recordFetch): one lookup of a cache or store, a hit or not,
// summed by tier. A bad call is counted (stats().api.fetchesRefused) and reported once, never
// thrown into user code: a lookup's bookkeeping must not break the lookup.
//
//   { hits, lookups, byTier: { [tier]: { hits, lookups, bytes, durationMs } } }
//
// recordFetch({ tier, hit, durationMs, bytes?, status?, key? }):
//   tier        a tier of the vocabulary (cacheTiers.tiers extends the defaults)
//   hit         boolean
//   durationMs  a finite number >= 0 (how long the lookup took, measured by the caller)
//   bytes       optional, an integer >= 0 (bytes the lookup returned)
//   status      optional, an HTTP status (100..599) when the lookup was an HTTP exchange
//   key         optional, a string (not recorded as an attribute: keys are unbounded and may be personal)
export class CacheFacts {
  constructor() {
    this.hits = 0;
    this.lookups = 0;
    this.byTier = new Map(); // tier -> { hits, lookups, bytes, durationMs }
  }

  add(tier, hit, durationMs, bytes) {
    let row = this.byTier.get(tier);
    if (!row) {
      row = { hits: 0, lookups: 0, bytes: 0, durationMs: 0 };
      this.byTier.set(tier, row);
    }
    row.lookups++;
    row.durationMs += durationMs;
    row.bytes += bytes;
    this.lookups++;
    if (hit) {
      row.hits++;
      this.hits++;
    }
  }

  // A copy, so what user code holds does not change under it.
  snapshot() {
    const byTier = {};
    for (const [tier, row] of this.byTier) byTier[tier] = { ...row };
    return { hits: this.hits, lookups: this.lookups, byTier };
  }
}

// Why `facts` is not a valid lookup, or null when it is.
export function fetchFactsProblem(facts, tierSet) {
  if (facts === null || typeof facts !== 'object') return `takes an object { tier, hit, durationMs, bytes?, status?, key? } (got ${kind(facts)})`;
  const { tier, hit, durationMs, bytes, status, key } = facts;
  if (typeof tier !== 'string' || !tierSet.has(tier)) return `tier must be one of ${[...tierSet].join(', ')} or a cacheTiers.tiers name (got ${kind(tier)})`;
  if (typeof hit !== 'boolean') return `hit must be true or false (got ${kind(hit)})`;
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) return `durationMs must be a finite number >= 0 (got ${kind(durationMs)})`;
  if (bytes !== undefined && !(Number.isSafeInteger(bytes) && bytes >= 0)) return `bytes must be an integer >= 0 when given (got ${kind(bytes)})`;
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) return `status must be an HTTP status 100..599 when given (got ${kind(status)})`;
  if (key !== undefined && typeof key !== 'string') return `key must be a string when given (got ${kind(key)})`;
  return null;
}

function kind(value) {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || ['undefined', 'number', 'boolean'].includes(typeof value)) return String(value);
  return `a ${typeof value}`;
}
