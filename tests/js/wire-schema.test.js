// The canonical record schema (js/wire/schema.js) drives the native decoder, the TypeScript
// declarations and the D1 tables; the native format's version field lets a receiver accept older
// senders and refuse newer ones.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { keepingExporter } from './helpers.js';
import { DecodeError, decodeNative, NATIVE_FORMAT_VERSION, PAYLOAD, RECORDS, SHAPES } from '../../js/wire/index.js';
import { schemaProblems } from '../../js/wire/schema.js';
import { declarations } from '../../js/wire/types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Real native payloads drained from the real wasm core: spans with events, a log with an error and
// trace context, every metric type including an exponential histogram.
async function drainedNative() {
  const native = [];
  const t = createTelemetry({ service: 'svc', requestMetrics: false, exporters: [keepingExporter('native', (_, doc) => native.push(doc))] });
  t.trace('GET /items', (span) => {
    span.setAttributes({ 'http.route': '/items', n: 3 });
    span.addEvent('cache.miss', { key: 'k' });
    // Past the core's 128 attributes an event (limits.hpp max_attributes): sent with droppedAttributesCount.
    span.addEvent('wide', Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i])));
    span.logger.error(new TypeError('boom'));
    span.trace('db', () => {}, { kind: 'client' });
  }, { kind: 'server' });
  t.metrics.increment('requests', 1, { route: '/a' });
  t.metrics.add('inflight', -1);
  t.metrics.gauge('temperature', 21.5, {}, { unit: 'Cel' });
  for (const v of [3, 12, 40]) t.metrics.histogram('latency', v, {}, { unit: 'ms', aggregation: 'explicit' });
  for (const v of [0.003, 0, 0.25, 4]) t.metrics.histogram('wait', v, {}, { unit: 's' });
  await t.flush();
  return native;
}

let cached;
const payloads = async () => structuredClone((cached ??= await drainedNative()));

const refusedAt = (doc, path) =>
  assert.throws(() => decodeNative(doc), (e) => e instanceof DecodeError && e.path === path, `expected a DecodeError at ${path}`);

test('a payload drained from the core opens with the current version and decodes into schema-shaped records', async () => {
  const docs = await payloads();
  assert.ok(docs.length > 0);
  const seen = { spans: 0, metrics: 0, logs: 0, exponential: 0 };
  for (const doc of docs) {
    assert.equal(Object.keys(doc)[0], 'version');
    assert.equal(doc.version, NATIVE_FORMAT_VERSION);
    const r = decodeNative(doc);
    assert.equal(r.version, NATIVE_FORMAT_VERSION);
    assert.match(r.batchId, /^[0-9a-f]{32}$/);
    for (const [kind, { list, fields }] of Object.entries(RECORDS)) {
      assert.equal(r[list].length, (doc[list] ?? []).length, `every ${kind} decoded`);
      seen[list] += r[list].length;
      for (const record of r[list]) {
        const allowed = new Set(fields.map((f) => f.name));
        for (const key of Object.keys(record)) assert.ok(allowed.has(key), `${kind} field ${key} is in the schema`);
        for (const f of fields.filter((x) => x.required)) assert.notEqual(record[f.name], undefined, `${kind}.${f.name}`);
        if (record.exponential) seen.exponential += 1;
      }
    }
  }
  assert.ok(seen.spans >= 2 && seen.logs >= 1 && seen.metrics >= 5 && seen.exponential >= 1, JSON.stringify(seen));
  const log = docs.flatMap((d) => decodeNative(d).logs)[0];
  assert.equal(log.level, 'error');
  assert.match(log.traceId, /^[0-9a-f]{32}$/);
  assert.equal(log.error.name, 'TypeError');
});

test('every required field, missing, is refused with an error naming its path', async () => {
  const docs = await payloads();
  for (const f of PAYLOAD.filter((x) => x.required)) {
    const doc = structuredClone(docs[0]);
    delete doc[f.name];
    refusedAt(doc, `$.${f.name}`);
  }
  let checked = 0;
  for (const { list, fields } of Object.values(RECORDS)) {
    const doc = structuredClone(docs.find((d) => d[list]));
    for (const f of fields.filter((x) => x.required)) {
      const bad = structuredClone(doc);
      const wire = (f.wire ?? f.name).split('.');
      let at = bad[list][0];
      for (const step of wire.slice(0, -1)) at = at[step];
      delete at[wire.at(-1)];
      assert.throws(() => decodeNative(bad), (e) => e instanceof DecodeError && e.path === `$.${list}[0].${f.wire ?? f.name}`);
      checked += 1;
    }
  }
  assert.equal(checked, Object.values(RECORDS).flatMap((r) => r.fields).filter((f) => f.required).length);
  assert.ok(checked >= 15);
});

test('a field of the wrong type or out of its bounds is refused at its path', async () => {
  const docs = await payloads();
  const withSpans = () => structuredClone(docs.find((d) => d.spans));
  const withLogs = () => structuredClone(docs.find((d) => d.logs));
  const withMetrics = () => structuredClone(docs.find((d) => d.metrics));
  let doc = withSpans();
  doc.spans[0].traceId = 'ABC';
  refusedAt(doc, '$.spans[0].traceId');
  doc = withSpans();
  doc.spans[0].status = 'fine';
  refusedAt(doc, '$.spans[0].status');
  doc = withLogs();
  doc.logs[0].metadata.spanId = 'short';
  refusedAt(doc, '$.logs[0].metadata.spanId');
  doc = withMetrics();
  doc.metrics[0].tags = [];
  refusedAt(doc, '$.metrics[0].tags');
  doc = withMetrics();
  doc.service = '';
  refusedAt(doc, '$.service');
});

test('every items and shape the schema names resolves, and a reference to nothing is reported', () => {
  assert.deepEqual(schemaProblems(), []);
  // The check itself can fail: the reference that once let span events through unchecked, and others.
  const events = { name: 'events', type: 'array', items: 'SpanEvnt', required: true };
  const problems = schemaProblems({
    records: { span: { fields: [events, { name: 'bounds', type: 'array' }, { name: 'x', type: 'strnig' }] } },
    shapes: { LogError: [{ name: 'e', type: 'object', shape: 'Nope' }, { name: 'n', type: 'integer', min: 0 }] },
  });
  assert.deepEqual(problems, [
    'RECORDS.span.fields[0] (events): items "SpanEvnt" is neither a SHAPES entry nor one of string, number',
    'RECORDS.span.fields[1] (bounds): items undefined is neither a SHAPES entry nor one of string, number',
    'RECORDS.span.fields[2] (x): type "strnig" is not a field type',
    'SHAPES.LogError[0] (e): shape "Nope" is not a SHAPES entry on an object field',
    'SHAPES.LogError[1] (n): an integer field needs min and max',
  ]);
  // What the schema names is what the TypeScript declarations declare.
  for (const name of Object.keys(SHAPES)) assert.match(declarations(), new RegExp(`export interface ${name} \\{`));
});

const spanWithEvents = (docs) => {
  const doc = structuredClone(docs.find((d) => d.spans?.some((s) => s.events.length >= 2)));
  return { doc, i: doc.spans.findIndex((s) => s.events.length >= 2) };
};

test("a span's events decode field by field as the core wrote them, droppedAttributesCount included", async () => {
  const { doc, i } = spanWithEvents(await payloads());
  const sent = doc.spans[i].events;
  const decoded = decodeNative(doc).spans[i].events;
  assert.deepEqual(decoded, sent.map(({ timestamp, ...rest }) => ({ ...rest, time: timestamp })));
  const wide = decoded.find((e) => e.name === 'wide');
  assert.equal(Object.keys(wide.attributes).length, 128);
  assert.equal(wide.droppedAttributesCount, 2);
  const miss = decoded.find((e) => e.name === 'cache.miss');
  assert.deepEqual(miss, { name: 'cache.miss', time: sent.find((e) => e.name === 'cache.miss').timestamp, attributes: { key: 'k' } });
  assert.ok(!('droppedAttributesCount' in miss), 'left out when the core dropped nothing');
});

test('a span event that is not an object, or has a field missing or of the wrong type, is refused at its path', async () => {
  const docs = await payloads();
  const { i } = spanWithEvents(docs);
  const at = `$.spans[${i}].events`;
  const cases = [
    [(e) => (e[0] = null), `${at}[0]`],
    [(e) => (e[1] = 'cache.miss'), `${at}[1]`],
    [(e) => (e[0] = []), `${at}[0]`],
    [(e) => (e[0].name = 7), `${at}[0].name`],
    [(e) => (e[0].name = null), `${at}[0].name`],
    [(e) => (e[0].timestamp = 'x'), `${at}[0].timestamp`],
    [(e) => (e[0].timestamp = null), `${at}[0].timestamp`],
    [(e) => (e[1].attributes = 5), `${at}[1].attributes`],
    [(e) => (e[1].attributes = [1]), `${at}[1].attributes`],
    [(e) => (e[1].attributes = null), `${at}[1].attributes`],
    [(e) => (e[0].droppedAttributesCount = -1), `${at}[0].droppedAttributesCount`],
    [(e) => (e[0].droppedAttributesCount = 1.5), `${at}[0].droppedAttributesCount`],
    [(e) => (e[0].droppedAttributesCount = '2'), `${at}[0].droppedAttributesCount`],
    [(e) => (e[0].droppedAttributesCount = 2 ** 32), `${at}[0].droppedAttributesCount`],
    ...SHAPES.SpanEvent.filter((f) => f.required).map((f) => [(e) => delete e[1][f.wire ?? f.name], `${at}[1].${f.wire ?? f.name}`]),
  ];
  assert.ok(cases.length >= 17);
  for (const [edit, path] of cases) {
    const { doc } = spanWithEvents(docs);
    edit(doc.spans[i].events);
    assert.throws(() => decodeNative(doc), (e) => e instanceof DecodeError && e.path === path && /^expected /.test(e.message.split(': ').at(-1)), `${edit} at ${path}`);
  }
  const { doc } = spanWithEvents(docs);
  doc.spans[i].events = {};
  refusedAt(doc, `${at}`);
});

test("a log's error and a histogram's bounds and bucket counts are checked element by element too", async () => {
  const docs = await payloads();
  const withError = () => {
    const doc = structuredClone(docs.find((d) => d.logs?.some((l) => l.error)));
    return { doc, i: doc.logs.findIndex((l) => l.error) };
  };
  let { doc, i } = withError();
  assert.deepEqual(decodeNative(doc).logs[i].error, doc.logs[i].error);
  for (const [edit, path] of [
    [(e) => (e.name = 5), 'name'],
    [(e) => (e.message = {}), 'message'],
    [(e) => (e.stack = null), 'stack'],
  ]) {
    ({ doc, i } = withError());
    edit(doc.logs[i].error);
    refusedAt(doc, `$.logs[${i}].error.${path}`);
  }
  ({ doc, i } = withError());
  doc.logs[i].error = 'TypeError';
  refusedAt(doc, `$.logs[${i}].error`);
  const explicit = () => {
    const d = structuredClone(docs.find((x) => x.metrics?.some((m) => m.bounds)));
    return { doc: d, i: d.metrics.findIndex((m) => m.bounds) };
  };
  ({ doc, i } = explicit());
  doc.metrics[i].bounds[1] = 'x';
  refusedAt(doc, `$.metrics[${i}].bounds[1]`);
  ({ doc, i } = explicit());
  doc.metrics[i].bucketCounts[0] = null;
  refusedAt(doc, `$.metrics[${i}].bucketCounts[0]`);
});

test('version 1 and a payload without a version (an older sender) are accepted; version 2 is refused naming version', async () => {
  const [doc] = await payloads();
  const expected = decodeNative(doc);
  const older = structuredClone(doc);
  delete older.version;
  const r0 = decodeNative(older);
  assert.equal(r0.version, 0);
  assert.deepEqual({ ...r0, version: 1 }, expected); // the same shape, read the same way
  assert.equal(decodeNative({ ...structuredClone(doc), version: 0 }).version, 0);
  for (const version of [2, NATIVE_FORMAT_VERSION + 1, -1, 1.5, '1', null]) {
    assert.throws(
      () => decodeNative({ ...structuredClone(doc), version }),
      (e) => e instanceof DecodeError && e.path === '$.version' && e.message.includes('native format version'),
      `version ${JSON.stringify(version)}`,
    );
  }
});

test('the TypeScript declarations are the ones generated from the schema, and they type-check', () => {
  const committed = readFileSync(join(root, 'js/wire/index.d.ts'), 'utf8');
  assert.equal(committed, declarations(), 'js/wire/index.d.ts is stale: regenerate it (see js/wire/types.js)');
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-wire-types-'));
  try {
    writeFileSync(join(dir, 'good.ts'), `import { decodeNative, createTableStatements, type WireSpan, type WireMetric } from '${root}js/wire/index.js';
      const r = decodeNative({});
      const s: WireSpan | undefined = r.spans[0];
      const status: 'ok' | 'error' | 'unset' = s!.status;
      const m: WireMetric | undefined = r.metrics[0];
      const scale: number | undefined = m?.exponential?.scale;
      const v: number = r.version;
      const ddl: string[] = createTableStatements();
      export { status, scale, v, ddl };`);
    writeFileSync(join(dir, 'bad.ts'), `import { decodeNative } from '${root}js/wire/index.js';
      const name: number = decodeNative({}).spans[0]!.name; export { name };`);
    const tsc = join(root, 'node_modules/.bin/tsc');
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
    execFileSync(tsc, [...args, join(dir, 'good.ts')], { stdio: 'pipe' });
    assert.throws(() => execFileSync(tsc, [...args, join(dir, 'bad.ts')], { stdio: 'pipe' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('js/wire imports no Node built-in outside its Node-only otlp/ folder (it runs inside a Worker)', () => {
  for (const file of ['index.js', 'native.js', 'schema.js', 'sql.js', 'decode-error.js', 'types.js']) {
    const text = readFileSync(join(root, 'js/wire', file), 'utf8');
    assert.doesNotMatch(text, /from '(node:|\.\/otlp\/)/, file);
    assert.doesNotMatch(text, /\b(Buffer|require)\b|new Function|eval\(/, file);
  }
});
