// Several isolates of one Worker at the same time, for the resilience tests: one Miniflare running
// N copies of tests/workerd/workers/resilience.js as separate Workers (workerd gives each Worker
// its own isolate, so module state is not shared), all bound to the same KV namespace and the same
// EdgescopeState class (defined by the first, bound by the others through scriptName), with KV and
// Durable Object storage persisted in `persist`. Recreating a fleet over the same directory is a
// fresh set of isolates over the same stored state, as a deployment or an eviction gives.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import * as miniflare from 'miniflare';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { bundleOf, sleep } from './helpers.js';

const dirs = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-resilience-'));
  dirs.push(dir);
  return dir;
}

// { isolates: [{ name, get(path) -> json, fetch(path), settled() }], readKv(key), dispose(), output: [lines] }
// collectorUrl: where the Worker's telemetry goes (a capture collector's nativeUrl).
export async function startFleet({ size = 1, persist, env = {}, collectorUrl }) {
  const bundle = await bundleOf('resilience');
  const output = [];
  const workers = Array.from({ length: size }, (_, i) => ({
    name: `isolate-${i}`,
    modules: bundle.modules,
    modulesRoot: '/',
    compatibilityDate: defaultCompatibilityDate(miniflare),
    bindings: { COLLECTOR_URL: collectorUrl, ...env },
    kvNamespaces: { STATE_KV: 'resilience-state' },
    durableObjects: {
      EDGESCOPE_STATE: i === 0 ? { className: 'EdgescopeState', useSQLite: true } : { className: 'EdgescopeState', scriptName: 'isolate-0', useSQLite: true },
    },
  }));
  const mf = new miniflare.Miniflare({
    workers,
    kvPersist: join(persist, 'kv'),
    durableObjectsPersist: join(persist, 'do'),
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) stream.on('data', (chunk) => output.push(...String(chunk).split('\n').filter(Boolean)));
    },
  });
  await mf.ready;
  const isolates = await Promise.all(
    workers.map(async ({ name }) => {
      const worker = await mf.getWorker(name);
      const fetch = (path, init) => worker.fetch(`http://resilience${path}`, init);
      const get = async (path, init) => {
        const res = await fetch(path, init);
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${name} ${path}: ${res.status} ${text}`);
        return JSON.parse(text);
      };
      // Waits until this isolate's other invocations (their waitUntil work included) finished.
      const settled = async () => {
        for (let i = 0; i < 500; i++) {
          if ((await get('/__active')) === 0) return;
          await sleep(10);
        }
        throw new Error(`${name}: invocations still running after 5 s`);
      };
      return { name, fetch, get, settled };
    }),
  );
  // The shared KV namespace's value under `key`, read from outside the Workers.
  const readKv = async (key) => (await mf.getKVNamespace('STATE_KV', 'isolate-0')).get(key);
  return { isolates, output, readKv, dispose: () => mf.dispose() };
}
