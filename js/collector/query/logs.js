// GET /api/logs?service=&level=&traceId=&q=&window=&limit=&cursor=
//   -> { logs: [{ id, time, level, service, message, traceId, spanId, attributes, error }], nextCursor }
// Newest stored first (keyset paging on the row id, descending). `level` is one level exactly;
// `q` finds the text anywhere in the message, literally and ASCII case-insensitively:
// instr(lower(message), lower(?)) > 0 (sqlite.org/lang_corefunc.html#instr; lower() folds ASCII
// only, as SQLite's LIKE does). Not LIKE: D1 refuses LIKE and GLOB patterns over 50 bytes
// (developers.cloudflare.com/d1/platform/limits/), and instr has no pattern, so % and _ are
// plain characters and the search may be as long as params.js MAX_SEARCH. `window` (default 30d,
// the maximum) bounds how far back the list reaches; a log without a time is kept in every window.
import { LOG_LEVELS } from '../../wire/schema.js';
import { badParam, conditions, decodeCursor, jsonColumn, page, parseHex, parseLimit, parseName, parseSearch, parseWindow, queryParams, windowRange } from './params.js';

export async function listLogs(request, { db, url }) {
  const q = queryParams(url, ['service', 'level', 'traceId', 'q', 'window', 'limit', 'cursor']);
  const service = parseName(q.service, 'service');
  if (q.level !== undefined && !LOG_LEVELS.includes(q.level)) throw badParam('level', `${JSON.stringify(q.level)} is not one of ${LOG_LEVELS.join(', ')}`);
  const traceId = parseHex(q.traceId, 'traceId', 32);
  const search = parseSearch(q.q, 'q');
  const { ms } = parseWindow(q.window ?? '30d');
  const limit = parseLimit(q.limit);
  const cursor = decodeCursor(q.cursor, ['number']);
  const { from } = windowRange(ms, Date.now());

  const { where, binds, add } = conditions();
  add('(time IS NULL OR time >= ?)', from);
  if (service !== undefined) add('service = ?', service);
  if (q.level !== undefined) add('level = ?', q.level);
  if (traceId !== undefined) add('trace_id = ?', traceId);
  if (search !== undefined) add('instr(lower(message), lower(?)) > 0', search);
  if (cursor !== null) add('id < ?', cursor[0]);
  const rows = await db
    .prepare(
      'SELECT id, time, level, service, message, trace_id, span_id, attributes, error FROM logs ' +
        `WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
    )
    .bind(...binds, limit + 1)
    .all();
  const { items, nextCursor } = page(rows.results, limit, (r) => [r.id]);
  const logs = items.map((r) => ({
    id: r.id,
    time: r.time,
    level: r.level,
    service: r.service,
    message: r.message,
    traceId: r.trace_id,
    spanId: r.span_id,
    attributes: jsonColumn(r.attributes, {}),
    error: jsonColumn(r.error, null),
  }));
  return Response.json({ logs, nextCursor });
}
