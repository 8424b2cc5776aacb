// One console line per reason per isolate: a channel that fails on every invocation (a revoked
// webhook, an unverified address) says so once, and stats() keeps the count.
const MAX_REASONS = 200;

export function reportOnce(stats, key, message) {
  const seen = (stats.reported ??= new Set());
  if (seen.has(key) || seen.size >= MAX_REASONS) return;
  seen.add(key);
  console.error(`[edgescope] alerts: ${message}`);
}
