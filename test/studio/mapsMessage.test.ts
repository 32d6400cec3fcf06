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
  assert.throws(() => encodeMapsMessage({}, { a: { shape: [2, 2], data: new Float32Array(3) } }), /Expected 4 values \(shape \[2, 2\]\) for the values of array 'a' of encodeMapsMessage\(\) but received 3/);
});
