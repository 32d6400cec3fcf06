/**
 * JPEG compression artefacts without an encoder: the lossy part of baseline JPEG (ITU T.81) applied
 * to an `RgbCanvas` in place — RGB → YCbCr (JFIF), 4:2:0 chroma subsampling, 8×8 DCT per block,
 * quantization with the standard Annex K tables scaled by the IJG quality rule, inverse DCT,
 * nearest chroma upsampling and back to 8-bit RGB. The entropy coding JPEG adds is lossless, so the
 * result shows the same blocking, ringing and colour bleeding as an encode/decode round trip, but
 * synchronously, in memory, and cheap enough for on-the-fly training canvases.
 */
import type { RgbCanvas } from './canvas.js';

// Annex K.1 / K.2 quantization tables (natural row-major order).
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/**
 * The orthonormal 8-point DCT-II, a(k)·cos((2n + 1)kπ/16), split into its even and odd halves:
 * with s_n = x_n + x_{7−n} and d_n = x_n − x_{7−n} (n < 4), X_{2m} = Σ_n EVEN[m·4 + n]·s_n and
 * X_{2m+1} = Σ_n ODD[m·4 + n]·d_n — half the multiplications of the direct sum.
 */
const EVEN = new Float64Array(16);
const ODD = new Float64Array(16);
for (let m = 0; m < 4; m++) {
  for (let n = 0; n < 4; n++) {
    const ke = 2 * m;
    const ko = 2 * m + 1;
    EVEN[m * 4 + n] = (ke === 0 ? Math.SQRT1_2 / 2 : 0.5) * Math.cos(((2 * n + 1) * ke * Math.PI) / 16);
    ODD[m * 4 + n] = 0.5 * Math.cos(((2 * n + 1) * ko * Math.PI) / 16);
  }
}

/** Forward DCT of 8 values read at src[o + i·stride], written to dst[q + k·dstStride]. */
function dct8(src: Float64Array, o: number, stride: number, dst: Float64Array, q: number, dstStride: number): void {
  const s0 = src[o]! + src[o + 7 * stride]!;
  const s1 = src[o + stride]! + src[o + 6 * stride]!;
  const s2 = src[o + 2 * stride]! + src[o + 5 * stride]!;
  const s3 = src[o + 3 * stride]! + src[o + 4 * stride]!;
  const d0 = src[o]! - src[o + 7 * stride]!;
  const d1 = src[o + stride]! - src[o + 6 * stride]!;
  const d2 = src[o + 2 * stride]! - src[o + 5 * stride]!;
  const d3 = src[o + 3 * stride]! - src[o + 4 * stride]!;
  for (let m = 0; m < 4; m++) {
    const r = m * 4;
    dst[q + 2 * m * dstStride] = EVEN[r]! * s0 + EVEN[r + 1]! * s1 + EVEN[r + 2]! * s2 + EVEN[r + 3]! * s3;
    dst[q + (2 * m + 1) * dstStride] = ODD[r]! * d0 + ODD[r + 1]! * d1 + ODD[r + 2]! * d2 + ODD[r + 3]! * d3;
  }
}

/** Inverse of dct8 (the transpose): 8 coefficients at src[o + k·stride] to values at dst[q + n·dstStride]. */
function idct8(src: Float64Array, o: number, stride: number, dst: Float64Array, q: number, dstStride: number): void {
  const e0 = src[o]!;
  const e1 = src[o + 2 * stride]!;
  const e2 = src[o + 4 * stride]!;
  const e3 = src[o + 6 * stride]!;
  const o0 = src[o + stride]!;
  const o1 = src[o + 3 * stride]!;
  const o2 = src[o + 5 * stride]!;
  const o3 = src[o + 7 * stride]!;
  for (let n = 0; n < 4; n++) {
    const even = EVEN[n]! * e0 + EVEN[4 + n]! * e1 + EVEN[8 + n]! * e2 + EVEN[12 + n]! * e3;
    const odd = ODD[n]! * o0 + ODD[4 + n]! * o1 + ODD[8 + n]! * o2 + ODD[12 + n]! * o3;
    dst[q + n * dstStride] = even + odd;
    dst[q + (7 - n) * dstStride] = even - odd;
  }
}

/** The IJG quantization table for `quality` in [1, 100] (libjpeg's jpeg_quality_scaling). */
export function jpegQuantTable(base: readonly number[], quality: number): Float64Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return Float64Array.from(base, (v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

/**
 * Applies JPEG's lossy stages at `quality` (1–100, as `cjpeg -quality`) to the canvas in place;
 * values end 8-bit quantized in [0, 1].
 * @example jpegArtefacts(canvas, 30); // visible 8×8 blocking and chroma bleeding
 */
export function jpegArtefacts(canvas: RgbCanvas, quality: number): void {
  const { width: W, height: H, data } = canvas;
  const n = W * H;
  const y = new Float64Array(n);
  const cbFull = new Float64Array(n);
  const crFull = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const r = toByte(data[p]!);
    const g = toByte(data[n + p]!);
    const b = toByte(data[2 * n + p]!);
    y[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    cbFull[p] = -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
    crFull[p] = 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
  }
  // 4:2:0: each chroma sample is the mean of its (up to) 2×2 pixels.
  const cw = (W + 1) >> 1;
  const ch = (H + 1) >> 1;
  const cb = new Float64Array(cw * ch);
  const cr = new Float64Array(cw * ch);
  for (let j = 0; j < ch; j++) {
    const y0 = 2 * j;
    const y1 = Math.min(H - 1, y0 + 1);
    for (let i = 0; i < cw; i++) {
      const x0 = 2 * i;
      const x1 = Math.min(W - 1, x0 + 1);
      const a = y0 * W + x0;
      const b = y0 * W + x1;
      const c = y1 * W + x0;
      const d = y1 * W + x1;
      cb[j * cw + i] = 0.25 * (cbFull[a]! + cbFull[b]! + cbFull[c]! + cbFull[d]!);
      cr[j * cw + i] = 0.25 * (crFull[a]! + crFull[b]! + crFull[c]! + crFull[d]!);
    }
  }
  quantizePlane(y, W, H, jpegQuantTable(LUMA_Q, quality));
  const chromaTable = jpegQuantTable(CHROMA_Q, quality);
  quantizePlane(cb, cw, ch, chromaTable);
  quantizePlane(cr, cw, ch, chromaTable);
  for (let py = 0; py < H; py++) {
    const crow = (py >> 1) * cw;
    const row = py * W;
    for (let px = 0; px < W; px++) {
      const p = row + px;
      const c = crow + (px >> 1);
      const l = y[p]!;
      const u = cb[c]! - 128;
      const v = cr[c]! - 128;
      data[p] = fromByte(l + 1.402 * v);
      data[n + p] = fromByte(l - 0.344136 * u - 0.714136 * v);
      data[2 * n + p] = fromByte(l + 1.772 * u);
    }
  }
}

/** A canvas value in [0, 1] to a rounded 8-bit level (JPEG codes integer samples). */
function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0;
}

/** A decoded sample on the 0–255 scale, rounded and clamped to 8 bits, back to [0, 1]. */
function fromByte(v: number): number {
  return (v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0) / 255;
}

/** Level shift, DCT, quantize, inverse DCT for every 8×8 block of a plane (edge blocks replicate the border). */
function quantizePlane(plane: Float64Array, W: number, H: number, table: Float64Array): void {
  const block = new Float64Array(64);
  const tmp = new Float64Array(64);
  for (let by = 0; by < H; by += 8) {
    for (let bx = 0; bx < W; bx += 8) {
      for (let i = 0; i < 8; i++) {
        const yy = Math.min(H - 1, by + i) * W;
        for (let j = 0; j < 8; j++) block[i * 8 + j] = plane[yy + Math.min(W - 1, bx + j)]! - 128;
      }
      for (let i = 0; i < 8; i++) dct8(block, i * 8, 1, tmp, i * 8, 1); // rows
      for (let u = 0; u < 8; u++) dct8(tmp, u, 8, block, u, 8); // columns
      for (let k = 0; k < 64; k++) block[k] = Math.round(block[k]! / table[k]!) * table[k]!;
      for (let u = 0; u < 8; u++) idct8(block, u, 8, tmp, u, 8);
      for (let i = 0; i < 8; i++) idct8(tmp, i * 8, 1, block, i * 8, 1);
      for (let i = 0; i < 8 && by + i < H; i++) {
        const row = (by + i) * W;
        for (let x = 0; x < 8 && bx + x < W; x++) plane[row + bx + x] = block[i * 8 + x]! + 128;
      }
    }
  }
}
