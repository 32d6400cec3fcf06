/**
 * Input checks shared by the metrics. Every check names the calling metric, the
 * argument and the offending index, so a bad input is found at once instead of
 * silently producing a wrong number. Classes follow src/core/errors.ts: a
 * TypeError for a value of the wrong type, a RangeError for a wrong value.
 */
import { expectInteger, expectNumber, outOfRange } from '../core/errors.js';

/** Throws unless `a` and `b` have the same length. */
export function checkSameLength(
  where: string,
  aName: string,
  a: ArrayLike<unknown>,
  bName: string,
  b: ArrayLike<unknown>,
): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `${where}: ${aName} has ${a.length} entries but ${bName} has ${b.length}; ` +
        `pass exactly one ${bName} entry per ${aName} entry`,
    );
  }
}

/** Throws if any entry is NaN (±Infinity is allowed: it still orders). */
export function checkNoNaN(where: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new (typeof v === 'number' ? RangeError : TypeError)(
        `${where}: ${name}[${i}] is ${String(v)}; scores must be numbers (NaN cannot be ranked — ` +
          `check the model output for overflow or uninitialised values)`,
      );
    }
  }
}

/** Throws if any entry is not a finite number. */
export function checkFinite(where: string, name: string, value: number): void {
  expectNumber(`${name} of ${where}()`, value);
}

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(where: string, name: string, value: number, min: number): void {
  expectInteger(`${name} of ${where}()`, value, { min });
}

/** How binary ground-truth labels are written. */
export type LabelFormat = 'voc' | 'binary';

/** One label after decoding: 1 positive, -1 negative, 0 ignored (VOC "difficult"). */
export type LabelKind = 1 | -1 | 0;

/**
 * Decodes one label.
 * - `'voc'` (default): 1 positive, -1 negative, 0 difficult (ignored).
 * - `'binary'`: 1 positive, 0 negative; nothing is ignored.
 * Any other value throws, because a silently misread label changes AP.
 */
export function decodeLabel(
  where: string,
  name: string,
  index: number | string,
  label: number,
  format: LabelFormat,
): LabelKind {
  if (format === 'voc') {
    if (label === 1) return 1;
    if (label === -1) return -1;
    if (label === 0) return 0;
    throw new RangeError(
      `${where}: ${name}[${index}] = ${String(label)} is not a VOC label ` +
        `(1 positive, -1 negative, 0 difficult/ignored); for 0/1 labels pass {labelFormat: 'binary'}`,
    );
  }
  if (format === 'binary') {
    if (label === 1) return 1;
    if (label === 0) return -1;
    throw new RangeError(
      `${where}: ${name}[${index}] = ${String(label)} is not a binary label (1 positive, 0 negative); ` +
        `for 1/-1/0 VOC labels pass {labelFormat: 'voc'}`,
    );
  }
  throw outOfRange(`option labelFormat of ${where}()`, "'voc' or 'binary'", format);
}
