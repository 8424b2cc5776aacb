// status() for stores that hold the metadata of every entry in hand (memory, KV list): counts,
// bytes and the created times of the oldest and newest entries.
export function summarize(metas, limits) {
  let entries = 0;
  let bytes = 0;
  let oldest = null;
  let newest = null;
  for (const meta of metas) {
    entries++;
    bytes += meta.bytes;
    if (oldest === null || meta.created < oldest) oldest = meta.created;
    if (newest === null || meta.created > newest) newest = meta.created;
  }
  return { entries, bytes, oldest, newest, cap: limits.maxEntries };
}
