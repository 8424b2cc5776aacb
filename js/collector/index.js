// edgescope's collector, as a Worker: `export default createCollector(config)`. The endpoints
// are the rows of routes.js. Answers are JSON: 2xx, or an error naming what was wrong — 400
// malformed (naming the field), 401 token, 404 path, 405 method, 413 size, 415 type or encoding,
// 500 the store failed (nothing stored: a payload is one D1 batch). Under /v1/ (OTLP/HTTP) the
// same statuses carry a google.rpc.Status, protobuf for a protobuf request.
import { validateCollectorConfig } from './config.js';
import { authenticate } from './http/auth.js';
import { HttpError } from './http/http-error.js';
import { createRouter } from './http/router.js';
import { mediaType } from './http/body.js';
import { failureResponse } from './ingest/otlp-response.js';
import { INGEST_PATH, ROUTES } from './routes.js';
import { runScheduled } from './scheduled.js';
import { evaluateSlos } from './slo/evaluate.js';

export { INGEST_PATH };

const OTLP_PREFIX = '/v1/';
const PROTOBUF = 'application/x-protobuf';

// A 401 names the scheme (RFC 6750 §3) whatever the body's encoding.
const withAuthChallenge = (e) => (e.status === 401 ? new HttpError(401, e.message, e.path, { 'www-authenticate': 'Bearer realm="edgescope"', ...e.headers }) : e);

// The D1 binding, or a 500 (a deployment without it: the sender keeps the payload and retries).
function database(env, settings) {
  const db = env?.[settings.database];
  if (db && typeof db.batch === 'function') return db;
  console.error(`edgescope collector: env.${settings.database} is not a D1 binding; nothing stored or read`);
  throw new HttpError(500, `the collector has no D1 binding named ${settings.database}`);
}

function authorize(request, access, settings, env) {
  if (access === 'ingest') return authenticate(request, settings.tokens, env, 'ingest');
  if (access === 'read' && !settings.publicRead) return authenticate(request, settings.readTokens, env, 'read');
  return null;
}

export function createCollector(config) {
  const settings = validateCollectorConfig(config);
  const route = createRouter(ROUTES);
  return {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      try {
        const { route: r, params } = route(request.method, url.pathname);
        const tokenName = authorize(request, r.access, settings, env);
        const db = r.access === 'public' ? null : database(env, settings);
        return await r.handler(request, { env, ctx, db, settings, params, url, tokenName });
      } catch (e) {
        if (!(e instanceof HttpError)) console.error(`edgescope collector: ${request.method} ${url.pathname} failed: ${e?.stack ?? e}`);
        const error = e instanceof HttpError ? e : new HttpError(500, `the collector failed: ${e?.message ?? e}`);
        // OTLP/HTTP paths answer every failure — a 401, 404, 405 or 500 included — as a
        // google.rpc.Status in the request's encoding (OTLP specification, "OTLP/HTTP Response",
        // "Failures"), so an OpenTelemetry exporter can read why.
        if (url.pathname.startsWith(OTLP_PREFIX)) return failureResponse(withAuthChallenge(error), mediaType(request) === PROTOBUF);
        return error.toResponse();
      }
    },
    // The cron (wrangler.jsonc triggers.crons): rollups and retention (scheduled.js), then the SLO
    // evaluation (slo/evaluate.js), which reads the raw points the rollups have not reached, so it
    // runs even when the rollup step failed. A failure is logged and rethrown, so the platform
    // records the run as failed; the next run retries.
    async scheduled(controller, env) {
      const db = database(env, settings);
      const now = controller.scheduledTime;
      let failure = null;
      try {
        await runScheduled(db, settings, now);
      } catch (e) {
        console.error(`edgescope collector cron: rollups failed: ${e?.stack ?? e}`);
        failure = e;
      }
      // Always, even with no SLO configured: an alert whose SLO was removed is resolved here.
      try {
        const slo = await evaluateSlos(db, settings, env, now);
        if (slo.fired || slo.resolved || slo.deliveryFailures) console.log(`edgescope collector cron: SLOs ${JSON.stringify(slo)}`);
      } catch (e) {
        console.error(`edgescope collector cron: SLO evaluation failed: ${e?.stack ?? e}`);
        failure ??= e;
      }
      if (failure) throw failure;
    },
  };
}
