// Secrets and personal data never leave the isolate: the shapes in tests/fixtures/secret-shapes.json
// (the table the core's own redaction suite reads) go through every kind of record — span
// attribute, event attribute, log message, log attribute, exception message and stack, status
// message, metric tag — and both wire formats; the expected redacted text must arrive, and the
// secret must appear nowhere in any payload.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { bothFormats } from './helpers.js';

const shapes = JSON.parse(readFileSync(new URL('../fixtures/secret-shapes.json', import.meta.url), 'utf8'));

const captureBoth = (config) => bothFormats(config);

// Every place a user's text can enter a record, each tagged so the output can be found.
function recordEverywhere(t, text) {
  t.trace('op', (span) => {
    span.setAttribute('note.text', text);
    span.addEvent('noted', { 'event.text': text });
    span.recordException(Object.assign(new Error(text), { stack: `Error: ${text}\n    at handler (worker.js:1:1)` }));
    span.setStatus('error', text);
  });
  t.logger.info(text, { 'log.text': text });
  t.metrics.increment('noted', 1, { 'tag.text': text });
}

// The secret part of an input: the words its expected output no longer has (and that no other
// shape's output has either: "Bearer" goes with a whole header line in one shape, stays in another).
const everyOutput = shapes.values.map((s) => s.output).join('\n');
function secretsOf(shape) {
  return shape.input.split(/[\s"'=:;,&{}]+/).filter((word) => word.length >= 6 && !everyOutput.includes(word));
}

const redactedShapes = shapes.values.filter((s) => s.count > 0);
const keptShapes = shapes.values.filter((s) => s.count === 0);

test(`${redactedShapes.length} secret shapes are masked in every record kind and both wire formats`, async () => {
  const { t, bodies } = captureBoth();
  for (const shape of redactedShapes) recordEverywhere(t, shape.input);
  await t.flush();
  const all = bodies.map((b) => b.text).join('\n');
  let checked = 0;
  for (const shape of redactedShapes) {
    for (const secret of secretsOf(shape)) {
      checked++;
      assert.ok(!all.includes(secret), `${shape.note ?? shape.detector}: "${secret}" reached a payload`);
    }
  }
  assert.ok(checked >= redactedShapes.length / 2, `only ${checked} secret words checked`);
  // Counted per value that entered: the attribute, event, exception message and stack, status,
  // log message and log attribute at least (a metric tag is counted once per series).
  assert.ok(t.stats().core.valuesRedacted >= redactedShapes.length * 6, `valuesRedacted ${t.stats().core.valuesRedacted}`);
  for (const format of ['native', 'otlp-json']) assert.ok(bodies.some((b) => b.format === format && b.text.includes('[REDACTED]')));
});

test('the exact redacted text arrives in both formats (log messages)', async () => {
  const { t, bodies } = captureBoth();
  for (const shape of redactedShapes) t.logger.info(shape.input);
  await t.flush();
  const native = bodies.filter((b) => b.format === 'native').flatMap((b) => JSON.parse(b.text).logs ?? []).map((l) => l.message);
  const otlp = bodies
    .filter((b) => b.format === 'otlp-json' && b.text.includes('resourceLogs'))
    .flatMap((b) => JSON.parse(b.text).resourceLogs[0].scopeLogs[0].logRecords)
    .map((l) => l.body.stringValue);
  assert.deepEqual(native, redactedShapes.map((s) => s.output));
  assert.deepEqual(otlp, redactedShapes.map((s) => s.output));
});

test(`${keptShapes.length} near-misses (order ids, timestamps, prose) arrive unchanged`, async () => {
  const { t, bodies } = captureBoth();
  for (const shape of keptShapes) t.logger.info(shape.input, { 'kept.text': shape.input });
  await t.flush();
  const logs = bodies.filter((b) => b.format === 'native').flatMap((b) => JSON.parse(b.text).logs ?? []);
  assert.deepEqual(logs.map((l) => l.message), keptShapes.map((s) => s.input));
  assert.deepEqual(logs.map((l) => l.context['kept.text']), keptShapes.map((s) => s.input));
  assert.equal(t.stats().core.valuesRedacted, 0);
});

test('denied keys lose their whole value whatever its type; allowed keys keep theirs', async () => {
  const { t, bodies } = captureBoth();
  const attributes = {};
  shapes.keys.forEach((k, i) => {
    attributes[k.key] = i % 2 === 0 ? `value-${i}` : 1000 + i;
  });
  t.trace('keys', (span) => span.setAttributes(attributes));
  await t.flush();
  const span = JSON.parse(bodies.find((b) => b.format === 'native').text).spans[0];
  shapes.keys.forEach((k, i) => {
    const expected = k.denied ? '[REDACTED]' : attributes[k.key];
    assert.equal(span.attributes[k.key], expected, `${k.key} (${k.note ?? ''})`);
  });
});

test('card numbers given as integers are masked', async () => {
  const { t, bodies } = captureBoth();
  t.trace('ints', (span) => shapes.integers.forEach((n, i) => span.setAttribute(`n${i}`, n.value)));
  await t.flush();
  const span = JSON.parse(bodies.find((b) => b.format === 'native').text).spans[0];
  shapes.integers.forEach((n, i) => {
    assert.equal(span.attributes[`n${i}`], n.redacted ? '[REDACTED]' : n.value, n.note);
  });
});

test('config extends the policy (keys, value prefixes, literals) and a category turned off says so once', async () => {
  const ext = shapes.extensions.config;
  const warnings = [];
  const original = console.warn;
  console.warn = (line) => warnings.push(line);
  let t;
  let bodies;
  try {
    ({ t, bodies } = captureBoth({
      redact: { keys: ext.extra_keys, valuePrefixes: ext.value_prefixes, literals: ext.literal_values, cardNumbers: false },
    }));
  } finally {
    console.warn = original;
  }
  assert.equal(warnings.filter((w) => w.includes('cardNumbers')).length, 1);
  t.logger.info('key sk_live_abcdef123456 and hunter2hunter2 and card 4111 1111 1111 1111', { 'user.ssn': '123-45-6789' });
  await t.flush();
  const log = JSON.parse(bodies.find((b) => b.format === 'native').text).logs[0];
  assert.equal(log.context['user.ssn'], '[REDACTED]');
  assert.ok(!log.message.includes('abcdef123456') && !log.message.includes('hunter2hunter2'), log.message);
  assert.ok(log.message.includes('sk_live_'), 'the prefix stays');
  assert.ok(log.message.includes('4111 1111 1111 1111'), 'card masking was turned off');
});

test('a bad redaction entry is a config error naming it', () => {
  assert.throws(
    () => createTelemetry({ service: 'svc', exporter: { name: 'x', format: 'native', send: async () => [] }, redact: { valuePrefixes: ['ab'] } }),
    /redact\.valuePrefixes\[0\]/,
  );
});
