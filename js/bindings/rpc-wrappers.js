// Which objects are our wrappers, and what each wraps. A wrapper (a Proxy) cannot cross an RPC
// boundary: workerd serializes only real stubs, plain objects and RpcTargets ("Proxy could not be
// serialized because it is not a valid RPC receiver type"). So a wrapped stub or namespace given
// as an argument is replaced by its original before the call, and wrapping a wrapper wraps its
// original.
const originals = new WeakMap();

export function remember(wrapper, original) {
  originals.set(wrapper, original);
  return wrapper;
}

export function originalOf(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  return originals.get(value) ?? value;
}

// The arguments as the runtime must see them: our wrappers replaced by their originals, at the top
// level and inside plain objects and arrays (an options object carrying a stub), to a bounded
// depth and number of values so a large argument costs a bounded walk; a wrapper beyond the bound
// is left (and the runtime refuses it as it would any Proxy). What holds no wrapper is passed as
// the very same object, so the caller's values are never changed or copied for nothing; an object
// that holds one is passed as a copy with the same own properties (accessors kept, never called
// here: structured cloning calls them once, as it would on the original).
const MAX_DEPTH = 4;
const MAX_VALUES = 256;

// `copies` maps each object met to what it became, so an object given twice (or reached again
// through a cycle) stays one object, as structured cloning keeps it without the wrapper.
export function unwrapArguments(args) {
  return unwrapArray(args, { left: MAX_VALUES, copies: new Map() }, 0);
}

function unwrapValue(value, budget, depth) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  const original = originals.get(value);
  if (original !== undefined) return original;
  if (depth >= MAX_DEPTH || budget.left <= 0 || typeof value !== 'object') return value;
  const seen = budget.copies.get(value);
  if (seen !== undefined) return seen;
  if (Array.isArray(value)) return unwrapArray(value, budget, depth + 1);
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null ? unwrapObject(value, budget, depth + 1) : value;
}

function unwrapArray(array, budget, depth) {
  // A copy made up front (used only if a wrapper turns up), so a cycle back to this array points
  // at the copy.
  const copy = [...array];
  budget.copies.set(array, copy);
  let changed = false;
  for (let i = 0; i < array.length && budget.left-- > 0; i++) {
    const unwrapped = unwrapValue(array[i], budget, depth);
    if (unwrapped !== array[i]) {
      copy[i] = unwrapped;
      changed = true;
    }
  }
  const result = changed ? copy : array;
  budget.copies.set(array, result);
  return result;
}

function unwrapObject(object, budget, depth) {
  const descriptors = Object.getOwnPropertyDescriptors(object);
  // The copy exists before its properties are walked, so a cycle back to this object points at it.
  const copy = Object.create(Object.getPrototypeOf(object));
  budget.copies.set(object, copy);
  let changed = false;
  for (const key of Object.keys(descriptors)) {
    if (budget.left-- <= 0) break;
    const descriptor = descriptors[key];
    if (!('value' in descriptor)) continue; // an accessor: never called here
    const unwrapped = unwrapValue(descriptor.value, budget, depth);
    if (unwrapped !== descriptor.value) {
      descriptor.value = unwrapped;
      changed = true;
    }
  }
  const result = changed ? Object.defineProperties(copy, descriptors) : object;
  budget.copies.set(object, result);
  return result;
}
