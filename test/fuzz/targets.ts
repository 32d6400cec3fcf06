// The parsers under fuzz, each with seed files (made here, deterministically) and the call that
// reads one file the way the library does. A target's run() gets a file path; a refusal must be
// an error whose message names that file.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { encodeIndexedPng } from '../../src/data/indexedPng.js';
import { formatVocAnnotation, parseVocAnnotation } from '../../src/data/vocAnnotation.js';
import { readVocSegmentation } from '../../src/data/vocDataset.js';
import { vocColormap } from '../../src/data/vocPalette.js';
import { readCsvDataset } from '../../src/data/csvDataset.js';
import { readIdxFile } from '../../src/data/fashionMnist.js';
import { checkImageFile, loadImage, loadImageBytes } from '../../src/data/imagePipeline.js';
import { readCocoInstances } from '../../src/data/cocoInstances.js';
import { CocoDataset } from '../../src/data/cocoDataset.js';
import type { LabeledImageList } from '../../src/data/index.js';
import { HttpError } from '../../src/studio/httpError.js';
import { checkUploadImage, readUploadBody } from '../../src/studio/uploadChecks.js';
import {
  SEGMENTATION_FILE, SplitSegmentation, readThresholdTunings, resolveSegmentationSettings, resolveStages, type ThresholdTuning,
} from '../../src/segment/index.js';
import { COMBINATION_FILE, combineScores, loadScoreCombination } from '../../src/train/scoreCombination.js';
import { ZipArchive, loadTensors, rawTensorFromValues, serializeSafetensors } from '../../src/io/index.js';
import { memory } from '../../src/core/index.js';
import { crc32 } from '../../src/io/zipArchive.js';
import { P, checkpoint, f32bytes, tensorV2 } from '../io/pickleWriter.js';
import { generateCheckpoint } from './checkpointGrammar.js';
import type { FuzzRng } from './mutate.js';
import { writeZip } from '../io/zipWriter.js';

export interface FuzzTarget {
  name: string;
  /** File name extension of its inputs. */
  ext: string;
  /** Text formats get token mutations too. */
  text: boolean;
  seeds(): Promise<Uint8Array[]>;
  /** The file written for a mutant (default: the mutant itself). */
  wrap?(mutant: Uint8Array): Uint8Array;
  /** Instead of mutating seeds: generates each input whole (structure-aware targets). */
  generate?(rng: FuzzRng): Uint8Array;
  run(path: string): Promise<void>;
}

const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Loads tensors as the library does (engine tensors included), then releases them. */
async function loadWeights(path: string): Promise<void> {
  const before = memory().tensors;
  const { tensors } = loadTensors(path);
  for (const t of tensors.values()) t.dispose();
  if (memory().tensors !== before) throw new Error(`${path}: loadTensors leaked ${memory().tensors - before} tensors`);
}

function idx(dims: number[], fill: (i: number) => number): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + n);
  const dv = new DataView(out.buffer);
  out[2] = 8;
  out[3] = dims.length;
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < n; i++) out[4 + 4 * dims.length + i] = fill(i);
  return out;
}

const VOC_SEED = formatVocAnnotation({
  folder: 'VOC2007', filename: '000001.jpg', width: 353, height: 500, database: 'The VOC2007 Database',
  objects: [
    { name: 'dog', bndbox: { xmin: 48, ymin: 240, xmax: 195, ymax: 371 } },
    { name: 'person', bndbox: { xmin: 8, ymin: 12, xmax: 352, ymax: 498 }, difficult: true, truncated: true },
  ],
});

const COCO_SEED = JSON.stringify({
  info: { description: 'fuzz seed' }, licenses: [],
  images: [{ id: 1, file_name: 'a.jpg', width: 8, height: 6 }, { id: 2, file_name: 'b.jpg', width: 5, height: 4 }],
  annotations: [
    { id: 10, image_id: 1, category_id: 1, bbox: [1, 1, 3, 2], area: 6, iscrowd: 0, segmentation: [[1, 1, 4, 1, 4, 3, 1, 3]] },
    { id: 11, image_id: 1, category_id: 18, bbox: [5, 0, 3, 2], area: 6, iscrowd: 1, segmentation: { size: [6, 8], counts: [8, 2, 4, 2, 32] } },
    { id: 12, image_id: 2, category_id: 18, bbox: [0, 0, 2, 2], area: 4, iscrowd: 0, segmentation: { size: [4, 5], counts: '34223' } },
  ],
  categories: [{ id: 18, name: 'dog', supercategory: 'animal' }, { id: 1, name: 'person', supercategory: 'person' }],
});

async function smallImage(format: 'jpeg' | 'png' | 'webp'): Promise<Uint8Array> {
  const w = 24;
  const h = 16;
  const px = new Uint8Array(w * h * 3).map((_, i) => (i * 37) % 251);
  const img = sharp(px, { raw: { width: w, height: h, channels: 3 } });
  return new Uint8Array(await (format === 'jpeg' ? img.jpeg({ quality: 80 }) : format === 'png' ? img.png() : img.webp()).toBuffer());
}

/** The studio's limits in the upload target: small, so that size refusals are reached too. */
const UPLOAD_LIMITS = Object.freeze({ maxBytes: 256 * 1024, maxPixels: 4_000_000 });

/**
 * An upload as the studio handles POST /api/predict: the body streamed through readUploadBody
 * (with its Content-Length on even sizes, chunked otherwise), the type and header checks, then the
 * decode of mapsOfUpload. A refusal is an HttpError 4xx; it is reported with the file's name so
 * the harness can tell it from an internal error (anything else, or a 5xx, fails the case).
 */
async function studioUpload(path: string): Promise<void> {
  const bytes = readFileSync(path);
  const req = new PassThrough() as unknown as IncomingMessage & PassThrough;
  (req as { headers: Record<string, string> }).headers = bytes.length % 2 === 0 ? { 'content-length': String(bytes.length) } : {};
  (req as { socket: { destroy(): void } }).socket = { destroy: () => req.destroy() };
  const body = readUploadBody(req, UPLOAD_LIMITS.maxBytes);
  for (let o = 0; o < bytes.length; o += 16_384) req.write(bytes.subarray(o, o + 16_384));
  req.end();
  try {
    const received = await body;
    if (!received.equals(bytes)) throw new Error(`${path}: readUploadBody returned ${received.length} bytes of ${bytes.length}`);
    await checkUploadImage(received, UPLOAD_LIMITS.maxPixels);
    try {
      await loadImageBytes(received, { size: 32, limits: { imagePixels: UPLOAD_LIMITS.maxPixels } }, 'upload');
    } catch (e) {
      throw new HttpError(415, (e as Error).message);
    }
  } catch (e) {
    if (e instanceof HttpError && e.status >= 400 && e.status < 500) throw new Error(`${path}: HTTP ${e.status} ${e.message}`);
    throw e;
  }
}

/**
 * Half of the PNG mutants (those of even length that still read "PNG") get their signature
 * restored and their chunk CRCs recomputed, so that the mutations reach the chunk and pixel
 * decoding instead of stopping at the signature or CRC check.
 */
function repairPngCrcs(png: Uint8Array): Uint8Array {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length % 2 !== 0 || png.length < 8 || !signature.slice(1, 4).every((b, i) => png[i + 1] === b)) return png;
  const out = new Uint8Array(png);
  out.set(signature);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let p = 8; p + 12 <= out.length;) {
    const length = dv.getUint32(p);
    if (p + 12 + length > out.length) break;
    dv.setUint32(p + 8 + length, crc32(out.subarray(p + 4, p + 8 + length)));
    p += 12 + length;
  }
  return out;
}

/** A run folder beside the mutant holding it under `name` (the readers take a folder). */
function runFolder(path: string, name: string): string {
  const dir = `${path}.d`;
  mkdirSync(dir, { recursive: true });
  copyFileSync(path, join(dir, name));
  return dir;
}

/** RUN/segmentation.json read as eval/predict read it, every tuning resolved to a background model. */
async function segmentationThresholds(path: string): Promise<void> {
  const tunings = readThresholdTunings(runFolder(path, SEGMENTATION_FILE));
  for (const t of tunings) {
    for (const [threshold, background] of [['tuned', 'threshold'], ['tuned-global', 'power']] as const) {
      const settings = resolveSegmentationSettings({ ...t.key, threshold, background } as never);
      resolveStages(settings, { link: 'sigmoid', tunings, checkpoint: t.key.checkpoint as 'best', numClasses: t.perClass.thresholds.length });
    }
  }
}

/** COMBO/combination.json read as predict/eval read it, then its weights applied to member scores. */
async function scoreCombination(path: string): Promise<void> {
  const c = loadScoreCombination(runFolder(path, COMBINATION_FILE));
  const C = c.classNames.length;
  combineScores(c.runs.map((_, r) => new Float32Array(2 * C).fill(r + 1)), c.weights, c.bias);
}

const VOC_CLASS_NAMES = ['aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor'];

/**
 * A VOC SegmentationClass mask scored by the segmentation evaluation (SplitSegmentation, as
 * `wildcat eval` scores a split): an image of the mask's size (9×7 when the mask is large, which
 * must then be refused as a size mismatch) whose class maps pick a class per pixel.
 */
async function segmentationEvaluation(path: string): Promise<void> {
  const mask = await readVocSegmentation(path);
  const small = mask.width * mask.height <= 1_000_000;
  const [width, height] = small ? [mask.width, mask.height] : [9, 7];
  const C = VOC_CLASS_NAMES.length;
  const list = {
    ids: ['000001'], classNames: VOC_CLASS_NAMES, labels: new Int8Array(C).fill(-1), size: 1,
    imagePath: () => `${path}.jpg`, segmentationPath: () => path, segmentation: async () => mask,
  } as unknown as LabeledImageList;
  const settings = resolveSegmentationSettings({ threshold: 0.4, smoothing: 'none' });
  const { stages } = resolveStages(settings, { link: 'sigmoid', tunings: [], checkpoint: 'best', numClasses: C });
  const split = new SplitSegmentation(list, stages, { groundTruth: async () => mask });
  const maps = new Float32Array(C * width * height).map((_, i) => ((i * 7919) % 13) - 6);
  await split.add({ index: 0, scores: new Float32Array(C).map((_, c) => c - 10), maps, width, height });
  split.metrics();
}

/** COCO instances opened as a dataset with masks, every image's class mask and boxes built. */
async function cocoWithMasks(path: string): Promise<void> {
  const ds = CocoDataset.fromInstances(await readCocoInstances(path, { masks: true }), `${path}.images`);
  for (let i = 0; i < ds.size; i++) {
    await ds.annotation(i);
    await ds.segmentation(i);
  }
}

export const TARGETS: readonly FuzzTarget[] = [
  {
    name: 'safetensors', ext: 'safetensors', text: false,
    seeds: async () => [serializeSafetensors(new Map([
      ['w', rawTensorFromValues('float32', [2, 3], [1, 2, 3, 4, 5, 6])],
      ['h', rawTensorFromValues('float16', [2], [0.5, -1])],
      ['n', rawTensorFromValues('int64', [], [7])],
      ['b', rawTensorFromValues('bool', [3], [1, 0, 1])],
    ]), { format: 'pt' })],
    run: loadWeights,
  },
  {
    name: 'pth', ext: 'pth', text: false,
    seeds: async () => [fixture('conv_bn_linear.pth'), fixture('views_dtypes_checkpoint.pth')],
    run: loadWeights,
  },
  {
    // The pickle alone is mutated and re-zipped with valid CRCs, so the mutations reach the unpickler.
    name: 'pickle', ext: 'pth', text: false,
    seeds: async () => {
      const zip = ZipArchive.open(fixture('views_dtypes_checkpoint.pth'));
      return [zip.read(zip.names().find((n) => n.endsWith('/data.pkl'))!).slice()];
    },
    wrap: (pickle) => {
      const zip = ZipArchive.open(fixture('views_dtypes_checkpoint.pth'));
      return writeZip(zip.names().map((n) => ({ name: n, data: n.endsWith('/data.pkl') ? pickle : zip.read(n).slice() })));
    },
    run: loadWeights,
  },
  {
    // Generated checkpoints (checkpointGrammar.ts): valid zips and pickles with tensors of arbitrary
    // storages, dtypes, offsets, sizes and strides, past the opcodes byte mutations break.
    name: 'pthGrammar', ext: 'pth', text: false,
    seeds: async () => [],
    generate: generateCheckpoint,
    run: loadWeights,
  },
  {
    name: 'idx', ext: 'idx', text: false,
    seeds: async () => [idx([3, 4, 4], (i) => i * 7), new Uint8Array(gzipSync(idx([2, 5, 3], (i) => 255 - i)))],
    run: async (path) => void (await readIdxFile(path, 3)),
  },
  {
    name: 'indexedPng', ext: 'png', text: false,
    seeds: async () => [
      encodeIndexedPng({ width: 9, height: 7, indices: new Uint8Array(63).map((_, i) => [0, 1, 15, 255][i % 4]!), palette: vocColormap() }),
      await smallImage('png'),
    ],
    wrap: repairPngCrcs,
    run: async (path) => void (await readVocSegmentation(path)),
  },
  {
    name: 'image', ext: 'img', text: false,
    seeds: async () => [await smallImage('jpeg'), await smallImage('png')],
    wrap: repairPngCrcs,
    run: async (path) => {
      await checkImageFile(path);
      await loadImage(path, { size: 16 });
    },
  },
  {
    name: 'vocXml', ext: 'xml', text: true,
    seeds: async () => [utf8(VOC_SEED)],
    run: async (path) => void parseVocAnnotation(readFileSync(path, 'utf8'), path),
  },
  {
    name: 'csv', ext: 'csv', text: true,
    seeds: async () => [
      utf8('path;cat;dog;person\nimg/1.jpg;1;-1;0\nimg/2.jpg;-1;1;1\n'),
      utf8('img/1.jpg cat dog\nimg/2.jpg person\n"img/3 x.jpg",3\n'),
      utf8('a.jpg;0\nb.jpg;2\nc.jpg;1\n'),
    ],
    run: async (path) => void (await readCsvDataset(path)),
  },
  {
    name: 'coco', ext: 'json', text: true,
    seeds: async () => [utf8(COCO_SEED)],
    run: cocoWithMasks,
  },
  {
    name: 'upload', ext: 'img', text: false,
    seeds: async () => [await smallImage('jpeg'), await smallImage('png'), await smallImage('webp')],
    wrap: repairPngCrcs,
    run: studioUpload,
  },
  {
    name: 'vocMaskEval', ext: 'png', text: false,
    seeds: async () => [
      encodeIndexedPng({ width: 9, height: 7, indices: new Uint8Array(63).map((_, i) => [0, 1, 15, 255][i % 4]!), palette: vocColormap() }),
      encodeIndexedPng({ width: 6, height: 5, indices: new Uint8Array(30).map((_, i) => i % 21), palette: vocColormap() }),
    ],
    wrap: repairPngCrcs,
    run: segmentationEvaluation,
  },
  {
    name: 'segmentationJson', ext: 'json', text: true,
    seeds: async () => [utf8(JSON.stringify({ version: 1, tunings: [SEGMENTATION_TUNING] }, null, 2))],
    run: segmentationThresholds,
  },
  {
    name: 'combinationJson', ext: 'json', text: true,
    seeds: async () => [utf8(JSON.stringify({
      kind: 'wildcat-ts-combination/1', runs: ['/runs/a', '/runs/b'], classNames: ['cat', 'dog', 'person'],
      weights: [[1, 0.5], [0.25, 1], [1, -0.5]], bias: [0, -1, 0.5], l2: 1, fittedOn: { data: 'voc:scenes', split: 'val', images: 200 },
    }, null, 2))],
    run: scoreCombination,
  },
];

const SEGMENTATION_TUNING: ThresholdTuning = {
  key: { scales: [1, 1.4], flip: true, fuse: 'mean', mapNorm: 'peak', prior: 'weight', priorThreshold: null, checkpoint: 'best' },
  data: 'voc:scenes', split: 'val', images: 200, classNames: ['cat', 'dog', 'person'],
  global: { threshold: 0.35, mIoU: 0.41 }, perClass: { thresholds: [0.3, 0.45, 0.25], mIoU: 0.44 }, untuned: { threshold: 0.5, mIoU: 0.38 },
  date: '2026-11-29T09:00:00.000Z',
};

/** A crafted input from the hardening issue: its target and bytes. */
export interface CraftedCase {
  name: string;
  target: string;
  make(): Promise<Uint8Array>;
}

/** The zip with every entry's uncompressed size field (local and central) set to `size` (capped at 2^32 - 1). */
function declareSize(zip: Uint8Array, size: number): Uint8Array {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const v = Math.min(size, 0xffffffff);
  for (let p = 0; p + 30 <= zip.byteLength; p++) {
    const sig = dv.getUint32(p, true);
    if (sig === 0x02014b50) dv.setUint32(p + 24, v, true);
    else if (sig === 0x04034b50) dv.setUint32(p + 22, v, true);
  }
  return zip;
}

function deepLists(n: number): string {
  return `]${']'.repeat(n)}${'a'.repeat(n)}`;
}

export const CRAFTED: readonly CraftedCase[] = [
  { name: 'pth-stride0-25000x25000', target: 'pth', make: async () => checkpoint(P.dict([['w', tensorV2(P.storage('FloatStorage', '0', 1), 0, [25000, 25000], [0, 0])]]), { 0: f32bytes([1]) }) },
  { name: 'pth-deflated-pickle-declares-3GB', target: 'pth', make: async () => declareSize(writeZip([{ name: 'arch/data.pkl', data: new Uint8Array(2 ** 20), method: 8 }]), 3 * 2 ** 30) },
  { name: 'pth-deflated-pickle-lies-100B', target: 'pth', make: async () => declareSize(writeZip([{ name: 'arch/data.pkl', data: new Uint8Array(200 * 2 ** 20), method: 8 }]), 100) },
  { name: 'pth-long4-200KB', target: 'pth', make: async () => checkpoint(`}(X\x01\x00\x00\x00n\x8b${String.fromCharCode(0x40, 0x0d, 0x03, 0x00)}${'\x77'.repeat(200_000)}u`, {}) },
  { name: 'pth-deep-lists', target: 'pth', make: async () => checkpoint(`}(X\x01\x00\x00\x00l${deepLists(100_000)}u`, {}) },
  { name: 'pth-deep-marks', target: 'pth', make: async () => checkpoint('('.repeat(200_000), {}) },
  {
    name: 'safetensors-deep-header', target: 'safetensors',
    make: async () => {
      const h = utf8(`{"a":${'['.repeat(300_000)}${']'.repeat(300_000)}}`);
      const out = new Uint8Array(8 + h.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      return out;
    },
  },
  {
    // Gzip members concatenate: 40 members of 16 MiB of zeros inflate to 640 MiB from 640 KB.
    name: 'idx-gzip-bomb-640MB', target: 'idx',
    make: async () => {
      const member = gzipSync(Buffer.alloc(16 * 2 ** 20), { level: 9 });
      return new Uint8Array(Buffer.concat(Array.from({ length: 40 }, () => member)));
    },
  },
  {
    name: 'png-46000x46000', target: 'image',
    make: async () => {
      const png = encodeIndexedPng({ width: 4, height: 4, indices: new Uint8Array(16), palette: vocColormap() });
      const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
      dv.setUint32(16, 46000);
      dv.setUint32(20, 46000);
      dv.setUint32(29, crc32(png.subarray(12, 29)));
      return png;
    },
  },
  { name: 'mask-png-46000x46000', target: 'indexedPng', make: async () => (await CRAFTED.find((c) => c.name === 'png-46000x46000')!.make()) },
  { name: 'csv-label-20000000', target: 'csv', make: async () => utf8('a.jpg;20000000') },
  { name: 'csv-130000-rows', target: 'csv', make: async () => utf8(Array.from({ length: 130_000 }, (_, i) => `i/${i}.jpg;${i % 20}`).join('\n')) },
  { name: 'csv-outside-root', target: 'csv', make: async () => utf8('../../etc/passwd;0\n/etc/shadow;1\n') },
  { name: 'xml-200KB-elements', target: 'vocXml', make: async () => utf8(`<annotation>\n${'<b>x</b>\n'.repeat(200_000 / 9)}</annotation>`) },
  { name: 'xml-2000-objects', target: 'vocXml', make: async () => utf8(`<annotation>${'<object><name>dog</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object>\n'.repeat(2000)}</annotation>`) },
  { name: 'xml-deep', target: 'vocXml', make: async () => utf8('<a>'.repeat(200_000) + '</a>'.repeat(200_000)) },
  { name: 'xml-bad-code-point', target: 'vocXml', make: async () => utf8('<annotation><filename>&#1114112;</filename></annotation>') },
  { name: 'xml-billion-laughs', target: 'vocXml', make: async () => utf8('<!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;"><!ENTITY l3 "&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;">]><annotation>&l3;</annotation>') },
  {
    name: 'jpeg-truncated', target: 'image',
    make: async () => {
      const j = await smallImage('jpeg');
      return j.subarray(0, j.length - 60);
    },
  },
  { name: 'coco-deep', target: 'coco', make: async () => utf8(`{"images":${'['.repeat(100_000)}${']'.repeat(100_000)}}`) },
  { name: 'upload-png-46000x46000', target: 'upload', make: async () => (await CRAFTED.find((c) => c.name === 'png-46000x46000')!.make()) },
  { name: 'upload-over-the-size-limit', target: 'upload', make: async () => new Uint8Array(UPLOAD_LIMITS.maxBytes + 1).fill(0xd8, 1).fill(0xff, 0, 1) },
  { name: 'upload-svg', target: 'upload', make: async () => utf8('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>') },
  { name: 'upload-empty', target: 'upload', make: async () => new Uint8Array(0) },
  { name: 'upload-truncated-jpeg', target: 'upload', make: async () => (await smallImage('jpeg')).subarray(0, 200) },
  { name: 'mask-index-200', target: 'vocMaskEval', make: async () => encodeIndexedPng({ width: 4, height: 3, indices: new Uint8Array(12).fill(200), palette: vocColormap() }) },
  { name: 'mask-46000x46000', target: 'vocMaskEval', make: async () => (await CRAFTED.find((c) => c.name === 'png-46000x46000')!.make()) },
  { name: 'segmentation-json-deep', target: 'segmentationJson', make: async () => utf8(`{"version":1,"tunings":${'['.repeat(300_000)}${']'.repeat(300_000)}}`) },
  { name: 'segmentation-json-null-tuning', target: 'segmentationJson', make: async () => utf8('{"version":1,"tunings":[null,{}]}') },
  { name: 'segmentation-json-null', target: 'segmentationJson', make: async () => utf8('null') },
  { name: 'combination-json-null', target: 'combinationJson', make: async () => utf8('null') },
  { name: 'combination-json-run-not-a-path', target: 'combinationJson', make: async () => utf8('{"kind":"wildcat-ts-combination/1","runs":[1,{}],"classNames":["a"],"weights":[[1,1]],"bias":[0]}') },
  { name: 'combination-json-deep', target: 'combinationJson', make: async () => utf8(`{"runs":${'['.repeat(300_000)}${']'.repeat(300_000)}}`) },
];
