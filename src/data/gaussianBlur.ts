/**
 * Gaussian blur of an `RgbCanvas` in place (separable, edges clamped): the defocus blur of the
 * style-diverse canvases.
 */
import type { RgbCanvas } from './canvas.js';

/** Blurs every channel with a Gaussian of standard deviation `sigma` pixels (no-op for sigma ≤ 0). */
export function gaussianBlur(canvas: RgbCanvas, sigma: number): void {
  if (!(sigma > 0)) return;
  const { width: W, height: H, data } = canvas;
  const radius = Math.max(1, Math.ceil(2.5 * sigma));
  const taps = 2 * radius + 1;
  const kernel = new Float64Array(taps);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < taps; i++) kernel[i] = kernel[i]! / sum;
  const n = W * H;
  const padded = new Float64Array(W + 2 * radius);
  const tmp = new Float64Array(n);
  const acc = new Float64Array(W);
  for (let c = 0; c < 3; c++) {
    const plane = data.subarray(c * n, (c + 1) * n);
    // Rows into tmp through an edge-replicated copy of the row (no bounds tests in the loop).
    for (let y = 0; y < H; y++) {
      const row = y * W;
      padded.fill(plane[row]!, 0, radius);
      padded.set(plane.subarray(row, row + W), radius);
      padded.fill(plane[row + W - 1]!, radius + W);
      for (let x = 0; x < W; x++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) sum += kernel[k]! * padded[x + k]!;
        tmp[row + x] = sum;
      }
    }
    // Columns back into the plane, a whole row at a time (contiguous inner loop).
    for (let y = 0; y < H; y++) {
      acc.fill(0);
      for (let k = 0; k < taps; k++) {
        const src = Math.min(H - 1, Math.max(0, y + k - radius)) * W;
        const w = kernel[k]!;
        for (let x = 0; x < W; x++) acc[x] = acc[x]! + w * tmp[src + x]!;
      }
      plane.set(acc, y * W);
    }
  }
}
