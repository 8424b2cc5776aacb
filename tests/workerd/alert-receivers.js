// Loopback stand-ins for the services alerts go to (Slack incoming webhooks, PagerDuty Events API
// v2, a signed webhook), shared by the alert tests: each receiver keeps what arrived and answers as
// the real service does; the check* functions hold a payload to that service's documented schema.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

export const PD_ROUTING_KEY = '0123456789abcdef0123456789abcdef';
export const WEBHOOK_SECRET = 'a3f1c2e4b5d6a7f8091a2b3c4d5e6f708192a3b4c5d6e7f8';

// { received: { slack, pagerduty, webhook }, listen() -> base URL, close() }. Slack is any path
// under /slack/, PagerDuty /pagerduty, the webhook /webhook; anything else is a 404.
export function createReceivers() {
  const received = { slack: [], pagerduty: [], webhook: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const entry = { path: req.url, headers: req.headers, raw, body: JSON.parse(raw) };
      if (req.url.startsWith('/slack/')) {
        received.slack.push(entry);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } else if (req.url === '/pagerduty') {
        received.pagerduty.push(entry);
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: entry.body.dedup_key }));
      } else if (req.url === '/webhook') {
        received.webhook.push(entry);
        res.writeHead(204).end();
      } else res.writeHead(404).end();
    });
  });
  return {
    received,
    async listen() {
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${server.address().port}`;
    },
    // Keep-alive connections from workerd would hold close() open: end them too.
    close() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    },
  };
}

const onlyKeys = (object, allowed, where) => {
  for (const key of Object.keys(object)) assert.ok(allowed.includes(key), `${where}: unexpected field ${key}`);
};

// Slack incoming webhooks with Block Kit: `text` is required as the notification fallback when
// blocks are sent; at most 50 blocks; header plain_text <= 150; section text <= 3000; at most 10
// section fields of <= 2000; context at most 10 elements.
export function checkSlack({ headers, body }) {
  assert.match(headers['content-type'], /^application\/json/);
  onlyKeys(body, ['text', 'blocks'], 'slack message');
  assert.equal(typeof body.text, 'string');
  assert.ok(body.text.length > 0 && body.text.length <= 3000);
  assert.ok(Array.isArray(body.blocks) && body.blocks.length >= 1 && body.blocks.length <= 50);
  for (const block of body.blocks) {
    if (block.type === 'header') {
      onlyKeys(block, ['type', 'text'], 'header block');
      assert.equal(block.text.type, 'plain_text');
      assert.ok(block.text.text.length >= 1 && block.text.text.length <= 150);
    } else if (block.type === 'section') {
      onlyKeys(block, ['type', 'text', 'fields'], 'section block');
      assert.ok(block.text || block.fields, 'a section needs text or fields');
      if (block.text) {
        assert.equal(block.text.type, 'mrkdwn');
        assert.ok(block.text.text.length >= 1 && block.text.text.length <= 3000);
      }
      if (block.fields) {
        assert.ok(block.fields.length <= 10);
        for (const f of block.fields) assert.ok(f.type === 'mrkdwn' && f.text.length >= 1 && f.text.length <= 2000);
      }
    } else if (block.type === 'context') {
      onlyKeys(block, ['type', 'elements'], 'context block');
      assert.ok(block.elements.length >= 1 && block.elements.length <= 10);
      for (const e of block.elements) assert.ok(e.type === 'mrkdwn' && e.text.length >= 1);
    } else assert.fail(`unexpected block type ${block.type}`);
  }
}

// PagerDuty Events API v2: routing_key (32 characters), event_action trigger|acknowledge|resolve,
// dedup_key <= 255; a trigger's payload needs summary (<= 1024), source and severity
// (critical|error|warning|info); timestamp ISO 8601; custom_details any object; links [{ href, text }].
export function checkPagerDuty({ headers, body }) {
  assert.match(headers['content-type'], /^application\/json/);
  onlyKeys(body, ['routing_key', 'event_action', 'dedup_key', 'payload', 'links', 'images', 'client', 'client_url'], 'pagerduty event');
  assert.equal(body.routing_key, PD_ROUTING_KEY);
  assert.ok(['trigger', 'acknowledge', 'resolve'].includes(body.event_action));
  assert.ok(typeof body.dedup_key === 'string' && body.dedup_key.length >= 1 && body.dedup_key.length <= 255);
  if (body.event_action !== 'trigger') return;
  const p = body.payload;
  onlyKeys(p, ['summary', 'source', 'severity', 'timestamp', 'component', 'group', 'class', 'custom_details'], 'pagerduty payload');
  assert.ok(typeof p.summary === 'string' && p.summary.length >= 1 && p.summary.length <= 1024);
  assert.ok(typeof p.source === 'string' && p.source.length >= 1);
  assert.ok(['critical', 'error', 'warning', 'info'].includes(p.severity));
  assert.equal(new Date(p.timestamp).toISOString(), p.timestamp, 'timestamp is ISO 8601');
  assert.equal(typeof p.custom_details, 'object');
  for (const link of body.links ?? []) onlyKeys(link, ['href', 'text'], 'pagerduty link');
}

// The signature, checked the way the README tells a receiver to: HMAC-SHA256 over
// `${timestamp}.${raw body}` with the shared secret, compared in constant time, timestamp fresh.
export function checkWebhook({ headers, raw, body }) {
  const timestamp = headers['x-edgescope-timestamp'];
  const signature = headers['x-edgescope-signature'];
  assert.match(timestamp, /^\d+$/);
  assert.ok(Math.abs(Date.now() / 1000 - Number(timestamp)) < 300, 'timestamp within 5 minutes');
  const expected = Buffer.from(`v1=${createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${raw}`).digest('hex')}`);
  assert.ok(signature && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected), 'HMAC signature verifies');
  assert.equal(body.type, 'edgescope.alert');
  assert.equal(body.version, 1);
  assert.match(headers['idempotency-key'], /^[0-9A-Za-z_.-]+$/);
}
