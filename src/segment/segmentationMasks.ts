// Predicted segmentations on disk, exactly like VOC's SegmentationClass: 8-bit palette PNGs
// with the VOC colour map, 0 background, k + 1 for class k of the run's class list (255 void is
// never predicted), and the class list beside them (docs/DESIGN.md §6).
import { join } from 'node:path';
import { outOfRange } from '../core/index.js';
import { encodeIndexedPng, vocColormap } from '../data/index.js';
import { writeFileAtomic } from '../io/index.js';

/** The class-list file written beside the masks: line i (0-based) names mask index i + 1. */
export const MASK_CLASSES_FILE = 'classes.txt';

/** Encodes a label map [H·W] as a VOC palette PNG. */
export function encodeSegmentationPng(labels: Uint8Array, width: number, height: number): Buffer {
  if (labels.length !== width * height) throw outOfRange('the number of labels of encodeSegmentationPng()', `${width}×${height} = ${width * height}`, labels.length);
  return encodeIndexedPng({ width, height, indices: labels, palette: vocColormap() });
}

/** Writes `<dir>/<id>.png` atomically. */
export function writeSegmentationMask(dir: string, id: string, labels: Uint8Array, width: number, height: number): string {
  const path = join(dir, `${id}.png`);
  writeFileAtomic(path, encodeSegmentationPng(labels, width, height));
  return path;
}

/** Writes `<dir>/classes.txt`: the run's class names, one per line (line i ↔ mask index i + 1). */
export function writeMaskClasses(dir: string, classNames: readonly string[]): string {
  for (const c of classNames) if (/[\r\n]/.test(c)) throw outOfRange('a class name of writeMaskClasses()', 'a name without line breaks', c);
  const path = join(dir, MASK_CLASSES_FILE);
  writeFileAtomic(path, classNames.join('\n') + '\n');
  return path;
}
