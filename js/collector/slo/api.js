// The SLO and alert endpoints (rows of routes.js, access 'read'):
//   GET  /api/slos                          -> { slos: [status rows] }
//   GET  /api/alerts?state=&limit=&cursor=  -> { alerts: [...], nextCursor }  (newest first)
//   POST /api/alerts/:id/ack  body { by? }  -> { alert }  (404 unknown id; the first
//        acknowledgement stays; an acknowledged alert is not sent again until it resolves)
// Parameters are parsed as the query API's are (query/params.js): an unknown or repeated name,
// a bad value or a garbled cursor is a 400 naming it.
//
// An acknowledgement must say `Content-Type: application/json` (else 415), with or without a
// body: a cross-site page can POST without a CORS preflight only with a "simple" content type
// (text/plain, form types: Fetch standard, "CORS-safelisted request-header"), so with JSON
// required, a page on another origin cannot acknowledge through a visitor's browser even where
// reads need no token (publicRead, a local run) — the preflight is refused, since the collector
// answers no OPTIONS. Alert ids are random (evaluate.js), so none can be guessed either.
import { HttpError } from '../http/http-error.js';
import { parseJsonBody, readBodyBytes } from '../http/body.js';
import { badParam, decodeCursor, encodeCursor, parseLimit, queryParams } from '../query/params.js';
import { acknowledge, listAlerts } from './alert-rows.js';
import { sloStatus } from './status.js';

const STATES = ['firing', 'resolved', 'all'];
const MAX_BY = 128;

export async function getSlos(_request, { db, settings, url }) {
  queryParams(url, []);
  return Response.json({ slos: await sloStatus(db, settings, Date.now()) });
}

// The cursor is opaque to clients: [firedAt, id] of the last alert sent (params.js encoding).
export async function getAlerts(_request, { db, url }) {
  const q = queryParams(url, ['state', 'limit', 'cursor']);
  const state = q.state ?? 'all';
  if (!STATES.includes(state)) throw badParam('state', `${JSON.stringify(state)} is not one of ${STATES.join(', ')}`);
  const limit = parseLimit(q.limit);
  const cursor = decodeCursor(q.cursor, ['number', 'string']);
  const { alerts, next } = await listAlerts(db, { state, limit, after: cursor === null ? null : { firedAt: cursor[0], id: cursor[1] } });
  return Response.json({ alerts: alerts.map(({ updatedAt, ...a }) => a), nextCursor: next ? encodeCursor([next.firedAt, next.id]) : null });
}

// The body is optional (empty: acknowledged under the read token's name); the JSON content type
// is not (see above).
async function ackBody(request, settings) {
  const { bytes } = await readBodyBytes(request, settings, ['application/json']);
  if (bytes.byteLength === 0) return {};
  const body = parseJsonBody(bytes);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object like { "by": "alice" }', '$');
  for (const key of Object.keys(body)) if (key !== 'by') throw new HttpError(400, `unknown field ${key} (known: by)`, `$.${key}`);
  if (body.by !== undefined && body.by !== null && (typeof body.by !== 'string' || body.by.trim() === '' || body.by.length > MAX_BY)) {
    throw new HttpError(400, `by must be a non-empty string of at most ${MAX_BY} characters`, '$.by');
  }
  return body;
}

export async function ackAlert(request, { db, settings, params, tokenName, url }) {
  queryParams(url, []);
  const body = await ackBody(request, settings);
  // Without a name, the read token's name (if any) says who acknowledged.
  const alert = await acknowledge(db, params.id, body.by ?? tokenName ?? null, Date.now());
  if (!alert) throw new HttpError(404, `no alert with id ${JSON.stringify(params.id)}`);
  const { updatedAt, ...shown } = alert;
  return Response.json({ alert: shown });
}
