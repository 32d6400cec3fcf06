import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMapsMessage, encodeMapsMessage, mapsMessageJson } from '../../src/studio/mapsMessage.js';

const arrays = {
  scores: { shape: [3], data: Float32Array.of(1.5, -2, 0.25) },
  classMaps: { shape: [3, 2, 2], data: Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5) },
  empty: { shape: [0, 4], data: new Float32Array(0) },
};

test('round trip: meta and float32 arrays with their shapes, 4-byte aligned', () => {
  for (const meta of [{ source: 'upload' }, { source: 'x'.repeat(1), note: 'ünïcødé ✓' }, { pad: 'ab' }]) {
    const bytes = encodeMapsMessage(meta, arrays);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x57, 0x43, 0x4d, 0x31]);
    const h = new DataView(bytes.buffer).getUint32(4, true);
    assert.equal((8 + h) % 4, 0);
    const m = decodeMapsMessage<typeof meta>(bytes.slice().buffer);
    assert.deepEqual(m.meta, meta);
    for (const [name, a] of Object.entries(arrays)) {
      assert.deepEqual(m.arrays[name]!.shape, a.shape);
      assert.deepEqual([...m.arrays[name]!.data], [...a.data]);
    }
  }
  const j = mapsMessageJson({ a: 1 }, arrays);
  assert.deepEqual(j.arrays.scores, { shape: [3], data: [1.5, -2, 0.25] });
});

test('bad messages: clear errors, never a partial result', () => {
  const good = encodeMapsMessage({ x: 1 }, arrays);
  assert.throws(() => decodeMapsMessage(new TextEncoder().encode('{"json": true}')), /not a wildcat maps message/);
  assert.throws(() => decodeMapsMessage(good.subarray(0, 12)), /header of \d+ bytes runs past the end/);
  assert.throws(() => decodeMapsMessage(good.subarray(0, good.length - 4)), /array 'classMaps' runs past the end/);
  const corrupt = good.slice();
  corrupt[8] = 0x7b + 1;
  assert.throws(() => decodeMapsMessage(corrupt), /header is not JSON/);
  // Hand-made headers: a null entry, and one array listed 1,000 times over the same 16 bytes.
  const craft = (entries: unknown[]): Uint8Array => {
    const out = new Uint8Array(8 + 65_536 + 16);
    out.set(good.subarray(0, 4));
    new DataView(out.buffer).setUint32(4, 65_536, true);
    out.fill(0x20, 8, 8 + 65_536);
    out.set(new TextEncoder().encode(JSON.stringify({ meta: {}, arrays: entries })), 8);
    return out;
  };
  assert.throws(() => decodeMapsMessage(craft([null])), /bad array entry null/);
  const entry = { shape: [4], offset: 8 + 65_536, length: 4 };
  assert.equal(decodeMapsMessage(craft([{ name: 'a', ...entry }])).arrays['a']!.data.length, 4);
  assert.throws(() => decodeMapsMessage(craft(Array.from({ length: 1000 }, (_, i) => ({ name: `a${i}`, ...entry })))), /claim more values than the 65560-byte message holds/);
  assert.throws(() => encodeMapsMessage({}, { a: { shape: [2, 2], data: new Float32Array(3) } }), /Expected 4 values \(shape \[2, 2\]\) for the values of array 'a' of encodeMapsMessage\(\) but received 3/);
});
