// The de-duplication rules, one copy for both stores of the `alerts` state: the Durable Object's
// SQLite table (alert-table.js) and KV (js/alerts/kv-state.js).
//   - one alert per fingerprint per channel per cooldown: a channel sends when it never sent for
//     the fingerprint or its last send is at least cooldownMs old; otherwise the occurrences are
//     added to its suppressed count, which the next alert carries and which then starts again;
//   - a fingerprint's occurrences are tallied in buckets of 1/20 of their window, and the count
//     "within the window" is the sum of the buckets that started inside it (exact to one bucket).
export const BUCKETS_PER_WINDOW = 20;

export function bucketOf(now, windowMs) {
  const width = Math.max(1, Math.ceil(windowMs / BUCKETS_PER_WINDOW));
  return Math.floor(now / width) * width;
}

export const inWindow = (bucket, now, windowMs) => bucket > now - windowMs;

// row: { lastSent, suppressed } or null -> { send, suppressed (the decision), row (to store) }
export function decideSend(row, count, cooldownMs, now) {
  if (!row || now - row.lastSent >= cooldownMs) return { send: true, suppressed: row ? row.suppressed : 0, row: { lastSent: now, suppressed: 0 } };
  const suppressed = row.suppressed + count;
  return { send: false, suppressed, row: { lastSent: row.lastSent, suppressed } };
}
