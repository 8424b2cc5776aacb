// The Streaming Tail Worker declarations (js/tail/stream/index.d.ts, experimental) compile as the
// README's example uses them, and refuse an unknown bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT as root, typeErrors } from './typecheck.js';

test('tailStreamHandler type-checks as a Streaming Tail Worker uses it, and a misspelt bound does not', () => {
  const head = `import { exporters } from '${root}js/index.js';
    import { tailStreamHandler } from '${root}js/tail/stream/index.js';`;
  const good = `${head}
    const tailStream = tailStreamHandler({ service: 'shop', exporters: [exporters.http({ url: 'https://c.example.com' })], streaming: { maxOpenSpans: 64, maxSpans: 512 } });
    const worker = { tailStream };
    declare const onset: Parameters<typeof tailStream>[0];
    const next = worker.tailStream(onset, {}, { waitUntil(p: Promise<unknown>) { void p; } });
    void next({ ...onset, sequence: 1, event: { type: 'outcome', outcome: 'ok', cpuTime: 0, wallTime: 0 } });
    const refused: number = tailStream.stats().spansRefused;
    void refused;`;
  assert.equal(typeErrors(good), null);
  const bad = `${head}
    tailStreamHandler({ service: 'shop', exporters: [exporters.http({ url: 'https://c.example.com' })], streaming: { maxOpen: 64 } });`;
  assert.match(typeErrors(bad) ?? '', /maxOpen/);
});
