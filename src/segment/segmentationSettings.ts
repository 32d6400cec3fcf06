// Every choice of the segmentation pipeline in one serialisable object, with its defaults
// (defined here once; the CLI and the API read them from here).
import { DEFAULT_MULTI_SCALE, type MultiScaleOptions } from './multiScaleClassMaps.js';
import type { ImagePrior, MapNormalization } from './classEvidence.js';
import { DEFAULT_SLIC, type SlicOptions } from './slic.js';
import type { DenseCrfOptions } from './denseCrf.js';

/** Post-processing of the label map: none, the dense CRF (its labels), or SLIC majority vote (SP-spxl). */
export type Smoothing = 'none' | 'crf' | 'slic';

export const SMOOTHINGS: readonly Smoothing[] = Object.freeze(['none', 'crf', 'slic']);

/**
 * The background threshold δ: 'tuned' — the run's per-class δ_k from `wildcat
 * tune-segmentation` for these settings; 'tuned-global' — its single best δ; or a number in [0, 1).
 */
export type ThresholdSetting = 'tuned' | 'tuned-global' | number;

export interface SegmentationSettings extends MultiScaleOptions {
  mapNorm: MapNormalization;
  prior: ImagePrior;
  /** Image-level probability a class needs with prior 'threshold'. */
  priorThreshold: number;
  /** How background competes: a threshold on the best class evidence, or the (1 − max)^γ score. */
  background: 'threshold' | 'power';
  threshold: ThresholdSetting;
  /** γ of the 'power' background; null: the γ that decides like the threshold in use. */
  gamma: number | null;
  /** The smoothing of the written / reported label maps. */
  smoothing: Smoothing;
  slic: SlicOptions;
  /** Dense CRF options; unset fields take DENSE_CRF_DEFAULTS (VOC's values, spatial σ scaled to the image). */
  crf: DenseCrfOptions;
}

/**
 * The background threshold used when a run has no tuned one: a pixel is foreground when its
 * best class evidence (peak-normalized map × image-level probability) exceeds 0.5.
 */
export const DEFAULT_BACKGROUND_THRESHOLD = 0.5;

export const DEFAULT_SEGMENTATION: Readonly<SegmentationSettings> = Object.freeze({
  ...DEFAULT_MULTI_SCALE,
  mapNorm: 'peak',
  prior: 'weight',
  priorThreshold: 0.5,
  background: 'threshold',
  threshold: 'tuned',
  gamma: null,
  smoothing: 'crf',
  slic: DEFAULT_SLIC,
  crf: Object.freeze({}),
} satisfies SegmentationSettings);

/** Settings given explicitly (by flags or an API call); the rest take the defaults. */
export type SegmentationOverrides = Partial<Omit<SegmentationSettings, 'slic' | 'crf'>> & { slic?: Partial<SlicOptions>; crf?: DenseCrfOptions };

/**
 * Complete settings from `overrides`: every field left out takes DEFAULT_SEGMENTATION's value,
 * except the test scales, which default to the ones a run recorded (`wildcat train --test-scales`,
 * the oquab-max preset) when it recorded any.
 */
export function resolveSegmentationSettings(overrides: SegmentationOverrides = {}, runTestScales: readonly number[] | null = null): SegmentationSettings {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as SegmentationOverrides;
  const D = DEFAULT_SEGMENTATION;
  return {
    ...D,
    ...given,
    scales: [...(given.scales ?? runTestScales ?? D.scales)],
    slic: { ...D.slic, ...given.slic },
    crf: { ...D.crf, ...given.crf },
  };
}

/** The settings the class evidence depends on — what a tuned threshold is valid for. */
export interface EvidenceKey {
  scales: number[];
  flip: boolean;
  fuse: string;
  mapNorm: string;
  prior: string;
  priorThreshold: number | null;
  checkpoint: string;
}

export function evidenceKey(s: SegmentationSettings, checkpoint: 'best' | 'last'): EvidenceKey {
  return {
    scales: [...s.scales],
    flip: s.flip,
    fuse: s.scales.length * (s.flip ? 2 : 1) > 1 ? s.fuse : 'mean',
    mapNorm: s.mapNorm,
    prior: s.prior,
    priorThreshold: s.prior === 'threshold' ? s.priorThreshold : null,
    checkpoint,
  };
}

/** A short text of the settings the evidence depends on, e.g. `scales 0.5,1 flip, mean, link, prior weight`. */
export function describeEvidenceKey(k: EvidenceKey): string {
  const passes = k.scales.length * (k.flip ? 2 : 1);
  return [
    `scales ${k.scales.join(',')}${k.flip ? ' + flip' : ''}${passes > 1 ? ` (${k.fuse})` : ''}`,
    `map-norm ${k.mapNorm}`,
    `prior ${k.prior}${k.priorThreshold !== null ? ` ${k.priorThreshold}` : ''}`,
    `${k.checkpoint} checkpoint`,
  ].join(', ');
}

export function sameEvidenceKey(a: EvidenceKey, b: EvidenceKey): boolean {
  return a.scales.length === b.scales.length && a.scales.every((s, i) => s === b.scales[i]) && a.flip === b.flip && a.fuse === b.fuse &&
    a.mapNorm === b.mapNorm && a.prior === b.prior && a.priorThreshold === b.priorThreshold && a.checkpoint === b.checkpoint;
}
