// What the KV store keeps in each key's metadata: `{ v: 1, c: created, b: bytes, a: attempts }`.
// KV returns metadata with list() (at most 1024 bytes of JSON per key, Workers KV limits), so the
// policy can plan on the listing alone, without reading any value.
export const KV_METADATA_VERSION = 1;

export function toMetadata(meta) {
  return { v: KV_METADATA_VERSION, c: meta.created, b: meta.bytes, a: meta.attempts };
}

// The meta, or a message saying why the metadata cannot be read (the entry is then corrupt:
// written by something else, a newer edgescope, or damaged).
export function fromMetadata(metadata) {
  if (metadata === null || metadata === undefined) return { error: 'its KV metadata is missing' };
  if (typeof metadata !== 'object' || Array.isArray(metadata)) return { error: `its KV metadata is not an object (${shown(metadata)})` };
  if (metadata.v !== KV_METADATA_VERSION) {
    return { error: `its KV metadata version ${shown(metadata.v)} is not supported (this build reads ${KV_METADATA_VERSION})` };
  }
  const extra = Object.keys(metadata).filter((k) => !['v', 'c', 'b', 'a'].includes(k));
  if (extra.length > 0) return { error: `its KV metadata has unknown fields (${extra.join(', ')})` };
  const { c, b, a } = metadata;
  if (typeof c !== 'number' || !Number.isFinite(c) || c < 0) return { error: `its KV metadata field c (created) is ${shown(c)}, not a time in ms` };
  if (!Number.isSafeInteger(b) || b < 0) return { error: `its KV metadata field b (bytes) is ${shown(b)}, not a byte count` };
  if (!Number.isSafeInteger(a) || a < 0) return { error: `its KV metadata field a (attempts) is ${shown(a)}, not a count` };
  return { meta: { created: c, bytes: b, attempts: a } };
}

function shown(value) {
  let text;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
