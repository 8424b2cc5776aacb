// The alerts declarations ('edgescope/alerts': js/alerts/index.d.ts) compile as the README's
// "Alerts, once per fleet" uses them, and refuse the misuses a type can catch; the entry exports
// exactly the declared API and 'edgescope' none of it.
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

test('the alerts API as the README uses it type-checks, and misuse does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-alerts-types-'));
  const head = `import { alertInvocation, createAlerts, email, pagerDuty, slack, webhook } from '${root}js/alerts/index.js';
    declare const env: { EDGESCOPE_STATE: any; SEND_EMAIL: any; PD_KEY: string; SLACK_URL: string; HOOK_SECRET: string };
    declare const ctx: { waitUntil(p: Promise<unknown>): void };`;
  try {
    const good = `${head}
      const alerts = createAlerts({
        service: 'checkout', version: 'v42', cooldownMs: 3600000, traceLink: 'https://ui.example.com/trace/{traceId}',
        state: { store: 'durable-object', namespace: env.EDGESCOPE_STATE },
        channels: {
          oncall: pagerDuty({ routingKey: env.PD_KEY }),
          team: slack({ webhookUrl: env.SLACK_URL }),
          hook: webhook({ url: 'https://hooks.example.com/alerts', secret: env.HOOK_SECRET }),
          mail: email({ binding: env.SEND_EMAIL, from: 'alerts@example.com', to: ['oncall@example.com'] }),
        },
        routes: { CRITICAL: ['oncall', 'team', 'mail'], WARNING: ['team'], INFO: [] },
      });
      const records = [{ fingerprint: 'f', severity: 'CRITICAL' as const, category: 'database', type: 'Error', message: 'm', repeated: null }];
      alertInvocation(alerts, { ctx }, records, { settle: (occ) => { void occ.get('f'); } });
      ctx.waitUntil(alerts.resolve('f'));
      const sent: number = alerts.stats().sent.oncall;`;
    assert.equal(compiles(dir, 'good.ts', good), null);
    const misuses = [
      `createAlerts({ service: 's', state: { store: 'redis', namespace: env.EDGESCOPE_STATE }, channels: { a: slack({ webhookUrl: 'x' }) } });`,
      `createAlerts({ service: 's', state: { store: 'durable-object', namespace: env.EDGESCOPE_STATE }, channels: { a: slack({ webhookUrl: 'x' }) }, routes: { CRITICAL: ['b'] } });`,
      `pagerDuty({ routingKey: 'k', severity: 'critical' });`,
      `createAlerts({ service: 's', state: { store: 'durable-object', namespace: env.EDGESCOPE_STATE }, channels: { a: slack({ webhookUrl: 'x' }) } }).resolve(5);`,
    ];
    misuses.forEach((line, i) => assert.notEqual(compiles(dir, `bad${i}.ts`, `${head}\n${line}`), null, `accepted: ${line}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("'edgescope/alerts' exports the alerts API, and 'edgescope' none of it", async () => {
  const alerts = await import('edgescope/alerts');
  const main = await import('edgescope');
  const api = ['SIGNATURE_HEADER', 'TIMESTAMP_HEADER', 'alertInvocation', 'createAlerts', 'email', 'isAlerts', 'pagerDuty', 'slack', 'webhook'];
  assert.deepEqual(Object.keys(alerts).sort(), api);
  assert.deepEqual(api.filter((name) => name in main), []);
});
