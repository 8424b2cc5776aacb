// Starts a bundled Worker in workerd (through Miniflare) with a direct socket: requests to
// `url` reach the Worker's own HTTP listener, not Miniflare's entry proxy (which re-frames and
// may re-encode responses), so a client sees what workerd itself puts on the wire. workerd's
// own output is kept in `output` (one entry per line) instead of being printed, so a test can
// quote what the runtime said about a request that went wrong.
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { importMiniflare } from '../../js/testing/worker.js';

export async function startDirectWorker({ bundle, bindings = {}, compatibilityDate, compatibilityFlags = [] }) {
  const miniflare = await importMiniflare();
  const { Miniflare } = miniflare;
  compatibilityDate ??= defaultCompatibilityDate(miniflare);
  const output = [];
  const mf = new Miniflare({
    modules: bundle.modules,
    modulesRoot: '/',
    compatibilityDate,
    compatibilityFlags,
    bindings,
    unsafeDirectSockets: [{ port: 0 }],
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        let pending = '';
        stream.on('data', (chunk) => {
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop();
          output.push(...lines);
        });
      }
    },
  });
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL()).href.replace(/\/$/, '');
  return { mf, url, output, dispose: () => mf.dispose() };
}
