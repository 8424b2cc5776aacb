// The alert payload builders, against each service's documented limits, and the raw MIME of the
// email channel, read back by an independent parser of the parts it uses.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { test } from 'node:test';
import { alertFields, bound } from '../../js/alerts/fields.js';
import { encodeSubject } from '../../js/alerts/mime.js';
import * as api from '../../js/entry/alerts-node.js';
const { email, pagerDuty, slack, webhook } = api;
const emailMime = api.emailMime;
import { emailMime as mimeOf } from '../../js/alerts/email.js';
import { mrkdwn, SLACK_LIMITS } from '../../js/alerts/slack.js';
import { dedupKeyOf } from '../../js/alerts/pagerduty.js';

const KEY = '0123456789abcdef0123456789abcdef';
const SECRET = 'x'.repeat(32);
const config = { service: 'checkout', version: 'v42', traceLink: 'https://ui.example.com/trace/{traceId}?span={spanId}' };

function record(overrides = {}) {
  return {
    fingerprint: 'Error-database-connection-reset',
    severity: 'CRITICAL',
    category: 'database',
    type: 'DatabaseError',
    message: 'connection reset',
    normalizedMessage: 'connection reset',
    stack: 'DatabaseError: connection reset\n    at query (worker.js:10:5)',
    status: 500,
    route: '/checkout',
    spanName: 'GET /checkout',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    source: 'exception',
    repeated: null,
    time: Date.UTC(2026, 11, 7, 10, 0, 0),
    ...overrides,
  };
}

const alertOf = (overrides, decision = { occurrences: 1, suppressed: 7 }) => alertFields(record(overrides), config, decision);

// A message and stack far over every limit, full of Slack's control characters and astral
// characters a careless cut would split.
const HUGE = `<@here> & ${'😀<>&'.repeat(5000)}`;

test('the alert fields carry what the on-call needs, with the trace link filled in and long text bounded', () => {
  const alert = alertOf({ message: HUGE, stack: HUGE });
  assert.equal(alert.severity, 'CRITICAL');
  assert.equal(alert.service, 'checkout');
  assert.equal(alert.version, 'v42');
  assert.equal(alert.link, 'https://ui.example.com/trace/4bf92f3577b34da6a3ce929d0e0e4736?span=00f067aa0ba902b7');
  assert.equal(alert.time, '2026-12-07T10:00:00.000Z');
  assert.equal(alert.suppressed, 7);
  assert.ok(alert.message.length <= 1000 && alert.message.endsWith('…'));
  assert.ok(alert.stack.length <= 4000);
  assert.doesNotThrow(() => encodeURIComponent(alert.message), 'no lone surrogate left by the cut');
  assert.equal(alertOf({ traceId: undefined }).link, null);
});

test('bound() never splits a surrogate pair', () => {
  for (let max = 2; max < 12; max++) {
    const cut = bound('😀'.repeat(10), max);
    assert.ok(cut.length <= max);
    assert.doesNotThrow(() => encodeURIComponent(cut));
  }
});

test('a Slack message stays inside Block Kit limits however long the error, with mrkdwn escaped', () => {
  const channel = slack({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/X' });
  const message = channel.build(alertOf({ message: HUGE, stack: HUGE, type: 'E'.repeat(500), route: HUGE }));
  assert.ok(message.text.length > 0 && message.text.length <= SLACK_LIMITS.text);
  assert.ok(message.blocks.length <= SLACK_LIMITS.blocks);
  for (const block of message.blocks) {
    if (block.type === 'header') assert.ok(block.text.type === 'plain_text' && block.text.text.length <= 150);
    if (block.text?.type === 'mrkdwn') assert.ok(block.text.text.length <= 3000, `section text of ${block.text.text.length}`);
    for (const f of block.fields ?? []) assert.ok(f.text.length <= 2000);
    assert.ok((block.fields ?? []).length <= 10 && (block.elements ?? []).length <= 10);
  }
  const all = JSON.stringify(message.blocks);
  assert.ok(!all.includes('<@here>'), 'a mention in the error message is escaped, not a ping');
  assert.ok(!message.text.includes('<@here>'), 'the notification text is escaped too');
  const plain = channel.build(alertOf({ message: 'reset by <!channel> see <https://evil.example|docs>' }));
  assert.ok(!/<[!h@]/.test(plain.text), `fallback text: ${plain.text}`);
  assert.match(all, /&lt;@here&gt; &amp;/);
  for (const block of message.blocks) {
    const text = block.text?.type === 'mrkdwn' ? block.text.text : '';
    assert.ok(!/&[a-z]{0,3}…/.test(text), 'no entity cut in half');
  }
  assert.match(all, /<https:\/\/ui\.example\.com\/trace\/4bf92f3577b34da6a3ce929d0e0e4736\?span=00f067aa0ba902b7\|4bf92f3577b34da6a3ce929d0e0e4736>/);
  assert.match(all, /7 suppressed since the last alert/);
});

test('mrkdwn() escapes &, < and > and bounds the escaped text', () => {
  assert.equal(mrkdwn('a<b>&c', 100), 'a&lt;b&gt;&amp;c');
  const cut = mrkdwn('&'.repeat(100), 50);
  assert.ok(cut.length <= 50 && /^(&amp;)+…$/.test(cut));
});

test('a PagerDuty trigger follows Events API v2: dedup_key <= 255 and stable, summary <= 1024, severity mapped, ISO timestamp', () => {
  const channel = pagerDuty({ routingKey: KEY });
  const long = alertFields(record({ fingerprint: 'f'.repeat(256), message: HUGE }), { ...config, service: 's'.repeat(256) }, { occurrences: 1, suppressed: 0 });
  const event = channel.build(long);
  assert.equal(event.routing_key, KEY);
  assert.equal(event.event_action, 'trigger');
  assert.ok(event.dedup_key.length <= 255);
  assert.equal(channel.build(long).dedup_key, event.dedup_key);
  assert.ok(event.payload.summary.length <= 1024);
  assert.equal(event.payload.timestamp, '2026-12-07T10:00:00.000Z');
  for (const [severity, expected] of [['CRITICAL', 'critical'], ['WARNING', 'warning'], ['INFO', 'info']]) {
    assert.equal(channel.build(alertOf({ severity })).payload.severity, expected);
  }
  const normal = channel.build(alertOf({}));
  assert.equal(normal.dedup_key, dedupKeyOf('checkout', 'Error-database-connection-reset'));
  assert.equal(normal.payload.source, 'checkout');
  assert.equal(pagerDuty({ routingKey: KEY, source: 'api.example.com' }).build(alertOf({})).payload.source, 'api.example.com');
  assert.equal(normal.payload.custom_details.suppressed_since_last_alert, 7);
  assert.deepEqual(channel.buildResolve('checkout', 'Error-database-connection-reset'), { routing_key: KEY, event_action: 'resolve', dedup_key: normal.dedup_key });
});

test('a signed webhook request verifies with node:crypto over timestamp + raw body, and the same signature goes out on a retry', async () => {
  const seen = [];
  const fetch = async (url, init) => {
    seen.push({ url, headers: init.headers, body: typeof init.body === 'string' ? init.body : new TextDecoder().decode(init.body) });
    return new Response(null, { status: seen.length === 1 ? 503 : 204 });
  };
  const channel = webhook({ url: 'https://hooks.example.com/alerts', secret: SECRET, headers: { authorization: 'Bearer t' }, fetch });
  const { createFlushContext } = await import('../../js/exporters/flush-context.js');
  const result = await channel.deliver(alertOf({}), { id: 'abc-hook-1', deadline: Date.now() + 10_000, context: createFlushContext() });
  assert.equal(result.ok, true);
  assert.equal(result.attempts, 2, 'a 503 is retried (the exporter rules)');
  assert.equal(seen.length, 2);
  for (const { headers, body } of seen) {
    const timestamp = headers['x-edgescope-timestamp'];
    const expected = Buffer.from(`v1=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`);
    assert.ok(timingSafeEqual(Buffer.from(headers['x-edgescope-signature']), expected));
    assert.equal(headers.authorization, 'Bearer t');
    assert.equal(headers['idempotency-key'], 'abc-hook-1');
    assert.equal(JSON.parse(body).alert.fingerprint, 'Error-database-connection-reset');
  }
  assert.equal(seen[0].body, seen[1].body);
  assert.equal(seen[0].headers['x-edgescope-signature'], seen[1].headers['x-edgescope-signature']);
});

// Decodes what mime.js writes: headers (with folded lines), RFC 2047 B-words, base64 body.
function parseMime(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const headers = {};
  for (const line of head.split(/\r\n(?! )/)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { head, headers, body: raw.slice(split + 4) };
}
const decodeWords = (value) => value.split('\r\n ').map((w) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(w)[1], 'base64').toString('utf8')).join('');

test('the email is valid raw MIME: CRLF lines, header lines <= 78, UTF-8 subject in encoded words, base64 body in 76-character lines', () => {
  const alert = alertOf({ message: 'Zahlung fehlgeschlagen: Kundennummer ungültig — 支付失败 😀 '.repeat(6) });
  const raw = mimeOf(alert, { from: 'alerts@example.com', to: 'oncall@example.com', domain: 'example.com' });
  assert.ok(!/[^\r]\n/.test(raw), 'every line ends in CRLF');
  const { head, headers, body } = parseMime(raw);
  for (const line of head.split('\r\n')) assert.ok(line.length <= 78, `header line of ${line.length}`);
  assert.equal(headers.from, 'alerts@example.com');
  assert.equal(headers.to, 'oncall@example.com');
  assert.equal(headers['mime-version'], '1.0');
  assert.equal(headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(headers['content-transfer-encoding'], 'base64');
  assert.match(headers['message-id'], /^<[0-9a-f-]{36}@example\.com>$/);
  assert.equal(headers.date, 'Mon, 07 Dec 2026 10:00:00 +0000');
  assert.ok(decodeWords(headers.subject).startsWith('[CRITICAL] checkout: DatabaseError: Zahlung fehlgeschlagen: Kundennummer ungültig — 支付失败 😀'));
  for (const line of body.split('\r\n').filter(Boolean)) assert.ok(line.length <= 76);
  const text = Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8');
  assert.match(text, /Occurrences: 1 in this invocation, 7 suppressed since the last alert/);
  assert.match(text, /Trace link:  https:\/\/ui\.example\.com\/trace\//);
  assert.ok(text.includes('支付失败 😀'));
});

test('encoded words never split a character, however the bytes fall', () => {
  for (const subject of ['a'.repeat(200), 'ü'.repeat(100), '😀'.repeat(60), `x${'支'.repeat(70)}`, '']) {
    const encoded = encodeSubject(subject);
    for (const word of encoded.split('\r\n ')) assert.ok(word.length <= 75);
    assert.equal(subject === '' ? '' : decodeWords(encoded), subject);
  }
  assert.equal(decodeWords(encodeSubject('a\r\nBcc: victim@example.com')), 'a Bcc: victim@example.com', 'a line break in the error cannot add a header');
});

test('email() refuses what send_email would refuse, naming the field', () => {
  const binding = { send() {} };
  assert.throws(() => email({ binding, from: 'Alerts <a@example.com>', to: 'b@example.com' }), /email\(\{ from \}\)/);
  assert.throws(() => email({ binding, from: 'a@example.com', to: ['b@example.com', 'c@example.com\r\nBcc: d@x.com'] }), /email\(\{ to\[1\] \}\)/);
  assert.throws(() => email({ binding: {}, from: 'a@example.com', to: 'b@example.com' }), /email\(\{ binding \}\)/);
  assert.equal(typeof emailMime, 'undefined', 'the entry exports the channel, not its internals');
});
