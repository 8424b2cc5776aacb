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
// The sizes of 2026-12-07 (after the size work on the ABI, sorts, maps and redaction) plus about
// 2%: dist/edgescope.wasm 111,579 / 50,538 B, dist/edgescope-resilience.wasm 80,955 / 35,769 B,
// the example app total 85,972 B gzipped.
// The goal (README "Size"; issue "Near the floor"): the module ≤ 30 KB gzipped, the app ≤ 40 KB.
// Lower these as the modules shrink, so growth is caught against the new size.
export const SIZE_BUDGET = Object.freeze({
  wasmRaw: 113_800,
  wasmGzip: 51_600,
  resilienceWasmRaw: 82_600,
  resilienceWasmGzip: 36_500,
  appTotalGzip: 87_700,
});
