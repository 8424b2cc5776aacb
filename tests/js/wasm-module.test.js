// The module's surface is a contract: exactly the exports listed in bindings/exports.txt (plus
// the runtime's own few), and only imports the shim provides.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const module = new WebAssembly.Module(readFileSync(new URL('dist/edgescope.wasm', root)));
const listed = readFileSync(new URL('bindings/exports.txt', root), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
// Added by Emscripten's STANDALONE_WASM reactor; the shim uses memory and _initialize.
const RUNTIME_EXPORTS = ['memory', '_initialize', '__indirect_function_table', '__errno_location', 'stackSave', 'stackRestore', 'stackAlloc'];

test('the module exports every ABI function listed in bindings/exports.txt', () => {
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = listed.filter((name) => !exported.has(name));
  assert.deepEqual(missing, []);
});

test('the module exports nothing beyond the list and the runtime exports', () => {
  const allowed = new Set([...listed, ...RUNTIME_EXPORTS]);
  const extra = WebAssembly.Module.exports(module).map((e) => e.name).filter((name) => !allowed.has(name));
  assert.deepEqual(extra, []);
});

test('every ABI function in the header is in the export list', () => {
  const header = readFileSync(new URL('bindings/edgescope.h', root), 'utf8');
  const declared = [...header.matchAll(/\b(es_[a-z_]+)\(/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(declared)].sort(), [...listed].sort());
});

test('the module imports only what the shim provides', () => {
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  const provided = ['env.emscripten_notify_memory_growth', 'wasi_snapshot_preview1.proc_exit'];
  assert.deepEqual(imports.filter((i) => !provided.includes(i)), []);
});

test('the module is glue-free: no Emscripten JS next to it in the package', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  assert.ok(pkg.files.includes('dist/edgescope.wasm'));
  assert.ok(!pkg.files.some((f) => f.startsWith('dist/') && f.endsWith('.js')));
});
