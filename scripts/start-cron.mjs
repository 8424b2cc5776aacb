// `npm start`'s stand-in for Cloudflare's cron triggers: `wrangler dev` does not run a Worker's
// `triggers.crons` on a schedule; with `--test-scheduled` it runs the scheduled handler when
// `/__scheduled?cron=<expression>` is requested. The collector's cron (rollups, retention, SLO
// evaluation) runs every minute, so this fires each configured cron at the start of every minute,
// as the platform would fire `* * * * *` — whatever its expression says (locally, an hourly job
// running each minute costs nothing and shows its effect sooner).
import { experimental_readRawConfig as readRawConfig } from 'wrangler';

// The wrangler configuration's D1 database name (its first d1_databases entry) and cron
// expressions ([] without triggers.crons), read with wrangler's own JSONC reader.
export function readCollectorConfig(configPath) {
  const { rawConfig } = readRawConfig({ config: configPath });
  const database = rawConfig.d1_databases?.[0]?.database_name;
  if (typeof database !== 'string' || database === '') throw new Error(`${configPath} has no d1_databases[0].database_name`);
  const crons = rawConfig.triggers?.crons ?? [];
  if (!Array.isArray(crons) || crons.some((c) => typeof c !== 'string' || c.trim() === '')) throw new Error(`${configPath}: triggers.crons must be an array of cron expressions`);
  return { database, crons };
}

// Fires every cron in crons against the Worker at baseUrl (ending in '/') at each multiple of
// periodMs (a minute by default) until stop(). Each run's outcome: { cron, ok, status, detail }
// to onRun. Returns { stop(), runs() } (runs: how many fired so far).
export function startCronTrigger(baseUrl, crons, { periodMs = 60000, onRun = () => {} } = {}) {
  let timer = null;
  let stopped = false;
  let runs = 0;
  const inFlight = new Set();
  const abort = new AbortController(); // stop() cuts a run in flight short

  async function fire(cron) {
    const url = new URL(`__scheduled?cron=${encodeURIComponent(cron)}`, baseUrl);
    try {
      const res = await fetch(url, { signal: AbortSignal.any([abort.signal, AbortSignal.timeout(periodMs)]) });
      const detail = (await res.text()).trim().slice(0, 500);
      runs++;
      onRun({ cron, ok: res.ok, status: res.status, detail });
    } catch (error) {
      if (!stopped) onRun({ cron, ok: false, status: 0, detail: error.cause?.code ?? error.message });
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      for (const cron of crons) {
        const run = fire(cron).finally(() => inFlight.delete(run));
        inFlight.add(run);
      }
      schedule();
    }, periodMs - (Date.now() % periodMs));
  }
  if (crons.length) schedule();

  return {
    runs: () => runs,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await Promise.all(inFlight);
    },
  };
}
