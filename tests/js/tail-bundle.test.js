// A tail Worker pays in bundle size only for the tail mode: 'edgescope/tail' bundles the telemetry
// module and none of instrument()'s request path (handler wrapping, body watcher, binding proxies),
// no resilience module; and a Worker that imports only 'edgescope' bundles none of js/tail/.
// Bundled as wrangler does (scripts/size-measure.mjs: esbuild, the `workerd` condition).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { WORKER_BUNDLE_OPTIONS } from '../../scripts/size-measure.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function bundle(source) {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({ ...WORKER_BUNDLE_OPTIONS, metafile: true, stdin: { contents: source, resolveDir: root, sourcefile: 'worker.js', loader: 'js' } });
  const [output] = Object.values(out.metafile.outputs);
  return { inputs: Object.keys(out.metafile.inputs), imports: output.imports.map((i) => i.path.replace(/^.*\//, '')) };
}

test("a tail Worker bundles the telemetry module and the tail mode, not instrument()'s request path", async () => {
  const { inputs, imports } = await bundle(`
    import { exporters, tailWorker } from 'edgescope/tail';
    export default tailWorker({ exporter: exporters.console() });`);
  assert.ok(inputs.some((p) => p.endsWith('js/entry/tail-workerd.js')));
  assert.ok(inputs.some((p) => p.endsWith('js/tail/record-item.js')));
  assert.ok(imports.includes('edgescope.wasm'));
  assert.ok(!imports.includes('edgescope-resilience.wasm'));
  for (const module of ['js/instrument.js', 'js/body-watcher.js', 'js/bindings/env.js']) {
    assert.ok(!inputs.some((p) => p.endsWith(module)), `${module} is not bundled`);
  }
});

test("a Worker that imports only 'edgescope' bundles none of the tail mode", async () => {
  const { inputs } = await bundle(`
    import { exporters, instrument } from 'edgescope';
    export default instrument({ fetch: () => new Response('ok') }, { service: 'app', exporter: exporters.console() });`);
  assert.deepEqual(inputs.filter((p) => p.includes('js/tail/')), []);
});
