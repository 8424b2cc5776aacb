// A tail Worker that does nothing with the items: bench/tail-overhead.mjs attaches it to measure
// what the runtime itself spends producing and delivering TraceItems, without edgescope.
export default {
  tail() {},
};
