import { readFileSync } from 'node:fs';
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

// The head-sampling rule (OpenTelemetry TraceIdRatioBased: the trace id's low 56 bits against the
// rejection threshold), read from the specification's threshold table in the shared fixture rather
// than recomputed: sampled iff R >= T at the recommended precision 4.
const samplingVectors = JSON.parse(readFileSync(new URL('../fixtures/sampling-vectors.json', import.meta.url), 'utf8'));
export function isSampled(traceId, ratio) {
  if (ratio === 0) return false;
  const row = samplingVectors.thresholds.cases.find((c) => c.probability === ratio);
  if (!row) throw new Error(`no threshold for ratio ${ratio} in tests/fixtures/sampling-vectors.json`);
  return BigInt(`0x${traceId.slice(18)}`) >= BigInt(`0x${row.th['4'].padEnd(14, '0')}`);
}

// One workerd isolate per test file running workers/<name>.js, reporting to `collector` (from
// useCollector). Returns a handle forwarding to the running worker.
export function useWorker(collector, name, bindings = {}, options = {}) {
  let running = null;
  before(async () => {
    await collector.ready;
    running = await startWorker({ ...options, bundle: await bundleOf(name), bindings: { COLLECTOR_URL: collector.nativeUrl, ...bindings } });
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
