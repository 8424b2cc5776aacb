// The credit ledger owned by the Durable Object, in workerd through Miniflare: spend recorded by
// many invocations on several isolates at once sums exactly, a budget alert fires once for the
// whole fleet, and alerts that fired do not fire again in fresh isolates over the same storage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { sleep } from './helpers.js';
import { startFleet, tempDir } from './resilience-fleet.js';

const collector = useCollector();

// A budget of 1 (currency unit) a month for openai = 1,000,000 micros; alert tiers 80/90/95 %.
const POLICY = JSON.stringify({ budgets: [{ provider: 'openai', monthly: 1 }] });

async function fleet(options) {
  await collector.ready;
  return startFleet({ ...options, collectorUrl: collector.nativeUrl, env: { STORE: options.store ?? 'durable-object', LEDGER_POLICY: POLICY, ...options.env } });
}

const budgetAlerts = (alerts) => alerts.filter((a) => a.kind === 'budget');

test('spend from 100 invocations on 4 concurrent isolates sums exactly, and the 80 % budget alert fires once', async () => {
  const f = await fleet({ persist: tempDir(), size: 4 });
  try {
    // Invocation i spends 8000 + i micros: 804,950 in all, past 80 % of the budget.
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => f.isolates[i % 4].get(`/record?spend=${8000 + i}&in=${i}&out=1`)),
    );
    for (const reply of replies) assert.equal(reply.applied, true, JSON.stringify(reply));
    for (const isolate of f.isolates) await isolate.settled();
    const alerts = replies.flatMap((r) => r.alerts);
    const budget = budgetAlerts(alerts);
    assert.equal(budget.length, 1, JSON.stringify(alerts));
    assert.equal(budget[0].tier, 0.8);
    // Every isolate reads the same totals, once its copy is past the staleness bound (1 s).
    await sleep(1100);
    for (const isolate of f.isolates) {
      const status = await isolate.get('/ledger');
      const [usage] = status.usage;
      assert.deepEqual(
        { spendMicros: usage.spendMicros, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, requests: usage.requests },
        { spendMicros: 804_950, inputTokens: 4950, outputTokens: 100, requests: 100 }, // 4950 = 0 + 1 + ... + 99
        JSON.stringify(status),
      );
      assert.equal(status.budgets[0].spendMicros, 804_950);
    }
    // The alert is telemetry too: one warn log line, from the invocation whose record raised it.
    const budgetLogs = (c) => c.logs.filter((l) => l.message === 'edgescope.ledger.alert' && l.attributes['edgescope.ledger.alert.kind'] === 'budget');
    await collector.waitFor((c) => budgetLogs(c).length > 0);
    assert.equal(budgetLogs(collector).length, 1);
    assert.equal(budgetLogs(collector)[0].attributes['edgescope.ledger.alert.tier'], 0.8);
  } finally {
    await f.dispose();
  }
});

for (const store of ['durable-object', 'kv']) {
  test(`alerts that fired do not fire again after a restore in fresh isolates; a higher tier still fires (${store})`, async () => {
    const persist = tempDir();
    const first = await fleet({ store, persist, size: 2 });
    let fired;
    try {
      // 850,000 micros in the last 24 h: 85 % of the budget, and at that rate the rest lasts
      // 150,000 / 850,000 days: the depletion tiers (7, 3, 1 days left) fire, and the 80 % tier.
      const reply = await first.isolates[0].get('/record?spend=850000');
      fired = reply.alerts;
      assert.equal(budgetAlerts(fired).length, 1, JSON.stringify(fired));
      assert.ok(fired.some((a) => a.kind === 'depletion'), JSON.stringify(fired));
      await first.isolates[0].settled();
    } finally {
      await first.dispose();
    }
    const second = await fleet({ store, persist, size: 2 });
    try {
      // Both fresh isolates restore the ledger; small spends keep every tier where it was.
      for (const isolate of second.isolates) {
        const reply = await isolate.get('/record?spend=1');
        assert.deepEqual(reply.alerts, [], `nothing fires again after the restore: ${JSON.stringify(reply.alerts)}`);
      }
      // 95 % is a higher tier: it fires (90 % and 95 % are crossed by this record).
      const higher = await second.isolates[1].get('/record?spend=100000');
      const tiers = budgetAlerts(higher.alerts).map((a) => a.tier);
      assert.ok(tiers.includes(0.95), JSON.stringify(higher.alerts));
      assert.ok(!tiers.includes(0.8), 'the 80 % tier stays fired');
      assert.equal(higher.alerts.filter((a) => a.kind === 'depletion').length, 0, JSON.stringify(higher.alerts));
    } finally {
      await second.dispose();
    }
  });
}
