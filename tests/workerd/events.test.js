import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'events');

test('a scheduled invocation exports a root span and its logs', async () => {
  await worker.scheduled('*/5 * * * *');
  await collector.waitFor((c) => c.spans.length === 1 && c.logs.length === 1);
  const [root] = collector.spans;
  assert.equal(root.name, 'scheduled */5 * * * *');
  assert.equal(root.attributes['faas.trigger'], 'timer');
  assert.equal(root.attributes['faas.cron'], '*/5 * * * *');
  assert.equal(collector.logs[0].traceId, root.traceId);
});

test('a queue batch exports a consumer span with one child per message', async () => {
  await worker.queue('jobs', [
    { id: 'a', timestamp: new Date(), body: 1, attempts: 1 },
    { id: 'b', timestamp: new Date(), body: 2, attempts: 1 },
  ]);
  await collector.waitFor((c) => c.spans.length === 3 && c.metrics.length === 1);
  const root = collector.spans.find((s) => s.kind === 'consumer');
  assert.equal(root.attributes['messaging.destination.name'], 'jobs');
  assert.equal(root.attributes['messaging.batch.message_count'], 2);
  assert.deepEqual(collector.spans.filter((s) => s.name === 'message').map((s) => s.attributes['message.id']).sort(), ['a', 'b']);
  assert.equal(collector.metrics[0].value, 2);
});
