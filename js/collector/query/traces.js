// GET /api/traces?service=&minDurationMs=&error=true|false&window=&limit=&cursor=
//   -> { traces: [{ traceId, service, rootName, startTime, durationMs, spanCount, error }], nextCursor }
// A trace is listed by its root span, newest first: a span whose parent is not stored in the same
// trace. That is a span without a parent, and also one continuing an incoming `traceparent` (W3C
// Trace Context: the caller's span is in another system, so the parent id names a span this store
// never sees) — a Worker behind an instrumented caller would otherwise have no trace listed. The
// check is a probe of the spans(trace_id) index per candidate, skipped for spans without a parent;
// while a trace's spans are still arriving, a span whose parent is not stored yet is listed as a
// root too, until the parent comes in. `error` is true
// when any span of the trace has status error. Keyset paging on (start_time, id) descending, so a
// page costs the same however deep it is and a trace stored between two pages is never repeated
// or skipped (SQLite row values, sqlite.org/rowvalue.html). `window` (default 30d, the maximum)
// bounds how far back the list reaches.
import { conditions, decodeCursor, page, parseBoolean, parseLimit, parseName, parseNonNegative, parseWindow, queryParams, windowRange } from './params.js';

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

  const { where, binds, add } = conditions();
  add('(r.parent_span_id IS NULL OR NOT EXISTS (SELECT 1 FROM spans pp WHERE pp.trace_id = r.trace_id AND pp.span_id = r.parent_span_id))');
  add('r.start_time >= ?', from);
  if (service !== undefined) add('r.service = ?', service);
  if (minDurationMs !== undefined) add('r.end_time - r.start_time >= ?', minDurationMs);
  const anyError = "EXISTS (SELECT 1 FROM spans e WHERE e.trace_id = r.trace_id AND e.status = 'error' LIMIT 1)";
  if (error === true) add(anyError);
  if (error === false) add(`NOT ${anyError}`);
  if (cursor !== null) add('(r.start_time, r.id) < (?, ?)', ...cursor);
  // The page's roots first (inner query, LIMIT), then each one's span count and error flag by
  // the trace_id index: only for the rows of the page, and with no list of bound ids (D1 binds at
  // most 100 parameters a statement: developers.cloudflare.com/d1/platform/limits/).
  const roots = await db
    .prepare(
      "SELECT p.*, (SELECT count(*) FROM spans c WHERE c.trace_id = p.trace_id) AS span_count, EXISTS (SELECT 1 FROM spans e WHERE e.trace_id = p.trace_id AND e.status = 'error') AS error " +
        `FROM (SELECT r.id, r.trace_id, r.service, r.name, r.start_time, r.end_time FROM spans r WHERE ${where.join(' AND ')} ` +
        'ORDER BY r.start_time DESC, r.id DESC LIMIT ?) p ORDER BY p.start_time DESC, p.id DESC',
    )
    .bind(...binds, limit + 1)
    .all();
  const { items, nextCursor } = page(roots.results, limit, (r) => [r.start_time, r.id]);
  const traces = items.map((r) => ({
    traceId: r.trace_id,
    service: r.service,
    rootName: r.name,
    startTime: r.start_time,
    durationMs: r.end_time - r.start_time,
    spanCount: r.span_count,
    error: r.error === 1,
  }));
  return Response.json({ traces, nextCursor });
}
