// The `resilience` feature of the package's Durable Object refuses malformed requests with an
// error naming what is wrong, and applies nothing of a refused request: a batch whose last change
// is malformed leaves the object's state and version as they were. Requests go straight to the
// object's RPC method (the Worker's /raw route), as a caller of another version, or a hostile one,
// sends them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf } from './helpers.js';
import { startFleet, tempDir } from './resilience-fleet.js';

const collector = useCollector();

const sync = (args) => ({ v: 1, feature: 'resilience', op: 'sync', args });
const outcome = (ok) => ({ type: 'outcome', ok, durationMs: 5, probe: false });
const breakerArgs = (extra = {}) => ({ kind: 'breaker', name: 'raw', policy: { failureThreshold: 3 }, ops: [], ...extra });

const CASES = [
  ['not an object', 'sync please', /a request must be an object/],
  ['unknown op', { v: 1, feature: 'resilience', op: 'drop', args: {} }, /unknown op "drop" for feature resilience \(known: sync\)/],
  ['args not an object', sync([]), /args must be an object/],
  ['unknown args field', sync(breakerArgs({ extra: 1 })), /unknown field/],
  ['unknown kind', sync(breakerArgs({ kind: 'limiter' })), /args\.kind must be one of breaker, registry, ledger/],
  ['empty name', sync(breakerArgs({ name: '' })), /args\.name/],
  ['policy not an object', sync(breakerArgs({ policy: 'strict' })), /args\.policy must be an object/],
  ['policy with a null (what JSON makes of NaN)', sync(breakerArgs({ policy: { openMs: null } })), /args\.policy\.openMs must be a string, a finite number, a boolean, an array or a plain object \(got null\)/],
  ['policy nested too deeply', sync(breakerArgs({ policy: { a: { b: { c: { d: { e: { f: { g: { h: { i: {} } } } } } } } } } })), /args\.policy\.a\.b\.c\.d\.e\.f\.g\.h\.i is nested too deeply/],
  ['a policy the core refuses', sync(breakerArgs({ policy: { openMs: -1 } })), /the core refused args\.policy: .*openMs/],
  ['ops not an array', sync(breakerArgs({ ops: { type: 'outcome' } })), /args\.ops must be an array/],
  ['unknown op type', sync(breakerArgs({ ops: [{ type: 'explode' }] })), /unknown operation type "explode" for a breaker/],
  ['outcome with a string ok', sync(breakerArgs({ ops: [{ ...outcome(true), ok: 'yes' }] })), /args\.ops\[0\] outcome: ok must be true or false/],
  ['negative duration', sync(breakerArgs({ ops: [{ ...outcome(true), durationMs: -3 }] })), /durationMs must be a number of milliseconds/],
  ['NaN duration', sync(breakerArgs({ ops: [{ ...outcome(true), durationMs: Number.NaN }] })), /durationMs/],
  ['an extra op field', sync(breakerArgs({ ops: [{ ...outcome(true), weight: 2 }] })), /outcome has an unknown field "weight"/],
  ['too many ops', sync(breakerArgs({ ops: Array.from({ length: 1001 }, () => outcome(true)) })), /at most 1000 per request/],
  ['decide out of range', sync(breakerArgs({ decide: 1 })), /args\.decide must be a number in \[0, 1\)/],
  ['decide for a ledger', sync({ kind: 'ledger', name: 'raw', policy: {}, ops: [], decide: 0.5 }), /args\.decide is for breakers only/],
  ['ledger spend not an integer', sync({ kind: 'ledger', name: 'raw', policy: {}, ops: [{ type: 'record', provider: 'openai', spendMicros: 0.5, inputTokens: 0, outputTokens: 0, requests: 1 }] }), /spendMicros must be a non-negative integer/],
  ['registry mark without provider', sync({ kind: 'registry', name: 'raw', policy: {}, ops: [{ type: 'mark', durationMs: 10 }] }), /provider must be a non-empty string/],
  ['a newer protocol version', { v: 2, feature: 'resilience', op: 'sync', args: breakerArgs() }, /request protocol version 2 is not supported/],
];

test('malformed requests to the resilience feature are refused with an error naming what is wrong, and change nothing', async () => {
  await collector.ready;
  const f = await startFleet({ persist: tempDir(), collectorUrl: collector.nativeUrl, env: { STORE: 'durable-object' } });
  try {
    const [isolate] = f.isolates;
    const raw = (message) => isolate.get('/raw?object=breaker:raw', { method: 'POST', body: JSON.stringify(message) });
    // A known state first: two failures (threshold 3).
    const start = await raw(sync(breakerArgs({ ops: [outcome(false), outcome(false)] })));
    assert.equal(start.ok, true, JSON.stringify(start));
    const { version, state } = start.reply;
    for (const [what, message, expected] of CASES) {
      const res = await raw(message);
      assert.equal(res.ok, false, `${what}: accepted ${JSON.stringify(res).slice(0, 200)}`);
      assert.match(res.message, expected, `${what}: ${res.message}`);
    }
    // A batch whose third change is malformed: none of it is applied (the two failures before it
    // would have opened the breaker).
    const half = await raw(sync(breakerArgs({ ops: [outcome(false), outcome(false), { ...outcome(false), probe: 'maybe' }] })));
    assert.equal(half.ok, false);
    assert.match(half.message, /args\.ops\[2\] outcome: probe must be true or false/);
    const read = await raw(sync(breakerArgs()));
    assert.equal(read.ok, true);
    assert.equal(read.reply.version, version, 'no refused request wrote anything');
    assert.equal(read.reply.state, state);
    assert.equal(JSON.parse(read.reply.state).consecutiveFailures, 2);
    // And the object still works.
    const open = await raw(sync(breakerArgs({ ops: [outcome(false)], decide: 0.5 })));
    assert.equal(open.ok, true);
    assert.deepEqual(open.reply.results[0].transitions.map((t) => [t.from, t.to]), [['CLOSED', 'OPEN']]);
    assert.equal(open.reply.decision.admit, false);
  } finally {
    await f.dispose();
  }
});

test("a Worker that exports EdgescopeState without importing 'edgescope/resilience' answers a resilience request saying what to import", async () => {
  const worker = await startWorker({
    bundle: await bundleOf('resilience-absent'),
    durableObjects: { EDGESCOPE_STATE: 'EdgescopeState' },
  });
  try {
    const post = async (message) => (await worker.fetch('/', { method: 'POST', body: JSON.stringify(message) })).json();
    const missing = await post(sync(breakerArgs()));
    assert.equal(missing.ok, false);
    assert.match(missing.message, /the resilience feature is not registered in this Durable Object: import 'edgescope\/resilience' in the Worker that exports EdgescopeState/);
    // The buffer feature is built in and still served.
    const status = await post({ v: 1, feature: 'buffer', op: 'status', args: { limits: { maxEntries: 200, maxBytes: 50_000_000, maxAgeMs: 3_600_000, maxAttempts: 3, replayMaxEntries: 50 } } });
    assert.equal(status.ok, true, JSON.stringify(status));
    const unknown = await post({ v: 1, feature: 'breaker', op: 'sync', args: {} });
    assert.match(unknown.message, /unknown feature "breaker" \(known: buffer\)/);
  } finally {
    await worker.dispose();
  }
});
