/**
 * Reader of COCO instance annotation files (`instances_<split><year>.json`): images, categories and
 * object instances with their boxes, crowd flags and masks (polygons or RLE).
 *
 * The file is streamed through a JSON tokenizer (@streamparser/json) that hands over one image,
 * annotation or category at a time, so a 450 MB file is never held as text, nor as one parsed
 * tree: what is kept is the compact form below (boxes and category ids in typed fields, polygon
 * coordinates as Float32Array, compressed RLE strings as they are). `masks: false` drops the
 * geometry at once (training needs only the labels).
 *
 * Checks (a DataFileError that names the file and the offending entry, e.g. `instances_val2017.json:
 * annotations[17] (id 901): category_id 99 is not a category of the file`): the top level must be
 * an object with `images`, `annotations` and `categories` arrays; ids are unique integers;
 * every annotation names an existing image and category; boxes are 4 finite numbers with w, h >= 0;
 * image sizes are positive integers of at most {@link COCO_LIMITS}.maxPixels pixels; RLE runs cover
 * exactly the mask (whose size must be the image's); polygons have an even number (>= 6) of
 * finite coordinates; at most {@link COCO_LIMITS}.maxPolygonValues per annotation.
 *
 * `parseCocoInstances(bytes, name)` is the pure entry point (bytes or text in, result out, no file
 * system), `readCocoInstances(path)` streams a file through the same code.
 */
import { createReadStream } from 'node:fs';
import { JSONParser } from '@streamparser/json';
import { DataFileError } from '../core/errors.js';
import { checkLimit, inputLimits } from '../io/inputLimits.js';
import { JsonDepthMeter } from '../io/jsonDepth.js';
import { checkRleCounts, decodeRleCounts } from './cocoMasks.js';

/** Bounds that keep a hostile or corrupt file from allocating without limit. */
export const COCO_LIMITS = Object.freeze({
  /** Largest image (width × height) whose masks are decoded: 2^28 pixels (16384²). */
  maxPixels: 2 ** 28,
  /** Most polygon coordinates in one annotation. */
  maxPolygonValues: 1_000_000,
  /** Longest category name. */
  maxNameLength: 1000,
});

export interface CocoCategory {
  id: number;
  name: string;
  supercategory: string;
}

export interface CocoImage {
  id: number;
  fileName: string;
  width: number;
  height: number;
}

/** An instance mask as stored: polygons, or RLE (uncompressed runs, or the compressed string). */
export type CocoSegmentation =
  | { kind: 'polygons'; polygons: Float32Array[] }
  | { kind: 'rle'; height: number; width: number; counts: Uint32Array | string };

export interface CocoInstance {
  id: number;
  imageId: number;
  categoryId: number;
  /** [x, y, width, height] in pixels, as in the file (x, y the top-left corner). */
  bbox: [number, number, number, number];
  area: number;
  /** `iscrowd: 1`: one region over a group of objects (its mask is RLE). */
  crowd: boolean;
  /** Null when the file has none, or when read with `masks: false`. */
  segmentation: CocoSegmentation | null;
}

export interface CocoInstances {
  /** The file name used in errors. */
  file: string;
  images: CocoImage[];
  /** In file order. */
  categories: CocoCategory[];
  /** In file order. */
  annotations: CocoInstance[];
}

export interface CocoReadOptions {
  /** Keep the instance masks (polygons, RLE). Default true; false for training (labels only). */
  masks?: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** Streams a COCO instances file; see the module comment. */
export async function readCocoInstances(path: string, options: CocoReadOptions = {}): Promise<CocoInstances> {
  const builder = new CocoInstancesBuilder(path, options);
  let stream: AsyncIterable<Buffer>;
  try {
    stream = createReadStream(path, { highWaterMark: 1 << 20 });
    for await (const chunk of stream) builder.write(chunk);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`COCO annotation file not found: ${path} (expected e.g. annotations/instances_val2017.json)`);
    if (code === 'EISDIR') throw new Error(`${path} is a folder; --data coco: expects the instances JSON file, then the images folder: coco:INSTANCES.json,IMAGES_DIR`);
    throw e;
  }
  return builder.end();
}

/**
 * Parses the bytes (or text) of a COCO instances file, whole or as consecutive chunks; `file`
 * names it in errors. Pure: no I/O.
 */
export function parseCocoInstances(data: Uint8Array | string | readonly (Uint8Array | string)[], file: string, options: CocoReadOptions = {}): CocoInstances {
  const builder = new CocoInstancesBuilder(file, options);
  if (Array.isArray(data)) for (const chunk of data) builder.write(chunk);
  else builder.write(data as Uint8Array | string);
  return builder.end();
}

/** Incremental builder behind both entry points: write chunks, then end(). */
class CocoInstancesBuilder {
  private readonly parser: JSONParser;
  private readonly images: CocoImage[] = [];
  private readonly categories: CocoCategory[] = [];
  private readonly annotations: CocoInstance[] = [];
  /** Where the polygons' coordinates go (one buffer per megabyte, not one per polygon). */
  private readonly slab = new Float32Slab();
  private topLevelChecked = false;
  private error: Error | null = null;
  /** A COCO file is 5 levels deep; deeper nesting is refused before anything walks it. */
  private readonly depth = new JsonDepthMeter();
  private readonly maxDepth = inputLimits().nestingDepth;

  constructor(private readonly file: string, private readonly options: CocoReadOptions) {
    // keepStack false: every emitted element is dropped from its parent array at once.
    // No path selects a whole section: an emitted ancestor would keep all its elements alive.
    this.parser = new JSONParser({ paths: ['$.images.*', '$.annotations.*', '$.categories.*'], keepStack: false });
    this.parser.onValue = ({ value, key, stack }) => {
      if (this.error) return;
      try {
        const section = String(stack[1]?.key);
        if (typeof key !== 'number') throw new DataFileError(this.file, `"${section}" is an object, expected an array`);
        this.element(section, key, value as Json);
      } catch (e) {
        // The element readers name the entry (and RLE decoding the annotation); this names the file.
        this.error = e instanceof Error && e.constructor === Error ? new DataFileError(this.file, e.message) : e as Error;
      }
    };
    this.parser.onError = (e) => {
      this.error ??= new DataFileError(this.file, `not valid JSON (${e.message})`);
    };
  }

  write(chunk: Uint8Array | string): void {
    if (this.error) throw this.error;
    if (chunk.length === 0) return;
    if (!this.topLevelChecked) this.checkTopLevel(chunk);
    const depth = this.depth.feed(chunk);
    checkLimit({ ...inputLimits(), nestingDepth: this.maxDepth }, 'nestingDepth', depth, this.file, () => `JSON nesting (${depth} levels)`);
    this.parser.write(chunk);
    if (this.error) throw this.error;
  }

  end(): CocoInstances {
    if (this.error) throw this.error;
    if (!this.topLevelChecked) throw new DataFileError(this.file, 'empty file; expected a COCO instances JSON object');
    if (!this.parser.isEnded) this.parser.end();
    if (this.error) throw this.error;
    // Sections are seen through their elements (see the constructor), so an absent and an empty
    // section look alike: no image or no category is an error, no annotation is not (test files).
    for (const k of ['images', 'categories'] as const) {
      if (this[k].length === 0) throw new DataFileError(this.file, `no "${k}"; a COCO instances file has non-empty "images" and "categories" arrays (and "annotations")`);
    }
    return this.resolve();
  }

  /** The first non-blank character must open an object (else the path filter would silently find nothing). */
  private checkTopLevel(chunk: Uint8Array | string): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = typeof chunk === 'string' ? chunk.charCodeAt(i) : chunk[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xef || c === 0xbb || c === 0xbf) continue;
      if (c !== 0x7b) throw new DataFileError(this.file, `expected a JSON object ({"images": …, "annotations": …, "categories": …}) at the top level`);
      this.topLevelChecked = true;
      return;
    }
  }

  private element(section: string, index: number, value: Json): void {
    const where = `${section}[${index}]`;
    if (section === 'images') this.images.push(readImage(value, where));
    else if (section === 'categories') this.categories.push(readCategory(value, where));
    else if (section === 'annotations') this.annotations.push(readAnnotation(value, where, (this.options.masks ?? true) ? this.slab : null));
  }

  /** Cross-checks ids and mask sizes once everything is read. */
  private resolve(): CocoInstances {
    const file = this.file;
    const imageById = new Map<number, CocoImage>();
    this.images.forEach((im, i) => {
      if (imageById.has(im.id)) throw new DataFileError(file, `images[${i}] repeats image id ${im.id}`);
      imageById.set(im.id, im);
    });
    const categoryIds = new Set<number>();
    const names = new Set<string>();
    this.categories.forEach((c, i) => {
      if (categoryIds.has(c.id)) throw new DataFileError(file, `categories[${i}] repeats category id ${c.id}`);
      if (names.has(c.name)) throw new DataFileError(file, `categories[${i}] repeats the category name '${c.name}' (class names must be unique)`);
      categoryIds.add(c.id);
      names.add(c.name);
    });
    const annotationIds = new Set<number>();
    this.annotations.forEach((a, i) => {
      const where = `annotations[${i}] (id ${a.id})`;
      if (annotationIds.has(a.id)) throw new DataFileError(file, `${where}: repeats annotation id ${a.id}`);
      annotationIds.add(a.id);
      const im = imageById.get(a.imageId);
      if (!im) throw new DataFileError(file, `${where}: image_id ${a.imageId} is not an image of the file`);
      if (!categoryIds.has(a.categoryId)) {
        throw new DataFileError(file, `${where}: category_id ${a.categoryId} is not a category of the file (ids: ${[...categoryIds].sort((x, y) => x - y).join(', ')})`);
      }
      const s = a.segmentation;
      if (s?.kind === 'rle' && (s.height !== im.height || s.width !== im.width)) {
        throw new DataFileError(file, `${where}: RLE mask is ${s.height}×${s.width} (size [h, w]) but image ${im.id} is ${im.height}×${im.width}`);
      }
    });
    return { file, images: this.images, categories: this.categories, annotations: this.annotations };
  }
}

function readImage(v: Json, where: string): CocoImage {
  const o = object(v, where);
  const id = integer(o, 'id', where, 0);
  const width = integer(o, 'width', where, 1);
  const height = integer(o, 'height', where, 1);
  if (width * height > COCO_LIMITS.maxPixels) throw new Error(`${where} (id ${id}): ${width}×${height} exceeds ${COCO_LIMITS.maxPixels} pixels`);
  const fileName = o['file_name'];
  if (typeof fileName !== 'string' || fileName === '') throw new Error(`${where} (id ${id}): file_name is ${describe(fileName)}, expected the image's file name`);
  if (fileName.includes('\0') || fileName.split(/[\\/]/).includes('..')) throw new Error(`${where} (id ${id}): file_name '${fileName}' leaves the images folder`);
  return { id, fileName, width, height };
}

function readCategory(v: Json, where: string): CocoCategory {
  const o = object(v, where);
  const id = integer(o, 'id', where, 0);
  const name = o['name'];
  if (typeof name !== 'string' || name.trim() === '' || name.length > COCO_LIMITS.maxNameLength || /[\0\n\r]/.test(name)) {
    throw new Error(`${where} (id ${id}): name is ${describe(name)}, expected a one-line category name`);
  }
  const sc = o['supercategory'];
  return { id, name, supercategory: typeof sc === 'string' ? sc : '' };
}

function readAnnotation(v: Json, whereIndex: string, masks: Float32Slab | null): CocoInstance {
  const o = object(v, whereIndex);
  const id = integer(o, 'id', whereIndex, 0);
  const where = `${whereIndex} (id ${id})`;
  const imageId = integer(o, 'image_id', where, 0);
  const categoryId = integer(o, 'category_id', where, 0);
  const b = o['bbox'];
  if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => typeof x === 'number' && Number.isFinite(x)) || (b[2] as number) < 0 || (b[3] as number) < 0) {
    throw new Error(`${where}: bbox is ${describe(b)}, expected [x, y, width, height] with width, height >= 0`);
  }
  const crowdValue = o['iscrowd'] ?? 0;
  if (crowdValue !== 0 && crowdValue !== 1 && crowdValue !== true && crowdValue !== false) throw new Error(`${where}: iscrowd is ${describe(crowdValue)}, expected 0 or 1`);
  const area = o['area'] ?? 0;
  if (typeof area !== 'number' || !Number.isFinite(area)) throw new Error(`${where}: area is ${describe(area)}, expected a number`);
  const seg = o['segmentation'];
  return {
    id, imageId, categoryId, bbox: b as [number, number, number, number], area,
    crowd: crowdValue === 1 || crowdValue === true,
    segmentation: masks && seg !== undefined && seg !== null ? readSegmentation(seg, where, masks) : null,
  };
}

/**
 * Hands out Float32Arrays as views of shared 1 MB buffers. COCO has about 7 polygons per image of
 * ~20 points each: one ArrayBuffer per polygon (each with its own backing store and allocation)
 * costs about as much as its coordinates (bench/cocoRead.ts, 460 MB file: peak RSS 1283 → 1105 MB;
 * the smallest V8 heap that reads it, 1000 → 800 MB).
 */
class Float32Slab {
  static readonly CHUNK = 1 << 18;
  private buffer = new Float32Array(0);
  private used = 0;

  /** A zeroed Float32Array of n elements (its own buffer when n exceeds a chunk). */
  alloc(n: number): Float32Array {
    if (n > Float32Slab.CHUNK) return new Float32Array(n);
    if (this.used + n > this.buffer.length) {
      this.buffer = new Float32Array(Float32Slab.CHUNK);
      this.used = 0;
    }
    const out = this.buffer.subarray(this.used, this.used + n);
    this.used += n;
    return out;
  }
}

function readSegmentation(s: Json, where: string, slab: Float32Slab): CocoSegmentation | null {
  if (Array.isArray(s)) {
    let total = 0;
    const polygons = s.map((p, k) => {
      if (!Array.isArray(p) || p.length < 6 || p.length % 2 !== 0) {
        throw new Error(`${where}: segmentation polygon ${k} is ${describe(p)}, expected [x1, y1, x2, y2, x3, y3, …] (an even number >= 6 of coordinates)`);
      }
      total += p.length;
      if (total > COCO_LIMITS.maxPolygonValues) throw new Error(`${where}: more than ${COCO_LIMITS.maxPolygonValues} polygon coordinates`);
      for (let i = 0; i < p.length; i++) {
        const x = p[i];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${where}: segmentation polygon ${k} has ${describe(x)} at position ${i}, expected a number`);
      }
      const out = slab.alloc(p.length);
      out.set(p as number[]);
      return out;
    });
    return polygons.length === 0 ? null : { kind: 'polygons', polygons };
  }
  const o = object(s, `${where}: segmentation`);
  const size = o['size'];
  if (!Array.isArray(size) || size.length !== 2 || !size.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1)) {
    throw new Error(`${where}: segmentation size is ${describe(size)}, expected [height, width]`);
  }
  const [height, width] = size as [number, number];
  if (height * width > COCO_LIMITS.maxPixels) throw new Error(`${where}: RLE mask ${height}×${width} exceeds ${COCO_LIMITS.maxPixels} pixels`);
  const c = o['counts'];
  if (typeof c === 'string') {
    checkRleCounts(decodeRleCounts(c, where), height, width, where);
    return { kind: 'rle', height, width, counts: c };
  }
  if (Array.isArray(c)) {
    if (!c.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) {
      throw new Error(`${where}: RLE counts must be integers >= 0`);
    }
    const counts = Uint32Array.from(c as number[]);
    checkRleCounts(counts, height, width, where);
    return { kind: 'rle', height, width, counts };
  }
  throw new Error(`${where}: segmentation counts is ${describe(c)}, expected a run-length array or a compressed RLE string`);
}

function object(v: Json, where: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${where} is ${describe(v)}, expected an object`);
  return v;
}

function integer(o: JsonObject, key: string, where: string, min: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new Error(`${where}: ${key} is ${describe(v)}, expected an integer >= ${min}`);
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
