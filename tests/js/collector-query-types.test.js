// The query API's declarations: a reader's configuration and the answers' shapes type-check as the
// README documents them; a misspelled field does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT as root, typeErrors } from './typecheck.js';


const compiles = (source) => typeErrors(`import { createCollector, type SummaryResponse, type MetricSeriesResponse, type TraceListResponse, type TraceResponse, type LogListResponse } from '${root}js/collector/index.js';\n${source}`) === null;

test('read tokens, publicRead and every answer of the query API type-check as documented', () => {
  assert.equal(
    compiles(`export default createCollector({ tokens: [{ name: 'sender', secret: 'INGEST_TOKEN' }], readTokens: [{ name: 'reader', secret: 'READ_TOKEN' }], publicRead: false });
    declare const s: SummaryResponse; const p95: number | null = s.services[0].routes[0].p95; const ratio: number | null = s.services[0].cacheTiers[0].hitRatio;
    const critical: number = s.services[0].errorsBySeverity.CRITICAL;
    declare const m: MetricSeriesResponse; const t: number = m.series[0].points[0].t; const next: string | null = m.nextCursor;
    declare const tl: TraceListResponse; const err: boolean = tl.traces[0].error;
    declare const tr: TraceResponse; const parent: string | null = tr.spans[0].parentSpanId;
    declare const l: LogListResponse; const id: number = l.logs[0].id;`),
    true,
  );
});

test('a misspelled answer field or a non-boolean publicRead does not type-check', () => {
  assert.equal(compiles(`declare const s: SummaryResponse; s.services[0].p90;`), false);
  assert.equal(compiles(`declare const l: LogListResponse; l.logs[0].msg;`), false);
  assert.equal(compiles(`createCollector({ tokens: [{ name: 'a', token: 'x' }], publicRead: 'yes' });`), false);
});
