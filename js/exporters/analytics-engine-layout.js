// The slot layout of the data point the Analytics Engine exporter writes once per invocation, and
// the limits it is fitted to. The layout is a public contract: SQL queries name slots by position
// (blob1..blob20, double1..double20, index1), so a slot never moves and never changes meaning;
// a new field takes the next free slot. README "Analytics Engine" has the same table.
//
// Limits (Cloudflare, "Workers Analytics Engine > Limits",
// https://developers.cloudflare.com/analytics/analytics-engine/limits/):
//   - up to 20 blobs, 20 doubles and 1 index per writeDataPoint call;
//   - each index at most 96 bytes;
//   - the blobs of one data point at most 16 KB in total (raised from 5 KB in June 2025); we take
//     16 KB as 16,000 bytes, the smaller reading;
//   - data points per invocation: 25 on the page before 2026, 250 since. edgescope writes at most
//     25 of its own per invocation (MAX_WRITES_PER_INVOCATION), so the Worker's own writes keep the
//     rest of the budget under either figure.
// What does not fit is cut, never refused: a string is cut on a UTF-8 code point boundary (a cut
// never splits a character), each cut is counted by the exporter and reported once
// (analytics-engine.js). A data point is never dropped for its size.

export const LIMITS = Object.freeze({
  blobs: 20,
  doubles: 20,
  indexBytes: 96,
  blobBytesTotal: 16000,
  // Our own cap per blob: a route or error type longer than this is not a dimension anyone groups
  // by, and the cap keeps 12 full blobs (12 KiB) under the total.
  blobBytes: 1024,
});
export const MAX_WRITES_PER_INVOCATION = 25;

// The slots, by position: blob1 is BLOBS[0], double1 is DOUBLES[0]. Each names a field of the
// invocation summary (js/invocation-summary.js, where each is described); a missing value is
// written as '' or 0 so later slots keep their position. README "Analytics Engine" has the table
// (tests/js/analytics-engine-layout.test.js checks it against these lists).
export const BLOBS = Object.freeze(['event', 'service', 'version', 'method', 'route', 'statusClass', 'cacheTier', 'errorType', 'outcome', 'traceId']);
export const DOUBLES = Object.freeze([
  'count', 'durationMs', 'bytesIn', 'bytesOut', 'cacheHits', 'cacheLookups', 'spans', 'logs', 'status', 'errors', 'cacheBytes', 'cacheMs', 'sampled',
]);

// What the index may be keyed by (indexBy), besides a function of the summary.
export const INDEX_FIELDS = Object.freeze(['service', 'route', 'cacheTier', 'method', 'event', 'version', 'statusClass']);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Cuts `text` to at most `maxBytes` bytes of UTF-8 on a code point boundary.
// Returns { text, cut } where cut is true when bytes were removed.
// A lone surrogate (not valid UTF-16) is replaced by U+FFFD first, as TextEncoder would.
export function cutUtf8(input, maxBytes) {
  const text = input.isWellFormed() ? input : input.toWellFormed();
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return { text, cut: false, bytes: bytes.length };
  let end = maxBytes;
  // A UTF-8 continuation byte is 10xxxxxx: step back to the lead byte of the character that would
  // be split (RFC 3629, section 3).
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return { text: decoder.decode(bytes.subarray(0, end)), cut: true, bytes: end };
}

// Blob values from the summary, each a string, each cut to LIMITS.blobBytes, then the total cut
// to LIMITS.blobBytesTotal from the last slot backwards (the first slots are the ones queries group
// by). `cuts` collects { slot, field, from, to } (byte lengths) for what was cut.
export function layoutBlobs(summary, cuts = []) {
  const values = BLOBS.map((field) => stringOf(summary[field]));
  return fitBlobs(values, cuts);
}

export function fitBlobs(values, cuts = [], limits = LIMITS) {
  if (values.length > limits.blobs) throw new RangeError(`at most ${limits.blobs} blobs, got ${values.length}`);
  const out = values.map((value, i) => {
    const fitted = cutUtf8(value, limits.blobBytes);
    if (fitted.cut) cuts.push({ slot: `blob${i + 1}`, field: BLOBS[i] ?? `blob${i + 1}`, from: encoder.encode(value).length, to: fitted.bytes });
    return fitted;
  });
  let total = out.reduce((sum, b) => sum + b.bytes, 0);
  for (let i = out.length - 1; i >= 0 && total > limits.blobBytesTotal; i--) {
    const keep = Math.max(0, out[i].bytes - (total - limits.blobBytesTotal));
    const fitted = cutUtf8(out[i].text, keep);
    cuts.push({ slot: `blob${i + 1}`, field: BLOBS[i] ?? `blob${i + 1}`, from: out[i].bytes, to: fitted.bytes });
    total -= out[i].bytes - fitted.bytes;
    out[i] = fitted;
  }
  return out.map((b) => b.text);
}

// Doubles from the summary: a missing or non-finite value is 0 (Analytics Engine stores doubles;
// NaN would poison every sum over the column).
export function layoutDoubles(summary) {
  return DOUBLES.map((field) => {
    const value = Number(summary[field] ?? 0);
    return Number.isFinite(value) ? value : 0;
  });
}

// The index: `indexBy` is a field name (INDEX_FIELDS) or a function(summary) -> string; cut to
// 96 bytes. An empty index is allowed by Analytics Engine but defeats sampling per key, so an
// empty value becomes the service name.
export function layoutIndex(summary, indexBy, cuts = []) {
  let value = typeof indexBy === 'function' ? indexBy(summary) : summary[indexBy];
  value = stringOf(value);
  if (value === '') value = stringOf(summary.service);
  const fitted = cutUtf8(value, LIMITS.indexBytes);
  if (fitted.cut) cuts.push({ slot: 'index1', field: typeof indexBy === 'function' ? 'indexBy()' : indexBy, from: encoder.encode(value).length, to: fitted.bytes });
  return fitted.text;
}

// The whole data point: { blobs, doubles, indexes } as writeDataPoint takes it.
export function layoutDataPoint(summary, indexBy = 'service', cuts = []) {
  return { blobs: layoutBlobs(summary, cuts), doubles: layoutDoubles(summary), indexes: [layoutIndex(summary, indexBy, cuts)] };
}

function stringOf(value) {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}
