// The query API's parameters, parsed strictly and bounded: every endpoint names the parameters it
// takes, and anything else (an unknown name, a repeated one, a value out of range, a garbled
// cursor) is a 400 naming the parameter, before any statement runs. The bounds keep every query
// within one Worker invocation's budget (Workers limits: 128 MB of memory per isolate, D1's
// 100 MB result cap): a window of at most 30 days, at most 500 items a page, a log search of at
// most 200 characters.
import { HttpError } from '../http/http-error.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// The windows a query may cover (ms). Up to 24 h they are read from minute rollups, longer ones
// from hour rollups plus the minutes not rolled into an hour yet (query/series.js).
export const WINDOWS = Object.freeze({ '5m': 5 * MINUTE, '15m': 15 * MINUTE, '1h': HOUR, '6h': 6 * HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY });
export const DEFAULT_WINDOW = '1h';
export const MINUTE_WINDOW_MAX = DAY;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
export const MAX_SEARCH = 200;
// A free-text parameter (service, tag key, metric name) longer than this is refused: stored
// names are short, and a bound keeps every bound value small.
export const MAX_NAME = 200;

// A 400 naming `param`.
export const badParam = (param, message) => new HttpError(400, `query parameter \`${param}\`: ${message}`, param);

// The query string as { name: value }, refusing names `allowed` does not list and repeated ones.
export function queryParams(url, allowed) {
  const out = {};
  const unknown = [];
  for (const [name, value] of url.searchParams) {
    if (!allowed.includes(name)) {
      if (!unknown.includes(name)) unknown.push(name);
      continue;
    }
    if (Object.hasOwn(out, name)) throw badParam(name, 'given more than once');
    out[name] = value;
  }
  if (unknown.length > 0) {
    const names = unknown.map((n) => `\`${n}\``).join(', ');
    const known = allowed.length > 0 ? allowed.join(', ') : 'none';
    throw new HttpError(400, `unknown query parameter${unknown.length > 1 ? 's' : ''} ${names} (this endpoint takes: ${known})`, unknown.join(','));
  }
  return out;
}

// A window name into { window, ms }.
export function parseWindow(value, param = 'window') {
  const window = value ?? DEFAULT_WINDOW;
  if (!Object.hasOwn(WINDOWS, window)) throw badParam(param, `${JSON.stringify(window)} is not one of ${Object.keys(WINDOWS).join(', ')}`);
  return { window, ms: WINDOWS[window] };
}

// The time range a window covers, ending at `now`: its start is aligned down to the resolution
// the window is read at (a minute up to 24 h, an hour beyond), so the same stored data gives the
// same answer whether it is still raw or already rolled up.
export function windowRange(ms, now) {
  const align = ms > MINUTE_WINDOW_MAX ? HOUR : MINUTE;
  return { from: Math.floor((now - ms) / align) * align, to: now };
}

export function parseLimit(value) {
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^[0-9]{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw badParam('limit', `${JSON.stringify(value)} is not a whole number from 1 to ${MAX_LIMIT}`);
  }
  return Number(value);
}

// A non-empty name of at most MAX_NAME characters (service, tag key), or undefined when absent.
export function parseName(value, param) {
  if (value === undefined) return undefined;
  if (value === '' || value.length > MAX_NAME) throw badParam(param, `must be 1 to ${MAX_NAME} characters`);
  return value;
}

export function parseBoolean(value, param) {
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw badParam(param, `${JSON.stringify(value)} is not true or false`);
  return value === 'true';
}

// A non-negative number (ms), at most `max`.
export function parseNonNegative(value, param, max) {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > max) throw badParam(param, `${JSON.stringify(value)} is not a number from 0 to ${max}`);
  return n;
}

export function parseHex(value, param, length) {
  if (value === undefined) return undefined;
  if (!new RegExp(`^[0-9a-f]{${length}}$`).test(value)) throw badParam(param, `${JSON.stringify(value)} is not ${length} lowercase hex digits`);
  return value;
}

// A search text, as given (logs.js matches it with instr(), so no character is special), of 1 to
// MAX_SEARCH characters.
export function parseSearch(text, param = 'q') {
  if (text === undefined) return undefined;
  if (text === '' || text.length > MAX_SEARCH) throw badParam(param, `must be 1 to ${MAX_SEARCH} characters`);
  return text;
}

// Opaque cursors: base64url (RFC 4648 §5) of the JSON array of the last item's sort key. Only the
// collector reads them back, and it checks their shape: `kinds` lists each element's type
// ('number' or 'string'), so a forged or garbled cursor is a 400 naming `cursor`, never SQL input
// of the wrong type.
export function encodeCursor(key) {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(value, kinds) {
  if (value === undefined) return null;
  const garbled = () => badParam('cursor', 'not a cursor this collector gave out (pass `nextCursor` from the previous page unchanged)');
  if (value.length === 0 || value.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(value)) throw garbled();
  let key;
  try {
    const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    key = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw garbled();
  }
  if (!Array.isArray(key) || key.length !== kinds.length) throw garbled();
  kinds.forEach((kind, i) => {
    const ok = kind === 'number' ? Number.isFinite(key[i]) : typeof key[i] === 'string' && key[i].length <= 4 * MAX_NAME;
    if (!ok) throw garbled();
  });
  return key;
}

// One page from rows fetched with LIMIT limit + 1: the extra row only says that a next page
// exists; the cursor is the sort key of the page's last row.
export function page(rows, limit, sortKey) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? encodeCursor(sortKey(items[items.length - 1])) : null };
}

// JSON text from a column, or `fallback` when NULL or not JSON (a row written by hand).
export function jsonColumn(text, fallback) {
  if (text === null || text === undefined) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

// SQL conditions and their bound values, added together so the two lists cannot drift apart.
export function conditions() {
  const where = [];
  const binds = [];
  const add = (clause, ...values) => {
    where.push(clause);
    binds.push(...values);
  };
  return { where, binds, add };
}
