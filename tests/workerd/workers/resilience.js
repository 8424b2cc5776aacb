// A Worker that drives the resilience API for tests/workerd/resilience-*.test.js: breakers, an
// exhaustion registry and a ledger whose state lives where env.STORE says (memory, kv,
// durable-object; KV binding STATE_KV, Durable Object binding EDGESCOPE_STATE), defined once per
// isolate at module scope as a user's Worker does. Each route does one API call and answers JSON.
// Instrumented, so transitions reach the collector and /__active tells when an invocation's
// waitUntil work (KV saves, Durable Object batches) has finished.
import { exporters, instrument, scopeOf } from 'edgescope';
import { CircuitOpenError, createBreaker, createExhaustionRegistry, createLedger } from 'edgescope/resilience';

export { EdgescopeState } from 'edgescope';

const num = (env, name, fallback) => (env[name] === undefined ? fallback : Number(env[name]));

// /outage?on=1 makes every request to the Durable Object fail in this isolate, the way an
// overloaded object answers (an Error marked .overloaded), until /outage?on=0.
let outage = false;
function outageAware(namespace) {
  return {
    idFromName: (name) => namespace.idFromName(name),
    get(id) {
      const stub = namespace.get(id);
      return {
        request: (message) => (outage ? Promise.reject(Object.assign(new Error('Durable Object is overloaded. Requests queued for too long.'), { overloaded: true })) : stub.request(message)),
      };
    },
  };
}

// KV_PUT_DELAY_MS holds every KV write back that long after it is asked for, so two isolates'
// saves overlap (each read before the other's write lands), as they can at the edge.
function slowPuts(kv, delayMs) {
  if (!delayMs) return kv;
  return { get: (key, type) => kv.get(key, type), put: async (key, value) => (await sleep(delayMs), kv.put(key, value)) };
}

function stateOf(env) {
  if (env.STORE === 'kv') return { store: 'kv', namespace: slowPuts(env.STATE_KV, num(env, 'KV_PUT_DELAY_MS', 0)), minWriteIntervalMs: 0 };
  if (env.STORE === 'durable-object') return { store: 'durable-object', namespace: outageAware(env.EDGESCOPE_STATE), maxStalenessMs: num(env, 'MAX_STALENESS_MS', 1000) };
  return 'memory';
}

const provider = createBreaker('provider', {
  failureThreshold: 5,
  openMs: 1500,
  halfOpenCalls: 1,
  state: stateOf,
});

// Trips only on the fleet's failure rate over at least 20 calls (no consecutive-failure rule).
const fleet = createBreaker('fleet', {
  failureThreshold: 0,
  failureRate: 0.5,
  minimumCalls: 20,
  window: { type: 'count', size: 100 },
  openMs: 60000,
  state: stateOf,
});

const graduated = createBreaker('graduated', { policy: 'graduated', quietMs: 3_600_000, state: 'memory' });

const exhaustion = createExhaustionRegistry('quota', { state: stateOf });

let ledgerPolicy = null;
const ledgers = new Map();
function ledgerOf(env) {
  // The policy comes from the test (LEDGER_POLICY, JSON), so each test states its budget.
  ledgerPolicy ??= JSON.parse(env.LEDGER_POLICY ?? '{}');
  if (!ledgers.has('spend')) ledgers.set('spend', createLedger('spend', { ...ledgerPolicy, state: stateOf }));
  return ledgers.get('spend');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function callProvider(breaker, { fail, holdMs }) {
  let ran = false;
  try {
    const value = await breaker.execute(async () => {
      ran = true;
      if (holdMs) await sleep(holdMs); // a call in flight for a while (the trial call test)
      if (fail) throw new Error('provider failed');
      return 'ok';
    });
    return { outcome: value, ran };
  } catch (error) {
    if (error instanceof CircuitOpenError) return { outcome: 'refused', ran, state: error.state, retryAfter: error.retryAfter, message: error.message };
    return { outcome: 'failed', ran, message: error.message };
  }
}

// The share of calls the graduated curve sends to the primary at each step: for every step, the
// breaker is reset and failed down to that step, then one call decides primary or fallback.
async function measureCurve(breaker, trials) {
  const shares = [];
  for (let step = 0; step < 5; step++) {
    let primary = 0;
    for (let t = 0; t < trials; t++) {
      await breaker.reset();
      for (let guard = 0; (await breaker.state()).step < step; guard++) {
        if (guard > 1000) throw new Error(`could not reach step ${step}`);
        await breaker.executeWithFallback(() => Promise.reject(new Error('down')), () => 'fallback');
      }
      const got = await breaker.executeWithFallback(() => 'primary', () => 'fallback');
      if (got === 'primary') primary++;
    }
    shares.push(primary / trials);
  }
  return shares;
}

const handler = {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const q = (name) => url.searchParams.get(name);
    const t = scopeOf(request);
    if (url.pathname === '/__active') return Response.json(t.telemetry.activeInvocations - 1);
    const breakerOf = () => (q('breaker') === 'fleet' ? fleet : provider);
    switch (url.pathname) {
      case '/call': {
        const b = breakerOf().use(env, ctx);
        return Response.json(await callProvider(b, { fail: q('fail') === '1', holdMs: Number(q('holdMs') ?? 0) }));
      }
      case '/outage':
        outage = q('on') === '1';
        return Response.json({ outage });
      case '/state':
        return Response.json(await breakerOf().use(env, ctx).state());
      case '/stats':
        return Response.json({ provider: provider.stats(), fleet: fleet.stats(), quota: exhaustion.stats(), spend: ledgerOf(env).stats() });
      case '/force-open':
        return Response.json(await breakerOf().use(env, ctx).forceOpen());
      case '/reset':
        return Response.json(await breakerOf().use(env, ctx).reset());
      case '/curve':
        return Response.json(await measureCurve(graduated.use(env, ctx), Number(q('trials'))));
      case '/mark':
        return Response.json(await exhaustion.use(env, ctx).markExhausted(q('provider'), q('ms') ? Number(q('ms')) : undefined));
      case '/exhausted': {
        // Each answer with the Worker's clock before and after it: the clock moves only across I/O
        // (a KV read), so each answer was decided at a time within its own pair.
        const r = exhaustion.use(env, ctx);
        const untilFrom = Date.now();
        const until = await r.exhaustedUntil(q('provider'));
        const listFrom = Date.now();
        const list = await r.list();
        const now = Date.now();
        return Response.json({ until, list, now, untilAsked: [untilFrom, listFrom], listAsked: [listFrom, now] });
      }
      case '/record': {
        const ledger = ledgerOf(env).use(env, ctx);
        const entry = { provider: q('provider') ?? 'openai', model: q('model') ?? 'gpt', spendMicros: Number(q('spend')), inputTokens: Number(q('in') ?? 0), outputTokens: Number(q('out') ?? 0) };
        return Response.json(await ledger.record(entry));
      }
      case '/ledger':
        return Response.json(await ledgerOf(env).use(env, ctx).status());
      case '/check':
        return Response.json(await ledgerOf(env).use(env, ctx).check({ provider: q('provider') ?? 'openai', model: q('model') ?? 'gpt', tokens: Number(q('tokens') ?? 0) }));
      case '/raw': {
        // A request straight to the Durable Object, as another (or a hostile) caller sends it.
        const stub = env.EDGESCOPE_STATE.get(env.EDGESCOPE_STATE.idFromName(q('object') ?? 'breaker:provider'));
        try {
          return Response.json({ ok: true, reply: await stub.request(await request.json()) });
        } catch (error) {
          return Response.json({ ok: false, name: error.name, message: error.message });
        }
      }
      default:
        return new Response('not found', { status: 404 });
    }
  },
};

export default instrument(handler, (env) => ({
  service: 'resilience-worker',
  requestMetrics: false,
  exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0, timeoutMs: 2000 }),
  buffer: false,
}));
