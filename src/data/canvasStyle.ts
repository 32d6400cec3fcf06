/**
 * The look of one synthetic image, drawn per image from its seed: which background family, which
 * rule colours the items, how much items stand out, how many clutter fragments, and how the
 * "camera" degrades the result (blur, pixel noise, JPEG artefacts).
 *
 * Style-diverse pre-training draws every image from {@link PRETRAIN_STYLES}, so the backbone
 * learns item shapes rather than one rendering style; {@link HELD_OUT_STYLES} (a background
 * family and a tint rule pre-training never uses) renders evaluation scenes that measure how the
 * backbone transfers to a style it has never seen — what real users meet.
 */
import { hsvToRgb, type Rgb } from './canvas.js';
import type { Rng } from './random.js';
import type { ItemPaint } from './tintedItem.js';

/**
 * Background families:
 * - `clutter`: the classic dark clutter of `clutter.ts` (blotches, gratings, translucent shapes);
 * - `flat`: one colour of any brightness;
 * - `gradient`: a linear or radial blend of two colours;
 * - `noise`: multi-octave value noise between two colours;
 * - `texture`: a texture cut from another item, magnified and tiled, between two colours;
 * - `mosaic`: hard-edged Voronoi cells of related colours (held out of pre-training).
 */
export const BACKGROUND_FAMILIES = ['clutter', 'flat', 'gradient', 'noise', 'texture', 'mosaic'] as const;
export type BackgroundFamily = (typeof BACKGROUND_FAMILIES)[number];

/**
 * Tint rules for items:
 * - `shaded`: one colour, the item's gray texture shading it (shading 0.4–0.8);
 * - `flat`: one colour, (almost) no texture shading — a silhouette (shading 0–0.15);
 * - `twoTone`: two distinct hues blended across the item, shaded (held out of pre-training).
 */
export const TINT_RULES = ['shaded', 'flat', 'twoTone'] as const;
export type TintRule = (typeof TINT_RULES)[number];

/** The families a generator may draw from (each image picks one of each, uniformly). */
export interface StyleFamilies {
  readonly backgrounds: readonly BackgroundFamily[];
  readonly tints: readonly TintRule[];
}

/** Style-diverse pre-training: every family except the held-out ones. */
export const PRETRAIN_STYLES: StyleFamilies = Object.freeze({
  backgrounds: Object.freeze(['clutter', 'flat', 'gradient', 'noise', 'texture'] as const),
  tints: Object.freeze(['shaded', 'flat'] as const),
});

/** Kept out of pre-training: the held-out-style evaluation scenes use only these. */
export const HELD_OUT_STYLES: StyleFamilies = Object.freeze({
  backgrounds: Object.freeze(['mosaic'] as const),
  tints: Object.freeze(['twoTone'] as const),
});

/** Every parameter of one image's look. */
export interface CanvasStyle {
  background: BackgroundFamily;
  tint: TintRule;
  /** Minimum HSV-value difference between an item's tint and the background under it. */
  contrast: number;
  /** Items brighter (true) or darker than the background, when both are possible. */
  brightItems: boolean;
  /** Number of clutter fragments (pieces of other items) drawn over the background. */
  fragments: number;
  /** Gaussian blur of the finished image, in pixels (0 = none). */
  blurSigma: number;
  /** Amplitude of the uniform pixel noise (0 = none). */
  noise: number;
  /** JPEG quality of the compression artefacts (0 = none). */
  jpegQuality: number;
}

/** Ranges and probabilities of the per-image style draw. */
export interface StyleRanges {
  contrast: readonly [number, number];
  /** Probability that items are brighter than their background. */
  brightItems: number;
  /** Fragments per image, both ends included (scale with the canvas area). */
  fragments: readonly [number, number];
  /** Probability of a blur, and its sigma range. */
  blur: number;
  blurSigma: readonly [number, number];
  noise: readonly [number, number];
  /** Probability of JPEG artefacts, and the quality range. */
  jpeg: number;
  jpegQuality: readonly [number, number];
}

/** Ranges for 96-px pre-training canvases (scene generators scale `fragments` with the area). */
export const DEFAULT_STYLE_RANGES: Readonly<StyleRanges> = Object.freeze({
  contrast: [0.15, 0.6] as const,
  brightItems: 0.6,
  fragments: [0, 4] as const,
  blur: 0.3,
  blurSigma: [0.4, 1.5] as const,
  noise: [0, 0.08] as const,
  jpeg: 0.5,
  jpegQuality: [15, 85] as const,
});

/** Checks a family set: non-empty lists of known names. */
export function checkStyleFamilies(f: StyleFamilies, who: string): void {
  if (!f || !Array.isArray(f.backgrounds) || !Array.isArray(f.tints) || f.backgrounds.length === 0 || f.tints.length === 0) {
    throw new RangeError(`${who}: style families need at least one background and one tint rule, got ${JSON.stringify(f)}`);
  }
  for (const b of f.backgrounds) {
    if (!BACKGROUND_FAMILIES.includes(b)) throw new RangeError(`${who}: unknown background family '${b}'; known: ${BACKGROUND_FAMILIES.join(', ')}`);
  }
  for (const t of f.tints) {
    if (!TINT_RULES.includes(t)) throw new RangeError(`${who}: unknown tint rule '${t}'; known: ${TINT_RULES.join(', ')}`);
  }
}

/** Draws one image's style from `families` and `ranges`. */
export function sampleCanvasStyle(rng: Rng, families: StyleFamilies, ranges: StyleRanges = DEFAULT_STYLE_RANGES): CanvasStyle {
  const background = rng.pick(families.backgrounds);
  const tint = rng.pick(families.tints);
  const contrast = rng.uniform(ranges.contrast[0], ranges.contrast[1]);
  const brightItems = rng.bool(ranges.brightItems);
  const fragments = rng.intBetween(ranges.fragments[0], ranges.fragments[1]);
  const blurSigma = rng.bool(ranges.blur) ? rng.uniform(ranges.blurSigma[0], ranges.blurSigma[1]) : 0;
  const noise = rng.uniform(ranges.noise[0], ranges.noise[1]);
  const jpegQuality = rng.bool(ranges.jpeg) ? rng.intBetween(ranges.jpegQuality[0], ranges.jpegQuality[1]) : 0;
  return { background, tint, contrast, brightItems, fragments, blurSigma, noise, jpegQuality };
}

/**
 * The paint of one item under `style`, on a background of brightness `backgroundValue` (mean HSV
 * value under the item): its value keeps at least `style.contrast` from the background, on the
 * preferred side when there is room (else the other; if neither has room, the farther end).
 */
export function sampleItemPaint(rng: Rng, style: CanvasStyle, backgroundValue: number): ItemPaint {
  const up = backgroundValue + style.contrast;
  const down = backgroundValue - style.contrast;
  // Items darker than ~0.12 lose their shading to the alpha ramp: keep a floor.
  const canUp = up <= 1;
  const canDown = down >= 0.12;
  let bright = style.brightItems;
  if (bright && !canUp && canDown) bright = false;
  else if (!bright && !canDown && canUp) bright = true;
  else if (!canUp && !canDown) bright = backgroundValue < 0.5;
  const value = bright ? rng.uniform(Math.min(up, 1), 1) : rng.uniform(0.12, Math.max(0.12, down));
  const hue = rng.next();
  const saturation = rng.uniform(0, 1);
  const tint = hsvToRgb(hue, saturation, value);
  switch (style.tint) {
    case 'shaded':
      return { tint, shading: rng.uniform(0.4, 0.8) };
    case 'flat':
      return { tint, shading: rng.uniform(0, 0.15) };
    case 'twoTone': {
      const tint2: Rgb = hsvToRgb(hue + rng.uniform(0.25, 0.75), Math.max(saturation, rng.uniform(0.5, 1)), value);
      return { tint, tint2, angle: rng.uniform(0, 2 * Math.PI), shading: rng.uniform(0.4, 0.8) };
    }
  }
}
