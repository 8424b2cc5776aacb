// What an invocation's cache tier and lookups put on its root span and into metrics, at finalize
// (after the body was delivered or cancelled: work a streaming handler does after its promise
// resolved is part of the request). Names follow OpenTelemetry's attribute naming rules
// (lowercase, dot-separated namespaces, units as suffixes); there is no semantic convention for
// cache tiers, so they live under `cache.` on spans and `edgescope.cache.` for metrics.
//
// Root span attributes:
//   cache.tier                  the deciding tier, 'none' when nothing decided (always set)
//   cache.hits, cache.lookups   this request's lookups (only when there were lookups)
//   cache.<tier>.hits | .lookups | .bytes | .duration_ms   the same by tier
// Metrics (only when there were lookups), tagged cache.tier, so that over any window and across
// isolates hit ratio = sum(edgescope.cache.hits) / sum(edgescope.cache.lookups):
//   edgescope.cache.lookups  counter        edgescope.cache.hits  counter
//   edgescope.cache.bytes    counter (By)   (only for tiers whose lookups returned bytes)
//   edgescope.cache.lookup.duration  histogram (s), one value per lookup, tagged cache.tier and
//                                    cache.hit; recorded as each lookup is (tier-facts.js)
export const TIER_ATTRIBUTE = 'cache.tier';

export function cacheAttributes(tier, facts) {
  const attributes = { [TIER_ATTRIBUTE]: tier };
  if (facts.lookups === 0) return attributes;
  attributes['cache.hits'] = facts.hits;
  attributes['cache.lookups'] = facts.lookups;
  for (const [name, row] of facts.byTier) {
    attributes[`cache.${name}.hits`] = row.hits;
    attributes[`cache.${name}.lookups`] = row.lookups;
    attributes[`cache.${name}.bytes`] = row.bytes;
    attributes[`cache.${name}.duration_ms`] = row.durationMs;
  }
  return attributes;
}

// Counters for lookups summed per tier: one increment per tier and counter per invocation.
export function recordCacheCounters(metrics, facts) {
  for (const [name, row] of facts.byTier) {
    const tags = { [TIER_ATTRIBUTE]: name };
    metrics.increment('edgescope.cache.lookups', row.lookups, tags);
    metrics.increment('edgescope.cache.hits', row.hits, tags);
    if (row.bytes > 0) metrics.increment('edgescope.cache.bytes', row.bytes, tags, { unit: 'By' });
  }
}

export function recordLookupDuration(metrics, tier, hit, durationMs) {
  metrics.histogram('edgescope.cache.lookup.duration', durationMs / 1000, { [TIER_ATTRIBUTE]: tier, 'cache.hit': hit }, { unit: 's' });
}
