// Drives the offline-buffer stores inside workerd for tests/workerd/buffer-stores.test.js: real
// KV (BUFFER_KV) and the package's Durable Object class on SQLite (STATE). Each POST /run names a
// store and an op; values are generated here (a byte pattern) and described in the JSON reply by
// length and pattern, so the test can check that every byte came back.
import { EdgescopeState } from '../../js/entry/workerd.js';
import { newEntryKey } from '../../js/buffering/entry-key.js';
import { stores } from '../../js/storage/index.js';

export { EdgescopeState };

// The same object with a back door for tests: writes the SQLite database the way a newer
// edgescope or a damaged row would leave it.
export class TamperState extends EdgescopeState {
  setSchemaVersion(version) {
    const { sql } = this.ctx.storage;
    sql.exec('CREATE TABLE IF NOT EXISTS edgescope_features (feature TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL)');
    sql.exec("INSERT OR REPLACE INTO edgescope_features (feature, version) VALUES ('buffer', ?)", version);
  }
  damageRow(key, column, value) {
    this.ctx.storage.sql.exec(`UPDATE edgescope_buffer SET ${column} = ? WHERE key = ?`, value, key);
  }
}

// Keys and created times that increase within the isolate (workerd's clock stands still between
// I/O), so "oldest first" has one answer.
let tick = 0;
const nextTime = () => (tick = Math.max(Date.now(), tick + 1));

const memoryStores = new Map(); // per isolate, like a Worker's own module-level store

function makeEntry({ created, bytes = 16, attempts = 0, fill = 1 } = {}) {
  const time = created ?? nextTime();
  return { key: newEntryKey(time), meta: { created: time, bytes, attempts }, value: new Uint8Array(bytes).fill(fill) };
}

// A KV binding whose chosen calls misbehave: `failDeleteEvery` makes every n-th delete throw;
// `vanishOnGet` deletes the key for real right before reading it, as another writer would.
function wrapKv(kv, { failDeleteEvery = 0, vanishOnGet = [] } = {}) {
  let deletes = 0;
  return {
    get: async (name, type) => {
      if (vanishOnGet.some((key) => name.endsWith(key))) await kv.delete(name);
      return kv.get(name, type);
    },
    getWithMetadata: (name, type) => kv.getWithMetadata(name, type),
    put: (name, value, options) => kv.put(name, value, options),
    list: (options) => kv.list(options),
    delete: async (name) => {
      deletes++;
      if (failDeleteEvery && deletes % failDeleteEvery === 0) throw new Error(`injected delete failure for ${name}`);
      return kv.delete(name);
    },
  };
}

function storeOf(spec, env) {
  if (spec.kind === 'memory') {
    if (!memoryStores.has(spec.name)) memoryStores.set(spec.name, stores.memory(spec.leaseMs ? { leaseMs: spec.leaseMs } : undefined));
    return memoryStores.get(spec.name);
  }
  if (spec.kind === 'kv') return stores.kv(spec.wrap ? wrapKv(env.BUFFER_KV, spec.wrap) : env.BUFFER_KV, { prefix: spec.prefix });
  if (spec.kind === 'durable-object') return stores.durableObject(spec.tamper ? env.TAMPER : env.STATE, { name: spec.name, ...(spec.leaseMs ? { leaseMs: spec.leaseMs } : {}) });
  throw new Error(`unknown store kind ${spec.kind}`);
}

const describeValue = (value) => ({ length: value.length, fill: value[0] ?? null, uniform: value.every((b) => b === value[0]) });
const describeEntries = (result) => ({ ...result, entries: result.entries.map((e) => ({ key: e.key, meta: e.meta, value: describeValue(e.value) })) });

// Requests the object must refuse, each next to the valid shape it breaks.
function badMessage(name, limits) {
  const good = () => makeEntry();
  const appendOf = (entries) => ({ v: 1, feature: 'buffer', op: 'append', args: { entries, limits } });
  switch (name) {
    case 'not-an-object':
      return 'append please';
    case 'newer-version':
      return { v: 2, feature: 'buffer', op: 'status', args: { limits } };
    case 'no-version':
      return { feature: 'buffer', op: 'status', args: { limits } };
    case 'unknown-feature':
      return { v: 1, feature: 'breaker', op: 'status', args: { limits } };
    case 'unknown-op':
      return { v: 1, feature: 'buffer', op: 'drop', args: { limits } };
    case 'unknown-field':
      return { v: 1, feature: 'buffer', op: 'status', args: { limits }, extra: true };
    case 'unknown-arg':
      return { v: 1, feature: 'buffer', op: 'status', args: { limits, force: true } };
    case 'unknown-limit':
      return { v: 1, feature: 'buffer', op: 'status', args: { limits: { ...limits, maxEntrys: 5 } } };
    case 'bad-key':
      return appendOf([good(), { ...good(), key: '../../etc/passwd' }]);
    case 'bad-value':
      return appendOf([good(), { ...good(), value: 'not bytes' }]);
    case 'bytes-mismatch':
      return appendOf([good(), { ...good(), meta: { created: 1, bytes: 99, attempts: 0 } }]);
    case 'negative-attempts':
      return appendOf([good(), { ...good(), meta: { created: 1, bytes: 16, attempts: -1 } }]);
    case 'oversized-entry':
      return appendOf([good(), makeEntry({ bytes: 1_900_001 })]);
    case 'oversized-message':
      return appendOf(Array.from({ length: 5 }, () => makeEntry({ bytes: 1_800_000 })));
    case 'too-many-entries':
      return appendOf(Array.from({ length: 1001 }, () => makeEntry({ bytes: 1 })));
    case 'bad-now':
      return { v: 1, feature: 'buffer', op: 'take', args: { limits, now: -5 } };
    default:
      throw new Error(`unknown bad message ${name}`);
  }
}

async function run(body, env) {
  const store = body.store ? storeOf(body.store, env) : null;
  switch (body.op) {
    case 'append': {
      const entries = (body.entries ?? []).map(makeEntry);
      return { keys: entries.map((e) => e.key), result: await store.append(entries, body.limits) };
    }
    case 'load': {
      // One writer: `appends` calls of one entry each, one after the other.
      const out = { stored: 0, refused: 0, evicted: [], corrupt: 0, failures: 0 };
      for (let i = 0; i < body.appends; i++) {
        const r = await store.append([makeEntry({ bytes: body.bytes })], body.limits);
        out.stored += r.stored.length;
        out.refused += r.refused.length;
        out.evicted.push(...r.evicted);
        out.corrupt += r.corrupt.length;
        out.failures += r.failures.length;
      }
      return out;
    }
    case 'take':
      return describeEntries(await store.take(body.limits, body.now ?? Date.now()));
    case 'take-twice': {
      // Two takes started together in one invocation.
      const [a, b] = await Promise.all([store.take(body.limits, body.now), store.take(body.limits, body.now)]);
      return [describeEntries(a), describeEntries(b)];
    }
    case 'settle':
      return store.settle(body.outcomes, body.limits, body.now ?? Date.now());
    case 'status':
      return store.status(body.limits);
    case 'clear':
      return store.clear();
    case 'kv-put-raw': {
      const value = new Uint8Array(body.bytes).fill(body.fill ?? 0);
      await env.BUFFER_KV.put(body.name, value, body.metadata === undefined ? {} : { metadata: body.metadata });
      return { ok: true };
    }
    case 'kv-names': {
      const page = await env.BUFFER_KV.list({ prefix: body.prefix });
      return page.keys.map((k) => k.name);
    }
    case 'tamper': {
      const stub = env.TAMPER.get(env.TAMPER.idFromName(body.name));
      if (body.schemaVersion !== undefined) await stub.setSchemaVersion(body.schemaVersion);
      for (const [key, column, value] of body.damage ?? []) await stub.damageRow(key, column, value === 'blob' ? new Uint8Array(3) : value);
      return { ok: true };
    }
    case 'do-request': {
      const stub = env.STATE.get(env.STATE.idFromName(body.name));
      try {
        return { ok: await stub.request(badMessage(body.message, body.limits)) };
      } catch (error) {
        return { error: error.message, type: error.name };
      }
    }
    default:
      throw new Error(`unknown op ${body.op}`);
  }
}

export default {
  async fetch(request, env) {
    try {
      return Response.json(await run(await request.json(), env));
    } catch (error) {
      return Response.json({ thrown: error.message, name: error.name }, { status: 500 });
    }
  },
};
