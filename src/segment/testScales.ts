// Test-time input scales: the factors by which the run's input side is multiplied when class
// maps are computed at several scales (multi-scale inference).
import { outOfRange } from '../core/index.js';

/**
 * Oquab et al. (CVPR 2015) §4, "Classification": at test time the image is rescaled by
 * s ∈ {0.5, 0.7, 1, 1.4, 2.0, 2.8} and the raw per-class scores are averaged over the scales.
 */
export const OQUAB_TEST_SCALES: readonly number[] = Object.freeze([0.5, 0.7, 1, 1.4, 2, 2.8]);

/** Named scale sets accepted by {@link parseTestScales}. */
export const TEST_SCALE_PRESETS: Readonly<Record<string, readonly number[]>> = Object.freeze({ oquab: OQUAB_TEST_SCALES });

/**
 * Parses a scale list: a preset name (`oquab`) or comma-separated positive factors (`1`,
 * `0.5,1,1.5,2`). Throws, naming the text, on anything else (empty items, non-numbers, zero or
 * negative factors, duplicates).
 * @example parseTestScales('0.5,1,1.5,2'); // [0.5, 1, 1.5, 2]
 */
export function parseTestScales(text: string): number[] {
  const name = 'the test scales';
  const expected = `comma-separated positive factors (e.g. 0.5,1,1.5,2) or a preset (${Object.keys(TEST_SCALE_PRESETS).join(', ')})`;
  const preset = TEST_SCALE_PRESETS[text.trim().toLowerCase()];
  if (preset) return [...preset];
  const parts = text.split(',').map((s) => s.trim());
  const scales: number[] = [];
  for (const p of parts) {
    const v = Number(p);
    if (p === '' || !Number.isFinite(v) || v <= 0) throw outOfRange(name, expected, text, `'${p}' is not a positive number`);
    if (scales.includes(v)) throw outOfRange(name, 'distinct factors', text, `${v} appears twice`);
    scales.push(v);
  }
  return scales;
}

/** The network input side at `scale` for a run trained at `size` px (at least 1 px). */
export function scaledSide(size: number, scale: number): number {
  return Math.max(1, Math.round(size * scale));
}
