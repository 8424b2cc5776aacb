// Cache-tier attribution through the real wasm module, table-driven from the fixture the doctest
// suite reads too (tests/fixtures/cache-tiers.json): first the core's rule over the packed form
// (js/tiers/tier-core.js), then the same cases end to end through spans that set their source
// (Span.setSource and the `source` option) and the decision a finalized invocation exports.
// Then config validation (cacheTiers) and recordFetch's validation.
import '../../js/entry/node.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { instrument, scopeOf } from 'edgescope';
import { TierRules } from '../../js/tiers/tier-core.js';
import { validateCacheTiers } from '../../js/tiers/tier-config.js';
import { EdgescopeConfigError, validateConfig } from '../../js/config.js';
import { captureConsole, memoryExporter } from './helpers.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/cache-tiers.json', import.meta.url), 'utf8'));
const patternsOf = (c) => c.patterns ?? fixture.defaultPatterns;
const toEntries = (c) => c.entries.map(([order, name, source]) => ({ order, name, source }));

test('the core decides every fixture case as the fixture says', () => {
  assert.ok(fixture.cases.length >= 15);
  for (const c of fixture.cases) {
    const rules = new TierRules(patternsOf(c).join('\n'));
    const index = rules.decide(toEntries(c));
    assert.equal(index < 0 ? 'none' : c.entries[index][2], c.tier, c.name);
    rules.destroy();
  }
});

test('the core refuses malformed pattern lists naming the pattern', () => {
  for (const c of fixture.invalidPatterns) {
    assert.throws(() => new TierRules(c.patterns.join('\n')), (error) => error.message.includes(c.error), JSON.stringify(c.patterns));
  }
});

test('the core refuses malformed entries naming the entry and the field', async () => {
  const { getCore } = await import('../../js/core/wasm-core.js');
  const rules = new TierRules('*');
  const core = getCore();
  for (const c of fixture.invalidEntries) {
    const ptr = core.memory.scratchFor(c.packed.length * 3);
    const result = core.exports.es_tier_decide(rules.handle, core.memory.writeText(ptr, c.packed));
    assert.equal(result, -2, c.packed); // ES_ERR_ARGUMENT
    assert.ok(core.memory.lastError().includes(c.error), `${core.memory.lastError()} / ${c.error}`);
  }
  rules.destroy();
});

test('names with non-ASCII characters, tabs and line breaks are measured in UTF-8 bytes and match', () => {
  const rules = new TierRules('file:*\nindex-é');
  assert.equal(rules.decide([{ order: 1, name: 'file:ünï\tcödé\n', source: 'kv' }]), 0);
  assert.equal(rules.decide([{ order: 1, name: 'index-é', source: 'r2' }]), 0);
  assert.equal(rules.decide([{ order: 1, name: `file:${'x'.repeat(10000)}`, source: 'd1' }]), 0); // cut before crossing
  assert.equal(rules.decide([{ order: 1, name: `index-é${'x'.repeat(300)}`, source: 'd1' }]), -1); // a long name never equals
  rules.destroy();
});

// One request through instrument(): `setup(scope)` makes spans; returns the exported root span.
async function serve(setup, cacheTiers) {
  const memory = memoryExporter();
  let seen;
  const worker = instrument(
    {
      fetch(request) {
        const scope = scopeOf(request);
        setup(scope);
        seen = scope;
        return new Response('ok');
      },
    },
    { service: 'svc', exporter: memory.exporter, ...(cacheTiers ? { cacheTiers } : {}) },
  );
  const waits = [];
  const response = await worker.fetch(new Request('https://example.com/'), {}, { waitUntil: (p) => waits.push(p) });
  await response.text();
  await Promise.all(waits);
  return { root: memory.spans.find((s) => s.kind === 'server'), memory, scope: seen };
}

test('every fixture case, as spans that set their sources, exports the fixture tier on the root span', async () => {
  for (const c of fixture.cases) {
    const { root, scope } = await serve(
      (s) => {
        // Start every span first in fixture start order, then set sources in the listed order.
        const spans = new Map();
        for (const [order, name] of [...c.entries].sort((a, b) => a[0] - b[0])) spans.set(order, spans.get(order) ?? []).get(order).push(s.startSpan(name));
        const used = new Map();
        for (const [order, , source] of c.entries) {
          const k = used.get(order) ?? 0;
          used.set(order, k + 1);
          spans.get(order)[k].setSource(source);
        }
        for (const list of spans.values()) for (const span of list) span.end();
      },
      { patterns: patternsOf(c), tiers: ['edge-l1'] },
    );
    assert.equal(root.attributes['cache.tier'], c.tier, c.name);
    assert.equal(scope.cacheTier, c.tier, c.name);
  }
});

test('start order decides, not when the source was set or the span ended; the source option works', async () => {
  const { root, memory } = await serve((s) => {
    const early = s.startSpan('index');
    const late = s.startSpan('file:/a', { source: 'r2' });
    late.end();
    early.setSource('kv');
    early.end();
  });
  assert.equal(root.attributes['cache.tier'], 'kv');
  assert.equal(memory.spans.find((sp) => sp.operationName === 'file:/a').attributes['cache.source'], 'r2');
});

test('trace() takes the source option and the tier is none without matching spans', async () => {
  const { root, scope } = await serve((s) => {
    s.trace('action:list', () => 1, { source: 'kv' });
    s.trace('sha:1', (span) => span.setSource('memory'));
  });
  assert.equal(root.attributes['cache.tier'], 'none');
  assert.equal(scope.cacheTier, 'none');
  assert.deepEqual(scope.counts, { spans: 3, logs: 0 });
});

test('an unknown tier is counted and reported once, never thrown; the span keeps its source', async () => {
  let telemetry;
  const lines = await captureConsole('warn', async () => {
    const { root } = await serve((s) => {
      telemetry = s.telemetry;
      const span = s.startSpan('index', { source: 'kv' });
      span.setSource('disk');
      span.setSource(42);
      s.startSpan('file:/x', { source: 'nope' }).end();
      span.end();
    });
    assert.equal(root.attributes['cache.tier'], 'kv');
  });
  assert.equal(telemetry.stats().api.sourcesRefused, 3);
  assert.equal(lines.filter((l) => l.includes('setSource()')).length, 1);
});

test('cacheTiers config: defaults, user tiers extend the vocabulary, and errors name the field', () => {
  const defaults = validateConfig({ service: 's', exporter: memoryExporter().exporter }).cacheTiers;
  assert.deepEqual(defaults.patterns, ['index', 'index-build', 'file:*']);
  assert.deepEqual(defaults.tiers, ['memory', 'cache', 'kv', 'r2', 'd1', 'origin', 'build', 'miss']);
  assert.deepEqual(validateCacheTiers({ tiers: ['l2', 'kv'] }).tiers.slice(-1), ['l2']);
  const bad = [
    [[], 'cacheTiers'],
    [{ pattern: ['x'] }, 'cacheTiers.pattern'],
    [{ patterns: [] }, 'cacheTiers.patterns'],
    [{ patterns: 'index' }, 'cacheTiers.patterns'],
    [{ patterns: Array.from({ length: 33 }, (_, i) => `p${i}`) }, 'cacheTiers.patterns'],
    [{ patterns: ['index', ''] }, 'cacheTiers.patterns[1]'],
    [{ patterns: ['fi*le:'] }, 'cacheTiers.patterns[0]'],
    [{ patterns: ['a\nb'] }, 'cacheTiers.patterns[0]'],
    [{ patterns: ['é'.repeat(65)] }, 'cacheTiers.patterns[0]'],
    [{ tiers: ['L2'] }, 'cacheTiers.tiers[0]'],
    [{ tiers: ['ok', 'none'] }, 'cacheTiers.tiers[1]'],
    [{ tiers: ['hits'] }, 'cacheTiers.tiers[0]'],
    [{ tiers: 'l2' }, 'cacheTiers.tiers'],
  ];
  for (const [cacheTiers, field] of bad) {
    assert.throws(
      () => validateConfig({ service: 's', exporter: memoryExporter().exporter, cacheTiers }),
      (error) => error instanceof EdgescopeConfigError && error.field === field && error.message.includes(`\`${field}\``),
      JSON.stringify(cacheTiers),
    );
  }
  assert.throws(() => instrument({ fetch() {} }, { service: 's', exporter: memoryExporter().exporter, cacheTiers: { patterns: ['*x'] } }), EdgescopeConfigError);
});

test('recordFetch validates its input: a bad call is counted and reported once, never thrown', async () => {
  let telemetry;
  const lines = await captureConsole('warn', async () => {
    const { root, scope } = await serve((s) => {
      telemetry = s.telemetry;
      const bad = [
        undefined,
        null,
        'kv',
        { tier: 'disk', hit: true, durationMs: 1 },
        { tier: 'kv', hit: 'yes', durationMs: 1 },
        { tier: 'kv', hit: true, durationMs: -1 },
        { tier: 'kv', hit: true, durationMs: Number.NaN },
        { tier: 'kv', hit: true },
        { tier: 'kv', hit: true, durationMs: 1, bytes: 1.5 },
        { tier: 'kv', hit: true, durationMs: 1, bytes: -3 },
        { tier: 'kv', hit: true, durationMs: 1, status: 42 },
        { tier: 'kv', hit: true, durationMs: 1, key: 7 },
        {
          get tier() {
            throw new Error('getter');
          },
        },
      ];
      for (const facts of bad) s.recordFetch(facts);
      s.recordFetch({ tier: 'kv', hit: true, durationMs: 2, bytes: 10, status: 200, key: 'k' });
    });
    assert.equal(root.attributes['cache.lookups'], 1);
    assert.deepEqual(scope.cacheFacts, { hits: 1, lookups: 1, byTier: { kv: { hits: 1, lookups: 1, bytes: 10, durationMs: 2 } } });
  });
  assert.equal(telemetry.stats().api.fetchesRefused, 13);
  assert.equal(lines.filter((l) => l.includes('recordFetch()')).length, 1);
});

test('recordFetch facts are exact on the root span and in tier-tagged metrics; none without lookups', async () => {
  const { root, memory, scope } = await serve((s) => {
    s.recordFetch({ tier: 'memory', hit: false, durationMs: 0.5 });
    s.recordFetch({ tier: 'kv', hit: true, durationMs: 3, bytes: 100 });
    s.recordFetch({ tier: 'kv', hit: false, durationMs: 4 });
    s.recordFetch({ tier: 'r2', hit: true, durationMs: 10, bytes: 2048 });
  });
  const a = root.attributes;
  assert.equal(a['cache.hits'], 2);
  assert.equal(a['cache.lookups'], 4);
  assert.deepEqual(
    ['memory', 'kv', 'r2'].map((t) => [a[`cache.${t}.hits`], a[`cache.${t}.lookups`], a[`cache.${t}.bytes`], a[`cache.${t}.duration_ms`]]),
    [[0, 1, 0, 0.5], [1, 2, 100, 7], [1, 1, 2048, 10]],
  );
  assert.equal(scope.status, 200);
  assert.equal(scope.outcome, 'complete');
  assert.equal(scope.responseBytes, 2);
  const series = (name) => memory.metrics.filter((m) => m.name === name);
  const byTier = (name) => Object.fromEntries(series(name).map((m) => [m.tags['cache.tier'], m.value ?? m.sum]));
  assert.deepEqual(byTier('edgescope.cache.lookups'), { memory: 1, kv: 2, r2: 1 });
  assert.deepEqual(byTier('edgescope.cache.hits'), { memory: 0, kv: 1, r2: 1 });
  assert.deepEqual(byTier('edgescope.cache.bytes'), { kv: 100, r2: 2048 });
  const durations = series('edgescope.cache.lookup.duration');
  // One series per (tier, hit): memory/miss, kv/hit, kv/miss, r2/hit, each one lookup, in seconds.
  assert.deepEqual(
    durations.map((m) => [m.tags['cache.tier'], m.tags['cache.hit'], m.count, m.sum]).sort(),
    [['kv', false, 1, 0.004], ['kv', true, 1, 0.003], ['memory', false, 1, 0.0005], ['r2', true, 1, 0.01]],
  );
  const request = series('http.server.request.duration')[0];
  assert.equal(request.tags['cache.tier'], 'none');

  const quiet = await serve(() => {});
  assert.equal(quiet.root.attributes['cache.tier'], 'none');
  assert.equal(quiet.root.attributes['cache.lookups'], undefined);
  assert.equal(quiet.memory.metrics.filter((m) => m.name.startsWith('edgescope.cache.')).length, 0);
});

test('an unsampled request still decides its tier: the request metric carries it, the root span records nothing', async () => {
  const memory = memoryExporter();
  let seen;
  const worker = instrument(
    {
      fetch(request) {
        seen = scopeOf(request);
        seen.trace('index', () => 'x', { source: 'memory' });
        seen.recordFetch({ tier: 'memory', hit: true, durationMs: 1 });
        seen.log.info('one line');
        return new Response(null, { status: 204 });
      },
    },
    { service: 'svc', exporter: memory.exporter, sampleRate: 0 },
  );
  const waits = [];
  await worker.fetch(new Request('https://example.com/'), {}, { waitUntil: (p) => waits.push(p) });
  await Promise.all(waits);
  assert.equal(memory.spans.length, 0);
  assert.equal(seen.cacheTier, 'memory');
  assert.equal(seen.outcome, 'no-body');
  assert.equal(seen.responseBytes, 0);
  assert.deepEqual(seen.counts, { spans: 2, logs: 1 });
  const request = memory.metrics.find((m) => m.name === 'http.server.request.duration');
  assert.equal(request.tags['cache.tier'], 'memory');
  assert.equal(memory.metrics.find((m) => m.name === 'edgescope.cache.hits').value, 1);
});

test('scheduled invocations get the same finalize facts on their root span', async () => {
  const memory = memoryExporter();
  let seen;
  const worker = instrument(
    {
      async scheduled(controller) {
        seen = scopeOf(controller);
        await seen.trace('file:/sitemap', async () => {}, { source: 'build' });
        seen.recordFetch({ tier: 'd1', hit: false, durationMs: 5 });
      },
    },
    { service: 'svc', exporter: memory.exporter },
  );
  const waits = [];
  await worker.scheduled({ cron: '* * * * *', scheduledTime: Date.now() }, {}, { waitUntil: (p) => waits.push(p) });
  await Promise.all(waits);
  const root = memory.spans.find((s) => s.operationName.startsWith('scheduled'));
  assert.equal(root.attributes['cache.tier'], 'build');
  assert.equal(root.attributes['cache.lookups'], 1);
  assert.equal(root.attributes['cache.hits'], 0);
  assert.equal(seen.cacheTier, 'build');
  assert.equal(seen.outcome, 'complete');
  assert.equal(memory.metrics.find((m) => m.name === 'edgescope.cache.lookups').tags['cache.tier'], 'd1');
});
