// JavaScript values as the core's typed attributes. Nothing here throws, whatever user code hands
// over (throwing getters, circular or null-prototype objects, revoked proxies): an attribute set
// is converted completely or not at all, so a bad value can never leave the core's stage half
// filled for the next, unrelated record. A value with no faithful form becomes text and is counted
// (valuesUnconvertible).

// Stands for a property whose getter threw.
export const UNREADABLE = Symbol('edgescope.unreadable');

// The own enumerable properties of `object` as a flat [key, value, key, value, ...] list, each
// read exactly once (a getter runs once; one that throws yields UNREADABLE). Null when the keys
// cannot even be listed (a revoked Proxy).
export function readEntries(object) {
  let keys;
  try {
    keys = Object.keys(object);
  } catch {
    return null;
  }
  const entries = new Array(keys.length * 2);
  for (let i = 0; i < keys.length; i++) {
    let value;
    try {
      value = object[keys[i]];
    } catch {
      value = UNREADABLE;
    }
    entries[2 * i] = keys[i];
    entries[2 * i + 1] = value;
  }
  return entries;
}

export function isError(value) {
  try {
    return value instanceof Error;
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws
  }
}

// exception.type/message/stacktrace (OpenTelemetry semantic conventions) of an Error, each a
// string or undefined.
export function errorFields(error) {
  return [readText(error, 'name'), readText(error, 'message'), readText(error, 'stack')];
}

function readText(object, key) {
  try {
    const value = object[key];
    return value === undefined || value === null ? undefined : textOf(value);
  } catch {
    return undefined;
  }
}

// The text of an object value: a Date as its ISO 8601 string, anything else as JSON. Null when
// neither exists (an invalid Date, a circular structure, a BigInt inside, a throwing toJSON).
export function objectText(value) {
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    const json = JSON.stringify(value);
    return typeof json === 'string' ? json : null;
  } catch {
    return null;
  }
}

// Some text for any value; never throws.
export function textOf(value) {
  if (typeof value === 'string') return value;
  if (value === UNREADABLE) return '[unreadable]';
  if (typeof value === 'function') return `[function ${functionName(value)}]`;
  try {
    const text = String(value);
    if (typeof text === 'string') return text;
  } catch {
    // a null-prototype object, a throwing toString or Symbol.toPrimitive
  }
  return `[unconvertible ${typeof value}]`;
}

function functionName(fn) {
  try {
    return typeof fn.name === 'string' && fn.name !== '' ? fn.name : 'anonymous';
  } catch {
    return 'anonymous';
  }
}

// A JavaScript string cut to at most `chars` UTF-16 units. The shim cuts only to bound the copy
// into wasm memory; `chars` is one more than the core's byte limit, so a string over the limit
// still reaches the core over it, and the core cuts it on a UTF-8 boundary and counts the cut once.
export function cut(text, chars) {
  return text.length > chars ? text.slice(0, chars) : text;
}
