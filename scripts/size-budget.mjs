// The size budget: the largest each artifact may be, in bytes, as measured by
// scripts/size-measure.mjs (gzip at level 9). tests/js/size-budget.test.js fails when a build
// exceeds any of them; `node scripts/size-report.mjs` prints the sizes against it. The README's
// "Size" figures (Performance section) come from the same measurement.
//   wasmRaw       dist/edgescope.wasm as built
//   wasmGzip      the same, gzipped
//   resilienceWasmRaw, resilienceWasmGzip
//                 dist/edgescope-resilience.wasm, raw and gzipped: the breakers, registries and
//                 ledgers, a module of their own loaded only with 'edgescope/resilience'
//   appTotalGzip  examples/app bundled (minified JS) + the module, each gzipped, summed
// The sizes of 2026-12-07 plus about 2%: dist/edgescope.wasm 113,597 / 51,500 B (after the
// out-of-line ABI error messages, the tag sort, the sampling bit arithmetic and the open-span
// table), dist/edgescope-resilience.wasm 80,955 / 35,769 B (before those), the example app total
// 86,934 B gzipped.
// The goal (README "Size"; issue "Near the floor"): the module ≤ 30 KB gzipped, the app ≤ 40 KB.
// Lower these as the modules shrink, so growth is caught against the new size.
export const SIZE_BUDGET = Object.freeze({
  wasmRaw: 115_900,
  wasmGzip: 52_600,
  resilienceWasmRaw: 82_600,
  resilienceWasmGzip: 36_500,
  appTotalGzip: 88_700,
});
