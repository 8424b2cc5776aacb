// The SLO and alerting configuration types: the README's configuration compiles; a latency SLO
// without its threshold, an unknown kind or a misspelled alerting key does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT as root, typeErrors } from './typecheck.js';


const compiles = (source) => typeErrors(`import { createCollector } from '${root}js/collector/index.js';\nimport { pagerDuty, slack } from '${root}js/alerts/index.js';\nconst tokens = [{ name: 'current', secret: 'INGEST_TOKEN' }];\n${source}`) === null;

test('SLOs and alerting as the README configures them type-check', () => {
  assert.equal(
    compiles(`export default createCollector({
      tokens,
      slos: [
        { name: 'checkout-availability', service: 'checkout', kind: 'availability', objective: 0.999 },
        { name: 'cart-latency', service: 'checkout', kind: 'latency', route: '/cart', thresholdMs: 300, objective: 0.99, windowDays: 28 },
      ],
      alerting: {
        channels: (env) => ({ oncall: pagerDuty({ routingKey: env.PAGERDUTY_ROUTING_KEY }), team: slack({ webhookUrl: env.SLACK_WEBHOOK_URL }) }),
        routes: { page: ['oncall', 'team'], ticket: ['team'] },
        renotifyMinutes: null,
      },
    });`),
    true,
  );
});

test('a latency SLO without a threshold, an unknown kind or a misspelled alerting key does not type-check', () => {
  assert.equal(compiles(`createCollector({ tokens, slos: [{ name: 'a', service: 's', kind: 'latency', objective: 0.99 }] });`), false);
  assert.equal(compiles(`createCollector({ tokens, slos: [{ name: 'a', service: 's', kind: 'errors', objective: 0.99 }] });`), false);
  assert.equal(compiles(`createCollector({ tokens, slos: [{ name: 'a', service: 's', kind: 'availability', objective: 0.99, thresholdMs: 5 }] });`), false);
  assert.equal(compiles(`createCollector({ tokens, alerting: { channels: {}, renotify: 5 } });`), false);
});
