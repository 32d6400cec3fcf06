// The segmentation options shared by `predict`, `eval`, `report` and `tune-segmentation`:
// declared, documented and parsed here once. Defaults come from segment/segmentationSettings.ts.
import { DEFAULT_BACKGROUND_THRESHOLD, DEFAULT_SEGMENTATION, SMOOTHINGS, parseTestScales, type SegmentationSettings, type Smoothing, type ThresholdSetting } from '../segment/index.js';
import { choice, flag, num, optNum, optStr, UsageError, type Parsed } from './args.js';

export const SEGMENTATION_OPTIONS = {
  scales: { type: 'string' }, flip: { type: 'boolean' }, fuse: { type: 'string' },
  'map-norm': { type: 'string' }, prior: { type: 'string' }, 'prior-threshold': { type: 'string' },
  background: { type: 'string' }, threshold: { type: 'string' }, gamma: { type: 'string' },
  smooth: { type: 'string' }, 'slic-superpixels': { type: 'string' }, 'slic-compactness': { type: 'string' },
} as const;

const D = DEFAULT_SEGMENTATION;

export const SEGMENTATION_USAGE = `
Class maps (also change classification scores and peaks; defaults reproduce the single-scale figures)
  --scales S             input scales relative to the run's image size: 1 (default), a list
                         (0.5,1,1.5,2) or oquab (Oquab et al. 2015: 0.5,0.7,1,1.4,2,2.8)
  --flip                 also run each scale mirrored (maps mirrored back)
  --fuse F               mean (default) or max over scales and flips
Segmentation (README, "Segmentation")
  --map-norm N           peak (default: each class map / its maximum) or link (the loss's
                         sigmoid/softmax per pixel; better for max pooling)
  --prior P              image-level prior: weight (default: evidence x image probability),
                         threshold (keep classes with probability >= --prior-threshold, default
                         ${D.priorThreshold}) or none
  --background B         threshold (default) or power: (1 - max)^gamma background score
  --threshold T          background threshold: tuned (default: the run's per-class values from
                         \`wildcat tune-segmentation\`, else ${DEFAULT_BACKGROUND_THRESHOLD}), tuned-global, or a number in [0,1)
  --gamma G              gamma of the power background (default: decides like the threshold)
  --smooth S             ${SMOOTHINGS.join(' | ')} (default ${D.smoothing}): smoothing of the written masks
  --slic-superpixels K   SLIC superpixels per image (default ${D.slic.superpixels})
  --slic-compactness M   SLIC compactness (default ${D.slic.compactness})
`;

/** Segmentation settings from parsed flags (every flag optional). */
export function segmentationSettingsFromFlags(p: Parsed): SegmentationSettings {
  const scalesText = optStr(p, 'scales');
  let scales = [...D.scales];
  if (scalesText !== undefined) {
    try {
      scales = parseTestScales(scalesText);
    } catch (e) {
      throw new UsageError(`--scales: ${(e as Error).message}`);
    }
  }
  return {
    scales,
    flip: flag(p, 'flip'),
    fuse: choice(p, 'fuse', ['mean', 'max'] as const, D.fuse),
    mapNorm: choice(p, 'map-norm', ['link', 'peak'] as const, D.mapNorm),
    prior: choice(p, 'prior', ['weight', 'threshold', 'none'] as const, D.prior),
    priorThreshold: num(p, 'prior-threshold', D.priorThreshold, { min: 0, max: 1 }),
    background: choice(p, 'background', ['threshold', 'power'] as const, D.background),
    threshold: thresholdSetting(optStr(p, 'threshold')),
    gamma: p.values.gamma === undefined ? D.gamma : positive(p, 'gamma'),
    smoothing: choice(p, 'smooth', SMOOTHINGS as Smoothing[], D.smoothing),
    slic: {
      ...D.slic,
      superpixels: num(p, 'slic-superpixels', D.slic.superpixels, { int: true, min: 1 }),
      compactness: p.values['slic-compactness'] === undefined ? D.slic.compactness : positive(p, 'slic-compactness'),
    },
  };
}

function thresholdSetting(v: string | undefined): ThresholdSetting {
  if (v === undefined) return D.threshold;
  if (v === 'tuned' || v === 'tuned-global') return v;
  const x = Number(v);
  if (v.trim() === '' || !(x >= 0 && x < 1)) throw new UsageError(`--threshold must be tuned, tuned-global or a number in [0, 1); got '${v}'`);
  return x;
}

function positive(p: Parsed, name: string): number {
  const x = optNum(p, name)!;
  if (!(x > 0)) throw new UsageError(`--${name} must be > 0, got ${String(p.values[name])}`);
  return x;
}
