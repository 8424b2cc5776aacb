// The id swap behind Streaming Tail Worker export (experimental): the core's ids in an encoded
// payload become the platform's, in place and length for length, in hex (native, OTLP/JSON) and
// raw bytes (OTLP/protobuf); forgotten ids are no longer swapped; the map is bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdMap } from '../../js/tail/stream/id-rewrite.js';

const CORE_SPAN = 'a1b2c3d4e5f60718';
const PLATFORM_SPAN = '0299c1c8c8736fff';
const CORE_TRACE = 'ffeeddccbbaa99887766554433221100';
const PLATFORM_TRACE = 'd4e8ec4538ffc97d4727a4af611d136b';
const bytes = (hex) => Uint8Array.from(hex.match(/../g), (b) => Number.parseInt(b, 16));
const text = (s) => new TextEncoder().encode(s);

test('hex ids in a JSON body are swapped for the platform ids, the length unchanged', () => {
  const map = new IdMap();
  map.set(CORE_SPAN, PLATFORM_SPAN);
  map.set(CORE_TRACE, PLATFORM_TRACE);
  const body = text(`{"traceId":"${CORE_TRACE}","spanId":"${CORE_SPAN}","parentSpanId":"${CORE_SPAN}","name":"x"}`);
  const length = body.length;
  assert.equal(map.rewrite(body, 'otlp-json'), 3);
  assert.equal(body.length, length);
  assert.equal(new TextDecoder().decode(body), `{"traceId":"${PLATFORM_TRACE}","spanId":"${PLATFORM_SPAN}","parentSpanId":"${PLATFORM_SPAN}","name":"x"}`);
});

test('raw id bytes in a protobuf body are swapped, including an id ending the body', () => {
  const map = new IdMap();
  map.set(CORE_SPAN, PLATFORM_SPAN);
  map.set(CORE_TRACE, PLATFORM_TRACE);
  // field 1 (trace_id, 16 bytes), field 2 (span_id, 8 bytes) at the very end
  const body = new Uint8Array([0x0a, 16, ...bytes(CORE_TRACE), 0x12, 8, ...bytes(CORE_SPAN)]);
  assert.equal(map.rewrite(body, 'otlp-proto'), 2);
  assert.deepEqual([...body], [0x0a, 16, ...bytes(PLATFORM_TRACE), 0x12, 8, ...bytes(PLATFORM_SPAN)]);
  // The hex form of an id is not touched in a binary body, nor the bytes in a JSON one.
  const hexInProto = text(CORE_SPAN);
  assert.equal(map.rewrite(hexInProto, 'otlp-proto'), 0);
});

test('ids are swapped only while remembered: forgotten ones, and the oldest past the cap, stay', () => {
  const map = new IdMap(2);
  map.set('1111111111111111', 'aaaaaaaaaaaaaaaa');
  map.set('2222222222222222', 'bbbbbbbbbbbbbbbb');
  map.set('3333333333333333', 'cccccccccccccccc');
  assert.equal(map.size, 2);
  assert.equal(map.forgotten, 1);
  map.forget(['3333333333333333']);
  const body = text('1111111111111111 2222222222222222 3333333333333333');
  assert.equal(map.rewrite(body, 'native'), 1);
  assert.equal(new TextDecoder().decode(body), '1111111111111111 bbbbbbbbbbbbbbbb 3333333333333333');
});

test('a mapping that is not a same-length lowercase hex id is refused', () => {
  const map = new IdMap();
  assert.equal(map.set(CORE_SPAN, 'short'), false);
  assert.equal(map.set(CORE_SPAN, 'ZZZZZZZZZZZZZZZZ'), false);
  assert.equal(map.set(CORE_SPAN, CORE_SPAN), false);
  assert.equal(map.size, 0);
});
