// The segmentation options shared by `predict`, `eval`, `report` and `tune-segmentation`:
// declared, documented and parsed here once. Defaults come from segment/segmentationSettings.ts
// (and segment/denseCrf.ts for the CRF); a flag left out stays unset so that the default applies
// (for --scales: the run's recorded test scales, else 1).
import {
  DEFAULT_BACKGROUND_THRESHOLD, DEFAULT_SEGMENTATION, DENSE_CRF_DEFAULTS, SMOOTHINGS, parseTestScales,
  type DenseCrfOptions, type SegmentationOverrides, type Smoothing, type ThresholdSetting,
} from '../segment/index.js';
import { choice, flag, num, optNum, optStr, UsageError, type Parsed } from './args.js';

export const SEGMENTATION_OPTIONS = {
  scales: { type: 'string' }, flip: { type: 'boolean' }, fuse: { type: 'string' },
  'map-norm': { type: 'string' }, prior: { type: 'string' }, 'prior-threshold': { type: 'string' },
  background: { type: 'string' }, threshold: { type: 'string' }, gamma: { type: 'string' },
  smooth: { type: 'string' }, 'slic-superpixels': { type: 'string' }, 'slic-compactness': { type: 'string' },
  'crf-iterations': { type: 'string' }, 'crf-sxy': { type: 'string' }, 'crf-gaussian-weight': { type: 'string' },
  'crf-bilateral-sxy': { type: 'string' }, 'crf-srgb': { type: 'string' }, 'crf-bilateral-weight': { type: 'string' },
  'crf-pixel-sigmas': { type: 'boolean' },
} as const;

const D = DEFAULT_SEGMENTATION;
const CRF = DENSE_CRF_DEFAULTS;

export const SEGMENTATION_USAGE = `
Class maps (also change classification scores and peaks; the defaults reproduce the single-scale figures)
  --scales S             input scales relative to the run's image size: a list (0.5,1,1.5,2) or
                         oquab (Oquab et al. 2015: 0.5,0.7,1,1.4,2,2.8); default the run's
                         recorded test scales (wildcat train --test-scales), else 1
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
  --crf-iterations N     dense CRF mean-field iterations (default ${CRF.iterations})
  --crf-sxy S --crf-gaussian-weight W
                         Gaussian (position) kernel (default ${CRF.gaussian.sxy}, ${CRF.gaussian.weight})
  --crf-bilateral-sxy S --crf-srgb C --crf-bilateral-weight W
                         bilateral (position + colour) kernel (default ${CRF.bilateral.sxy}, ${CRF.bilateral.srgb}, ${CRF.bilateral.weight})
  --crf-pixel-sigmas     spatial sigmas in pixels as given (default: given for a ${CRF.referenceSide}-px
                         image and scaled with the image's longer side)
`;

/** The segmentation settings the flags give (unset fields keep their defaults; see resolveSegmentationSettings). */
export function segmentationSettingsFromFlags(p: Parsed): SegmentationOverrides {
  const o: SegmentationOverrides = {};
  const scalesText = optStr(p, 'scales');
  if (scalesText !== undefined) {
    try {
      o.scales = parseTestScales(scalesText);
    } catch (e) {
      throw new UsageError(`--scales: ${(e as Error).message}`);
    }
  }
  if (flag(p, 'flip')) o.flip = true;
  if (p.values.fuse !== undefined) o.fuse = choice(p, 'fuse', ['mean', 'max'] as const, D.fuse);
  if (p.values['map-norm'] !== undefined) o.mapNorm = choice(p, 'map-norm', ['peak', 'link'] as const, D.mapNorm);
  if (p.values.prior !== undefined) o.prior = choice(p, 'prior', ['weight', 'threshold', 'none'] as const, D.prior);
  if (p.values['prior-threshold'] !== undefined) o.priorThreshold = num(p, 'prior-threshold', D.priorThreshold, { min: 0, max: 1 });
  if (p.values.background !== undefined) o.background = choice(p, 'background', ['threshold', 'power'] as const, D.background);
  const t = optStr(p, 'threshold');
  if (t !== undefined) o.threshold = thresholdSetting(t);
  if (p.values.gamma !== undefined) o.gamma = positive(p, 'gamma');
  if (p.values.smooth !== undefined) o.smoothing = choice(p, 'smooth', SMOOTHINGS as Smoothing[], D.smoothing);
  const slic: SegmentationOverrides['slic'] = {};
  if (p.values['slic-superpixels'] !== undefined) slic.superpixels = num(p, 'slic-superpixels', D.slic.superpixels, { int: true, min: 1 });
  if (p.values['slic-compactness'] !== undefined) slic.compactness = positive(p, 'slic-compactness');
  if (Object.keys(slic).length > 0) o.slic = slic;
  const crf: DenseCrfOptions = {};
  if (p.values['crf-iterations'] !== undefined) crf.iterations = num(p, 'crf-iterations', CRF.iterations, { int: true, min: 0 });
  const gaussian: NonNullable<DenseCrfOptions['gaussian']> = {};
  if (p.values['crf-sxy'] !== undefined) gaussian.sxy = positive(p, 'crf-sxy');
  if (p.values['crf-gaussian-weight'] !== undefined) gaussian.weight = num(p, 'crf-gaussian-weight', CRF.gaussian.weight, { min: 0 });
  if (Object.keys(gaussian).length > 0) crf.gaussian = gaussian;
  const bilateral: NonNullable<DenseCrfOptions['bilateral']> = {};
  if (p.values['crf-bilateral-sxy'] !== undefined) bilateral.sxy = positive(p, 'crf-bilateral-sxy');
  if (p.values['crf-srgb'] !== undefined) bilateral.srgb = positive(p, 'crf-srgb');
  if (p.values['crf-bilateral-weight'] !== undefined) bilateral.weight = num(p, 'crf-bilateral-weight', CRF.bilateral.weight, { min: 0 });
  if (Object.keys(bilateral).length > 0) crf.bilateral = bilateral;
  if (flag(p, 'crf-pixel-sigmas')) crf.scaleToImage = false;
  if (Object.keys(crf).length > 0) o.crf = crf;
  return o;
}

/**
 * A combination is scored at each member's own size, scale 1 (its weights were fitted on those
 * scores): test scales, flips and segmentation settings would be silently ignored, so refuse them.
 */
export function refuseSegmentationOptions(dir: string, o: SegmentationOverrides): void {
  const given = Object.entries(o).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length > 0) {
    throw new UsageError(`${dir} is a combination folder: it gives classification and localization only, each member at its own image size and scale 1; segmentation options (${given.join(', ')}) apply to a run`);
  }
}

function thresholdSetting(v: string): ThresholdSetting {
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
