// 'edgescope/exporters': each exporter as a named export, the same functions as the members of
// `exporters` from 'edgescope', typed the same way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import * as byName from 'edgescope/exporters';
import { useCollector } from '../shared/use-collector.js';
import { ROOT, typeErrors } from './typecheck.js';

const collector = useCollector();

test('the named exporters are the members of `exporters`, nothing more', () => {
  assert.deepEqual(Object.keys(byName).sort(), ['analyticsEngine', 'console', 'direct', 'exporters', 'http']);
  for (const name of ['http', 'direct', 'console', 'analyticsEngine']) assert.equal(byName[name], exporters[name], name);
  assert.equal(byName.exporters, exporters);
});

test('an HTTP exporter imported by name delivers what was recorded', async () => {
  const t = createTelemetry({ service: 'svc', exporter: byName.http({ url: collector.nativeUrl, retries: 0 }) });
  t.trace('op', (span) => span.logger.info('hello'));
  await t.flush();
  assert.equal(collector.spans.length, 1);
  assert.equal(collector.logs.length, 1);
  assert.equal(t.stats().exported, 2);
});

// By package name, so the package.json "./exporters" entry's types are what is checked.
test('the named exporters type-check as the members of `exporters`, and misuse does not', () => {
  const good = `import { instrument } from '${ROOT}js/index.js';
    import { http, console as consoleExporter } from 'edgescope/exporters';
    export default instrument({ async fetch() { return new Response('ok'); } },
      { service: 'app', exporters: [http({ url: 'https://c.example/v1', retries: 1 }), consoleExporter()] });`;
  assert.equal(typeErrors(good, { byPackageName: true }), null);
  const bad = `import { http } from 'edgescope/exporters';
    http({ url: 1 });`;
  assert.match(typeErrors(bad, { byPackageName: true }) ?? '', /TS2322|TS2345/);
});
