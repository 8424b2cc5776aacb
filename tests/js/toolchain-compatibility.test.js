// edgescope/testing states which Miniflare it supports and refuses another with a message that
// names what it found; Workers run on the newest compatibility date the runtime accepts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { checkMiniflareVersion, DEFAULT_COMPATIBILITY_DATE, defaultCompatibilityDate, MINIFLARE_RANGE, WRANGLER_RANGE } from '../../js/testing/compatibility.js';
import { importMiniflare } from '../../js/testing/worker.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

test('the supported Miniflare and wrangler ranges are the ones package.json declares as peers', () => {
  assert.equal(pkg.peerDependencies.miniflare, MINIFLARE_RANGE);
  assert.equal(pkg.peerDependencies.wrangler, WRANGLER_RANGE);
  assert.equal(pkg.peerDependenciesMeta.wrangler.optional, true);
});

test('versions inside the range are accepted, others refused naming the version found', () => {
  for (const ok of ['4.20260401.0', '4.20260730.0', '4.20261201.3']) assert.doesNotThrow(() => checkMiniflareVersion(ok), ok);
  for (const bad of ['3.20250101.0', '4.20260329.0', '5.0.0', 'banana']) {
    assert.throws(() => checkMiniflareVersion(bad), (error) => error.message.includes(`found miniflare ${bad}`) && error.message.includes(MINIFLARE_RANGE), bad);
  }
});

test("the default compatibility date is the newest, or an older Miniflare's newest", () => {
  assert.equal(defaultCompatibilityDate({ supportedCompatibilityDate: '2030-01-01' }), DEFAULT_COMPATIBILITY_DATE);
  assert.equal(defaultCompatibilityDate({ supportedCompatibilityDate: '2026-04-01' }), '2026-04-01');
  assert.equal(defaultCompatibilityDate({}), DEFAULT_COMPATIBILITY_DATE);
});

test('the installed Miniflare is inside the range and accepts the default date', async () => {
  const miniflare = await importMiniflare();
  assert.equal(typeof miniflare.Miniflare, 'function');
  assert.ok(defaultCompatibilityDate(miniflare) <= DEFAULT_COMPATIBILITY_DATE);
});

test('a Miniflare outside the range is refused before any Worker starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-old-miniflare-'));
  const before = process.env.EDGESCOPE_MINIFLARE;
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'miniflare', version: '3.20240101.0', main: 'index.js' }));
    writeFileSync(join(dir, 'index.js'), 'module.exports = { Miniflare: class {} };');
    process.env.EDGESCOPE_MINIFLARE = dir;
    await assert.rejects(importMiniflare(), /supports miniflare >=4\.20260401\.0 <5, but found miniflare 3\.20240101\.0/);
  } finally {
    if (before === undefined) delete process.env.EDGESCOPE_MINIFLARE;
    else process.env.EDGESCOPE_MINIFLARE = before;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('engines and the README agree on the supported Node lines', () => {
  assert.equal(pkg.engines.node, '>=22.12');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.match(readme, /\| Node\.js \(development, `edgescope\/testing`\) \| 22 \(≥ 22\.12\) and 24 \|/);
});
