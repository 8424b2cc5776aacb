// A Worker pays in bundle size only for what it imports: one that imports 'edgescope' alone (with
// EdgescopeState) bundles no alerts code; one that imports 'edgescope/alerts' bundles it, no
// resilience module, and its EdgescopeState serves the `alerts` feature. Bundled as wrangler does
// (scripts/size-measure.mjs: esbuild, the `workerd` condition, cloudflare:* left to the runtime).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { WORKER_BUNDLE_OPTIONS } from '../../scripts/size-measure.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function bundle(source) {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({ ...WORKER_BUNDLE_OPTIONS, metafile: true, stdin: { contents: source, resolveDir: root, sourcefile: 'worker.js', loader: 'js' } });
  const [output] = Object.values(out.metafile.outputs);
  return {
    inputs: Object.keys(out.metafile.inputs),
    imports: output.imports.map((i) => i.path.replace(/^.*\//, '')),
    text: out.outputFiles[0].text,
  };
}

const isAlertsCode = (path) => /(^|\/)js\/alerts\/|js\/storage\/alert-table\.js|alerts-workerd/.test(path);

test("a Worker that imports only 'edgescope' (with EdgescopeState) bundles no alerts code", async () => {
  const { inputs, imports } = await bundle(`
    import { exporters, instrument } from 'edgescope';
    export { EdgescopeState } from 'edgescope';
    export default instrument({ fetch: () => new Response('ok') }, { service: 'app', exporter: exporters.console() });`);
  assert.deepEqual(inputs.filter(isAlertsCode), []);
  assert.ok(!imports.includes('cloudflare:email'));
});

test("a Worker that imports 'edgescope/alerts' bundles the channels and the alerts feature of EdgescopeState, and no resilience module", async () => {
  const { inputs, imports, text } = await bundle(`
    import { createAlerts, slack } from 'edgescope/alerts';
    export { EdgescopeState } from 'edgescope';
    export default { fetch: (request, env) => { createAlerts({ service: 'a', state: { store: 'durable-object', namespace: env.S }, channels: { c: slack({ webhookUrl: env.U }) } }); return new Response('ok'); } };`);
  assert.ok(inputs.some((p) => p.endsWith('js/entry/alerts-workerd.js')));
  assert.ok(inputs.some((p) => p.endsWith('js/storage/alert-table.js')));
  assert.ok(imports.includes('cloudflare:email'), "EmailMessage comes from the runtime's cloudflare:email");
  assert.ok(!imports.includes('edgescope-resilience.wasm'));
  assert.match(text, /edgescope_alert_sends/);
});
