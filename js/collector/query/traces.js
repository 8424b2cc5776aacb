// GET /api/traces?service=&minDurationMs=&error=true|false&window=&limit=&cursor=
//   -> { traces: [{ traceId, service, rootName, startTime, durationMs, spanCount, error }], nextCursor }
// A trace is listed by its root span (a span without a parent), newest first; `error` is true
// when any span of the trace has status error. Keyset paging on (start_time, id) descending, so a
// page costs the same however deep it is and a trace stored between two pages is never repeated
// or skipped (SQLite row values, sqlite.org/rowvalue.html). `window` (default 30d, the maximum)
// bounds how far back the list reaches.
import {
  decodeCursor,
  page,
  parseBoolean,
  parseLimit,
  parseName,
  parseNonNegative,
  parseWindow,
  queryParams,
  windowRange,
} from './params.js';

// A span far longer than any Worker invocation; the bound keeps the parameter a plain number.
const MAX_DURATION_MS = 30 * 24 * 3600 * 1000;

export async function listTraces(request, { db, url }) {
  const q = queryParams(url, ['service', 'minDurationMs', 'error', 'window', 'limit', 'cursor']);
  const service = parseName(q.service, 'service');
  const minDurationMs = parseNonNegative(q.minDurationMs, 'minDurationMs', MAX_DURATION_MS);
  const error = parseBoolean(q.error, 'error');
  const { ms } = parseWindow(q.window ?? '30d');
  const limit = parseLimit(q.limit);
  const cursor = decodeCursor(q.cursor, ['number', 'number']);
  const { from } = windowRange(ms, Date.now());

  const where = [];
  const binds = [];
  const add = (clause, ...values) => {
    where.push(clause);
    binds.push(...values);
  };
  add('r.parent_span_id IS NULL');
  add('r.start_time >= ?', from);
  if (service !== undefined) add('r.service = ?', service);
  if (minDurationMs !== undefined) add('r.end_time - r.start_time >= ?', minDurationMs);
  const anyError = "EXISTS (SELECT 1 FROM spans e WHERE e.trace_id = r.trace_id AND e.status = 'error' LIMIT 1)";
  if (error === true) add(anyError);
  if (error === false) add(`NOT ${anyError}`);
  if (cursor !== null) add('(r.start_time, r.id) < (?, ?)', ...cursor);
  const roots = await db
    .prepare(
      `SELECT r.id, r.trace_id, r.service, r.name, r.start_time, r.end_time FROM spans r WHERE ${where.join(' AND ')} ` +
        'ORDER BY r.start_time DESC, r.id DESC LIMIT ?',
    )
    .bind(...binds, limit + 1)
    .all();
  const { items, nextCursor } = page(roots.results, limit, (r) => [r.start_time, r.id]);
  if (items.length === 0) return Response.json({ traces: [], nextCursor });

  // Span counts and error flags of this page's traces, by the trace_id index: one row per trace.
  const ids = [...new Set(items.map((r) => r.trace_id))];
  const stats = await db
    .prepare(
      `SELECT trace_id, count(*) AS spans, max(status = 'error') AS error FROM spans WHERE trace_id IN (${ids.map(() => '?').join(', ')}) ` +
        'GROUP BY trace_id LIMIT ?',
    )
    .bind(...ids, ids.length)
    .all();
  const byTrace = new Map(stats.results.map((s) => [s.trace_id, s]));
  const traces = items.map((r) => ({
    traceId: r.trace_id,
    service: r.service,
    rootName: r.name,
    startTime: r.start_time,
    durationMs: r.end_time - r.start_time,
    spanCount: byTrace.get(r.trace_id)?.spans ?? 1,
    error: byTrace.get(r.trace_id)?.error === 1,
  }));
  return Response.json({ traces, nextCursor });
}
