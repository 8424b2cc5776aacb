// JavaScript values as the core's typed attributes. Nothing here throws, whatever user code hands
// over (throwing getters, circular or null-prototype objects, revoked proxies): an attribute set
// is converted completely or not at all, so a bad value can never leave the core's stage half
// filled for the next, unrelated record. A value with no faithful form becomes text and is counted
// (valuesUnconvertible).
//
// Arrays (typedArray below). OpenTelemetry attribute values include homogeneous arrays of
// strings, booleans, int64 and doubles (specification, common/README.md "Attribute"), sent as
// OTLP arrayValue and as a JSON array in the native format. An array whose elements are all
// strings, all booleans, all numbers (int64 when every one is a safe integer, else double: [1, 2.5]
// is a double array) or all BigInts (strings, as a BigInt attribute is) is staged typed; an empty
// array too (the spec: empty arrays are meaningful values). Anything else keeps its JSON text as
// before: mixed types, nested arrays, objects, and null or undefined elements or holes. The spec
// says nulls "SHOULD NOT be allowed in arrays" and, where they are accepted, "MUST be preserved
// as-is"; a typed array cannot carry them (OTLP has no null element but an empty AnyValue, which
// collectors treat differently), and the JSON text keeps every one in place. NaN and infinities in
// a number array are sent as doubles, so the core refuses and counts the attribute, as for a NaN
// attribute. Only what is sent is examined: at most MAX_ARRAY_ELEMENTS + 1 elements, and strings
// up to the value limit in all, so a huge array costs no more than what the core can keep; the
// core cuts what is over and counts it once (valuesTruncated), as for a long string.

import { AttributeType } from './tables.js';

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

// wasm/include/edgescope/attributes.hpp kMaxArrayElements (tests/js/attribute-arrays.test.js
// checks the two agree, and that the module cuts there).
export const MAX_ARRAY_ELEMENTS = 128;

// { type, items } for a value to stage as a typed array (type: AttributeType in tables.js; items:
// strings, numbers or booleans, at most MAX_ARRAY_ELEMENTS + 1, strings cut so that their lengths
// add up to at most `maxChars`), or null when it keeps its text form. Never throws; each element
// is read once.
export function typedArray(value, maxChars) {
  let length;
  try {
    if (!Array.isArray(value)) return null;
    length = value.length;
  } catch {
    return null; // a revoked Proxy
  }
  if (typeof length !== 'number' || !(length >= 0)) return null;
  const n = Math.min(length, MAX_ARRAY_ELEMENTS + 1);
  const items = [];
  let kind = null;
  let integers = true;
  let chars = 0;
  for (let i = 0; i < n; i++) {
    let element;
    try {
      element = value[i];
    } catch {
      return null; // a throwing getter: the text form says what it can
    }
    const type = typeof element;
    if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'bigint') return null;
    if (kind === null) kind = type;
    else if (type !== kind) return null;
    if (type === 'number') {
      if (!Number.isSafeInteger(element)) integers = false;
      items.push(element);
    } else if (type === 'boolean') {
      items.push(element);
    } else {
      // Strings up to the value limit in all (one more than the core keeps, so it sees the cut).
      const text = type === 'bigint' ? element.toString() : element;
      const room = maxChars - chars;
      items.push(text.length > room ? text.slice(0, room) : text);
      chars += Math.min(text.length, room);
      if (chars >= maxChars) break;
    }
  }
  let code;
  if (kind === 'number') code = integers ? AttributeType.int : AttributeType.double;
  else if (kind === 'boolean') code = AttributeType.bool;
  else code = AttributeType.string; // strings, BigInts, and the empty array
  return { type: code, items };
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
