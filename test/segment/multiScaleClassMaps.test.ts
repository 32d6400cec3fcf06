// Class maps at image resolution: where a map's peak lands in the original image, with and
// without the mirrored pass, scale fusion, and no tensor left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cat, tidy, type Tensor } from '../../src/core/index.js';
import { functional as F } from '../../src/nn/index.js';
import type { WildcatNet } from '../../src/wsl/index.js';
import { multiScaleClassMaps, parseTestScales, OQUAB_TEST_SCALES, segment, type ImageClassMaps, type ScaledInputs } from '../../src/segment/index.js';
import { withLeakCheck } from '../helpers/leak.js';

/**
 * A stand-in network whose class map 0 is the mean of its first input channel over 4 × 4 cells
 * (so a bright block moves the map's peak with it), class map 1 a constant −1; scores are the maps' maxima.
 */
function cellMeanNet(): WildcatNet {
  let training = false;
  return {
    numClasses: 2,
    get training() { return training; },
    eval() { training = false; return this; },
    train() { training = true; return this; },
    forwardMaps(x: Tensor) {
      return tidy(() => {
        const m = F.avgPool2d(x.narrow(1, 0, 1), 4);
        const classMaps = cat([m, m.mul(0).sub(1)], 1);
        return { scores: classMaps.flatten(2).max(2), classMaps, modalityMaps: classMaps.clone() };
      });
    },
  } as unknown as WildcatNet;
}

/** One side × side input with a bright block over input pixels [x0, x0 + 4) × [y0, y0 + 4) at side 20, scaled with the side. */
function blockInputs(width: number, height: number, x0: number, y0: number): ScaledInputs {
  return {
    length: 1,
    imageSize: async () => ({ width, height }),
    load: async (_indices, side) => {
      const data = new Float32Array(3 * side * side);
      const f = side / 20;
      for (let y = Math.round(y0 * f); y < Math.round((y0 + 4) * f); y++) {
        for (let x = Math.round(x0 * f); x < Math.round((x0 + 4) * f); x++) data[y * side + x] = 1;
      }
      return data;
    },
  };
}

function close(a: number[], b: number[]): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5, `[${i}] ${a[i]} vs ${b[i]}`);
}

async function only(gen: AsyncGenerator<ImageClassMaps>): Promise<ImageClassMaps> {
  const all: ImageClassMaps[] = [];
  for await (const r of gen) all.push(r);
  assert.equal(all.length, 1);
  return all[0]!;
}

function peak(map: Float32Array, W: number, plane: number, c: number): [number, number] {
  let best = 0;
  for (let p = 1; p < plane; p++) if (map[c * plane + p]! > map[c * plane + best]!) best = p;
  return [best % W, Math.floor(best / W)];
}

// The block covers map cell (row 1, column 3) of the 5 × 5 map of a 20-px input. The image is
// 45 × 35: cells are 9 × 7 pixels, and bilinear resizing (align_corners false) puts the cell's
// value exactly at pixel ((3 + 0.5)·9 − 0.5, (1 + 0.5)·7 − 0.5) = (31, 10).
test('a class map peak lands on its cell centre in the original image, without and with the mirrored pass', async () => {
  await withLeakCheck(async () => {
    const net = cellMeanNet();
    for (const flip of [false, true]) {
      const r = await only(multiScaleClassMaps(net, blockInputs(45, 35, 12, 4), { size: 20, flip }));
      assert.deepEqual([r.width, r.height, r.maps.length], [45, 35, 2 * 45 * 35]);
      assert.deepEqual(peak(r.maps, 45, 45 * 35, 0), [31, 10], `flip ${flip}`);
      assert.ok(Math.abs(r.maps[10 * 45 + 31]! - 1) < 1e-6, 'the peak keeps the cell value (mirror undone before fusing)');
      assert.deepEqual([...r.scores], [1, -1]);
    }
  });
});

test('scales are fused by mean (default) or max, maps and scores alike; the network goes back to training mode', async () => {
  await withLeakCheck(async () => {
    const net = cellMeanNet();
    net.train();
    const inputs = blockInputs(40, 30, 8, 8);
    const at = (o: object) => only(multiScaleClassMaps(net, inputs, { size: 20, ...o }));
    const s1 = await at({ scales: [1] });
    const s2 = await at({ scales: [2] });
    const mean = await at({ scales: [1, 2] });
    const max = await at({ scales: [1, 2], fuse: 'max' });
    assert.equal(net.training, true);
    close([...mean.maps], [...s1.maps].map((v, p) => (v + s2.maps[p]!) / 2));
    close([...max.maps], [...s1.maps].map((v, p) => Math.max(v, s2.maps[p]!)));
    close([...mean.scores], [...s1.scores].map((v, c) => (v + s2.scores[c]!) / 2));
    close([...max.scores], [...s1.scores].map((v, c) => Math.max(v, s2.scores[c]!)));
    assert.notDeepEqual([...s1.maps], [...s2.maps], 'the two scales see different maps');
  });
});

test('segment(): one image in, labels and probabilities at its size out, leak-free', async () => {
  await withLeakCheck(async () => {
    const net = cellMeanNet();
    const W = 30;
    const H = 20;
    const rgb = new Uint8Array(W * H * 3);
    for (let y = 5; y < 10; y++) for (let x = 15; x < 25; x++) rgb[(y * W + x) * 3] = 255;
    const s = await segment(net, { data: rgb, width: W, height: H, channels: 3 }, { size: 20, smoothing: 'none', threshold: 0.2 });
    assert.deepEqual([s.width, s.height, s.labels.length, s.probabilities.length, s.scores.length], [W, H, W * H, 3 * W * H, 2]);
    assert.equal(s.labels[7 * W + 20], 1, 'the red block is class 0 (label 1)');
    assert.equal(s.labels[15 * W + 3], 0, 'far from it is background');
    for (let p = 0; p < W * H; p++) {
      const sum = s.probabilities[p]! + s.probabilities[W * H + p]! + s.probabilities[2 * W * H + p]!;
      assert.ok(Math.abs(sum - 1) < 1e-5);
    }
    await assert.rejects(segment(net, { data: rgb, width: W, height: H + 1, channels: 3 }, { size: 20 }), { name: 'RangeError', message: /length of image\.data of segment\(\)/ });
  });
});

test('scale lists: presets, lists, bad text', () => {
  assert.deepEqual(parseTestScales('1'), [1]);
  assert.deepEqual(parseTestScales('0.5, 1,1.5,2'), [0.5, 1, 1.5, 2]);
  assert.deepEqual(parseTestScales('oquab'), [0.5, 0.7, 1, 1.4, 2, 2.8]);
  assert.deepEqual(OQUAB_TEST_SCALES, [0.5, 0.7, 1, 1.4, 2, 2.8]);
  assert.throws(() => parseTestScales('1,,2'), { name: 'RangeError', message: /^Expected comma-separated positive factors .* for the test scales but received '1,,2'; '' is not a positive number$/ });
  assert.throws(() => parseTestScales('0,1'), { name: 'RangeError', message: /'0' is not a positive number/ });
  assert.throws(() => parseTestScales('1,1'), { name: 'RangeError', message: /1 appears twice/ });
  assert.throws(() => parseTestScales('big'), { name: 'RangeError' });
});
