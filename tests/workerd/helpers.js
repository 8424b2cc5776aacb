import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundleWorker, startWorker } from 'edgescope/testing';

export const workerPath = (name) => fileURLToPath(new URL(`./workers/${name}.js`, import.meta.url));
const bundles = new Map();
// One esbuild run per worker per test file: isolates are recreated, bundles are reused.
export async function bundleOf(name) {
  if (!bundles.has(name)) bundles.set(name, await bundleWorker(workerPath(name)));
  return bundles.get(name);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The head-sampling rule of the core (wasm/include/edgescope/sampling.hpp), recomputed
// independently: sampled iff the trace id's low 63 bits < ratio * 2^63.
export function isSampled(traceId, ratio) {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  const low = BigInt(`0x${traceId.slice(16)}`) & 0x7fffffffffffffffn;
  return low < BigInt(Math.floor(ratio * 2 ** 63));
}

// One workerd isolate per test file running workers/<name>.js, reporting to `collector` (from
// useCollector). Returns a handle forwarding to the running worker.
export function useWorker(collector, name, bindings = {}) {
  let running = null;
  before(async () => {
    await collector.ready;
    running = await startWorker({ bundle: await bundleOf(name), bindings: { COLLECTOR_URL: collector.nativeUrl, ...bindings } });
  });
  after(() => running.dispose());
  return new Proxy(
    {},
    {
      get(_, key) {
        const value = running[key];
        return typeof value === 'function' ? value.bind(running) : value;
      },
    },
  );
}
