// The Streaming Tail Worker declarations (js/tail/stream/index.d.ts, experimental) compile as the
// README's example uses them, and refuse an unknown bound.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];

function compiles(dir, name, source) {
  writeFileSync(join(dir, name), source);
  try {
    execFileSync(join(root, 'node_modules/.bin/tsc'), [...args, join(dir, name)], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return String(error.stdout);
  }
}

test('tailStreamHandler type-checks as a Streaming Tail Worker uses it, and a misspelt bound does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-tail-stream-types-'));
  const head = `import { exporters } from '${root}js/index.js';
    import { tailStreamHandler } from '${root}js/tail/stream/index.js';`;
  try {
    const good = `${head}
      const tailStream = tailStreamHandler({ service: 'shop', exporters: [exporters.http({ url: 'https://c.example.com' })], streaming: { maxOpenSpans: 64, maxSpans: 512 } });
      const worker = { tailStream };
      declare const onset: Parameters<typeof tailStream>[0];
      const next = worker.tailStream(onset, {}, { waitUntil(p: Promise<unknown>) { void p; } });
      void next({ ...onset, sequence: 1, event: { type: 'outcome', outcome: 'ok', cpuTime: 0, wallTime: 0 } });
      const refused: number = tailStream.stats().spansRefused;
      void refused;`;
    assert.equal(compiles(dir, 'good.ts', good), null);
    const bad = `${head}
      tailStreamHandler({ service: 'shop', exporters: [exporters.http({ url: 'https://c.example.com' })], streaming: { maxOpen: 64 } });`;
    assert.match(compiles(dir, 'bad.ts', bad) ?? '', /maxOpen/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
