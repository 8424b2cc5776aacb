// The cache key core-telemetry.js keeps metric series ids under.

// A series key longer than this is not cached (the cache would pin large tag values in memory).
const MAX_CACHED_SERIES_KEY_CHARS = 4096;

// A cache key for (type, name, unit, tags) from the tag entries as read once, or null when the
// series should not be cached (a non-string name, a tag value that is not a primitive, too long).
// Length prefixes keep keys unambiguous; a value's type is part of it (1 and "1" are different
// tags), and values are keyed as the core will store them (a bigint as its decimal string).
export function seriesKey(type, name, unit, entries) {
  if (typeof name !== 'string' || (unit !== undefined && unit !== null && typeof unit !== 'string')) return null;
  const u = unit ?? '';
  let key = `${type}|${name.length}:${name}${u.length}:${u}`;
  if (entries === null) return key.length <= MAX_CACHED_SERIES_KEY_CHARS ? key : null;
  for (let i = 0; i < entries.length; i += 2) {
    const k = entries[i];
    const v = entries[i + 1];
    switch (typeof v) {
      case 'string':
        key += `${k.length}:${k}s${v.length}:${v}`;
        break;
      case 'number':
        key += `${k.length}:${k}n${v};`;
        break;
      case 'boolean':
        key += `${k.length}:${k}${v ? 't' : 'f'}`;
        break;
      case 'bigint': {
        const text = v.toString();
        key += `${k.length}:${k}s${text.length}:${text}`;
        break;
      }
      case 'undefined':
        break;
      default:
        if (v !== null) return null;
    }
    if (key.length > MAX_CACHED_SERIES_KEY_CHARS) return null;
  }
  return key;
}
