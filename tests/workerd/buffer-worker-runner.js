// tests/workerd/buffer-worker.js in Miniflare, for one test file: real KV, and the package's Durable
// Object class on real SQLite storage. `run(body)` posts one operation and returns its JSON; a
// throw inside the Worker is rethrown here with its name.
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { bundleWorker } from 'edgescope/testing';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { importMiniflare } from '../../js/testing/worker.js';

export function useBufferWorker() {
  let mf;
  before(async () => {
    const miniflare = await importMiniflare();
    // 'cloudflare:workers' is provided by the runtime (wrangler leaves it external the same way).
    const bundle = await bundleWorker(fileURLToPath(new URL('./buffer-worker.js', import.meta.url)), { external: ['cloudflare:workers'] });
    mf = new miniflare.Miniflare({
      modules: bundle.modules,
      modulesRoot: '/',
      compatibilityDate: defaultCompatibilityDate(miniflare),
      kvNamespaces: ['BUFFER_KV'],
      durableObjects: { STATE: { className: 'EdgescopeState', useSQLite: true }, TAMPER: { className: 'TamperState', useSQLite: true } },
    });
    await mf.ready;
  });
  after(() => mf?.dispose());
  return {
    get mf() {
      return mf;
    },
    async run(body) {
      const res = await mf.dispatchFetch('http://buffer.test/run', { method: 'POST', body: JSON.stringify(body) });
      const json = await res.json();
      if (res.status !== 200) throw new Error(`worker threw ${json.name}: ${json.thrown}`);
      return json;
    },
  };
}
