// Inference of a WSL network over an image list: class scores, and for localization the peak
// of each class map in original-image pixels.
import { adaptThreads, tensor, noGrad, tidy } from '../core/index.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { BatchLoader, type LabeledImageList } from '../data/index.js';
import { imageListInputs, INFERENCE_BATCH_SIZE, multiScaleClassMaps, type ImageClassMaps, type MultiScaleOptions } from '../segment/index.js';

export interface Predictions {
  ids: string[];
  classNames: readonly string[];
  /** [N × C] pooled class scores (before sigmoid / softmax). */
  scores: Float32Array;
  /** [N × C × 2] (x, y) of each class map's maximum in original-image pixels; empty unless `points`. */
  points: Float32Array;
  /** [N × 2] original image width and height; empty unless `points`. */
  sizes: Int32Array;
}

export interface PredictOptions {
  /** Network input side at scale 1 (images are resized to size × size). */
  size: number;
  /** Images per forward pass (default INFERENCE_BATCH_SIZE). */
  batchSize?: number;
  /** Also locate each class's peak (needs the image sizes; slower). Default true. */
  points?: boolean;
  /** Test scales, mirrored passes and their fusion (default: one pass at scale 1); see segment/multiScaleClassMaps.ts. */
  multiScale?: Partial<MultiScaleOptions>;
  /** Original image size of image i; default: read from the file header. */
  imageSize?: (i: number) => Promise<{ width: number; height: number }>;
  /** Called with each image's fused maps at image resolution (e.g. to segment it), in list order. Implies the points pass. */
  onImage?: (maps: ImageClassMaps) => void | Promise<void>;
  /** Called after each batch with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the network in eval mode over every image of `list`, in list order.
 * The peak of class c in image i: the (fused) class map is upsampled bilinearly (align_corners
 * false) to the original image size and its first maximum taken, so points are in original pixels.
 * Scores and maps are fused over the test scales of `multiScale` (one pass at scale 1 by default,
 * which gives exactly the single-scale figures).
 */
export async function predictImages(net: WildcatNet, list: LabeledImageList, opts: PredictOptions): Promise<Predictions> {
  const n = list.ids.length;
  const C = net.numClasses;
  const withPoints = (opts.points ?? true) || opts.onImage !== undefined;
  const scores = new Float32Array(n * C);
  const points = new Float32Array(withPoints ? n * C * 2 : 0);
  const sizes = new Int32Array(withPoints ? n * 2 : 0);
  const batchSize = opts.batchSize ?? INFERENCE_BATCH_SIZE;
  if (!withPoints) {
    const ms = opts.multiScale;
    if (ms && ((ms.scales && (ms.scales.length !== 1 || ms.scales[0] !== 1)) || ms.flip)) {
      throw new Error('predictImages: multi-scale scores need the maps pass; leave points on');
    }
    await scoresOnly(net, list, opts.size, batchSize, scores, opts.onProgress);
    return { ids: [...list.ids], classNames: list.classNames, scores, points, sizes };
  }
  const inputs = imageListInputs(list, { imageSize: opts.imageSize });
  let done = 0;
  for await (const r of multiScaleClassMaps(net, inputs, { ...opts.multiScale, size: opts.size, batchSize })) {
    const i = r.index;
    const W = r.width;
    const H = r.height;
    const plane = W * H;
    scores.set(r.scores, i * C);
    sizes[2 * i] = W;
    sizes[2 * i + 1] = H;
    for (let c = 0; c < C; c++) {
      let best = 0;
      let v = -Infinity;
      for (let p = 0; p < plane; p++) {
        const m = r.maps[c * plane + p]!;
        if (m > v) {
          v = m;
          best = p;
        }
      }
      points[(i * C + c) * 2] = best % W;
      points[(i * C + c) * 2 + 1] = Math.floor(best / W);
    }
    await opts.onImage?.(r);
    done++;
    if (done % batchSize === 0 || done === n) opts.onProgress?.(done, n);
  }
  return { ids: [...list.ids], classNames: list.classNames, scores, points, sizes };
}

/** Pooled scores only (training's validation pass): batched forward passes at scale 1. */
async function scoresOnly(net: WildcatNet, list: LabeledImageList, size: number, batchSize: number, scores: Float32Array, onProgress?: (done: number, total: number) => void): Promise<void> {
  const n = list.ids.length;
  const C = net.numClasses;
  const loader = new BatchLoader(list, { batchSize, size, shuffle: false });
  const wasTraining = net.training;
  net.eval();
  let done = 0;
  try {
    for await (const batch of loader.epoch(0)) {
      const B = batch.batchSize;
      noGrad(() => tidy(() => {
        scores.set(net.forward(tensor(batch.images, { shape: [B, 3, size, size] })).toArray() as Float32Array, done * C);
      }));
      done += B;
      adaptThreads();
      onProgress?.(done, n);
    }
  } finally {
    if (wasTraining) net.train();
  }
}

/**
 * Decodes every image of `list` once, before inference, and throws naming the damaged files: a
 * bad image is reported before a whole split has been inferred, not after.
 */

