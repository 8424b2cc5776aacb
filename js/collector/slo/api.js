// The SLO and alert endpoints (rows of routes.js, access 'read'):
//   GET  /api/slos                          -> { slos: [status rows] }
//   GET  /api/alerts?state=&limit=&cursor=  -> { alerts: [...], nextCursor }  (newest first)
//   POST /api/alerts/:id/ack  body { by? }  -> { alert }  (404 unknown id; the first
//        acknowledgement stays; an acknowledged alert is not sent again until it resolves)
// A bad parameter is a 400 naming it.
import { HttpError } from '../http/http-error.js';
import { readJsonBody } from '../http/body.js';
import { acknowledge, listAlerts } from './alert-rows.js';
import { sloStatus } from './status.js';

const STATES = ['firing', 'resolved', 'all'];
const MAX_LIMIT = 500;
const MAX_BY = 128;

export async function getSlos(_request, { db, settings }) {
  return Response.json({ slos: await sloStatus(db, settings, Date.now()) });
}

function limitOf(url) {
  const text = url.searchParams.get('limit');
  if (text === null) return 50;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_LIMIT) throw new HttpError(400, `limit must be an integer from 1 to ${MAX_LIMIT} (got ${JSON.stringify(text)})`, 'limit');
  return n;
}

// The cursor is opaque to clients: base64url of JSON [firedAt, id] of the last alert sent.
const encodeCursor = ({ firedAt, id }) => btoa(JSON.stringify([firedAt, id])).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
function decodeCursor(text) {
  if (text === null) return null;
  try {
    const [firedAt, id] = JSON.parse(atob(text.replaceAll('-', '+').replaceAll('_', '/')));
    if (Number.isFinite(firedAt) && typeof id === 'string') return { firedAt, id };
  } catch {
    // fall through to the 400
  }
  throw new HttpError(400, 'cursor is not one this API returned (pass nextCursor as is)', 'cursor');
}

export async function getAlerts(_request, { db, url }) {
  const state = url.searchParams.get('state') ?? 'all';
  if (!STATES.includes(state)) throw new HttpError(400, `state must be one of ${STATES.join(', ')} (got ${JSON.stringify(state)})`, 'state');
  const { alerts, next } = await listAlerts(db, { state, limit: limitOf(url), after: decodeCursor(url.searchParams.get('cursor')) });
  return Response.json({ alerts: alerts.map(({ updatedAt, ...a }) => a), nextCursor: next ? encodeCursor(next) : null });
}

// The body is optional: no body (or no Content-Type) acknowledges anonymously.
async function ackBody(request, settings) {
  const hasBody = request.headers.get('content-length') !== '0' && (request.headers.has('content-type') || request.headers.has('content-length') || request.headers.has('transfer-encoding'));
  if (!hasBody) return {};
  const body = await readJsonBody(request, settings);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object like { "by": "alice" }', '$');
  for (const key of Object.keys(body)) if (key !== 'by') throw new HttpError(400, `unknown field ${key} (known: by)`, `$.${key}`);
  if (body.by !== undefined && body.by !== null && (typeof body.by !== 'string' || body.by.trim() === '' || body.by.length > MAX_BY)) {
    throw new HttpError(400, `by must be a non-empty string of at most ${MAX_BY} characters`, '$.by');
  }
  return body;
}

export async function ackAlert(request, { db, settings, params, tokenName }) {
  const body = await ackBody(request, settings);
  // Without a name, the read token's name (if any) says who acknowledged.
  const alert = await acknowledge(db, params.id, body.by ?? tokenName ?? null, Date.now());
  if (!alert) throw new HttpError(404, `no alert with id ${JSON.stringify(params.id)}`);
  const { updatedAt, ...shown } = alert;
  return Response.json({ alert: shown });
}
