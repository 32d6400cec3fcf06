import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jet, mapRange, overlayHeatmap, turbo, type RgbImage } from '../../src/report/index.js';

function gray(width: number, height: number, v = 128): RgbImage {
  return { data: new Uint8Array(width * height * 3).fill(v), width, height };
}

function pixel(img: RgbImage, x: number, y: number): number[] {
  const k = 3 * (y * img.width + x);
  return [img.data[k]!, img.data[k + 1]!, img.data[k + 2]!];
}

test('overlay keeps the image size', () => {
  const out = overlayHeatmap(gray(50, 30), { data: new Float32Array(12).map((_, i) => i), h: 3, w: 4 });
  assert.equal(out.width, 50);
  assert.equal(out.height, 30);
  assert.equal(out.data.length, 50 * 30 * 3);
});

test('a hot cell is coloured where it lies in the image (cells stretch over the image)', () => {
  // 4×4 map, hot cell at row 1, column 2 → image rows [16, 32), columns [32, 48) of a 64×64 image.
  const map = new Float32Array(16);
  map[1 * 4 + 2] = 1;
  const img = gray(64, 64);
  const out = overlayHeatmap(img, { data: map, h: 4, w: 4 }, { alpha: 0.5, colormap: turbo });
  const blend = (c: number[]): number[] => c.map((v) => Math.round(0.5 * 128 + 0.5 * v));
  const near = (got: number[], want: number[], what: string): void =>
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 2, `${what}: got ${got}, expected ≈ ${want}`));
  // Pixel (40, 24) samples the map at (2 + 1/32, 1 + 1/32): value (31/32)², nearly the top.
  near(pixel(out, 40, 24), blend(turbo((31 / 32) ** 2)), 'centre of the hot cell');
  assert.deepEqual(pixel(out, 5, 60), blend(turbo(0)), 'far from it, the bottom colour');
  // The hottest overlay pixel is inside the hot cell.
  let best = -1;
  let at = [0, 0];
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      const [r, g, b] = pixel(out, x, y);
      const d = -Math.abs(r! - blend(turbo(1))[0]!) - Math.abs(g! - blend(turbo(1))[1]!) - Math.abs(b! - blend(turbo(1))[2]!);
      if (d > best || best === -1) [best, at] = [d, [x, y]];
    }
  }
  assert.ok(at[0]! >= 32 && at[0]! < 48 && at[1]! >= 16 && at[1]! < 32, `hottest pixel at ${at}`);
});

test('alpha 0 leaves the image unchanged; alpha 1 is the pure colormap; an explicit range clamps', () => {
  const img = gray(8, 8, 77);
  const map = { data: Float32Array.of(0, 1, 2, 3), h: 2, w: 2 };
  assert.deepEqual(overlayHeatmap(img, map, { alpha: 0 }).data, img.data);
  const full = overlayHeatmap(img, map, { alpha: 1, colormap: jet, range: [10, 20] });
  assert.deepEqual(pixel(full, 7, 7), jet(0), 'values below the range take the low end');
});

test('a flat map takes the middle colour; mapRange spans several maps', () => {
  const out = overlayHeatmap(gray(4, 4), { data: Float32Array.of(2, 2, 2, 2), h: 2, w: 2 }, { alpha: 1, colormap: jet });
  pixel(out, 0, 0).forEach((v, i) => assert.ok(Math.abs(v - jet(0.5)[i]!) <= 2, `${pixel(out, 0, 0)} vs ${jet(0.5)}`));
  assert.deepEqual(mapRange(Float32Array.of(1, 5), Float32Array.of(-2, 3)), [-2, 5]);
  assert.deepEqual(mapRange(new Float32Array(0)), [0, 0]);
});

test('overlay: clear errors', () => {
  assert.throws(() => overlayHeatmap({ data: new Uint8Array(10), width: 4, height: 4 }, { data: [0], h: 1, w: 1 }), /image data has 10 bytes, expected 4×4×3 = 48/);
  assert.throws(() => overlayHeatmap(gray(4, 4), { data: [0], h: 1, w: 1 }, { alpha: 2 }), /alpha must be in \[0, 1\], got 2/);
});
