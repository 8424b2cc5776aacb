// A Worker pays in bundle size only for what it imports: one that imports 'edgescope' alone gets
// no resilience code and not the resilience wasm module; one that imports 'edgescope/resilience'
// gets both, and its EdgescopeState serves the resilience feature. Bundled as wrangler does
// (scripts/size-measure.mjs: esbuild, the `workerd` condition, .wasm kept as its own module).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { WORKER_BUNDLE_OPTIONS } from '../../scripts/size-measure.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

// -> { inputs: package files bundled (paths from the package root), wasm: .wasm files imported }
async function bundle(source) {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    ...WORKER_BUNDLE_OPTIONS,
    metafile: true,
    // resolveDir inside the package: 'edgescope' resolves as a self-reference through "exports".
    stdin: { contents: source, resolveDir: root, sourcefile: 'worker.js', loader: 'js' },
  });
  const [output] = Object.values(out.metafile.outputs);
  return {
    inputs: Object.keys(out.metafile.inputs),
    wasm: output.imports.filter((i) => i.path.endsWith('.wasm')).map((i) => i.path.replace(/^.*\//, '')),
    text: out.outputFiles[0].text,
  };
}

const isResilienceCode = (path) => /(^|\/)js\/resilience\/|js\/core\/resilience-|js\/storage\/resilience-table\.js|resilience-workerd/.test(path);

test("a Worker that imports only 'edgescope' (with EdgescopeState) bundles no resilience module or code", async () => {
  const { inputs, wasm, text } = await bundle(`
    import { exporters, instrument } from 'edgescope';
    export { EdgescopeState } from 'edgescope';
    export default instrument({ fetch: () => new Response('ok') }, { service: 'app', exporter: exporters.console() });`);
  assert.ok(inputs.some((p) => p.endsWith('js/storage/state-object.js')), 'the Durable Object class is in the bundle');
  assert.deepEqual(inputs.filter(isResilienceCode), []);
  assert.deepEqual(wasm, ['edgescope.wasm']);
  assert.doesNotMatch(text, /edgescope resilience|CircuitOpenError/);
});

test("a Worker that imports 'edgescope/resilience' bundles the resilience module and registers the Durable Object feature", async () => {
  const { inputs, wasm, text } = await bundle(`
    import { createBreaker } from 'edgescope/resilience';
    export { EdgescopeState } from 'edgescope';
    const b = createBreaker('api');
    export default { fetch: (request, env, ctx) => b.use(env, ctx).execute(() => new Response('ok')) };`);
  assert.ok(inputs.some((p) => p.endsWith('js/entry/resilience-workerd.js')));
  assert.ok(inputs.some((p) => p.endsWith('js/storage/resilience-table.js')), 'the resilience feature of EdgescopeState');
  assert.deepEqual(wasm.sort(), ['edgescope-resilience.wasm', 'edgescope.wasm']);
  assert.match(text, /CircuitOpenError/);
});

test("'edgescope/resilience' alone does not bundle the telemetry module", async () => {
  const { wasm } = await bundle(`
    import { createLedger } from 'edgescope/resilience';
    const spend = createLedger('spend');
    export default { fetch: async () => Response.json(await spend.use().check({ provider: 'p' })) };`);
  assert.deepEqual(wasm, ['edgescope-resilience.wasm']);
});
