// The query API's declarations: a reader's configuration and the answers' shapes type-check as the
// README documents them; a misspelled field does not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules/.bin/tsc');
const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];

function compiles(source) {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-query-types-'));
  try {
    const head = `import { createCollector, type SummaryResponse, type MetricSeriesResponse, type TraceListResponse, type TraceResponse, type LogListResponse } from '${root}js/collector/index.js';\n`;
    writeFileSync(join(dir, 'case.ts'), head + source);
    execFileSync(tsc, [...args, join(dir, 'case.ts')], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
