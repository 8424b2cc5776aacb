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

// The arguments as the runtime must see them: our wrappers replaced by their originals. The
// caller's array is never changed; when no argument is a wrapper it is returned as it is.
export function unwrapArguments(args) {
  let copy = null;
  for (let i = 0; i < args.length; i++) {
    const original = originalOf(args[i]);
    if (original !== args[i]) {
      copy ??= [...args];
      copy[i] = original;
    }
  }
  return copy ?? args;
}
