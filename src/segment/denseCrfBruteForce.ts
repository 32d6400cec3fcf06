// The dense CRF's exact reference: the same model, normalisation and mean-field updates as
// native/denseCrf.cc, with every pairwise kernel value computed exactly (O(N²) per message
// pass) instead of approximated on the permutohedral lattice. For tests and benchmarks only.
import { outOfRange } from '../core/errors.js';
import { checkDenseCrfInputs, type DenseCrfOptions, type DenseCrfResult } from './denseCrf.js';
import type { RawImage } from './rawImage.js';

/** The largest image denseCrfBruteForce accepts (its cost grows with the square of the pixels). */
export const DENSE_CRF_BRUTE_FORCE_MAX_PIXELS = 64 * 64;

/**
 * Symmetrically normalised kernel matrix K̃ = D^{-1/2} K D^{-1/2}, K_ij = exp(−|f_i − f_j|²/2)
 * (j = i included, as in the lattice), D = diag(K·1). Row-major n × n.
 */
function normalisedKernel(features: Float64Array, n: number, d: number): Float64Array {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = features[i * d + c]! - features[j * d + c]!;
        s += t * t;
      }
      const v = Math.exp(-0.5 * s);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  const norm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += k[i * n + j]!;
    norm[i] = 1 / Math.sqrt(s);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j]! *= norm[i]! * norm[j]!;
  return k;
}

/**
 * Mean-field inference of the fully connected CRF of denseCrf with exact Gaussian kernels,
 * O(N²) per iteration (Krähenbühl & Koltun, NIPS 2011, Algorithm 1 with naive message passing).
 * Same options, unaries, kernel normalisation, updates and energy as denseCrf; refuses images
 * of more than DENSE_CRF_BRUTE_FORCE_MAX_PIXELS pixels.
 */
export function denseCrfBruteForce(image: RawImage, probabilities: Float32Array, options: DenseCrfOptions = {}): DenseCrfResult {
  const where = 'denseCrfBruteForce()';
  const pixels = image?.width * image?.height;
  if (pixels > DENSE_CRF_BRUTE_FORCE_MAX_PIXELS) {
    throw outOfRange(`the image size of ${where}`, `at most ${DENSE_CRF_BRUTE_FORCE_MAX_PIXELS} pixels (64 × 64)`, `${image.width} × ${image.height}`,
      'it is the O(N²) reference for tests; use denseCrf() for real images');
  }
  const { image: img, probabilities: p, labels: L, params } = checkDenseCrfInputs(image, probabilities, options, where);
  const { width: W, channels: C } = img;
  const n = W * img.height;

  const kernels: { matrix: Float64Array; weight: number }[] = [];
  if (params.gaussianWeight > 0) {
    const f = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      f[i * 2] = (i % W) / params.gaussianSxy;
      f[i * 2 + 1] = Math.floor(i / W) / params.gaussianSxy;
    }
    kernels.push({ matrix: normalisedKernel(f, n, 2), weight: params.gaussianWeight });
  }
  if (params.bilateralWeight > 0) {
    const d = 2 + C;
    const f = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      f[i * d] = (i % W) / params.bilateralSxy;
      f[i * d + 1] = Math.floor(i / W) / params.bilateralSxy;
      for (let c = 0; c < C; c++) f[i * d + 2 + c] = img.data[i * C + c]! / params.bilateralSrgb;
    }
    kernels.push({ matrix: normalisedKernel(f, n, d), weight: params.bilateralWeight });
  }

  // [n, L] layouts, as in the native code.
  const unary = new Float64Array(n * L);
  for (let l = 0; l < L; l++) for (let i = 0; i < n; i++) unary[i * L + l] = -Math.log(Math.max(p[l * n + i]!, params.minProbability));
  const q = new Float64Array(n * L);
  const logits = new Float64Array(n * L);
  const softmax = (): void => {
    for (let i = 0; i < n; i++) {
      let mx = -Infinity;
      for (let l = 0; l < L; l++) mx = Math.max(mx, logits[i * L + l]!);
      let s = 0;
      for (let l = 0; l < L; l++) s += q[i * L + l] = Math.exp(logits[i * L + l]! - mx);
      for (let l = 0; l < L; l++) q[i * L + l]! /= s;
    }
  };
  for (let k = 0; k < n * L; k++) logits[k] = -unary[k]!;
  softmax();

  const messages = kernels.map(() => new Float64Array(n * L));
  const passMessages = (): void => {
    kernels.forEach(({ matrix }, m) => {
      const msg = messages[m]!;
      msg.fill(0);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const kij = matrix[i * n + j]!;
          for (let l = 0; l < L; l++) msg[i * L + l]! += kij * q[j * L + l]!;
        }
      }
    });
  };
  const freeEnergy = (): number => {
    let f = 0;
    for (let k = 0; k < n * L; k++) {
      const qk = q[k]!;
      if (qk > 0) f += qk * (unary[k]! + Math.log(qk));
    }
    kernels.forEach(({ weight }, m) => {
      const msg = messages[m]!;
      let pair = 0;
      for (let k = 0; k < n * L; k++) pair += q[k]! * msg[k]!;
      f -= 0.5 * weight * pair;
    });
    return f;
  };

  const energy: number[] = [];
  for (let it = 0; it <= params.iterations; it++) {
    if (it === params.iterations && !params.energy) break;
    passMessages();
    if (params.energy) energy.push(freeEnergy());
    if (it === params.iterations) break;
    for (let k = 0; k < n * L; k++) {
      let v = -unary[k]!;
      kernels.forEach(({ weight }, m) => {
        v += weight * messages[m]![k]!;
      });
      logits[k] = v;
    }
    softmax();
  }

  const out = new Float32Array(n * L);
  const labels = L <= 256 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let l = 0; l < L; l++) {
      out[l * n + i] = q[i * L + l]!;
      if (q[i * L + l]! > q[i * L + best]!) best = l;
    }
    labels[i] = best;
  }
  return params.energy ? { probabilities: out, labels, energy: Float64Array.from(energy) } : { probabilities: out, labels };
}
