/**
 * The quick pass over a dataset's image files before training or inference: every file is
 * decoded once (no resize), so a damaged or oversized image is named before the first step
 * instead of stopping a run after minutes; and the list without the damaged files, for training
 * that skips them.
 */
import type { LabeledImageList } from './imageList.js';
import { checkImageFile } from './imagePipeline.js';
import { mapLimit } from './mapLimit.js';

/** One image that cannot be used: its index in the list, its file and why. */
export interface BadImage {
  index: number;
  path: string;
  reason: string;
}

/**
 * Decodes every image of `list` (4 at a time, on libuv's threads) and returns the ones that fail,
 * in list order. `onProgress` is called with (done, total).
 */
export async function findBadImages(list: LabeledImageList, options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<BadImage[]> {
  const bad: BadImage[] = [];
  let done = 0;
  const n = list.ids.length;
  await mapLimit(Array.from({ length: n }, (_, i) => i), options.concurrency ?? 4, async (i) => {
    const path = list.imagePath(i);
    try {
      await checkImageFile(path);
    } catch (e) {
      bad.push({ index: i, path, reason: (e as Error).message });
    }
    options.onProgress?.(++done, n);
  });
  return bad.sort((a, b) => a.index - b.index);
}

/** The bad images as an error message: the first few named with their reasons, then a count. */
export function describeBadImages(bad: readonly BadImage[], what: string, advice: string): string {
  const shown = bad.slice(0, 5).map((b) => `  ${b.reason}`).join('\n');
  const more = bad.length > 5 ? `\n  ... and ${bad.length - 5} more` : '';
  return `${bad.length} image file${bad.length === 1 ? '' : 's'} of ${what} cannot be decoded:\n${shown}${more}\n${advice}`;
}

/** `list` without the images at `drop` (ids, labels, class indices and paths kept aligned). */
export function withoutImages(list: LabeledImageList, drop: readonly number[]): LabeledImageList {
  if (drop.length === 0) return list;
  const dropped = new Set(drop);
  const keep: number[] = [];
  for (let i = 0; i < list.ids.length; i++) if (!dropped.has(i)) keep.push(i);
  const C = list.classNames.length;
  const labels = new Int8Array(keep.length * C);
  keep.forEach((i, k) => labels.set(list.labels.subarray(i * C, (i + 1) * C), k * C));
  const classIndex = list.classIndex ? Int32Array.from(keep, (i) => list.classIndex![i]!) : undefined;
  return {
    ids: Object.freeze(keep.map((i) => list.ids[i]!)),
    classNames: list.classNames,
    labels,
    ...(classIndex ? { classIndex } : {}),
    imagePath: (k: number) => list.imagePath(keep[k]!),
  };
}
