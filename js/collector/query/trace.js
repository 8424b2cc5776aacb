// GET /api/traces/:traceId?limit=&cursor=
//   -> { traceId, spans: [{ spanId, parentSpanId, name, service, kind, startTime, endTime,
//        durationMs, status, statusMessage, attributes, events }], nextCursor }
// Every span of one trace in start order (parents before their children when they start first),
// for a waterfall; 404 when no span of the trace is stored. A trace's spans are a page like every
// other list, here of up to 500 by default (a waterfall wants them all; few traces have more), and
// `nextCursor` says when there are more.
import { HttpError } from '../http/http-error.js';
import { MAX_LIMIT, badParam, decodeCursor, jsonColumn, page, parseLimit, queryParams } from './params.js';

export async function getTrace(request, { db, url, params }) {
  const q = queryParams(url, ['limit', 'cursor']);
  const traceId = params.traceId;
  if (!/^[0-9a-f]{32}$/.test(traceId)) throw badParam('traceId', `${JSON.stringify(traceId)} is not 32 lowercase hex digits`);
  const limit = q.limit === undefined ? MAX_LIMIT : parseLimit(q.limit);
  const cursor = decodeCursor(q.cursor, ['number', 'number']);
  const after = cursor === null ? '' : ' AND (start_time, id) > (?, ?)';
  const rows = await db
    .prepare(
      'SELECT id, span_id, parent_span_id, name, service, kind, start_time, end_time, status, status_message, attributes, events ' +
        `FROM spans WHERE trace_id = ?${after} ORDER BY start_time, id LIMIT ?`,
    )
    .bind(traceId, ...(cursor ?? []), limit + 1)
    .all();
  if (rows.results.length === 0 && cursor === null) throw new HttpError(404, `no trace ${traceId} is stored`);
  const { items, nextCursor } = page(rows.results, limit, (s) => [s.start_time, s.id]);
  const spans = items.map((s) => ({
    spanId: s.span_id,
    parentSpanId: s.parent_span_id,
    name: s.name,
    service: s.service,
    kind: s.kind,
    startTime: s.start_time,
    endTime: s.end_time,
    durationMs: s.end_time - s.start_time,
    status: s.status,
    statusMessage: s.status_message,
    attributes: jsonColumn(s.attributes, {}),
    events: jsonColumn(s.events, []),
  }));
  return Response.json({ traceId, spans, nextCursor });
}
