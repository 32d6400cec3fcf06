/**
 * Multi-class image datasets stored as one folder per class (ImageNet / torchvision ImageFolder
 * style): `root/<class>/**\/*.{jpg,jpeg,png,webp,tif,tiff,gif,avif}`. Classes are the sub-folder
 * names in alphabetical order (or `classNames`); ids are the paths relative to `root` with '/'
 * separators, sorted. Hidden files and folders are skipped.
 *
 * @example
 * const ds = await readFolderDataset('data/scenes15/train');
 * ds.classNames;  // ['bedroom', 'coast', ...]
 * ds.classIndex;  // Int32Array [N]; ds.labels is the ±1 one-hot [N × C]
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LabeledImageList } from './imageList.js';

export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif']);

export interface FolderDatasetOptions {
  /** Class folders to use, in this order; default all sub-folders, sorted. */
  classNames?: readonly string[];
  /** Accepted file extensions (lowercase, with the dot). */
  extensions?: readonly string[];
}

/** A folder-per-class dataset; see the module comment. */
export class FolderDataset implements LabeledImageList {
  constructor(
    readonly root: string,
    readonly ids: readonly string[],
    readonly classNames: readonly string[],
    readonly labels: Int8Array,
    readonly classIndex: Int32Array,
  ) {}

  imagePath(i: number): string {
    const id = this.ids[i];
    if (id === undefined) throw new RangeError(`folder dataset: image index ${i} outside [0, ${this.ids.length})`);
    return join(this.root, id);
  }
}

/** Scans `root`; see the module comment. */
export async function readFolderDataset(root: string, options: FolderDatasetOptions = {}): Promise<FolderDataset> {
  const abs = resolve(root);
  let entries;
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`dataset folder not found: ${abs} (expected one sub-folder of images per class)`);
    throw e;
  }
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  const classNames = options.classNames ? [...options.classNames] : folders;
  if (classNames.length === 0) throw new Error(`${abs} has no class sub-folders (expected root/<class>/<image>)`);
  for (const c of classNames) {
    if (!folders.includes(c)) throw new Error(`class folder missing: ${join(abs, c)}`);
  }
  const exts = new Set((options.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase()));
  const found: Array<{ id: string; c: number }> = [];
  for (let c = 0; c < classNames.length; c++) {
    for (const rel of await listImages(join(abs, classNames[c]!), exts)) found.push({ id: `${classNames[c]}/${rel}`, c });
  }
  if (found.length === 0) throw new Error(`${abs}: no images with extensions ${[...exts].join(', ')} in the class folders`);
  found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const C = classNames.length;
  const labels = new Int8Array(found.length * C).fill(-1);
  const classIndex = new Int32Array(found.length);
  found.forEach((f, i) => {
    labels[i * C + f.c] = 1;
    classIndex[i] = f.c;
  });
  return new FolderDataset(abs, Object.freeze(found.map((f) => f.id)), Object.freeze(classNames), labels, classIndex);
}

async function listImages(dir: string, exts: Set<string>, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) out.push(...(await listImages(join(dir, e.name), exts, `${prefix}${e.name}/`)));
    else {
      const dot = e.name.lastIndexOf('.');
      if (dot > 0 && exts.has(e.name.slice(dot).toLowerCase())) out.push(`${prefix}${e.name}`);
    }
  }
  return out;
}
