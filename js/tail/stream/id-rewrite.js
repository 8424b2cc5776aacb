// EXPERIMENTAL (Streaming Tail Workers are run by workerd and Miniflare, not delivered in
// production yet).
//
// The platform's trace and span ids on the exported records. The core mints every span id itself
// (from its own seeded generator: a span cannot be started with a given id) and takes a given
// trace id and parent only through a W3C traceparent. So each span is recorded in the core as
// usual, and the ids the core gave it are swapped for the platform's ones in each payload the
// moment the core encodes it (withPlatformIds), before the pipeline hands it to an exporter or
// to the offline buffer. Ids have a fixed length in every wire format (16 / 32 lowercase hex
// characters in native and OTLP/JSON, 8 / 16 raw bytes in OTLP/protobuf: OTLP specification,
// "JSON Protobuf Encoding": trace and span ids are hex, not base64), so the swap never changes a
// payload's length, framing or record count, and the exporters, their splitting and retries and
// the offline buffer see a payload like any other.
//
// Collisions: a core id is 64 (span) or 128 (trace) random bits; another 8-byte / 16-hex run in
// a payload equal to one by chance is negligible.

const HEX = /^[0-9a-f]+$/;

export class IdMap {
  // An id is needed until the flush that drains its span: each invocation forgets its own ids
  // after the flush at its outcome (handler.js). `cap` bounds what invocations that never reach
  // an outcome leave behind: the oldest are forgotten first (Map keeps insertion order), counted
  // in `forgotten`.
  constructor(cap = 50000) {
    this.cap = cap;
    this.ids = new Map(); // core id (hex) -> platform id (hex), same length
    this.forgotten = 0;
  }

  set(coreId, platformId) {
    if (coreId === platformId || coreId.length !== platformId.length || !HEX.test(platformId)) return false;
    this.ids.delete(coreId);
    this.ids.set(coreId, platformId);
    while (this.ids.size > this.cap) {
      this.ids.delete(this.ids.keys().next().value);
      this.forgotten++;
    }
    return true;
  }

  forget(coreIds) {
    for (const id of coreIds) this.ids.delete(id);
  }

  get size() {
    return this.ids.size;
  }

  // Patterns for one wire format: Map(first four bytes as a uint32 -> [[from, to], ...]).
  patterns(binary) {
    const index = new Map();
    for (const [from, to] of this.ids) {
      const a = binary ? hexBytes(from) : asciiBytes(from);
      const b = binary ? hexBytes(to) : asciiBytes(to);
      const key = word(a, 0);
      if (!index.has(key)) index.set(key, []);
      index.get(key).push([a, b]);
    }
    return index;
  }

  // Replaces, in place, every core id in `bytes` (a payload body of `format`); returns how many.
  rewrite(bytes, format) {
    if (this.ids.size === 0 || !(bytes instanceof Uint8Array) || bytes.length < 8) return 0;
    const index = this.patterns(format === 'otlp-proto');
    let count = 0;
    for (let i = 0; i + 8 <= bytes.length; ) {
      const candidates = index.get(word(bytes, i));
      const hit = candidates && candidates.find(([from]) => matches(bytes, i, from));
      if (!hit) {
        i++;
        continue;
      }
      bytes.set(hit[1], i);
      i += hit[0].length;
      count++;
    }
    return count;
  }
}

// Makes the core's encode() return payloads with the platform's ids. The pipeline calls
// core.encode(format) synchronously inside flush(), once per wire format in use
// (export-pipeline.js encodeEach); everything downstream (exporters, offline buffer, replays) gets
// the rewritten bytes. The Telemetry is this handler's own, so no other code shares the patched
// instance; the CoreTelemetry object lives as long as the Telemetry (revive() keeps it).
export function withPlatformIds(core, idMap, stats) {
  const encode = core.encode.bind(core);
  core.encode = (format) => {
    const payloads = encode(format);
    for (const payload of payloads) stats.idsRewritten += idMap.rewrite(payload.body, format);
    return payloads;
  };
}

function word(bytes, i) {
  return ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
}

function matches(bytes, at, pattern) {
  if (at + pattern.length > bytes.length) return false;
  for (let j = 4; j < pattern.length; j++) if (bytes[at + j] !== pattern[j]) return false;
  return true;
}

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function asciiBytes(text) {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
