// EXPERIMENTAL: Streaming Tail Workers (`tailStream`, wrangler `streaming_tail_consumers`,
// Miniflare `streamingTails`) are run by workerd and Miniflare; Cloudflare does not deliver them
// in production yet, and the event shapes may still change (workers-types TailStream.*).
//
// tailStreamHandler(config) -> tailStream(onsetEvent, env, ctx): the platform calls it once per
// watched invocation with the onset event and sends every later event of that invocation to the
// handler it returns. The spans are recorded in one Telemetry per tail-Worker isolate (created on
// first use: Workers allow no random values at global scope) and exported through the configured
// exporters with the platform's trace and span ids (id-rewrite.js), flushed in ctx.waitUntil when
// the invocation's outcome arrives (no timer: the outcome is the end of the invocation).
import { createTelemetry } from '../../telemetry.js';
import { EdgescopeConfigError, validateConfig } from '../../config.js';
import { IdMap, withPlatformIds } from './id-rewrite.js';
import { InvocationTrace } from './invocation.js';

// maxLiveInvocations: invocations whose outcome has not arrived yet, at once. An outcome the
// platform never delivers would otherwise keep its spans open in the core (and its ids mapped) for
// the isolate's life, until the core's budgets refuse every later span.
const DEFAULTS = Object.freeze({ maxOpenSpans: 256, maxSpans: 2048, maxLiveInvocations: 1000 });

// config: the Telemetry config (service, exporters, ...) plus `streaming`: { maxOpenSpans?,
// maxSpans? } (per invocation).
export function tailStreamHandler(config) {
  if (!config || typeof config !== 'object') throw new EdgescopeConfigError('config', 'an object with service and exporters', config);
  const { streaming, ...telemetryConfig } = config;
  const limits = validateLimits(streaming);
  const stats = {
    invocations: 0,
    spans: 0,
    spansRefused: 0,
    spansEndedAtOutcome: 0,
    eventsUnmatched: 0,
    eventsAfterOutcome: 0,
    eventsIgnored: 0,
    attributesRefused: 0,
    onsetsRefused: 0,
    droppedByPlatform: 0,
    logs: 0,
    logsTruncated: 0,
    exceptions: 0,
    idsRewritten: 0,
    invocationsAbandoned: 0,
  };
  // Invocations without their outcome yet, oldest first (a Map keeps insertion order).
  const live = new Map();
  const idMap = new IdMap();
  // Validated now, so a bad config fails when the module loads rather than at the first event.
  validateConfig(telemetryConfig);
  const reported = new Set();
  const owner = {
    telemetry: null,
    idMap,
    stats,
    limits,
    warn(kind, message) {
      if (reported.has(kind)) return;
      reported.add(kind);
      console.warn(`[edgescope] tailStream (experimental): ${message} (reported once)`);
    },
  };

  function tailStream(onsetEvent, env, ctx) {
    if (!owner.telemetry) {
      owner.telemetry = createTelemetry(telemetryConfig);
      withPlatformIds(owner.telemetry.core, idMap, stats);
    }
    if (onsetEvent?.event?.type !== 'onset') {
      stats.onsetsRefused++;
      owner.warn('onset', `tailStream() expects the invocation's onset event first (got ${describe(onsetEvent)}); this invocation is not recorded`);
      return () => {};
    }
    const trace = new InvocationTrace(owner, onsetEvent);
    live.set(trace, true);
    abandonOldest(ctx);
    return (tail) => {
      trace.handle(tail);
      if (tail?.event?.type === 'outcome' && live.delete(trace)) {
        // flush() drains and encodes synchronously (export-pipeline.js): once it returns, this
        // invocation's spans and logs carry the platform's ids and its id mappings are done with.
        const flushed = owner.telemetry.flush();
        idMap.forget(trace.coreIds);
        if (ctx && typeof ctx.waitUntil === 'function') ctx.waitUntil(flushed);
        return flushed.then(() => undefined);
      }
      return undefined;
    };
  }

  // Past maxLiveInvocations, the oldest invocation still waiting for its outcome is ended, marked
  // `edgescope.tail.abandoned`, counted, and flushed in this invocation's waitUntil.
  function abandonOldest(ctx) {
    while (live.size > limits.maxLiveInvocations) {
      const oldest = live.keys().next().value;
      live.delete(oldest);
      oldest.abandon(Date.now());
      stats.invocationsAbandoned++;
      owner.warn('abandoned', `more than ${limits.maxLiveInvocations} invocations were waiting for their outcome; the oldest were ended as they stood (attribute edgescope.tail.abandoned; counted in stats().invocationsAbandoned)`);
      const flushed = owner.telemetry.flush();
      idMap.forget(oldest.coreIds);
      if (ctx && typeof ctx.waitUntil === 'function') ctx.waitUntil(flushed);
    }
  }

  // The handler's counters, plus the Telemetry's own (export outcomes, api repairs).
  tailStream.stats = () => ({ ...stats, idsForgotten: idMap.forgotten, telemetry: owner.telemetry ? owner.telemetry.stats() : null });
  return tailStream;
}

function validateLimits(streaming = {}) {
  if (streaming === null || typeof streaming !== 'object') throw new EdgescopeConfigError('streaming', 'an object { maxOpenSpans?, maxSpans?, maxLiveInvocations? }', streaming);
  const limits = { ...DEFAULTS };
  for (const key of Object.keys(streaming)) {
    if (!(key in DEFAULTS)) throw new EdgescopeConfigError(`streaming.${key}`, 'one of maxOpenSpans, maxSpans, maxLiveInvocations', key);
    const value = streaming[key];
    if (!Number.isInteger(value) || value < 1 || value > 100000) throw new EdgescopeConfigError(`streaming.${key}`, 'an integer from 1 to 100000', value);
    limits[key] = value;
  }
  return Object.freeze(limits);
}

function describe(value) {
  if (value?.event?.type !== undefined) return `an event of type ${JSON.stringify(value.event.type)}`;
  return value === null ? 'null' : typeof value;
}
