// The module and the example Worker stay within the size budget (scripts/size-budget.mjs): users
// choose a Workers library on bundle size, and the Workers upload limit counts compressed bytes.
// Measured as the README's size figures are (scripts/size-measure.mjs): dist/edgescope.wasm and
// dist/edgescope-resilience.wasm raw and gzipped, examples/app bundled and minified with the
// module, gzipped, and the minimal Worker (instrument() and one HTTP exporter) bundled, gzipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIZE_BUDGET } from '../../scripts/size-budget.mjs';
import { ARTIFACTS, bundleMinimalWorker, bundleWorkerSource, kib, measureSizes, overBudget } from '../../scripts/size-measure.mjs';

test('both built modules, the bundled example app and the minimal Worker are within the size budget', async (t) => {
  const sizes = await measureSizes();
  for (const key of Object.keys(ARTIFACTS)) {
    t.diagnostic(`${ARTIFACTS[key]}: ${sizes[key]} bytes (${kib(sizes[key])}); budget ${SIZE_BUDGET[key]} bytes (${kib(SIZE_BUDGET[key])})`);
  }
  t.diagnostic(`examples/app JS alone: ${sizes.appJsRaw} bytes raw, ${sizes.appJsGzip} gzipped`);
  t.diagnostic(`the minimal Worker's JS: ${sizes.minimalJsRaw} bytes raw, ${sizes.minimalJsGzip} gzipped`);
  const over = overBudget(sizes, SIZE_BUDGET);
  assert.deepEqual(over, [], `over the size budget:\n${over.join('\n')}`);
});

test('the budget covers each module raw and gzipped, the example app gzipped and the minimal Worker gzipped', () => {
  assert.deepEqual(Object.keys(SIZE_BUDGET).sort(), Object.keys(ARTIFACTS).sort());
  assert.deepEqual(Object.keys(ARTIFACTS).sort(), ['appTotalGzip', 'minimalJsGzip', 'resilienceWasmGzip', 'resilienceWasmRaw', 'wasmGzip', 'wasmRaw']);
});

test('the minimal Worker over its budget is named as such', () => {
  const sizes = { wasmRaw: 1, wasmGzip: 1, appTotalGzip: 1, minimalJsRaw: 90_000, minimalJsGzip: 30_500 };
  assert.deepEqual(overBudget(sizes, { minimalJsGzip: 30_000 }), [
    'the minimal Worker bundled, JS only (gzipped) is 30500 bytes (29.8 KiB), 500 bytes over its budget of 30000 (29.3 KiB) in scripts/size-budget.mjs',
  ]);
});

// What a Worker bundle must not carry, whatever else it does: the Console exporter's terminal
// layout (js/format-lines.js lineFormatter) is for `npm start` in Node only, so a Worker that
// writes its records with the Console exporter carries the one-line layout and nothing more.
test('a Worker using the Console exporter carries its one-line layout but not the terminal layout', async () => {
  const js = new TextDecoder().decode(
    await bundleWorkerSource(`import { instrument } from 'edgescope';
      import { console as lines } from 'edgescope/exporters';
      export default instrument({ async fetch() { return new Response('ok'); } }, { service: 'w', exporter: lines() });`),
  );
  assert.match(js, /edgescope config: /, 'the config validation is in the bundle');
  assert.match(js, /name:"console"/, 'the Console exporter is in the bundle');
  assert.doesNotMatch(js, /lineFormatter: width must be/);
});

// 'edgescope/exporters' exists so that a Worker carries only the exporters it calls.
test('a Worker that imports one exporter by name does not carry the other three', async () => {
  const js = new TextDecoder().decode(await bundleMinimalWorker());
  assert.match(js, /exporters\.http\(\{ retries \}\)/, 'the HTTP exporter is in the bundle');
  assert.doesNotMatch(js, /exporters\.analyticsEngine\(/, 'the Analytics Engine exporter is not');
  assert.doesNotMatch(js, /name:"console"/, 'the Console exporter is not');
  assert.doesNotMatch(js, /name:"direct"/, 'the direct exporter is not');
});

test('the resilience module over its budget is named as such', () => {
  const sizes = { wasmRaw: 1, wasmGzip: 1, resilienceWasmRaw: 2000, resilienceWasmGzip: 900, appJsRaw: 0, appJsGzip: 0, appTotalRaw: 1, appTotalGzip: 1 };
  assert.deepEqual(overBudget(sizes, { resilienceWasmRaw: 2000, resilienceWasmGzip: 800 }), [
    'dist/edgescope-resilience.wasm (gzipped) is 900 bytes (0.9 KiB), 100 bytes over its budget of 800 (0.8 KiB) in scripts/size-budget.mjs',
  ]);
});

test('an artifact over its budget is named with its size and the excess', () => {
  const sizes = { wasmRaw: 1000, wasmGzip: 600, appJsRaw: 0, appJsGzip: 0, appTotalRaw: 1000, appTotalGzip: 900 };
  assert.deepEqual(overBudget(sizes, { wasmRaw: 1000, wasmGzip: 500, appTotalGzip: 1000 }), [
    'dist/edgescope.wasm (gzipped) is 600 bytes (0.6 KiB), 100 bytes over its budget of 500 (0.5 KiB) in scripts/size-budget.mjs',
  ]);
  assert.deepEqual(overBudget(sizes, { wasmRaw: 1000, wasmGzip: 600, appTotalGzip: 900 }), []);
});

test('a budget for something not measured is refused rather than passed', () => {
  const sizes = { wasmRaw: 1, wasmGzip: 1, appJsRaw: 0, appJsGzip: 0, appTotalRaw: 1, appTotalGzip: 1 };
  assert.throws(() => overBudget(sizes, { bundleGzip: 10 }), /size budget names "bundleGzip", which is not measured/);
  assert.throws(() => overBudget(sizes, { wasmRaw: 0 }), /wasmRaw must be a positive number of bytes/);
});
