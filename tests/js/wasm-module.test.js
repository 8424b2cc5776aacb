// The modules' surfaces are a contract: dist/edgescope.wasm exports exactly bindings/exports.txt
// and dist/edgescope-resilience.wasm exactly bindings/resilience-exports.txt (each plus the
// runtime's own few), and both import only what the shim provides. The resilience code is in its
// own module so that the telemetry module every user loads does not carry it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const module = new WebAssembly.Module(readFileSync(new URL('dist/edgescope.wasm', root)));
const resilienceModule = new WebAssembly.Module(readFileSync(new URL('dist/edgescope-resilience.wasm', root)));
const exportList = (file) =>
  readFileSync(new URL(`bindings/${file}`, root), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
const listed = exportList('exports.txt');
const resilienceListed = exportList('resilience-exports.txt');
// Added by Emscripten's STANDALONE_WASM reactor; the shim uses memory and _initialize.
const RUNTIME_EXPORTS = ['memory', '_initialize', '__indirect_function_table', '__errno_location', 'stackSave', 'stackRestore', 'stackAlloc'];
const exportsOf = (m) => WebAssembly.Module.exports(m).map((e) => e.name);

for (const [file, m, names] of [
  ['dist/edgescope.wasm', module, listed],
  ['dist/edgescope-resilience.wasm', resilienceModule, resilienceListed],
]) {
  test(`${file} exports every ABI function in its export list`, () => {
    const exported = new Set(exportsOf(m));
    assert.deepEqual(names.filter((name) => !exported.has(name)), []);
  });

  test(`${file} exports nothing beyond its list and the runtime exports`, () => {
    const allowed = new Set([...names, ...RUNTIME_EXPORTS]);
    assert.deepEqual(exportsOf(m).filter((name) => !allowed.has(name)), []);
  });

  test(`${file} imports only what the shim provides`, () => {
    const imports = WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name}`);
    const provided = ['env.emscripten_notify_memory_growth', 'wasi_snapshot_preview1.proc_exit'];
    assert.deepEqual(imports.filter((i) => !provided.includes(i)), []);
  });
}

test('the telemetry module carries no resilience code, and the resilience module no telemetry calls', () => {
  assert.deepEqual(listed.filter((name) => name.startsWith('es_res_')), []);
  assert.deepEqual(exportsOf(module).filter((name) => name.startsWith('es_res_')), []);
  assert.deepEqual(exportsOf(resilienceModule).filter((name) => /^es_/.test(name) && !resilienceListed.includes(name)), []);
  assert.ok(!exportsOf(resilienceModule).includes('es_create'));
});

test('the resilience module shares only the buffer calls with the telemetry module', () => {
  const shared = resilienceListed.filter((name) => listed.includes(name)).sort();
  assert.deepEqual(shared, ['es_error_len', 'es_error_ptr', 'es_io', 'es_output_len', 'es_output_ptr', 'es_scratch']);
});

test('every ABI function in the header is in one of the export lists', () => {
  const header = readFileSync(new URL('bindings/edgescope.h', root), 'utf8');
  const declared = [...header.matchAll(/\b(es_[a-z_]+)\(/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(declared)].sort(), [...new Set([...listed, ...resilienceListed])].sort());
});

test('the modules are glue-free: no Emscripten JS next to them in the package, and both ship', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  assert.ok(pkg.files.includes('dist/edgescope.wasm'));
  assert.ok(pkg.files.includes('dist/edgescope-resilience.wasm'));
  // The one built script the package ships is the collector dashboard's inlined page assets
  // (scripts/build-dashboard.mjs), which has nothing to do with the modules.
  assert.deepEqual(pkg.files.filter((f) => f.startsWith('dist/') && f.endsWith('.js')), ['dist/dashboard-assets.js']);
});

// ---- the hot path's calls, as a host that owes the core nothing would make them ----------------

// A bare instance and one core on it, driven through the raw ABI (no shim in between).
function bareCore() {
  const instance = new WebAssembly.Instance(module, {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: {
      proc_exit(code) {
        throw new Error(`proc_exit ${code}`);
      },
    },
  });
  const x = instance.exports;
  x._initialize();
  const write = (bytes, offset = 0) => new Uint8Array(x.memory.buffer).set(bytes, x.es_scratch(offset + bytes.length) + offset);
  const utf8 = (text) => new TextEncoder().encode(text);
  write(utf8('svc'));
  const h = x.es_create(3, 1, 65536, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  const io = () => new DataView(x.memory.buffer, x.es_io(), 512);
  const error = () => new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.es_error_ptr(), x.es_error_len()));
  const intern = (text, offset = 0) => {
    write(utf8(text), offset);
    return x.es_intern_at(h, offset, utf8(text).length);
  };
  // The drained batch encoded as native JSON, read from the body es_payload_info points at; the
  // bytes must be valid UTF-8 (a fatal decoder throws otherwise).
  const exported = () => {
    x.es_drain(h, 1.7e12 + 10);
    assert.equal(x.es_encode(h, 0), 1);
    assert.equal(x.es_payload_info(h, 0), 0);
    const body = new Uint8Array(x.memory.buffer, io().getUint32(40, true), io().getUint32(44, true));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  };
  return { x, h, write, io, error, intern, exported };
}

// es_stage_batch's layout (bindings/edgescope.h): int32 key id, type byte, value.
function batch(items) {
  const parts = items.map(([key, type, value]) => {
    const head = new Uint8Array(5);
    new DataView(head.buffer).setInt32(0, key, true);
    head[4] = type;
    if (type === 0) {
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, value.length, true);
      return [head, len, value];
    }
    if (type === 3) return [head, new Uint8Array([value ? 1 : 0])];
    const number = new Uint8Array(8);
    new DataView(number.buffer).setFloat64(0, value, true);
    return [head, number];
  });
  const flat = parts.flat();
  const out = new Uint8Array(flat.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of flat) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test('an attribute batch carries every type in one call, and invalid UTF-8 from the host comes out repaired', () => {
  const { x, h, write, io, intern, exported } = bareCore();
  const name = intern('op');
  const span = x.es_span_start(h, 0, name, 1, 1.7e12);
  assert.equal(io().getInt32(0, true), 1, 'the io block says the span records');
  const attributes = batch([
    [intern('text', 64), 0, new Uint8Array([0x61, 0xff, 0x62, 0xed, 0xa0, 0x80])], // a bad byte, a UTF-16 surrogate
    [intern('count', 64), 1, 42],
    [intern('ratio', 64), 2, 0.5],
    [intern('flag', 64), 3, true],
    [intern('unsafe', 64), 1, 2 ** 60], // not a safe integer: refused and counted
  ]);
  write(attributes);
  assert.equal(x.es_span_set(h, span, 5, attributes.length), 0);
  assert.equal(x.es_span_end(h, span, 1.7e12 + 1), 0);
  const [recorded] = exported().spans;
  assert.deepEqual(recorded.attributes, { text: 'a\uFFFDb\uFFFD\uFFFD\uFFFD', count: 42, ratio: 0.5, flag: true });
  assert.equal(recorded.droppedAttributesCount, 1);
  assert.equal(x.es_stats(h), 25);
  const stat = (i) => io().getFloat64(128 + i * 8, true);
  assert.equal(stat(7), 1, 'stringsRepaired');
  assert.equal(stat(19), 1, 'attributeValuesRejected');
});

test('a number or boolean attribute crosses as an argument, with the same rules as in a batch', () => {
  const { x, h, error, intern, exported } = bareCore();
  const span = x.es_span_start(h, 0, intern('op'), 1, 1.7e12);
  assert.equal(x.es_span_set_number(h, span, intern('n'), 1, 7), 0);
  assert.equal(x.es_span_set_number(h, span, intern('d'), 2, 1.25), 0);
  assert.equal(x.es_span_set_number(h, span, intern('b'), 3, 1), 0);
  assert.equal(x.es_span_set_number(h, span, intern('big'), 1, 2 ** 60), 0); // refused: not a safe integer
  assert.equal(x.es_span_set_number(h, span, intern('t'), 0, 1), -2);
  assert.match(error(), /type must be 1 \(int\), 2 \(double\) or 3 \(bool\)/);
  x.es_span_end(h, span, 1.7e12 + 1);
  const [recorded] = exported().spans;
  assert.deepEqual(recorded.attributes, { n: 7, d: 1.25, b: true });
  assert.equal(recorded.droppedAttributesCount, 2);
});

test('a malformed attribute batch is refused whole, says where, and leaves nothing staged', () => {
  const { x, h, write, error, intern, exported } = bareCore();
  const span = x.es_span_start(h, 0, intern('op'), 1, 1.7e12);
  const good = batch([[intern('kept', 64), 3, true]]);
  const cases = [
    [batch([[intern('a', 64), 0, new Uint8Array([0x61, 0x62])]]).subarray(0, 10), 1, /string length|runs past/],
    [batch([[intern('b', 64), 7, 1]]), 1, /type of attribute 0 must be 0 \(string\), 1 \(int\), 2 \(double\) or 3 \(bool\)/],
    [new Uint8Array([...good, 0]), 1, /1 bytes after the last attribute/],
  ];
  for (const [bytes, count, message] of cases) {
    write(bytes);
    assert.equal(x.es_span_set(h, span, count, bytes.length), -2);
    assert.match(error(), message);
  }
  write(good);
  assert.equal(x.es_span_set(h, span, 1, good.length), 0);
  x.es_span_end(h, span, 1.7e12 + 1);
  const [recorded] = exported().spans;
  assert.deepEqual(recorded.attributes, { kept: true });
  assert.equal(recorded.droppedAttributesCount ?? 0, 0);
});

test('es_span_end leaves the ended span context in the io block, and es_log_batch writes a log with its attributes', () => {
  const { x, h, write, io, intern, exported } = bareCore();
  const span = x.es_span_start(h, 0, intern('op'), 1, 1.7e12);
  const attributes = batch([[intern('path', 64), 0, new TextEncoder().encode('/a')]]);
  const message = new TextEncoder().encode('handled');
  write(attributes);
  write(message, attributes.length);
  assert.equal(x.es_log_batch(h, 9, span, 1.7e12, 1, attributes.length, message.length), 0);
  assert.equal(x.es_span_end(h, span, 1.7e12 + 1), 0);
  const words = Array.from({ length: 8 }, (_, i) => io().getUint32(8 + i * 4, true).toString(16).padStart(8, '0'));
  const doc = exported();
  assert.equal(words.slice(0, 4).join(''), doc.spans[0].traceId);
  assert.equal(words.slice(4, 6).join(''), doc.spans[0].spanId);
  assert.equal(Number.parseInt(words[6], 16), 1, 'sampled');
  assert.equal(Number.parseInt(words[7], 16), 0, 'no tracestate');
  assert.equal(doc.logs[0].message, 'handled');
  assert.deepEqual(doc.logs[0].context, { path: '/a' });
  assert.equal(doc.logs[0].metadata.traceId, doc.spans[0].traceId, 'correlated with the span');
  assert.equal(x.es_span_end(h, span, 1.7e12 + 2), 1, 'not open any more');
  assert.equal(io().getUint32(8, true), 0, 'no context for a span that was not open');
});
