/**
 * Fashion-MNIST reader for the IDX files of Debian's `dataset-fashion-mnist` package
 * (`/usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`).
 *
 * The items (28×28 gray clothes on black) are the raw material of the embedded data: single items
 * for backbone pre-training (`singleItems.ts`) and cluttered multi-item scenes (`scenes.ts`).
 *
 * @example
 * const train = await loadFashionMnist('train');   // 60000 items
 * train.pixels.subarray(i * 784, (i + 1) * 784);    // item i, row-major, 0..255
 * FASHION_MNIST_CLASSES[train.labels[i]];           // 'tshirt', 'trouser', ...
 */
import { access, readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { DataFileError } from '../core/errors.js';
import { InputLimitError, inputLimits, type InputLimits } from '../io/inputLimits.js';

const gunzipAsync = promisify(gunzip);

/** Where Debian's `dataset-fashion-mnist` installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Class identifiers in label order, usable as VOC class names (lowercase, no spaces or slashes). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'tshirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot',
]);

/**
 * A set of small gray items with class labels: the input of the scene and single-item generators.
 * `pixels` holds `count` images of `height×width` bytes, row-major, 0 = background.
 */
export interface GrayItemSet {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly pixels: Uint8Array;
  /** Class index per item, in `[0, classNames.length)`. */
  readonly labels: Uint8Array;
  readonly classNames: readonly string[];
}

/** A decoded IDX array (unsigned bytes only, which is all Fashion-MNIST uses). */
export interface IdxArray {
  readonly dims: number[];
  readonly data: Uint8Array;
}

/**
 * Parses an (already decompressed) IDX buffer of unsigned bytes.
 * Layout: 2 zero bytes, type byte 0x08 (ubyte), number of dims, dims as big-endian uint32, data.
 * `file` only names the source in error messages.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedNdim?: number): IdxArray {
  if (bytes.length < 4) throw new DataFileError(file, `not an IDX file (only ${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFileError(file, `bad IDX magic number 0x${hex(bytes, 0, 4)} (expected 0x000008NN)`);
  }
  if (bytes[2] !== 0x08) {
    throw new DataFileError(file, `IDX data type 0x${hex(bytes, 2, 1)} is not supported (expected 0x08, unsigned byte)`);
  }
  const ndim = bytes[3]!;
  if (expectedNdim !== undefined && ndim !== expectedNdim) {
    throw new DataFileError(file, `IDX magic 0x${hex(bytes, 0, 4)} has ${ndim} dimension(s), expected ${expectedNdim} ` +
      `(0x0000080${expectedNdim})`);
  }
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) throw new DataFileError(file, `truncated IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let total = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    total *= n;
  }
  const actual = bytes.length - headerLength;
  if (actual !== total) {
    throw new DataFileError(file, `IDX dims [${dims.join(', ')}] need ${total} data bytes but the file has ${actual}`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/**
 * Reads an IDX file, gunzipping it when it starts with the gzip magic number. Inflating stops at
 * the `inflatedBytes` limit (gzip does not declare its size reliably: a 10 MB bomb inflates to gigabytes).
 */
export async function readIdxFile(path: string, expectedNdim?: number, options: { limits?: Partial<InputLimits> } = {}): Promise<IdxArray> {
  const raw = await readFile(path);
  let bytes: Uint8Array = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    const limits = inputLimits(options.limits);
    try {
      bytes = await gunzipAsync(raw, { maxOutputLength: limits.inflatedBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new InputLimitError(path, 'inflatedBytes', limits.inflatedBytes + 1, limits.inflatedBytes, `gzip data inflating to more than ${limits.inflatedBytes} bytes`);
      }
      throw new DataFileError(path, `corrupt gzip data (${(e as Error).message}); reinstall the file`);
    }
  }
  return parseIdx(bytes, path, expectedNdim);
}

export type FashionMnistSplit = 'train' | 'test';

export interface FashionMnistOptions {
  /** Folder with the four IDX files (gzipped or not). Default: Debian's location. */
  dir?: string;
}

const cache = new Map<string, Promise<GrayItemSet>>();

/**
 * Loads one Fashion-MNIST split ('train': 60000 items, 'test': the t10k file, 10000 items).
 * Results are cached per folder and split, so several generators can share one copy.
 */
export function loadFashionMnist(split: FashionMnistSplit, options: FashionMnistOptions = {}): Promise<GrayItemSet> {
  if (split !== 'train' && split !== 'test') {
    throw new RangeError(`Fashion-MNIST split must be 'train' or 'test', got '${String(split)}'`);
  }
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const key = `${dir}\u0000${split}`;
  let p = cache.get(key);
  if (!p) {
    p = readSplit(dir, split);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function readSplit(dir: string, split: FashionMnistSplit): Promise<GrayItemSet> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesPath = await locate(dir, `${prefix}-images-idx3-ubyte`);
  const labelsPath = await locate(dir, `${prefix}-labels-idx1-ubyte`);
  const [images, labels] = await Promise.all([readIdxFile(imagesPath, 3), readIdxFile(labelsPath, 1)]);
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new Error(`Fashion-MNIST ${split}: ${imagesPath} has ${count} images but ${labelsPath} has ${labels.dims[0]} labels`);
  }
  if (height !== 28 || width !== 28) {
    throw new DataFileError(imagesPath, `images are ${height}×${width}, expected 28×28 for Fashion-MNIST`);
  }
  for (let i = 0; i < count; i++) {
    if (labels.data[i]! >= FASHION_MNIST_CLASSES.length) {
      throw new DataFileError(labelsPath, `label ${labels.data[i]} at index ${i} is outside 0..9`);
    }
  }
  return { count, height, width, pixels: images.data, labels: labels.data, classNames: FASHION_MNIST_CLASSES };
}

/** Finds `name.gz` or `name` in `dir`, or explains how to get the files. */
async function locate(dir: string, name: string): Promise<string> {
  for (const candidate of [join(dir, `${name}.gz`), join(dir, name)]) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // try the next form
    }
  }
  throw new Error(`Fashion-MNIST file not found: ${join(dir, `${name}.gz`)}. ` +
    `Install Debian's package with 'apt-get install dataset-fashion-mnist' ` +
    `(files go to ${FASHION_MNIST_DIR}), or pass a folder holding ` +
    `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].`);
}

function hex(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < Math.min(bytes.length, start + length); i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}
