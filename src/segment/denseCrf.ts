// The fully connected CRF of Krähenbühl & Koltun (NIPS 2011) over per-pixel class probabilities:
// options and their defaults, input checks, and the calls into the addon (native/denseCrf.cc),
// which runs mean-field inference with the permutohedral lattice (Adams, Baek & Davis, 2010).
import { expectBoolean, expectInteger, expectNumber, invalidType, outOfRange } from '../core/errors.js';
import { checkRawImage, type RawImage } from './rawImage.js';
import { native, type DenseCrfNativeParams, type DenseCrfNativeResult } from '../core/native.js';

/**
 * Options of denseCrf (every field optional; DENSE_CRF_DEFAULTS fills the rest). σs are in
 * pixels (sxy) and in 0-255 intensity units (srgb).
 */
export interface DenseCrfOptions {
  /** Mean-field iterations (K&K NIPS 2011, Algorithm 1). */
  iterations?: number;
  /** Smoothness kernel w₂·exp(−|pᵢ−pⱼ|²/2σxy²) (K&K eq. 3, θγ); weight 0 turns it off. */
  gaussian?: { sxy?: number; weight?: number };
  /** Appearance kernel w₁·exp(−|pᵢ−pⱼ|²/2σxy² − |Iᵢ−Iⱼ|²/2σrgb²) (K&K eq. 3, θα, θβ); weight 0 turns it off. */
  bilateral?: { sxy?: number; srgb?: number; weight?: number };
  /**
   * Scale both spatial σs by (longer image side) / referenceSide, so that the VOC defaults,
   * tuned for ~500-px images, mean the same on a 192-px one. false: the σs are in pixels as given.
   */
  scaleToImage?: boolean;
  /** The image side the spatial σs are given for when scaleToImage is on. */
  referenceSide?: number;
  /** Probabilities are clamped to at least this before the unary −log p (log 0 is −∞). */
  minProbability?: number;
  /** Also return the mean-field free energy before the first and after every iteration. */
  energy?: boolean;
}

/**
 * The defaults: the values commonly used on PASCAL VOC with DeepLab-style unaries (Gaussian
 * σxy 3, weight 3; bilateral σxy 80, σrgb 13, weight 10; 10 iterations), for ~500-px images.
 */
export const DENSE_CRF_DEFAULTS = Object.freeze({
  iterations: 10,
  gaussian: Object.freeze({ sxy: 3, weight: 3 }),
  bilateral: Object.freeze({ sxy: 80, srgb: 13, weight: 10 }),
  scaleToImage: true,
  referenceSide: 500,
  minProbability: 1e-5,
  energy: false,
});

/** The options resolved for one image: absolute σs in pixels, every field set. */
export type DenseCrfParameters = DenseCrfNativeParams;

/** What denseCrf returns. */
export interface DenseCrfResult {
  /** The mean-field marginals Q, [L, H, W] row-major; each pixel sums to 1. */
  probabilities: Float32Array;
  /** argmax over labels per pixel, [H, W] (Uint16Array when there are more than 256 labels). */
  labels: Uint8Array | Uint16Array;
  /**
   * With `energy: true`: the mean-field free energy F(Q) = Σᵢ Σₗ Qᵢ(l)(ψᵢ(l) + log Qᵢ(l)) −
   * ½ Σₘ wₘ Σₗ Q(l)ᵀ K̃ₘ Q(l) (KL(Q‖P) up to a constant) of the initial Q and after each
   * iteration (iterations + 1 values). With the exact kernels it never increases.
   */
  energy?: Float64Array;
}

const KNOWN_OPTIONS = ['iterations', 'gaussian', 'bilateral', 'scaleToImage', 'referenceSide', 'minProbability', 'energy'];

function checkKeys(where: string, value: object, known: readonly string[]): void {
  for (const k of Object.keys(value)) {
    if (!known.includes(k)) throw new RangeError(`${where}: unknown option '${k}'; the options are ${known.join(', ')}`);
  }
}

/**
 * Resolves `options` for a width × height image (defaults filled, σs scaled to the image) and
 * checks every value. Exported so that a caller can show the parameters actually used.
 */
export function denseCrfParameters(width: number, height: number, options: DenseCrfOptions = {}, where = 'denseCrf()'): DenseCrfParameters {
  if (options === null || typeof options !== 'object') throw invalidType(`the options of ${where}`, 'an object', options);
  checkKeys(where, options, KNOWN_OPTIONS);
  const d = DENSE_CRF_DEFAULTS;
  const g = options.gaussian ?? {};
  const b = options.bilateral ?? {};
  if (g === null || typeof g !== 'object') throw invalidType(`option gaussian of ${where}`, 'an object { sxy, weight }', g);
  if (b === null || typeof b !== 'object') throw invalidType(`option bilateral of ${where}`, 'an object { sxy, srgb, weight }', b);
  checkKeys(`${where} option gaussian`, g, ['sxy', 'weight']);
  checkKeys(`${where} option bilateral`, b, ['sxy', 'srgb', 'weight']);
  const iterations = expectInteger(`option iterations of ${where}`, options.iterations ?? d.iterations, { min: 0 });
  const scale = expectBoolean(`option scaleToImage of ${where}`, options.scaleToImage ?? d.scaleToImage);
  const referenceSide = expectNumber(`option referenceSide of ${where}`, options.referenceSide ?? d.referenceSide, { above: 0 });
  const factor = scale ? Math.max(width, height) / referenceSide : 1;
  const sigma = (name: string, v: number): number => expectNumber(`option ${name} of ${where}`, v, { above: 0 });
  const weight = (name: string, v: number): number => expectNumber(`option ${name} of ${where}`, v, { min: 0 });
  return {
    iterations,
    gaussianSxy: sigma('gaussian.sxy', g.sxy ?? d.gaussian.sxy) * factor,
    gaussianWeight: weight('gaussian.weight', g.weight ?? d.gaussian.weight),
    bilateralSxy: sigma('bilateral.sxy', b.sxy ?? d.bilateral.sxy) * factor,
    bilateralSrgb: sigma('bilateral.srgb', b.srgb ?? d.bilateral.srgb),
    bilateralWeight: weight('bilateral.weight', b.weight ?? d.bilateral.weight),
    minProbability: expectNumber(`option minProbability of ${where}`, options.minProbability ?? d.minProbability, { above: 0, max: 0.5 }),
    energy: expectBoolean(`option energy of ${where}`, options.energy ?? d.energy),
  };
}

/** A checked problem: the image, per-pixel normalised probabilities, the label count. */
export interface DenseCrfProblem {
  image: RawImage;
  probabilities: Float32Array;
  labels: number;
  params: DenseCrfParameters;
}

/**
 * Checks the image and the probabilities and normalises each pixel's probabilities to sum 1
 * (scores that do not, such as class maps weighted by an image-level prior, are accepted: the
 * CRF's unary −log p only sees them up to a per-pixel constant). Returns a new array.
 */
export function checkDenseCrfInputs(image: RawImage, probabilities: Float32Array, options: DenseCrfOptions = {}, where = 'denseCrf()'): DenseCrfProblem {
  const checked = checkRawImage(where, image);
  const { width, height } = checked;
  const n = width * height;
  if (!(probabilities instanceof Float32Array)) throw invalidType(`the probabilities of ${where}`, 'a Float32Array [labels, height, width]', probabilities);
  const labels = probabilities.length / n;
  if (!Number.isInteger(labels) || labels < 1) {
    throw outOfRange(`the length of the probabilities of ${where}`, `labels × height × width = a positive multiple of ${width} × ${height} = ${n}`, probabilities.length,
      'pass the class probabilities at the image resolution, [L, H, W] row-major (upsample the class maps to the image size first)');
  }
  if (labels > 65536) throw outOfRange(`the number of labels of ${where}`, 'at most 65536 labels', labels);
  const params = denseCrfParameters(width, height, options, where);
  const sums = new Float64Array(n);
  for (let l = 0; l < labels; l++) {
    const base = l * n;
    for (let i = 0; i < n; i++) {
      const p = probabilities[base + i]!;
      if (!(p >= 0 && p < Infinity)) {
        throw outOfRange(`the probability of label ${l} at pixel (x ${i % width}, y ${Math.floor(i / width)}) of ${where}`, 'a finite number >= 0', p,
          'check the class maps for NaN (overflow, uninitialised values) and apply a softmax or sigmoid before the CRF');
      }
      sums[i]! += p;
    }
  }
  for (let i = 0; i < n; i++) {
    if (!(sums[i]! > 0)) {
      throw outOfRange(`the sum of the probabilities at pixel (x ${i % width}, y ${Math.floor(i / width)}) of ${where}`, 'a sum > 0', sums[i],
        'every pixel needs some probability on some label (add a background label or a floor)');
    }
  }
  const normalised = new Float32Array(probabilities.length);
  for (let l = 0; l < labels; l++) {
    const base = l * n;
    for (let i = 0; i < n; i++) normalised[base + i] = probabilities[base + i]! / sums[i]!;
  }
  return { image: checked, probabilities: normalised, labels, params };
}

function result(r: DenseCrfNativeResult): DenseCrfResult {
  return r.energy === null ? { probabilities: r.probabilities, labels: r.labels } : { probabilities: r.probabilities, labels: r.labels, energy: r.energy };
}

/**
 * Fully connected CRF over an image (Krähenbühl & Koltun, NIPS 2011): Potts model with a
 * Gaussian (position) and a bilateral (position + colour) kernel, unaries −log p, mean-field
 * inference in which each message pass is a Gaussian filter on the permutohedral lattice
 * (Adams, Baek & Davis, Eurographics 2010), linear in the number of pixels. Each kernel is
 * normalised symmetrically, D^{-1/2} K D^{-1/2}, with D from filtering an image of ones.
 * @param image the image whose colours (or grey levels) drive the bilateral kernel.
 * @param probabilities per-pixel class probabilities, [L, H, W] row-major.
 * @returns the marginals after mean field and their argmax.
 */
export function denseCrf(image: RawImage, probabilities: Float32Array, options: DenseCrfOptions = {}): DenseCrfResult {
  const p = checkDenseCrfInputs(image, probabilities, options, 'denseCrf()');
  return result(native.denseCrf(p.image.data, p.image.width, p.image.height, p.image.channels, p.probabilities, p.labels, p.params));
}

/**
 * denseCrf on libuv's thread pool: the same result, without blocking the event loop (for a
 * server). Bad inputs reject the Promise with the same errors as denseCrf.
 */
export async function denseCrfAsync(image: RawImage, probabilities: Float32Array, options: DenseCrfOptions = {}): Promise<DenseCrfResult> {
  const p = checkDenseCrfInputs(image, probabilities, options, 'denseCrfAsync()');
  return result(await native.denseCrfAsync(p.image.data, p.image.width, p.image.height, p.image.channels, p.probabilities, p.labels, p.params));
}
