// The entry-point wrappers in Node: what instrumentDurableObject / instrumentEntrypoint refuse,
// what the wrapped class keeps (name, statics, instanceof, private fields, `this`), that a
// telemetry failure leaves the methods answering as without edgescope, how the trailing
// trace-context argument is recognised, and the email/tail/WebSocket attributes. The runtime
// behaviour (RPC, hibernation, alarms, service bindings) is tested in workerd
// (tests/workerd/durable-object-entrypoints.test.js, worker-entrypoint.test.js).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { EdgescopeConfigError, instrumentDurableObject, instrumentEntrypoint, scopeOf } from 'edgescope';
import { splitTraceContext } from '../../js/entrypoints/trace-context-argument.js';
import { emailAttributes } from '../../js/entrypoints/email-attributes.js';
import { tailAttributes } from '../../js/entrypoints/tail-attributes.js';
import { websocketMessageAttributes } from '../../js/entrypoints/websocket-attributes.js';
import { captureConsole, memoryExporter } from './helpers.js';

const state = () => {
  const promises = [];
  return { promises, ctx: { waitUntil: (p) => promises.push(p), id: { toString: () => 'ab'.repeat(32) } } };
};
const settled = (promises) => Promise.all(promises.map((p) => Promise.resolve(p).catch(() => {})));

class Account {
  static kind = 'account';
  #balance = 10;
  constructor(ctx, env) {
    this.ctx = ctx;
    this.env = env;
  }
  deposit(amount) {
    this.#balance += amount;
    return { balance: this.#balance, viaHelper: this.audit(), self: this instanceof Account };
  }
  audit() {
    return 'audited';
  }
  async withdraw(amount) {
    if (amount > this.#balance) throw new RangeError(`only ${this.#balance}`);
    this.#balance -= amount;
    return this.#balance;
  }
}

test('bad input is refused up front with an error naming it', () => {
  assert.throws(() => instrumentDurableObject(undefined, { service: 's' }), /expects a class as its first argument \(got undefined\)/);
  assert.throws(() => instrumentDurableObject(() => 1, { service: 's' }), /expects a class/);
  assert.throws(() => instrumentEntrypoint(Account, null), /expects a config object or a function/);
  assert.throws(() => instrumentDurableObject(Account, { service: 1 }), EdgescopeConfigError);
  const once = instrumentDurableObject(Account, { service: 's', exporter: memoryExporter().exporter });
  assert.throws(() => instrumentDurableObject(once, { service: 's' }), /Account is already instrumented; wrap the original class once/);
});

test('the wrapped class keeps its name, statics, instanceof and private fields; its own calls are not invocations', async () => {
  const memory = memoryExporter();
  const Wrapped = instrumentDurableObject(Account, { service: 'bank', exporter: memory.exporter });
  assert.equal(Wrapped.name, 'Account');
  assert.equal(Wrapped.kind, 'account');
  const { ctx, promises } = state();
  const account = new Wrapped(ctx, { X: 1 });
  assert.ok(account instanceof Account);
  assert.ok(account instanceof Wrapped);
  assert.equal(account.deposit.name, 'deposit');
  assert.equal(account.deposit.length, 1);
  assert.equal(account.deposit, account.deposit);
  assert.deepEqual(account.deposit(5, { __edgescopeTraceContext: 1, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: '' }), {
    balance: 15,
    viaHelper: 'audited',
    self: true,
  });
  await assert.rejects(account.withdraw(100), { name: 'RangeError', message: 'only 15' });
  assert.equal(await account.withdraw(5), 10);
  await settled(promises);
  const names = memory.spans.map((s) => s.operationName).sort();
  assert.deepEqual(names, ['Account/deposit', 'Account/withdraw', 'Account/withdraw']);
  const deposit = memory.spans.find((s) => s.operationName === 'Account/deposit');
  assert.equal(deposit.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(deposit.parentSpanId, 'b7ad6b7169203331');
});

test('a config that fails: methods answer as without edgescope, scopeOf(ctx) records nothing, logged once', async () => {
  const Wrapped = instrumentEntrypoint(Account, () => {
    throw new Error('entrypoint config exploded');
  });
  const lines = await captureConsole('error', async () => {
    for (let i = 0; i < 3; i++) {
      const { ctx } = state();
      const account = new Wrapped(ctx, {});
      assert.deepEqual(account.deposit(1, { __edgescopeTraceContext: 1, traceparent: '', tracestate: '' }), { balance: 11, viaHelper: 'audited', self: true });
      assert.equal(scopeOf(ctx).span.isRecording(), false);
    }
  });
  assert.equal(lines.filter((l) => l.includes('entrypoint config exploded')).length, 1);
});

test('only a trailing plain object marked __edgescopeTraceContext: 1 is taken off', () => {
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const marked = { __edgescopeTraceContext: 1, traceparent: tp, tracestate: 'a=b' };
  assert.deepEqual(splitTraceContext([1, marked]), { args: [1], traceparent: tp, tracestate: 'a=b' });
  assert.deepEqual(splitTraceContext([marked, 1]).args, [marked, 1]);
  assert.deepEqual(splitTraceContext([{ __edgescopeTraceContext: true, traceparent: tp }]).args.length, 1);
  class Lookalike {
    __edgescopeTraceContext = 1;
  }
  assert.equal(splitTraceContext([new Lookalike()]).args.length, 1);
  assert.deepEqual(splitTraceContext([{ __edgescopeTraceContext: 1, traceparent: 7 }]), { args: [], traceparent: '', tracestate: '' });
  assert.deepEqual(splitTraceContext([]), { args: [], traceparent: '', tracestate: '' });
});

test('email attributes: sizes only unless capture.clientAddress; tail attributes: counts and sorted unique script names, bounded', () => {
  const message = { from: 'ada@example.com', to: 'inbox@example.org', rawSize: 512 };
  assert.deepEqual(emailAttributes(message, { clientAddress: false }), {
    'faas.trigger': 'other',
    'edgescope.email.raw_size': 512,
    'edgescope.email.from.length': 15,
    'edgescope.email.to.length': 17,
  });
  assert.equal(emailAttributes(message, { clientAddress: true })['edgescope.email.from'], 'ada@example.com');
  assert.deepEqual(emailAttributes(undefined, undefined), { 'faas.trigger': 'other' });

  const events = [
    { scriptName: 'b', exceptions: [{}] },
    { scriptName: 'a', exceptions: [] },
    { scriptName: 'b' },
    null,
    ...Array.from({ length: 40 }, (_, i) => ({ scriptName: `w${String(i).padStart(2, '0')}`, exceptions: [{}, {}] })),
  ];
  const attributes = tailAttributes(events);
  assert.equal(attributes['edgescope.tail.event_count'], 44);
  assert.equal(attributes['edgescope.tail.exception_count'], 81);
  assert.equal(attributes['edgescope.tail.script_count'], 42);
  assert.equal(attributes['edgescope.tail.script_names'].length, 32);
  assert.deepEqual(attributes['edgescope.tail.script_names'].slice(0, 3), ['a', 'b', 'w00']);
  assert.deepEqual(tailAttributes('not a list'), { 'faas.trigger': 'other', 'edgescope.tail.event_count': 0, 'edgescope.tail.exception_count': 0, 'edgescope.tail.script_count': 0 });
});

test('a WebSocket message is measured in UTF-8 bytes as it crossed the wire', () => {
  for (const text of ['hello', 'wörld', '€', '😀', 'a\uD800b', '']) {
    assert.equal(websocketMessageAttributes(text)['edgescope.websocket.message.size'], new TextEncoder().encode(text).length, JSON.stringify(text));
  }
  assert.deepEqual(websocketMessageAttributes(new Uint8Array(7).buffer), { 'edgescope.websocket.message.type': 'binary', 'edgescope.websocket.message.size': 7 });
});

test('the declarations type-check a Durable Object and an entrypoint exported in the class position', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-entrypoint-types-'));
  try {
    const good = `import { instrument, instrumentDurableObject, instrumentEntrypoint, scopeOf, exporters } from '${root}js/index.js';
      const config = (env: { URL: string }) => ({ service: 'app', exporter: exporters.http({ url: env.URL }) });
      class CounterImpl { static version = 2; constructor(readonly ctx: { waitUntil(p: Promise<unknown>): void }, env: unknown) {} async increment(by: number) { scopeOf(this.ctx); return by; } }
      export const Counter = instrumentDurableObject(CounterImpl, config);
      const v: number = Counter.version;
      export const Api = instrumentEntrypoint(CounterImpl, config);
      export default instrument({
        async email(message, env, ctx) { scopeOf(message).log.info('mail'); },
        async tail(events, env, ctx) { scopeOf(events).span.setAttribute('n', events.length); },
      }, config);`;
    const bad = `import { instrumentDurableObject } from '${root}js/index.js';
      instrumentDurableObject({ not: 'a class' }, { service: 'x' });`;
    writeFileSync(join(dir, 'good.ts'), good);
    writeFileSync(join(dir, 'bad.ts'), bad);
    const tsc = join(root, 'node_modules/.bin/tsc');
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
    try {
      execFileSync(tsc, [...args, join(dir, 'good.ts')], { stdio: 'pipe' });
    } catch (error) {
      assert.fail(String(error.stdout));
    }
    assert.throws(() => execFileSync(tsc, [...args, join(dir, 'bad.ts')], { stdio: 'pipe' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("webSocketError: the socket's error is an exception event on its span; the handler's own outcome decides the status", async () => {
  const memory = memoryExporter();
  class Socketed {
    constructor(ctx) {
      this.ctx = ctx;
    }
    webSocketError(ws, error) {
      ws.seen = error.message;
    }
  }
  const Wrapped = instrumentDurableObject(Socketed, { service: 'ws', exporter: memory.exporter });
  const { ctx, promises } = state();
  const ws = {};
  await new Wrapped(ctx, {}).webSocketError(ws, new Error('socket reset'));
  assert.equal(ws.seen, 'socket reset');
  await settled(promises);
  assert.equal(memory.spans.length, 1);
  const [span] = memory.spans;
  assert.equal(span.operationName, 'webSocketError');
  assert.equal(span.status, 'unset');
  assert.equal(span.attributes['edgescope.response.outcome'], 'complete');
  assert.equal(span.events[0].name, 'exception');
  assert.equal(span.events[0].attributes['exception.message'], 'socket reset');
});
