// The readable record lines: `npm start` prints the terminal layout (every line within the
// terminal's width, columns aligned whatever the name lengths, a failed request showing its
// outcome and exception message), the Console exporter one whole line per record. The documents
// are real native payloads from instrument() and the manual API, not hand-written JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry, exporters, instrument, scopeOf } from 'edgescope';
import { formatRecordLines, lineFormatter } from '../../js/format-lines.js';
import { memoryExporter } from './helpers.js';

const LONG_METRIC = 'checkout.payment.provider.authorization.round_trip.duration';
const LONG_SPAN = 'a-span-name-far-longer-than-any-name-column-would-be-allowed-to-grow';
const LONG_MESSAGE = `the upstream answered something this handler cannot use: ${'x'.repeat(60)} (end of message)`;

async function invoke(worker, path) {
  const promises = [];
  const ctx = { waitUntil: (p) => promises.push(p), passThroughOnException() {} };
  let response = null;
  try {
    response = await worker.fetch(
      new Request(`https://example.com${path}`, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' } }),
      {},
      ctx,
    );
    await response.arrayBuffer();
  } catch {
    // /error throws on purpose: the runtime would answer 500
  }
  await Promise.all(promises);
  return response;
}

// One request that succeeds with long names and values, one that throws.
async function recordedDocs() {
  const mem = memoryExporter();
  const worker = instrument(
    {
      async fetch(request) {
        const t = scopeOf(request);
        const path = new URL(request.url).pathname;
        t.setRoute(path);
        if (path === '/error') throw new TypeError(LONG_MESSAGE);
        await t.trace('db.query', (span) => span.setAttributes({ 'db.system': 'memory', 'db.query.text': `SELECT * FROM items WHERE id IN (${'1, '.repeat(80)}2)` }));
        t.trace(LONG_SPAN, () => {});
        t.trace('line\nbreak', () => {});
        t.metrics.increment('hits', 1, { route: path });
        t.metrics.histogram(LONG_METRIC, 0.1 + 0.2, { provider: 'acme', region: 'eu-west-1', currency: 'EUR', 'cart.size.bucket': '10-20' }, { unit: 's' });
        t.log.info('listed items', { count: 3, note: 'a value with spaces' });
        t.log.error(new RangeError('quantity out of range'), { item: 7 });
        return new Response('ok');
      },
    },
    { service: 'svc', exporter: mem.exporter },
  );
  await invoke(worker, '/items');
  await invoke(worker, '/error');
  return mem.docs;
}

const docs = await recordedDocs();
const all = { spans: docs.flatMap((d) => d.spans ?? []), metrics: docs.flatMap((d) => d.metrics ?? []), logs: docs.flatMap((d) => d.logs ?? []) };
const chars = (s) => Array.from(s).length;

for (const width of [40, 60, 80, 100, 160]) {
  test(`every line fits a terminal ${width} columns wide, and nothing but the details is indented`, () => {
    const lines = formatRecordLines(all, { width });
    assert.ok(lines.length > all.spans.length + all.metrics.length + all.logs.length, 'details follow the head lines');
    for (const line of lines) {
      assert.ok(chars(line) <= width, `${chars(line)} > ${width}: ${line}`);
      assert.doesNotMatch(line, /\n/);
    }
    const heads = lines.filter((l) => /^(span|metric|log) /.test(l));
    assert.equal(heads.length, all.spans.length + all.metrics.length + all.logs.length);
  });
}

test('span columns line up for short names and for a name longer than the column', () => {
  const lines = formatRecordLines(all, { width: 100 });
  const starts = [];
  lines.forEach((line, i) => {
    const m = /(internal|server) +\d/.exec(line);
    if (m) starts.push(m.index);
    if (line.startsWith(`span   ${LONG_SPAN}`)) {
      assert.equal(line.trimEnd(), `span   ${LONG_SPAN}`, 'a long name takes the head line alone');
      assert.match(lines[i + 1], /^ +internal +\d+ms unset$/, 'its columns continue on the next line');
    }
  });
  assert.ok(starts.length >= 5, lines.join('\n'));
  assert.equal(new Set(starts).size, 1, `the kind column starts at different offsets:\n${lines.join('\n')}`);
  // The longest name that fits the column sets it: `GET /items` and `db.query` are padded to it.
  assert.ok(lines.some((l) => /^span {3}db\.query {2,}internal/.test(l)));
});

test('metric columns line up for a long metric name, and its values and tags stay readable', () => {
  const lines = formatRecordLines(all, { width: 80 });
  const typeStarts = lines.map((l) => /\b(counter|histogram) /.exec(l)?.index).filter((i) => i !== undefined);
  assert.ok(typeStarts.length >= 3);
  assert.equal(new Set(typeStarts).size, 1, lines.join('\n'));
  assert.ok(lines.includes(`metric ${LONG_METRIC} (s)`), 'a name wider than the column is never cut');
  // Values that do not fit the head line lead the details, in order, before the tags.
  const at = lines.indexOf(`metric ${LONG_METRIC} (s)`);
  const record = lines.slice(at + 1, at + 4).map((l) => l.trim()).join(' ');
  assert.match(record, /^histogram count=1 sum=0\.3 min=0\.3 max=0\.3 cart\.size\.bucket=10-20 currency=EUR provider=acme region=eu-west-1/, 'a float sum is shown to 6 significant digits');
});

test('in a narrow terminal, columns that do not fit lead the details instead of being cut, and a long name wraps whole', () => {
  const lines = formatRecordLines(all, { width: 40 });
  const at = lines.findIndex((l) => l.startsWith('span   GET /error'));
  assert.match(lines.slice(at, at + 2).join(' '), /\d+ms +error outcome=threw/, lines.join('\n'));
  const start = lines.indexOf(`span   ${LONG_SPAN.slice(0, 33)}`);
  assert.ok(start >= 0, lines.join('\n'));
  assert.equal(lines.slice(start, start + 3).map((l) => l.slice(7).trim()).join('').slice(0, LONG_SPAN.length), LONG_SPAN);
  assert.ok(!lines.some((l) => /^(span|metric) .*…/.test(l)), 'no head line is cut');
});

test('columns stay aligned across payloads printed by one formatter', () => {
  const format = lineFormatter({ width: 100 });
  const first = format(docs[0]);
  const second = format({ spans: docs[1].spans.filter((s) => s.operationName === 'GET /error') });
  const kindAt = (line) => /(server|internal) +\d/.exec(line)?.index;
  const col = kindAt(first.find((l) => l.startsWith('span   db.query')));
  assert.equal(kindAt(second[0]), col, `${first.join('\n')}\n${second.join('\n')}`);
});

test("a failed request's span shows its outcome on the head line and the exception under it", () => {
  for (const width of [64, 100]) {
    const lines = formatRecordLines(all, { width });
    const at = lines.findIndex((l) => l.startsWith('span   GET /error'));
    assert.match(lines[at], /server +\d+ms error outcome=threw$/, lines.join('\n'));
    const details = [];
    for (let i = at + 1; i < lines.length && lines[i].startsWith(' '); i++) details.push(lines[i].trim());
    assert.ok(details[0].startsWith('error: TypeError: the upstream answered'), details.join('\n'));
    // A long message wraps, at spaces, over the following lines instead of being cut at the first.
    const error = details.slice(0, details.findIndex((l) => l.startsWith('trace=')));
    const squeeze = (text) => text.replace(/\s+/g, '');
    assert.equal(squeeze(error.join('')), squeeze(`error: TypeError: ${LONG_MESSAGE}`));
    assert.ok(`error: TypeError: ${LONG_MESSAGE}`.startsWith(`${error[0]} `), 'the first line breaks at a space');
  }
});

test('a log with an error shows its type and message; a value with spaces is quoted', () => {
  const lines = formatRecordLines(all, { width: 100 });
  const at = lines.findIndex((l) => /^log +error "quantity out of range" trace=[0-9a-f]{8}$/.test(l));
  assert.ok(at >= 0, lines.join('\n'));
  assert.equal(lines[at + 1].trim(), 'error: RangeError: quantity out of range');
  assert.ok(lines.some((l) => l.includes('note="a value with spaces"')));
});

test('a control character in a name is shown escaped, never as a line break', () => {
  const lines = formatRecordLines(all, { width: 80 });
  assert.ok(lines.some((l) => l.startsWith('span   line\\u000abreak ')), lines.join('\n'));
  assert.ok(formatRecordLines(all).some((l) => l.includes('span line\\u000abreak internal')));
});

test('every C0 and C1 control character and DEL in a span name is escaped, and nothing else is', async () => {
  // The C0 controls, DEL, the C1 controls, and their neighbours that are not controls: a space,
  // '~', a no-break space, a soft hyphen and a line separator (format characters, not controls),
  // and a character outside the BMP.
  const codes = [...Array.from({ length: 0x20 }, (_, i) => i), 0x20, 0x7e, 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i), 0xa0, 0xad, 0x2028, 0x1f600];
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  t.startSpan(`a${String.fromCodePoint(...codes)}z`).end();
  await t.flush();
  const name = mem.spans[0].operationName;
  // What the core kept of the name, escaped character by character by the Unicode definition.
  const expected = Array.from(name, (c) => (/\p{Cc}/u.test(c) ? `\\u${c.codePointAt(0).toString(16).padStart(4, '0')}` : c)).join('');
  assert.ok(expected.includes('\\u0085') && expected.includes('\\u007f') && expected.includes('\u2028'), 'the name reached the document with its controls');
  const [line] = formatRecordLines({ spans: mem.spans });
  assert.ok(line.startsWith(`[edgescope] span ${expected} internal `), line);
  assert.doesNotMatch(line, /\p{Cc}/u);
});

test('the one-line layout (the Console exporter) keeps one whole line per record and shows the failure too', async () => {
  const lines = formatRecordLines(all);
  assert.equal(lines.length, all.spans.length + all.metrics.length + all.logs.length);
  const failed = lines.find((l) => l.startsWith('[edgescope] span GET /error '));
  assert.match(failed, /^\[edgescope\] span GET \/error server \d+ms error trace=[0-9a-f]{8} span=[0-9a-f]{8} outcome=threw error="TypeError: the upstream answered .*\(end of message\)"/);
  assert.ok(lines.some((l) => l.includes(LONG_METRIC) && l.includes('cart.size.bucket=10-20')), 'nothing is cut');

  const written = [];
  const t = createTelemetry({ service: 'svc', exporter: exporters.console({ write: (l) => written.push(l) }) });
  await t.trace('outer', async () => {
    throw new Error('manual failure');
  }).catch(() => {});
  await t.flush();
  assert.match(written[0], /^\[edgescope\] span outer internal \d+ms error trace=[0-9a-f]{8} span=[0-9a-f]{8} error="Error: manual failure" \{error\.severity=INFO, error\.category=other, error\.fingerprint=[0-9a-f]{16}\}$/);
});

test('a width that is not a number is refused, naming it', () => {
  assert.throws(() => lineFormatter({ width: 'wide' }), /width must be a number of columns \(got wide\)/);
});
