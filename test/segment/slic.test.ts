// SLIC superpixels on a synthetic two-colour image, and the majority vote inside superpixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slic, superpixelVote, type RawImage } from '../../src/segment/index.js';

/** 60 × 40: red left of a slanted edge, blue right of it, with a little deterministic noise. */
function twoColours(channels: 1 | 3 = 3): { image: RawImage; side: Uint8Array } {
  const W = 60;
  const H = 40;
  const data = new Uint8Array(W * H * channels);
  const side = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const right = x > 25 + y / 2 ? 1 : 0;
      side[p] = right;
      const noise = ((x * 7 + y * 13) % 5) - 2;
      if (channels === 3) {
        data[3 * p] = (right ? 30 : 220) + noise;
        data[3 * p + 1] = 40 + noise;
        data[3 * p + 2] = (right ? 210 : 30) + noise;
      } else data[p] = (right ? 60 : 200) + noise;
    }
  }
  return { image: { data, width: W, height: H, channels }, side };
}

test('SLIC: about K connected superpixels, none straddling the colour edge (RGB and grey)', () => {
  for (const channels of [3, 1] as const) {
    const { image, side } = twoColours(channels);
    const { labels, count } = slic(image, { superpixels: 24 });
    assert.ok(count >= 12 && count <= 48, `${count} superpixels for K = 24`);
    const seen = new Int8Array(count).fill(-1);
    const size = new Int32Array(count);
    for (let p = 0; p < labels.length; p++) {
      const s = labels[p]!;
      assert.ok(s >= 0 && s < count);
      size[s]!++;
      if (seen[s] === -1) seen[s] = side[p]!;
      else assert.equal(seen[s], side[p], `superpixel ${s} straddles the edge at pixel ${p} (${channels} channel(s))`);
    }
    assert.ok(size.every((n) => n > 0));
    // Each superpixel is 4-connected: a flood fill from its first pixel reaches all of it.
    const W = image.width;
    for (let s = 0; s < count; s++) {
      const first = labels.indexOf(s);
      const stack = [first];
      const mark = new Uint8Array(labels.length);
      mark[first] = 1;
      let reached = 0;
      while (stack.length) {
        const p = stack.pop()!;
        reached++;
        for (const q of [p % W > 0 ? p - 1 : -1, p % W < W - 1 ? p + 1 : -1, p - W, p + W]) {
          if (q >= 0 && q < labels.length && !mark[q] && labels[q] === s) {
            mark[q] = 1;
            stack.push(q);
          }
        }
      }
      assert.equal(reached, size[s], `superpixel ${s} is not connected`);
    }
    assert.deepEqual(slic(image, { superpixels: 24 }).labels, labels, 'deterministic');
  }
});

test('majority vote: each superpixel takes its most frequent label, the background winning ties', () => {
  const sp = { labels: Int32Array.of(0, 0, 0, 1, 1, 2, 2, 2), count: 3 };
  assert.deepEqual([...superpixelVote(Uint8Array.of(3, 3, 0, 1, 0, 2, 5, 5), sp)], [3, 3, 3, 0, 0, 5, 5, 5]);
  assert.throws(() => superpixelVote(new Uint8Array(7), sp), { name: 'RangeError', message: /they must come from the same image/ });
});

test('SLIC refuses bad images and options', () => {
  const { image } = twoColours();
  assert.throws(() => slic({ ...image, data: image.data.subarray(1) }), { name: 'RangeError', message: /length of image\.data of slic\(\)/ });
  assert.throws(() => slic({ ...image, channels: 4 as 3 }), { name: 'RangeError', message: /image\.channels of slic\(\)/ });
  assert.throws(() => slic(image, { superpixels: 0 }), { name: 'RangeError', message: /option superpixels of slic\(\)/ });
  assert.throws(() => slic(image, { compactness: NaN }), { name: 'RangeError', message: /option compactness/ });
});
