/**
 * Writes generated scenes (`scenes.ts`) as a PASCAL VOC dataset, in the exact VOCdevkit layout, so
 * the VOC reader (and any VOC tool) serves them like real VOC:
 *
 *   OUT/VOC2007/JPEGImages/NNNNNN.jpg
 *   OUT/VOC2007/Annotations/NNNNNN.xml              (VOC 2007 style; bndbox 1-based inclusive)
 *   OUT/VOC2007/SegmentationClass/NNNNNN.png        (palette PNG, VOC colours, 0 background, 1..C, 255 void)
 *   OUT/VOC2007/SegmentationObject/NNNNNN.png       (palette PNG, instance 1..K, 255 void)
 *   OUT/VOC2007/ImageSets/Main/{train,val,trainval,test}.txt
 *   OUT/VOC2007/ImageSets/Main/<class>_{train,val,trainval,test}.txt   ("NNNNNN -1" / "NNNNNN  1")
 *   OUT/VOC2007/ImageSets/Segmentation/{train,val,trainval,test}.txt
 *
 * Ids are numbered from 000001 through train, then val, then test. Train and val scenes use the
 * Fashion-MNIST train items, test scenes the t10k items. Classes are the item classes in
 * alphabetical order (mask index = position + 1), which is what the reader detects from the
 * `<class>_<split>.txt` names. No object is truncated or difficult.
 * Deterministic: the same seed and options give the same files; scene k of a split depends only on
 * (seed, split, k). The set is written to a temporary sibling folder and renamed at the end, so an
 * interrupted run never leaves a half-written VOC<year> folder.
 *
 * @example
 * const r = await writeVocScenes({ out: 'runs/scenes', counts: { train: 800, val: 100, test: 100 }, seed: 1 });
 * const voc = await openVocDataset(r.root, { split: 'train' });
 */
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { toVocBndbox } from './box.js';
import { loadFashionMnist, type GrayItemSet } from './fashionMnist.js';
import { encodeIndexedPng } from './indexedPng.js';
import { mapLimit } from './mapLimit.js';
import { mixSeed } from './random.js';
import { SceneGenerator, type SceneOptions } from './scenes.js';
import { formatVocAnnotation } from './vocAnnotation.js';
import { vocColormap } from './vocPalette.js';

export type SceneSplit = 'train' | 'val' | 'test';
const SPLITS: readonly SceneSplit[] = ['train', 'val', 'test'];

export interface WriteVocScenesOptions {
  /** Output folder (the VOCdevkit level); the set goes to `out/VOC<year>`. */
  out: string;
  /** Number of scenes per split. */
  counts: { train: number; val: number; test: number };
  /** Default 0. */
  seed?: number;
  /** Image side in pixels. Default 192. */
  size?: number;
  /** Other scene options (items per scene, item sizes, clutter, void border, ...). */
  scene?: Omit<SceneOptions, 'seed' | 'size' | 'width' | 'height' | 'classNames' | 'itemIndices'>;
  /** Item sets; default Fashion-MNIST train (for train/val scenes) and t10k (for test scenes). */
  items?: { train: GrayItemSet; test: GrayItemSet };
  /** Folder of the Fashion-MNIST files when `items` is not given. */
  fashionMnistDir?: string;
  /** JPEG quality (chroma not subsampled). Default 90. */
  jpegQuality?: number;
  /** Folder name suffix and `<folder>` in the XML. Default '2007'. */
  year?: string;
  /** Replace an existing `out/VOC<year>`; otherwise an existing one is an error. Default false. */
  overwrite?: boolean;
  /** Images encoded concurrently. Default 4. */
  concurrency?: number;
  /** Called after each image with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface VocScenesSummary {
  /** The written `VOC<year>` folder. */
  root: string;
  classNames: readonly string[];
  ids: Record<SceneSplit, string[]>;
  /** Total objects written. */
  objects: number;
  /** Wall-clock time of the whole write. */
  seconds: number;
}

/** Generates and writes a scene dataset; see the module comment. */
export async function writeVocScenes(options: WriteVocScenesOptions): Promise<VocScenesSummary> {
  const started = performance.now();
  const year = options.year ?? '2007';
  const seed = options.seed ?? 0;
  const size = options.size ?? 192;
  const quality = options.jpegQuality ?? 90;
  for (const s of SPLITS) {
    const n = options.counts[s];
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`writeVocScenes: counts.${s} must be an integer >= 0, got ${n}`);
  }
  const total = options.counts.train + options.counts.val + options.counts.test;
  if (total > 999999) throw new RangeError(`writeVocScenes: at most 999999 images fit 6-digit ids, got ${total}`);
  const items = options.items ?? {
    train: await loadFashionMnist('train', { dir: options.fashionMnistDir }),
    test: await loadFashionMnist('test', { dir: options.fashionMnistDir }),
  };

  const root = join(resolve(options.out), `VOC${year}`);
  if (await exists(root)) {
    if (!options.overwrite) throw new Error(`${root} already exists; remove it, choose another 'out', or pass overwrite: true`);
  }
  const tmp = `${root}.partial-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  const dirs = ['JPEGImages', 'Annotations', 'SegmentationClass', 'SegmentationObject', 'ImageSets/Main', 'ImageSets/Segmentation'];
  for (const d of dirs) await mkdir(join(tmp, d), { recursive: true });

  const classNames = [...items.train.classNames].sort();
  const generators: Record<SceneSplit, SceneGenerator> = {
    train: new SceneGenerator(items.train, { ...options.scene, size, classNames, seed: mixSeed(seed, 'train') }),
    val: new SceneGenerator(items.train, { ...options.scene, size, classNames, seed: mixSeed(seed, 'val') }),
    test: new SceneGenerator(items.test, { ...options.scene, size, classNames, seed: mixSeed(seed, 'test') }),
  };
  const jobs: Array<{ split: SceneSplit; k: number; id: string }> = [];
  const ids: Record<SceneSplit, string[]> = { train: [], val: [], test: [] };
  for (const split of SPLITS) {
    for (let k = 0; k < options.counts[split]; k++) {
      const id = String(jobs.length + 1).padStart(6, '0');
      jobs.push({ split, k, id });
      ids[split].push(id);
    }
  }
  const C = classNames.length;
  const labels = new Int8Array(total * C); // row = job index
  const palette = vocColormap();
  let objects = 0;
  let done = 0;
  const database = 'wildcat-ts synthetic scenes (Fashion-MNIST items)';

  try {
    await mapLimit(jobs, options.concurrency ?? 4, async (job, j) => {
      const scene = generators[job.split].sceneAt(job.k);
      objects += scene.objects.length;
      labels.fill(-1, j * C, (j + 1) * C);
      for (const c of scene.classes) labels[j * C + c] = 1;
      const xml = formatVocAnnotation({
        folder: `VOC${year}`, filename: `${job.id}.jpg`, width: scene.width, height: scene.height, depth: 3,
        segmented: true, database,
        objects: scene.objects.map((o) => ({ name: o.className, bndbox: toVocBndbox(o.box) })),
      });
      await Promise.all([
        sharp(scene.rgb, { raw: { width: scene.width, height: scene.height, channels: 3 } })
          .jpeg({ quality, chromaSubsampling: '4:4:4' })
          .toFile(join(tmp, 'JPEGImages', `${job.id}.jpg`)),
        writeFile(join(tmp, 'Annotations', `${job.id}.xml`), xml),
        writeFile(join(tmp, 'SegmentationClass', `${job.id}.png`),
          encodeIndexedPng({ width: scene.width, height: scene.height, indices: scene.classMask, palette })),
        writeFile(join(tmp, 'SegmentationObject', `${job.id}.png`),
          encodeIndexedPng({ width: scene.width, height: scene.height, indices: scene.instanceMask, palette })),
      ]);
      options.onProgress?.(++done, total);
    });

    const listing = (list: string[]): string => list.map((id) => `${id}\n`).join('');
    const splitsWithTrainval: Array<[string, SceneSplit[]]> = [
      ['train', ['train']], ['val', ['val']], ['trainval', ['train', 'val']], ['test', ['test']],
    ];
    const rowOf = new Map(jobs.map((job, j) => [job.id, j]));
    const writes: Array<Promise<void>> = [];
    for (const [name, parts] of splitsWithTrainval) {
      const list = parts.flatMap((p) => ids[p]);
      writes.push(writeFile(join(tmp, 'ImageSets', 'Main', `${name}.txt`), listing(list)));
      writes.push(writeFile(join(tmp, 'ImageSets', 'Segmentation', `${name}.txt`), listing(list)));
      classNames.forEach((cls, c) => {
        // VOC's own format: "%s %2d", i.e. "000005 -1" and "000007  1".
        const text = list.map((id) => `${id} ${String(labels[rowOf.get(id)! * C + c]).padStart(2, ' ')}\n`).join('');
        writes.push(writeFile(join(tmp, 'ImageSets', 'Main', `${cls}_${name}.txt`), text));
      });
    }
    await Promise.all(writes);
    if (await exists(root)) await rm(root, { recursive: true, force: true });
    await mkdir(dirname(root), { recursive: true });
    await rename(tmp, root);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  return { root, classNames: Object.freeze(classNames), ids, objects, seconds: (performance.now() - started) / 1000 };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
