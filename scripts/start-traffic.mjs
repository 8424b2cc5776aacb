// `npm start`'s traffic generator: a steady, mixed stream of requests to the example app
// (examples/app) so the collector's dashboard has something to show within seconds — successes,
// thrown errors (500), bad requests (400), slow streamed bodies (/stream takes half a second),
// and a cached route whose requests are served from the Cache API or built (cache.tier).
//
// Every route is visited once first, then the mix is random by weight. Two loops, each one
// request at a time with a random pause between (about 5 requests/s in all):
// enough for every chart, little enough that a laptop does not notice. Every request produces an
// ingest payload, and so one D1 batch, in the collector.

const LOOPS = 2;
const PAUSE_MS = [150, 450];
const REQUEST_TIMEOUT_MS = 15000;

// [weight, path()]: the mix. 12 SKUs: each is built once, then served from the Cache API, so the
// hit ratio climbs as the run goes on.
const int = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
const ROUTES = [
  [35, () => '/api/items'],
  [30, () => `/api/price?sku=${int(1, 12)}`],
  [12, () => '/error'],
  [10, () => '/stream'],
  [5, () => '/'],
  [3, () => '/api/price?sku=none'], // 400
];
const TOTAL_WEIGHT = ROUTES.reduce((sum, [w]) => sum + w, 0);

function weightedPath() {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const [weight, path] of ROUTES) {
    r -= weight;
    if (r < 0) return path();
  }
  return ROUTES[0][1]();
}

// Starts the loops against appUrl (ending in '/'); returns { counts(), stop() }. counts() is
// { requests, ok, clientErrors, serverErrors, failed } so far; stop() ends the loops and aborts
// requests in flight, resolving once they have returned.
export function startTraffic(appUrl) {
  const counts = { requests: 0, ok: 0, clientErrors: 0, serverErrors: 0, failed: 0 };
  const abort = new AbortController();
  // The first requests visit every route once, in order, so each shows on the dashboard at once.
  let visited = 0;
  const pickPath = () => (visited < ROUTES.length ? ROUTES[visited++][1]() : weightedPath());
  // A pause that stop() cuts short; its listener goes when the pause ends (no pile-up over hours).
  const sleep = (ms) =>
    new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      abort.signal.addEventListener('abort', wake);
    });

  async function loop() {
    while (!abort.signal.aborted) {
      const url = new URL(pickPath(), appUrl);
      try {
        const res = await fetch(url, { signal: AbortSignal.any([abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
        await res.arrayBuffer(); // the whole body: /stream's spans are recorded while it streams
        counts.requests++;
        if (res.status >= 500) counts.serverErrors++;
        else if (res.status >= 400) counts.clientErrors++;
        else counts.ok++;
      } catch {
        if (abort.signal.aborted) break;
        counts.requests++;
        counts.failed++; // the app did not answer (restarting, or stopped): counted, not fatal
      }
      await sleep(int(PAUSE_MS[0], PAUSE_MS[1]));
    }
  }

  const loops = Array.from({ length: LOOPS }, loop);
  return {
    counts: () => ({ ...counts }),
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}
