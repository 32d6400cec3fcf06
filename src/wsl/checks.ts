// Input checks shared by the poolings and losses. Each error names the function, the argument
// and the shape it got, and says what was expected.
import { invalidType, isFloating, isTensor, type Tensor } from '../core/index.js';

const shapeText = (t: Tensor): string => `[${t.shape.join(', ')}]`;

/** Throws a TypeError naming the function and argument unless `v` is a live Tensor. */
export function checkTensor(fn: string, name: string, v: unknown): void {
  if (!isTensor(v)) throw invalidType(`argument ${name} of ${fn}()`, 'a Tensor', v);
}

/** Checks that x is a floating [B, C, H, W] batch of class maps and returns its sizes. */
export function checkMaps(fn: string, x: Tensor, what = 'class maps [batch, classes, height, width]'): [number, number, number, number] {
  checkTensor(fn, 'x', x);
  if (x.rank !== 4) throw new RangeError(`${fn}: x must be ${what} (rank 4), got shape ${shapeText(x)} (rank ${x.rank})`);
  if (!isFloating(x.dtype)) throw new TypeError(`${fn}: x must be a floating tensor, got ${x.dtype} with shape ${shapeText(x)}; convert with .float()`);
  const [b, c, h, w] = x.shape as [number, number, number, number];
  if (h * w === 0) throw new RangeError(`${fn}: x has no regions (height·width = 0), shape ${shapeText(x)}`);
  return [b, c, h, w];
}

/** Checks that scores is a floating [B, C] matrix and returns its sizes. */
export function checkScores(fn: string, scores: Tensor): [number, number] {
  checkTensor(fn, 'scores', scores);
  if (scores.rank !== 2) throw new RangeError(`${fn}: scores must be [batch, classes] (rank 2), got shape ${shapeText(scores)} (rank ${scores.rank})`);
  if (!isFloating(scores.dtype)) throw new TypeError(`${fn}: scores must be a floating tensor, got ${scores.dtype} with shape ${shapeText(scores)}`);
  return scores.shape as [number, number];
}

/** Checks that labels has exactly the shape of scores. */
export function checkSameShape(fn: string, scores: Tensor, labels: Tensor, name = 'labels'): void {
  checkTensor(fn, name, labels);
  const a = scores.shape;
  const b = labels.shape;
  if (a.length !== b.length || a.some((s, i) => s !== b[i])) {
    throw new RangeError(`${fn}: ${name} must have the shape of scores ${shapeText(scores)}, got ${shapeText(labels)}`);
  }
}

/** Checks that an option is a finite number (or one of the allowed infinities). */
export function checkNumber(fn: string, name: string, v: unknown, x: Tensor, allowInfinite = false): number {
  if (typeof v !== 'number' || Number.isNaN(v) || (!allowInfinite && !Number.isFinite(v))) {
    throw new TypeError(`${fn}: ${name} must be a ${allowInfinite ? 'number (±Infinity allowed)' : 'finite number'}, got ${String(v)} (x shape ${shapeText(x)})`);
  }
  return v;
}

export { shapeText };
