// Keys of offline-buffer entries: `<15-digit ms timestamp>-<32 hex>`. The zero-padded time comes
// first so that byte order is time order: KV `list()` returns keys in lexicographic (UTF-8 byte)
// order and SQLite's `ORDER BY key` compares TEXT with BINARY collation, so both hand back the
// oldest entry first without reading any metadata. 15 digits cover ms timestamps up to the year
// 33658; 128 random bits from the platform CSPRNG (crypto.getRandomValues, Web Crypto) make two
// writers in the same millisecond collide with probability ~2^-64 after 2^32 keys per ms.
const TIME_DIGITS = 15;
const MAX_TIME = 10 ** TIME_DIGITS - 1;
const RANDOM_BYTES = 16;
const KEY_PATTERN = /^(\d{15})-([0-9a-f]{32})$/;
export const ENTRY_KEY_LENGTH = TIME_DIGITS + 1 + RANDOM_BYTES * 2;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function newEntryKey(now) {
  if (typeof now !== 'number' || !Number.isFinite(now) || now < 0 || Math.floor(now) > MAX_TIME) {
    throw new RangeError(`edgescope buffer: entry key time must be a number of ms from 0 to ${MAX_TIME} (got ${String(now)})`);
  }
  const random = crypto.getRandomValues(new Uint8Array(RANDOM_BYTES));
  let hex = '';
  for (let i = 0; i < RANDOM_BYTES; i++) hex += HEX[random[i]];
  return `${String(Math.floor(now)).padStart(TIME_DIGITS, '0')}-${hex}`;
}

// Validates a key read back from storage or received over RPC. Returns { time, random } or
// throws a TypeError naming what is wrong with it.
export function parseEntryKey(key) {
  if (typeof key !== 'string') throw new TypeError(`edgescope buffer: entry key must be a string (got ${typeof key})`);
  const match = KEY_PATTERN.exec(key);
  if (!match) {
    const shown = key.length > 64 ? `${key.slice(0, 64)}...` : key;
    throw new TypeError(
      `edgescope buffer: entry key ${JSON.stringify(shown)} is not <15 digits>-<32 lowercase hex> (${ENTRY_KEY_LENGTH} characters)`,
    );
  }
  return { time: Number(match[1]), random: match[2] };
}

export function isEntryKey(key) {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}
