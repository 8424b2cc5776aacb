// A handler mixing the Cache API, KV, R2 and D1 through Miniflare's real bindings gets exact
// per-request cache facts with no code of its own: every lookup counted under its tier, hits
// only where something came back, bytes as returned (Content-Length of a cache hit, the UTF-8
// length of a KV text value, an R2 object's size; D1 rows have no byte size). The facts are on
// the root span and in the tier-tagged counters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'bindings-spans', {}, { kvNamespaces: ['KV'], r2Buckets: ['BUCKET'], d1Databases: ['DB'] });

const EXPECTED = {
  cache: { hits: 1, lookups: 2, bytes: 7 },
  kv: { hits: 1, lookups: 2, bytes: 6 }, // 'välue': 5 characters, 6 bytes in UTF-8
  r2: { hits: 1, lookups: 2, bytes: 12 },
  d1: { hits: 1, lookups: 2, bytes: 0 },
};

test('hits, lookups and bytes by tier are exact for Cache API, KV, R2 and D1 lookups', async () => {
  const response = await worker.fetch('/mixed');
  assert.equal(response.status, 200);
  const facts = await response.json();
  assert.equal(facts.hits, 4);
  assert.equal(facts.lookups, 8);
  assert.deepEqual(Object.keys(facts.byTier).sort(), Object.keys(EXPECTED).sort());
  for (const [tier, expected] of Object.entries(EXPECTED)) {
    const { durationMs, ...counts } = facts.byTier[tier];
    assert.deepEqual(counts, expected, tier);
    assert.ok(durationMs >= 0, `${tier} duration`);
  }

  await collector.waitFor((c) => c.spans.some((s) => s.kind === 'server') && c.metrics.some((m) => m.name === 'edgescope.cache.hits'));
  const root = collector.spans.find((s) => s.kind === 'server');
  assert.equal(root.attributes['cache.hits'], 4);
  assert.equal(root.attributes['cache.lookups'], 8);
  for (const [tier, expected] of Object.entries(EXPECTED)) {
    assert.equal(root.attributes[`cache.${tier}.hits`], expected.hits, `${tier} hits on the root span`);
    assert.equal(root.attributes[`cache.${tier}.lookups`], expected.lookups, `${tier} lookups on the root span`);
    assert.equal(root.attributes[`cache.${tier}.bytes`], expected.bytes, `${tier} bytes on the root span`);
  }
  const counter = (name, tier) => collector.metrics.filter((m) => m.name === name && m.tags['cache.tier'] === tier).reduce((sum, m) => sum + m.value, 0);
  for (const [tier, expected] of Object.entries(EXPECTED)) {
    assert.equal(counter('edgescope.cache.lookups', tier), expected.lookups, `${tier} lookups counter`);
    assert.equal(counter('edgescope.cache.hits', tier), expected.hits, `${tier} hits counter`);
    assert.equal(counter('edgescope.cache.bytes', tier), expected.bytes, `${tier} bytes counter`);
  }
  // Each lookup's span says where its answer came from: the tier on a hit, 'miss' otherwise.
  const sources = collector.spans.filter((s) => s.attributes['cache.source']).map((s) => `${s.name}=${s.attributes['cache.source']}`).sort();
  assert.deepEqual(sources, [
    'all DB=d1', 'first DB=miss', 'get BUCKET=r2', 'get KV=kv',
    'get KV=miss', 'head BUCKET=miss', 'match default=cache', 'match default=miss',
  ]);
});
