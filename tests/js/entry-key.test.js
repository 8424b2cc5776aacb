// Offline-buffer entry keys: unique, ordered like the time they were made (KV list and SQLite
// ORDER BY key return the oldest first), with 128 bits from the platform CSPRNG.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTRY_KEY_LENGTH, isEntryKey, newEntryKey, parseEntryKey } from '../../js/buffering/entry-key.js';

const COUNT = 1_000_000;

// Times spread over the whole 15-digit range and crossing every power of ten (where a key without
// padding would sort wrongly), with runs of equal milliseconds as real traffic has.
function times() {
  const out = new Float64Array(COUNT);
  let i = 0;
  for (let p = 0; p < 15 && i < COUNT; p++) for (const d of [-1, 0, 1]) out[i++] = Math.max(0, 10 ** p + d);
  let t = 1_700_000_000_000;
  while (i < COUNT) {
    const r = Math.random();
    if (r < 0.3) out[i++] = t; // same millisecond as the previous key
    else if (r < 0.95) out[i++] = t += Math.floor(Math.random() * 5) + 0.75; // fractions are floored
    else out[i++] = Math.floor(Math.random() * 1e15);
  }
  return out;
}

test('a million keys: no collision, and lexicographic order is time order', () => {
  const when = times();
  const keys = new Array(COUNT);
  for (let i = 0; i < COUNT; i++) keys[i] = newEntryKey(when[i]);
  assert.equal(new Set(keys).size, COUNT, 'every key is different');
  for (const key of keys.slice(0, 50)) assert.equal(key.length, ENTRY_KEY_LENGTH);
  const order = keys.map((key, i) => ({ key, time: Math.floor(when[i]) }));
  order.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // plain string (code unit) order
  for (let i = 1; i < COUNT; i++) {
    if (order[i - 1].time > order[i].time) assert.fail(`${order[i - 1].key} sorts before ${order[i].key} but is later`);
  }
  assert.equal(parseEntryKey(order[0].key).time, order[0].time);
  assert.equal(parseEntryKey(order[COUNT - 1].key).time, order[COUNT - 1].time);
});

test('the random part is 16 bytes from crypto.getRandomValues, every one of its 128 bits used', () => {
  const original = crypto.getRandomValues;
  const calls = [];
  crypto.getRandomValues = (array) => {
    calls.push(array);
    for (let i = 0; i < array.length; i++) array[i] = 0xf0 + i;
    return array;
  };
  let key;
  try {
    key = newEntryKey(42);
  } finally {
    crypto.getRandomValues = original;
  }
  assert.equal(calls.length, 1);
  assert.ok(calls[0] instanceof Uint8Array && calls[0].length === 16);
  assert.equal(key, '000000000000042-f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');

  // With the real CSPRNG each bit is set in about half of a million keys (5 sigma = 2500): no bit
  // is constant or biased, so all 128 carry entropy.
  const ones = new Uint32Array(128);
  const nibble = (c) => (c <= 57 ? c - 48 : c - 87);
  for (let n = 0; n < COUNT; n++) {
    const k = newEntryKey(n);
    for (let j = 0; j < 32; j++) {
      const v = nibble(k.charCodeAt(16 + j));
      for (let b = 0; b < 4; b++) ones[j * 4 + b] += (v >> b) & 1;
    }
  }
  for (let bit = 0; bit < 128; bit++) {
    assert.ok(Math.abs(ones[bit] - COUNT / 2) < 2500, `bit ${bit} set in ${ones[bit]} of ${COUNT} keys`);
  }
});

test('a time that cannot be written in 15 digits of ms is refused with the accepted range', () => {
  for (const bad of [-1, NaN, Infinity, 1e15, '1700000000000', null, undefined]) {
    assert.throws(() => newEntryKey(bad), /entry key time must be a number of ms from 0 to 999999999999999/, String(bad));
  }
  assert.equal(newEntryKey(999999999999999.5).slice(0, 15), '999999999999999');
});

test('parseEntryKey accepts exactly the keys newEntryKey makes and names what is wrong otherwise', () => {
  const key = newEntryKey(1_700_000_000_123);
  assert.deepEqual(parseEntryKey(key), { time: 1_700_000_000_123, random: key.slice(16) });
  assert.ok(isEntryKey(key));
  const bad = [
    key.toUpperCase(),
    key.slice(1),
    `${key}0`,
    key.replace('-', '_'),
    ` ${key}`,
    '1700000000123-' + 'a'.repeat(32),
    '00' + '1'.repeat(13) + '-' + 'g'.repeat(32),
  ];
  for (const b of bad) {
    assert.equal(isEntryKey(b), false, b);
    assert.throws(() => parseEntryKey(b), /is not <15 digits>-<32 lowercase hex> \(48 characters\)/, b);
  }
  assert.throws(() => parseEntryKey(42), /entry key must be a string \(got number\)/);
  assert.throws(() => parseEntryKey('x'.repeat(5000)), (e) => e.message.length < 300);
});
