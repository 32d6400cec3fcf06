// One image from fused class maps to label maps: class evidence with the image-level prior,
// background, then each requested smoothing (Pinheiro & Collobert CVPR 2015 Fig. 3's inference
// pipeline; the dense CRF of WILDCAT CVPR 2017 §5.2 — "the class-specific heatmaps as unary
// potentials", TPAMI 2019 §6.5 — takes the background + class probabilities as its unaries).
import { classEvidence, type EvidenceOptions, type ScoreLink } from './classEvidence.js';
import { labelPixels, type BackgroundModel } from './backgroundDecision.js';
import { expectOneOf, invalidType, outOfRange } from '../core/index.js';
import { checkRawImage, type RawImage } from './rawImage.js';
import { SMOOTHINGS, evidenceKey, type SegmentationSettings, type Smoothing } from './segmentationSettings.js';
import { resolveBackground, type ResolvedBackground, type ThresholdTuning } from './tunedThresholds.js';
import { slic, type SlicOptions } from './slic.js';
import { superpixelVote } from './superpixelVote.js';
import { denseCrfAsync, type DenseCrfOptions } from './denseCrf.js';

/** What turns maps into labels (resolved: no 'tuned' placeholders left). */
export interface SegmentationStages {
  evidence: EvidenceOptions;
  background: BackgroundModel;
  /** The label maps wanted ('none' is the unsmoothed decision). */
  smoothings: readonly Smoothing[];
  slic: SlicOptions;
  crf: DenseCrfOptions;
}

/**
 * The stages `settings` describe for a run: its loss's `link`, its tuned thresholds `tunings`
 * (see tunedThresholds.ts) and the checkpoint in use. `smoothings` default to the settings' one.
 */
export function resolveStages(
  settings: SegmentationSettings,
  run: { link: ScoreLink; tunings: readonly ThresholdTuning[]; checkpoint: 'best' | 'last'; numClasses: number },
  smoothings: readonly Smoothing[] = [settings.smoothing],
): { stages: SegmentationStages; background: ResolvedBackground } {
  const background = resolveBackground(settings, run.tunings, evidenceKey(settings, run.checkpoint), run.numClasses);
  return {
    stages: {
      evidence: { mapNorm: settings.mapNorm, link: run.link, prior: settings.prior, priorThreshold: settings.priorThreshold },
      background: background.model,
      smoothings,
      slic: settings.slic,
      crf: settings.crf,
    },
    background,
  };
}

export interface ImageSegmentation {
  width: number;
  height: number;
  /** [C, H, W] class evidence in [0, 1] (after the image-level prior). */
  evidence: Float32Array;
  /** [(C + 1), H, W] background + class probabilities (the CRF's unaries). */
  probabilities: Float32Array;
  /** One label map [H·W] per requested smoothing: 0 background, k + 1 class k. */
  labels: Partial<Record<Smoothing, Uint8Array>>;
}

/**
 * Segments one image from its fused class maps `maps` ([C, H, W] at the image's resolution) and
 * image-level `scores` ([C]). `image` (the pixels, same size) is needed by the SLIC and CRF
 * smoothings only; a size mismatch rejects. The dense CRF runs off the JavaScript thread
 * (denseCrfAsync), so a caller can infer the next image meanwhile (see SplitSegmentation.submit).
 */
export async function segmentClassMaps(
  input: { maps: Float32Array; scores: ArrayLike<number>; width: number; height: number },
  image: RawImage | null,
  stages: SegmentationStages,
): Promise<ImageSegmentation> {
  const { width: W, height: H } = input;
  const C = input.scores.length;
  const evidence = classEvidence(input.maps, input.scores, H, W, stages.evidence);
  const { labels, probabilities } = labelPixels(evidence, C, H, W, stages.background);
  const out: ImageSegmentation = { width: W, height: H, evidence, probabilities, labels: {} };
  for (const s of stages.smoothings) {
    if (s === 'none') out.labels.none = labels;
    else if (s === 'slic') out.labels.slic = superpixelVote(labels, slic(pixelsOf(image, W, H, s), stages.slic));
    else if (s === 'crf') out.labels.crf = (await denseCrfAsync(pixelsOf(image, W, H, s), probabilities, stages.crf)).labels as Uint8Array; // ≤ 255 labels: bytes
    else throw expectOneOf('a smoothing of segmentClassMaps()', s, SMOOTHINGS);
  }
  return out;
}

function pixelsOf(image: RawImage | null, W: number, H: number, stage: string): RawImage {
  if (!image) throw invalidType(`the image of segmentClassMaps() (the ${stage} smoothing reads its pixels)`, 'a RawImage', image);
  checkRawImage('segmentClassMaps()', image);
  if (image.width !== W || image.height !== H) {
    throw outOfRange('the image size of segmentClassMaps()', `the class maps' ${W}×${H}`, `${image.width}×${image.height}`, 'image and map sizes must agree (upsample the maps to the original image)');
  }
  return image;
}
