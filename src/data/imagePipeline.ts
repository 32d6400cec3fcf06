/**
 * Image files to network input: decode with sharp (EXIF orientation applied, off the main thread),
 * optional crop and mirror (see `augment.ts`), resize, then 8-bit RGB to normalized CHW floats.
 *
 * Resize modes:
 * - 'stretch' (default): exactly size×size, aspect ratio not kept (what the WILDCAT code does);
 * - 'fit': aspect ratio kept, longer side = size (smaller images are enlarged);
 * - 'cover': shorter side = size, then the central size×size crop.
 *
 * @example
 * const img = await loadImage('JPEGImages/000001.jpg', { size: 224 });
 * img.data; // Float32Array [3, 224, 224], (v/255 − mean)/std with ImageNet statistics
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { sampleAugmentation, type AugmentOptions, type AugmentParams } from './augment.js';
import { IMAGENET_MEAN, IMAGENET_STD, type Rgb } from './canvas.js';
import type { Rng } from './random.js';
import { DataFileError } from '../core/errors.js';
import { InputLimitError, inputLimits, type InputLimits } from '../io/inputLimits.js';

export type ResizeMode = 'stretch' | 'fit' | 'cover';

export interface ImageLoadOptions {
  /** Output side (see the resize modes). */
  size: number;
  resize?: ResizeMode;
  /** Normalization, per channel on values in [0, 1]; defaults to ImageNet statistics. */
  mean?: Rgb;
  std?: Rgb;
  /** Random augmentation, drawn from `rng` (required with `augment`). */
  augment?: AugmentOptions;
  rng?: Rng;
  /** Explicit augmentation parameters (crop in source pixels, flip); wins over `augment`. */
  params?: AugmentParams;
  /** sharp's resampling kernel. Default 'lanczos3'. */
  kernel?: 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3';
  /** Overrides of the input limits for this image (e.g. a lower `imagePixels` for uploads); see io/inputLimits. */
  limits?: Partial<InputLimits>;
}

export interface LoadedImage {
  /** CHW, normalized. */
  data: Float32Array;
  channels: 3;
  width: number;
  height: number;
  /** Size of the decoded file (after EXIF orientation). */
  originalWidth: number;
  originalHeight: number;
  /** The augmentation actually applied. */
  params: AugmentParams;
}

export interface DecodedImage {
  /** Interleaved RGB bytes, height×width×3. */
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Loads, augments, resizes and normalizes one image file. */
export async function loadImage(path: string, options: ImageLoadOptions): Promise<LoadedImage> {
  return loadImageBytes(await readImageFile(path), options, path);
}

/**
 * {@link loadImage} on an image already in memory (e.g. an upload); `path` is what errors call
 * it. The same decoding, resizing and normalization as for files, so a picture gives the network
 * the same input whichever way it arrives.
 */
export async function loadImageBytes(bytes: Buffer, options: ImageLoadOptions, path = 'image'): Promise<LoadedImage> {
  const { size } = options;
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`loadImage: size must be a positive integer, got ${size}`);
  const mode = options.resize ?? 'stretch';
  const { width: ow, height: oh } = await imageSize(bytes, path, options.limits);
  let params: AugmentParams = options.params ?? { flip: false };
  if (!options.params && options.augment) {
    if (!options.rng) throw new Error(`loadImage(${path}): 'augment' needs an 'rng' to draw from`);
    params = sampleAugmentation(options.rng, ow, oh, options.augment);
  }
  const crop = params.crop;
  if (crop && !(crop.left >= 0 && crop.top >= 0 && crop.width >= 1 && crop.height >= 1 &&
    crop.left + crop.width <= ow && crop.top + crop.height <= oh)) {
    throw new RangeError(`loadImage(${path}): crop ${JSON.stringify(crop)} is outside the ${ow}×${oh} image`);
  }
  const decoded = await run(path, () => {
    let img = sharp(bytes, sharpInput(true, options.limits));
    if (crop) img = img.extract(crop);
    const kernel = options.kernel ?? 'lanczos3';
    if (mode === 'stretch') img = img.resize(size, size, { fit: 'fill', kernel });
    else if (mode === 'cover') img = img.resize(size, size, { fit: 'cover', kernel });
    else if (mode === 'fit') img = img.resize(size, size, { fit: 'inside', kernel });
    else throw new RangeError(`loadImage: resize must be 'stretch', 'fit' or 'cover', got '${String(mode)}'`);
    if (params.flip) img = img.flop();
    return img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  });
  const { data, info } = decoded;
  return {
    data: rgbToNormalizedChw(data, info.width, info.height, options.mean, options.std, info.channels),
    channels: 3,
    width: info.width,
    height: info.height,
    originalWidth: ow,
    originalHeight: oh,
    params,
  };
}

/** Decodes an image file at full resolution to RGB bytes (EXIF orientation applied). */
export async function decodeImage(path: string): Promise<DecodedImage> {
  return decodeImageBytes(await readImageFile(path), path);
}

/**
 * {@link decodeImage} on an image already in memory (e.g. an upload); `path` is what errors call
 * it. With `maxSide`, an image whose longer side exceeds it is reduced (lanczos3, aspect ratio
 * kept) to fit maxSide × maxSide; `limits` as for loadImageBytes.
 */
export async function decodeImageBytes(bytes: Buffer, path = 'image', opts: { maxSide?: number; limits?: Partial<InputLimits> } = {}): Promise<DecodedImage> {
  const { data, info } = await run(path, () => {
    let img = sharp(bytes, sharpInput(true, opts.limits));
    if (opts.maxSide !== undefined) img = img.resize(opts.maxSide, opts.maxSide, { fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' });
    return img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  });
  const rgb = info.channels === 3 ? new Uint8Array(data.buffer, data.byteOffset, data.length) : toRgb(data, info.channels);
  return { rgb, width: info.width, height: info.height };
}

/** Width and height of an image file (after EXIF orientation), reading only its header. */
export async function readImageSize(path: string): Promise<{ width: number; height: number }> {
  return imageSize(await readImageFile(path), path);
}

/**
 * Interleaved 8-bit pixels (1, 3 or 4 channels; gray is replicated, alpha dropped) to normalized CHW
 * floats `(v/255 − mean)/std`, written into `out` at `offset` when given.
 */
export function rgbToNormalizedChw(
  pixels: Uint8Array, width: number, height: number, mean: Rgb = IMAGENET_MEAN, std: Rgb = IMAGENET_STD,
  channels = 3, out?: Float32Array, offset = 0,
): Float32Array {
  const n = width * height;
  if (pixels.length < n * channels) {
    throw new RangeError(`rgbToNormalizedChw: ${pixels.length} bytes for ${width}×${height}×${channels}`);
  }
  const target = out ?? new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const lut = new Float32Array(256);
    for (let v = 0; v < 256; v++) lut[v] = (v / 255 - mean[c]!) / std[c]!;
    const src = channels >= 3 ? c : 0;
    const base = offset + c * n;
    for (let i = 0; i < n; i++) target[base + i] = lut[pixels[i * channels + src]!]!;
  }
  return target;
}

async function readImageFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`image file not found: ${path}`);
    throw new Error(`cannot read image file ${path}: ${(e as Error).message}`);
  }
}

/**
 * sharp's input options: damage reported by a decoder is an error, and the `imagePixels` limit
 * (checked from the header, before decoding) replaces sharp's own default.
 */
function sharpInput(autoOrient: boolean, limits?: Partial<InputLimits>): sharp.SharpOptions {
  return { failOn: 'warning', limitInputPixels: inputLimits(limits).imagePixels, ...(autoOrient ? { autoOrient: true } : {}) };
}

async function imageSize(bytes: Buffer, path: string, limits?: Partial<InputLimits>): Promise<{ width: number; height: number }> {
  // The header alone (no pixel limit yet): the exact size makes the limit's message exact.
  const meta = await run(path, () => sharp(bytes, { failOn: 'warning', limitInputPixels: false }).metadata());
  const w = meta.autoOrient?.width ?? meta.width;
  const h = meta.autoOrient?.height ?? meta.height;
  if (!w || !h) throw new DataFileError(path, 'cannot decode the image: no image size in the file (corrupt or not an image)');
  const limit = inputLimits(limits).imagePixels;
  if (w * h > limit) throw new InputLimitError(path, 'imagePixels', w * h, limit, `an image of ${w}×${h} pixels`);
  return { width: w, height: h };
}

/**
 * Checks that an image file can be decoded, reading its header (size, pixel limit) and its
 * pixels, without resizing: what a quick pass over a dataset calls to find damaged files.
 */
export async function checkImageFile(path: string): Promise<{ width: number; height: number }> {
  const bytes = await readImageFile(path);
  const size = await imageSize(bytes, path);
  await run(path, () => sharp(bytes, sharpInput(false)).raw().toBuffer());
  return size;
}

/** Runs a sharp operation, turning its errors into ones that name the file. */
async function run<T>(path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof RangeError || e instanceof DataFileError) throw e;
    let message = (e as Error).message.replace(/\s+/g, ' ').trim();
    // libvips' own words for its two refusals that say nothing about the file.
    if (/Warning treated as error due to failOn setting/.test(message)) {
      message = message.replace(/\s*Warning treated as error due to failOn setting\s*/, '').trim() || 'the decoder reported damage';
      message += ' (a decoder warning: the file is damaged)';
    }
    if (/exceeds pixel limit/.test(message)) {
      const limit = inputLimits().imagePixels;
      throw new InputLimitError(path, 'imagePixels', limit + 1, limit, 'an image of more pixels than allowed');
    }
    throw new DataFileError(path, `cannot decode the image: ${message} (corrupt, truncated or unsupported file)`);
  }
}

function toRgb(data: Uint8Array, channels: number): Uint8Array {
  const n = data.length / channels;
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[3 * i + c] = data[i * channels + (channels >= 3 ? c : 0)]!;
  }
  return out;
}
