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
// Today's sizes (wasm 128,482 / 59,173 B; app total 91,349 B gzipped, 2026-12-07) plus about 2%.
// The goal (README "Size"; issue "Near the floor"): the module ≤ 30 KB gzipped, the app ≤ 40 KB.
// The resilience module: 100,229 / 45,296 B (2026-12-07, when it became its own module) plus 2%.
// Lower these as the modules shrink, so growth is caught against the new size.
export const SIZE_BUDGET = Object.freeze({
  wasmRaw: 141 * 1024,
  wasmGzip: 64 * 1024,
  resilienceWasmRaw: 102_233,
  resilienceWasmGzip: 46_202,
  appTotalGzip: 99 * 1024,
});
