/**
 * Reader of the PASCAL VOC layout, for real VOC 2007/2012 and for the scenes written by
 * `writeVocScenes` alike.
 *
 * Layout read (below a `VOC<year>` folder):
 *   JPEGImages/<id>.jpg
 *   Annotations/<id>.xml                       (boxes, sizes; optional for classification)
 *   SegmentationClass/<id>.png                 (palette PNG: class index per pixel, 255 void)
 *   ImageSets/Main/<split>.txt                 (ids of the classification/detection split)
 *   ImageSets/Main/<class>_<split>.txt         ("<id> <label>", label 1, -1 or 0 = difficult)
 *   ImageSets/Segmentation/<split>.txt         (ids of the segmentation split)
 * `dir` may be that `VOC<year>` folder, a `VOCdevkit` folder holding one or more of them (choose
 * with `year` when there are several), or the folder that contains `VOCdevkit`.
 *
 * Classes: `classNames` when given (their order defines label columns and mask indices 1..C);
 * otherwise detected from the `<class>_<split>.txt` files present (falling back to
 * `<class>_train.txt`): the 20 VOC classes when exactly those are there, else the names found in
 * alphabetical order (which is the order `writeVocScenes` uses for mask indices; VOC's own 20 classes
 * are alphabetical too). VOC has no class-list file, so nothing else is read.
 *
 * Boxes: each object keeps VOC's 1-based inclusive `bndbox` and the 0-based half-open `box`
 * (x0 = xmin − 1, x1 = xmax), see `box.ts`.
 *
 * @example
 * const voc = await openVocDataset('/data/VOCdevkit', { split: 'trainval', year: 2007 });
 * voc.ids.length; voc.labels;                  // Int8Array [N × 20] in {1, -1, 0}
 * (await voc.annotation(0)).objects[0].box;    // { x0, y0, x1, y1 }
 * const seg = await openVocDataset(dir, { split: 'val', task: 'segmentation' });
 * (await seg.segmentation(0)).data;            // Uint8Array H×W, 0 background, 1..C, 255 void
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { LabeledImageList } from './imageList.js';
import { readImageSize } from './imagePipeline.js';
import { decodeIndexedPng } from './indexedPng.js';
import { mapLimit } from './mapLimit.js';
import { parseVocAnnotation, type VocAnnotation } from './vocAnnotation.js';
import { vocColormap, vocColourToIndex } from './vocPalette.js';
import { DataFileError, outOfRange } from '../core/errors.js';

/** The 20 PASCAL VOC classes in the official (alphabetical) order; mask index = position + 1. */
export const VOC_CLASSES: readonly string[] = Object.freeze([
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
]);

export type VocTask = 'classification' | 'segmentation';

export interface VocDatasetOptions {
  /** Split name: a file `ImageSets/Main/<split>.txt` (or `ImageSets/Segmentation/<split>.txt`). */
  split: string;
  /**
   * 'classification' (default): ids from ImageSets/Main, labels from `<class>_<split>.txt`.
   * 'segmentation': ids from ImageSets/Segmentation; labels from the annotations (from the masks
   * when there are no annotations).
   */
  task?: VocTask;
  /** Class list (label columns, mask indices 1..C); default: detected, see the module comment. */
  classNames?: readonly string[];
  /** Picks `VOC<year>` when `dir` holds several. */
  year?: string | number;
  /**
   * What an annotated object whose name is not one of `classNames` does (a typo such as
   * 'persn' would otherwise silently drop its box from evaluation): 'fail' (default) stops with
   * an error naming the file, the object and the class list; 'warn' reports each such file once
   * through `onWarning` and leaves the object out of class-indexed uses.
   */
  unknownClass?: UnknownClassPolicy;
  /** Receives the warnings of `unknownClass: 'warn'` (default: console.error). */
  onWarning?: (message: string) => void;
  /**
   * Accept image ids that name files outside `JPEGImages/` (ids with '/', '\\' or '..').
   * Default false: such an id in an ImageSets list is refused.
   */
  allowOutsideRoot?: boolean;
}

/** See {@link VocDatasetOptions.unknownClass}. */
export type UnknownClassPolicy = 'fail' | 'warn';

/** A decoded segmentation mask: 0 background, 1..C classes, 255 void. */
export interface SegmentationMask {
  width: number;
  height: number;
  data: Uint8Array;
}

const LAYOUT = 'expected VOC layout: VOC<year>/{JPEGImages/<id>.jpg, Annotations/<id>.xml, ' +
  'ImageSets/Main/<split>.txt, ImageSets/Main/<class>_<split>.txt, ImageSets/Segmentation/<split>.txt, ' +
  'SegmentationClass/<id>.png}';

/** A VOC split; see the module comment. Create with `openVocDataset`. */
export class VocDataset implements LabeledImageList {
  private readonly annotationCache = new Map<number, Promise<VocAnnotation>>();
  /** The policy for object names outside the class list (see VocDatasetOptions). */
  unknownClass: UnknownClassPolicy = 'fail';
  onWarning: (message: string) => void = (m) => console.error(m);

  constructor(
    /** The `VOC<year>` folder. */
    readonly root: string,
    readonly split: string,
    readonly task: VocTask,
    readonly classNames: readonly string[],
    readonly ids: readonly string[],
    /** [N × C]: 1 positive, -1 negative, 0 difficult. */
    readonly labels: Int8Array,
  ) {}

  get size(): number {
    return this.ids.length;
  }

  imagePath(i: number): string {
    return join(this.root, 'JPEGImages', `${this.id(i)}.jpg`);
  }

  annotationPath(i: number): string {
    return join(this.root, 'Annotations', `${this.id(i)}.xml`);
  }

  segmentationPath(i: number): string {
    return join(this.root, 'SegmentationClass', `${this.id(i)}.png`);
  }

  /** The parsed annotation of image i (cached). */
  annotation(i: number): Promise<VocAnnotation> {
    let p = this.annotationCache.get(i);
    if (!p) {
      const path = this.annotationPath(i);
      p = readVocAnnotation(path).then((a) => {
        checkObjectClasses(a, path, this.classNames, this.unknownClass, this.onWarning);
        return a;
      });
      this.annotationCache.set(i, p);
      p.catch(() => this.annotationCache.delete(i));
    }
    return p;
  }

  /** All annotations of the split, in id order. */
  annotations(): Promise<VocAnnotation[]> {
    return mapLimit(this.ids, 32, (_, i) => this.annotation(i));
  }

  /** Class index of a VOC object name in this dataset's class list, or -1. */
  classIndexOf(name: string): number {
    return this.classNames.indexOf(name);
  }

  /** The segmentation mask of image i (class indices, 255 void). */
  segmentation(i: number): Promise<SegmentationMask> {
    return readVocSegmentation(this.segmentationPath(i));
  }

  /** Image size from the annotation, or from the JPEG header when the annotation has none. */
  async imageSize(i: number): Promise<{ width: number; height: number }> {
    try {
      const a = await this.annotation(i);
      if (a.width > 0 && a.height > 0) return { width: a.width, height: a.height };
    } catch (e) {
      if (!String((e as Error).message).startsWith('annotation file not found')) throw e;
    }
    return readImageSize(this.imagePath(i));
  }

  private id(i: number): string {
    const id = this.ids[i];
    if (id === undefined) throw new RangeError(`VOC ${this.split}: image index ${i} outside [0, ${this.ids.length})`);
    return id;
  }
}

/** Opens one split of a VOC folder; see the module comment. */
export async function openVocDataset(dir: string, options: VocDatasetOptions): Promise<VocDataset> {
  const task = options.task ?? 'classification';
  if (task !== 'classification' && task !== 'segmentation') {
    throw new RangeError(`VOC task must be 'classification' or 'segmentation', got '${String(task)}'`);
  }
  if (!options.split) throw new RangeError('openVocDataset: a split is required (e.g. train, val, trainval, test)');
  const root = await resolveVocRoot(dir, options.year);
  const setDir = join(root, 'ImageSets', task === 'classification' ? 'Main' : 'Segmentation');
  const idList = join(setDir, `${options.split}.txt`);
  const ids = await readIdList(idList, setDir, options.split);
  if (!options.allowOutsideRoot) {
    const bad = ids.findIndex((id) => /[/\\]|^\.\.?$/.test(id));
    if (bad >= 0) {
      throw new DataFileError(idList, `image id '${ids[bad]}' names a path (VOC ids are file names in JPEGImages/); ` +
        `refusing to read outside the dataset folder: fix the list, or pass --allow-outside-root (API option allowOutsideRoot) if that is intended`);
    }
  }
  const classNames = options.classNames ? [...options.classNames] : await detectClasses(root, options.split);
  if (classNames.length === 0) throw new Error(`${root}: empty class list`);
  if (new Set(classNames).size !== classNames.length) throw new Error(`${root}: duplicate names in the class list [${classNames.join(', ')}]`);
  if (!(await isDir(join(root, 'JPEGImages')))) throw new Error(`VOC folder ${root} has no JPEGImages/ folder; ${LAYOUT}`);
  const unknownClass = options.unknownClass ?? 'fail';
  if (unknownClass !== 'fail' && unknownClass !== 'warn') throw outOfRange('option unknownClass of openVocDataset()', "'fail' or 'warn'", unknownClass);
  const onWarning = options.onWarning ?? ((m: string) => console.error(m));
  let labels: Int8Array;
  if (task === 'classification') {
    labels = await readClassLabels(root, options.split, ids, classNames);
  } else {
    labels = await segmentationLabels(root, ids, classNames, unknownClass, onWarning);
  }
  const ds = new VocDataset(root, options.split, task, Object.freeze(classNames), Object.freeze([...ids]), labels);
  ds.unknownClass = unknownClass;
  ds.onWarning = onWarning;
  return ds;
}

/**
 * Applies the unknown-class policy to one annotation: throws (fail) or warns once for the file
 * (warn) when an object's name is not one of `classNames`.
 */
export function checkObjectClasses(a: VocAnnotation, path: string, classNames: readonly string[], policy: UnknownClassPolicy, warn: (m: string) => void): void {
  const unknown = a.objects.map((o, k) => ({ o, k })).filter(({ o }) => !classNames.includes(o.name));
  if (unknown.length === 0) return;
  const names = unknown.map(({ o, k }) => `object ${k + 1} '${o.name}'`).join(', ');
  const classes = classNames.length > 25 ? `${classNames.slice(0, 25).join(', ')}, ...` : classNames.join(', ');
  if (policy === 'fail') {
    throw new DataFileError(path, `${names} ${unknown.length === 1 ? 'is' : 'are'} not one of the dataset's classes (${classes}); ` +
      `fix the name, or pass --unknown-class warn (API option unknownClass: 'warn') to leave such objects out`);
  }
  warn(`${path}: warning: leaving out ${names}: not one of the dataset's classes`);
}

/** Reads and parses one annotation file, with clear errors. */
export async function readVocAnnotation(path: string): Promise<VocAnnotation> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`annotation file not found: ${path}; ${LAYOUT}`);
    throw e;
  }
  return parseVocAnnotation(text, path);
}

/**
 * Decodes a VOC segmentation PNG to class indices (255 void). Palette PNGs are read directly (palette
 * indices are the classes when the palette is VOC's; other palettes are mapped through their colours),
 * gray PNGs are taken as indices, and other PNGs (e.g. RGB) go through sharp and the VOC colour map.
 */
export async function readVocSegmentation(path: string): Promise<SegmentationMask> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`segmentation mask not found: ${path}; ${LAYOUT}`);
    throw e;
  }
  const indexed = decodeIndexedPng(bytes, path);
  if (indexed) {
    const { width, height, indices, palette } = indexed;
    if (!palette) return { width, height, data: indices };
    const voc = vocColormap();
    const inverse = vocColourToIndex();
    const remap = new Int16Array(256).fill(-1);
    const data = new Uint8Array(indices.length);
    for (let p = 0; p < indices.length; p++) {
      const k = indices[p]!;
      let v = remap[k]!;
      if (v < 0) {
        if (3 * k + 2 >= palette.length) throw new DataFileError(path, `pixel index ${k} has no palette entry`);
        const [r, g, b] = [palette[3 * k]!, palette[3 * k + 1]!, palette[3 * k + 2]!];
        if (r === voc[3 * k] && g === voc[3 * k + 1] && b === voc[3 * k + 2]) v = k;
        else {
          const m = inverse.get((r << 16) | (g << 8) | b);
          if (m === undefined) throw new DataFileError(path, `palette colour (${r}, ${g}, ${b}) of index ${k} is not in the VOC colour map`);
          v = m;
        }
        remap[k] = v;
      }
      data[p] = v;
    }
    return { width, height, data };
  }
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new Error(`cannot decode segmentation mask ${path}: ${(e as Error).message}`);
  }
  const { data: rgb, info } = decoded;
  const inverse = vocColourToIndex();
  const data = new Uint8Array(info.width * info.height);
  for (let p = 0; p < data.length; p++) {
    const key = (rgb[p * info.channels]! << 16) | (rgb[p * info.channels + 1]! << 8) | rgb[p * info.channels + 2]!;
    const v = inverse.get(key);
    if (v === undefined) {
      throw new DataFileError(path, `pixel ${p % info.width},${Math.floor(p / info.width)} has colour ` +
        `(${key >> 16}, ${(key >> 8) & 255}, ${key & 255}), not in the VOC colour map`);
    }
    data[p] = v;
  }
  return { width: info.width, height: info.height, data };
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Finds the VOC<year> folder (the one holding ImageSets/) from `dir`. */
async function resolveVocRoot(dir: string, year?: string | number): Promise<string> {
  const abs = resolve(dir);
  if (!(await isDir(abs))) throw new Error(`VOC folder not found: ${abs}; pass a VOCdevkit or VOC<year> folder (${LAYOUT})`);
  if (await isDir(join(abs, 'ImageSets'))) {
    return abs;
  }
  const parents = [abs];
  if (await isDir(join(abs, 'VOCdevkit'))) parents.push(join(abs, 'VOCdevkit'));
  const found: string[] = [];
  for (const parent of parents) {
    for (const name of (await readdir(parent)).sort()) {
      if (/^VOC\d{4}/.test(name) && (await isDir(join(parent, name, 'ImageSets')))) found.push(join(parent, name));
    }
  }
  if (year !== undefined) {
    const wanted = found.find((p) => p.endsWith(`VOC${year}`));
    if (!wanted) {
      throw new Error(`no VOC${year} folder with ImageSets/ under ${abs}` +
        (found.length ? ` (found: ${found.join(', ')})` : `; ${LAYOUT}`));
    }
    return wanted;
  }
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new Error(`${abs} holds several VOC folders (${found.join(', ')}); choose one with the 'year' option`);
  throw new Error(`${abs} is not a VOC folder: no ImageSets/ in it nor in a VOC<year>/ subfolder; ${LAYOUT}`);
}

/** Reads an ImageSets id list (first token of each non-empty line). */
async function readIdList(path: string, setDir: string, split: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    let available = '';
    try {
      const names = (await readdir(setDir)).filter((n) => n.endsWith('.txt') && !n.includes('_')).map((n) => n.slice(0, -4));
      available = names.length ? ` (splits available there: ${names.sort().join(', ')})` : '';
    } catch {
      available = ` (the folder ${setDir} does not exist either)`;
    }
    throw new Error(`missing ImageSets file for split '${split}': ${path}${available}; ${LAYOUT}`);
  }
  const ids = text.split(/\r?\n/).map((l) => l.trim().split(/\s+/)[0]!).filter((s) => s.length > 0);
  if (ids.length === 0) throw new DataFileError(path, `the split '${split}' lists no image ids`);
  return ids;
}

/** Classes from `<class>_<split>.txt` (or `<class>_train.txt`) file names; see the module comment. */
async function detectClasses(root: string, split: string): Promise<string[]> {
  const mainDir = join(root, 'ImageSets', 'Main');
  let names: string[] = [];
  try {
    names = await readdir(mainDir);
  } catch {
    return [...VOC_CLASSES];
  }
  for (const s of [split, 'train']) {
    const suffix = `_${s}.txt`;
    const found = names.filter((n) => n.endsWith(suffix) && n.length > suffix.length).map((n) => n.slice(0, -suffix.length));
    if (found.length === 0) continue;
    const set = new Set(found);
    if (set.size === VOC_CLASSES.length && VOC_CLASSES.every((c) => set.has(c))) return [...VOC_CLASSES];
    return found.sort();
  }
  return [...VOC_CLASSES];
}

/** Labels [N × C] from the `<class>_<split>.txt` files. */
async function readClassLabels(root: string, split: string, ids: readonly string[], classNames: readonly string[]): Promise<Int8Array> {
  const C = classNames.length;
  const labels = new Int8Array(ids.length * C);
  const row = new Map<string, number>();
  ids.forEach((id, i) => row.set(id, i));
  await Promise.all(classNames.map(async (name, c) => {
    const path = join(root, 'ImageSets', 'Main', `${name}_${split}.txt`);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`missing VOC label file for class '${name}' and split '${split}': ${path}; ` +
          `pass 'classNames' if the class list differs, or use task 'segmentation'`);
      }
      throw e;
    }
    const seen = new Uint8Array(ids.length);
    const lines = text.split(/\r?\n/);
    for (let l = 0; l < lines.length; l++) {
      const line = lines[l]!.trim();
      if (!line) continue;
      const parts = line.split(/\s+/);
      const v = Number(parts[1]);
      if (parts.length !== 2 || !(v === 1 || v === -1 || v === 0)) {
        throw new DataFileError(path, `line ${l + 1}: expected '<id> <1|-1|0>', got '${line}'`);
      }
      const i = row.get(parts[0]!);
      if (i === undefined) continue; // ids outside the split are ignored
      labels[i * C + c] = v;
      seen[i] = 1;
    }
    const missing = seen.indexOf(0);
    if (missing >= 0) throw new DataFileError(path, `no label for image '${ids[missing]}' of split '${split}'`);
  }));
  return labels;
}

/** Labels for the segmentation task: from the annotations, or from the masks when there are none. */
async function segmentationLabels(root: string, ids: readonly string[], classNames: readonly string[], unknownClass: UnknownClassPolicy, onWarning: (m: string) => void): Promise<Int8Array> {
  const C = classNames.length;
  const labels = new Int8Array(ids.length * C).fill(-1);
  const haveAnnotations = await isDir(join(root, 'Annotations'));
  await mapLimit(ids, 32, async (id, i) => {
    if (haveAnnotations) {
      const path = join(root, 'Annotations', `${id}.xml`);
      const a = await readVocAnnotation(path);
      checkObjectClasses(a, path, classNames, unknownClass, onWarning);
      for (const o of a.objects) {
        const c = classNames.indexOf(o.name);
        if (c < 0) continue;
        if (!o.difficult) labels[i * C + c] = 1;
        else if (labels[i * C + c] !== 1) labels[i * C + c] = 0;
      }
    } else {
      const m = await readVocSegmentation(join(root, 'SegmentationClass', `${id}.png`));
      for (let p = 0; p < m.data.length; p++) {
        const v = m.data[p]!;
        if (v >= 1 && v <= C) labels[i * C + v - 1] = 1;
      }
    }
  });
  return labels;
}
