// The resilience declarations ('edgescope/resilience': js/resilience/index.d.ts) compile as the README's "State across invocations"
// uses them, and refuse the misuses a type can catch.
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

test('the resilience API as the README uses it type-checks, and misuse does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-resilience-types-'));
  const head = `import { instrument, exporters } from '${root}js/index.js';
    import { CircuitOpenError, createBreaker, createExhaustionRegistry, createLedger } from '${root}js/resilience/index.js';
    interface Env { STATE: any; KV: any; URL: string }`;
  try {
    const good = `${head}
      const openai = createBreaker<Env>('openai', { failureThreshold: 5, openMs: 30000, isFailure: (r) => (r as Response).status >= 500,
        state: (env) => ({ store: 'durable-object', namespace: env.STATE, maxStalenessMs: 500 }), onTransition: (t) => console.log(t.from, t.to) });
      const quota = createExhaustionRegistry<Env>('quota', { defaultMs: 60000, state: (env) => ({ store: 'kv', namespace: env.KV }) });
      const spend = createLedger<Env>('spend', { budgets: [{ provider: 'openai', monthly: 100 }], onAlert: (a) => console.log(a.kind, a.tier) });
      export default instrument<Env>({
        async fetch(request, env, ctx) {
          const b = openai.use(env, ctx);
          if (await quota.use(env, ctx).isExhausted('openai')) return new Response('exhausted');
          try {
            const res: Response = await b.execute(() => fetch('https://example.com'));
            const { alerts } = await spend.use(env, ctx).record({ provider: 'openai', model: 'x', spendMicros: 10 });
            const n: number = alerts.length + (await b.state()).retryAfterMs;
            return await b.executeWithFallback(() => res, () => new Response(String(n)));
          } catch (error) {
            if (error instanceof CircuitOpenError) return new Response(error.state + error.retryAfter, { status: 503 });
            throw error;
          }
        },
      }, (env) => ({ service: 'app', exporter: exporters.http({ url: env.URL }) }));
      const stats: number = openai.stats().roundTrips;`;
    assert.equal(compiles(dir, 'good.ts', good), null);
    const misuses = [
      `createBreaker('x', { state: { store: 'redis' } });`,
      `createBreaker('x', { retries: 'twice' });`,
      `createLedger('x').use().record({ provider: 'openai', spendMicros: '3' });`,
      `createExhaustionRegistry('x').use().markExhausted(5);`,
    ];
    misuses.forEach((line, i) => assert.notEqual(compiles(dir, `bad${i}.ts`, `${head}\n${line}`), null, `accepted: ${line}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("'edgescope/resilience' exports the resilience API, and 'edgescope' none of it", async () => {
  const resilience = await import('edgescope/resilience');
  const main = await import('edgescope');
  const api = ['CircuitOpenError', 'createBreaker', 'createExhaustionRegistry', 'createLedger'];
  assert.deepEqual(Object.keys(resilience).sort(), api);
  assert.deepEqual(api.filter((name) => name in main), []);
});
