// 'edgescope/tail': a Tail Worker (Workers `tail(events, env, ctx)`, configured on the watched
// Worker with `tail_consumers`) that turns each TraceItem into edgescope's records. Nothing of
// edgescope runs in the watched Worker: the platform hands its invocations to this one.
//
//   export default tailWorker({ exporter, ... })   // or tailWorker((env) => ({ ... }))
//
// One tail Worker serves many watched Workers (scriptName → service.name); their records go out
// through the same exporters, buffer and formats as instrument()'s. Every tail() call settles and
// flushes what it recorded inside its own ctx.waitUntil: no timer, nothing left for a later call.
import { EdgescopeConfigError } from '../config.js';
import { reportInternalFailure } from '../internal-failures.js';
import { settleInvocationErrors } from '../monitoring/error-records.js';
import { validateTailConfig } from './config.js';
import { recordItem } from './record-item.js';
import { ServiceTable } from './services.js';
import { newTailStats } from './stats.js';

const statsOf = new WeakMap(); // the handler object -> its stats (tailStats())

export function tailWorker(config) {
  if (typeof config !== 'function') validateTailConfig(config); // a mistake fails at deploy
  let table = null;
  const stats = newTailStats();
  const setup = (env) => {
    if (table) return table;
    const resolved = typeof config === 'function' ? config(env) : config;
    if (resolved === undefined) throw new EdgescopeConfigError('config(env)', 'a function returning a config object', resolved);
    table = new ServiceTable(validateTailConfig(resolved), stats);
    return table;
  };
  const handler = {
    tail(events, env, ctx) {
      const done = runTail(setup, events, env, ctx, stats);
      try {
        ctx.waitUntil(done);
      } catch (error) {
        reportInternalFailure('tail waitUntil', error);
      }
      return done;
    },
  };
  statsOf.set(handler, () => ({ ...stats, services: table?.size ?? 0 }));
  return handler;
}

// { items, itemsRefused, truncated, services, servicesEvicted }: counts since the isolate started.
export function tailStats(handler) {
  const read = statsOf.get(handler);
  if (!read) throw new TypeError('edgescope: tailStats() takes the object tailWorker() returned');
  return read();
}

// Records every item, then per service: settle the error records (with `alerts`, its one
// de-duplication request and deliveries), flush. Never rejects: a failure is counted and logged.
async function runTail(setup, events, env, ctx, stats) {
  let table;
  try {
    table = setup(env);
  } catch (error) {
    reportInternalFailure('setup', error);
    return;
  }
  const now = Date.now();
  const evictions = [];
  const touched = new Map(); // telemetry -> [scope]
  if (!Array.isArray(events)) {
    refuse(stats, events, new TypeError(`tail() expects an array of trace items, got ${typeof events}`));
    return;
  }
  for (const item of events) {
    if (!item || typeof item !== 'object') {
      refuse(stats, item);
      continue;
    }
    try {
      const { telemetry } = table.telemetryFor(item, evictions);
      if (!touched.has(telemetry)) {
        touched.set(telemetry, []);
        table.hold(telemetry);
      }
      const scope = { telemetry, ctx, errorRecords: [], route: null, errorsSettled: false };
      touched.get(telemetry).push(scope);
      recordItem(telemetry, scope, item, { readHeaders: table.settings.readHeaders, now });
      stats.items++;
      if (item.truncated === true) noteTruncated(stats, item);
    } catch (error) {
      refuse(stats, item, error);
    }
  }
  await Promise.all([
    ...evictions,
    ...[...touched].map(([telemetry, scopes]) => settleAndFlush(telemetry, scopes).finally(() => table.release(telemetry))),
  ]);
}

async function settleAndFlush(telemetry, scopes) {
  const alertWork = [];
  for (const scope of scopes) {
    try {
      const work = settleInvocationErrors(scope);
      if (work) alertWork.push(work.catch((failure) => reportInternalFailure('alerts', failure)));
    } catch (failure) {
      reportInternalFailure('error classification', failure);
    }
  }
  // The `errors` counter is incremented when the records settle (after the alert request, which
  // answers the fleet-wide counts): wait for it, so this flush carries it.
  await Promise.all(alertWork);
  try {
    await telemetry.flush();
  } catch (failure) {
    reportInternalFailure('flush', failure);
  }
}

function refuse(stats, item, error) {
  stats.itemsRefused++;
  if (stats.itemsRefused === 1) {
    console.error(`[edgescope] tail: a trace item could not be recorded (${error?.message ?? `not an object: ${typeof item}`}); counted in tailStats().itemsRefused (reported once)`);
  }
}

// The platform cut the item (its logs and exceptions past 256 KB): the span says so, tailStats()
// and the edgescope.tail.truncated counter count it, and the isolate says it once.
function noteTruncated(stats, item) {
  stats.truncated++;
  if (stats.truncated === 1) {
    console.warn(`[edgescope] tail: a trace item of '${item.scriptName ?? 'unknown'}' arrived truncated by the platform (logs past its size cap are missing); marked edgescope.tail.truncated, counted in tailStats().truncated (reported once)`);
  }
}

// The exporters, so a tail Worker configures itself from this one import.
export { exporters } from '../exporters/index.js';

// EXPERIMENTAL: Streaming Tail Workers (`tailStream`, stream/handler.js), from the same entry.
export { tailStreamHandler } from './stream/index.js';
