/**
 * Training-time augmentations: horizontal flips and random crops (torchvision's RandomResizedCrop,
 * or a milder scale jitter that keeps the aspect ratio). Parameters are sampled here from an `Rng`
 * and applied by `imagePipeline.ts` (sharp crops and mirrors before resizing) or, for images
 * already in memory, by `flipHorizontalChw`.
 *
 * @example
 * const params = sampleAugmentation(rng, 500, 375, { flip: true, scaleJitter: [0.7, 1] });
 * // params.crop: { left, top, width, height } in source pixels; params.flip: boolean
 */
import type { Rng } from './random.js';

export interface AugmentOptions {
  /** Mirror with probability 1/2. */
  flip?: boolean;
  /**
   * torchvision RandomResizedCrop: a crop of area fraction in `scale` and aspect ratio (w/h) in
   * `ratio` (log-uniform), falling back to the central crop after 10 failed draws.
   */
  randomResizedCrop?: { scale?: readonly [number, number]; ratio?: readonly [number, number] };
  /**
   * Scale jitter: a crop of side fraction f (uniform in the range) of both width and height at a
   * random position, i.e. a zoom by 1/f keeping the aspect ratio. Ignored with `randomResizedCrop`.
   */
  scaleJitter?: readonly [number, number];
}

/** A crop in source pixels (integers, inside the image). */
export interface CropRegion {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface AugmentParams {
  flip: boolean;
  /** Undefined: the whole image. */
  crop?: CropRegion;
}

/** Samples the augmentation of one `width×height` image. */
export function sampleAugmentation(rng: Rng, width: number, height: number, options: AugmentOptions): AugmentParams {
  let crop: CropRegion | undefined;
  if (options.randomResizedCrop) {
    crop = sampleRandomResizedCrop(rng, width, height, options.randomResizedCrop.scale, options.randomResizedCrop.ratio);
  } else if (options.scaleJitter) {
    crop = sampleScaleJitterCrop(rng, width, height, options.scaleJitter);
  }
  const flip = options.flip === true && rng.bool();
  return crop ? { flip, crop } : { flip };
}

/** torchvision's RandomResizedCrop parameters. */
export function sampleRandomResizedCrop(
  rng: Rng, width: number, height: number,
  scale: readonly [number, number] = [0.08, 1], ratio: readonly [number, number] = [3 / 4, 4 / 3],
): CropRegion {
  checkRange('randomResizedCrop.scale', scale, 0, 1);
  checkRange('randomResizedCrop.ratio', ratio, 0, Infinity);
  const area = width * height;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const r = Math.exp(rng.uniform(logLo, logHi));
    const w = Math.round(Math.sqrt(target * r));
    const h = Math.round(Math.sqrt(target / r));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return { left: rng.intBetween(0, width - w), top: rng.intBetween(0, height - h), width: w, height: h };
    }
  }
  // Fallback: central crop with the ratio clamped into range.
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h };
}

/** A random crop of side fraction f ∈ range of both dimensions. */
export function sampleScaleJitterCrop(rng: Rng, width: number, height: number, range: readonly [number, number]): CropRegion {
  checkRange('scaleJitter', range, 0, 1);
  const f = rng.uniform(range[0], range[1]);
  const w = Math.max(1, Math.min(width, Math.round(width * f)));
  const h = Math.max(1, Math.min(height, Math.round(height * f)));
  return { left: rng.intBetween(0, width - w), top: rng.intBetween(0, height - h), width: w, height: h };
}

/** Mirrors a CHW image horizontally, into `out` (default a new array; may be `data` itself). */
export function flipHorizontalChw(
  data: Float32Array, channels: number, height: number, width: number, out: Float32Array = new Float32Array(data.length),
): Float32Array {
  if (data.length !== channels * height * width) {
    throw new RangeError(`flipHorizontalChw: ${data.length} values for shape [${channels}, ${height}, ${width}]`);
  }
  for (let r = 0; r < channels * height; r++) {
    const o = r * width;
    for (let x = 0; x < width >> 1; x++) {
      const a = data[o + x]!;
      out[o + x] = data[o + width - 1 - x]!;
      out[o + width - 1 - x] = a;
    }
    if (width & 1) out[o + (width >> 1)] = data[o + (width >> 1)]!;
  }
  return out;
}

function checkRange(what: string, r: readonly [number, number], lo: number, hi: number): void {
  if (!(r[0] > lo && r[0] <= r[1] && r[1] <= hi)) {
    throw new RangeError(`${what} must satisfy ${lo} < min <= max <= ${hi}, got [${r[0]}, ${r[1]}]`);
  }
}
