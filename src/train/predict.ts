// Inference of a WSL network over an image list: class scores, and for localization the peak
// of each class map in original-image pixels.
import { tensor, noGrad, tidy } from '../core/index.js';
import { functional as F } from '../nn/index.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { BatchLoader, describeBadImages, findBadImages, readImageSize, type LabeledImageList } from '../data/index.js';

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
  /** Network input side (images are resized to size × size). */
  size: number;
  batchSize?: number;
  /** Also locate each class's peak (needs the image sizes; slower). Default true. */
  points?: boolean;
  /** Original image size of image i; default: read from the file header. */
  imageSize?: (i: number) => Promise<{ width: number; height: number }>;
  /** Called after each batch with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the network in eval mode over every image of `list`, in list order.
 * The peak of class c in image i: the class map is upsampled bilinearly (align_corners false)
 * to the original image size and its argmax taken, so points are in original pixels.
 */
export async function predictImages(net: WildcatNet, list: LabeledImageList, opts: PredictOptions): Promise<Predictions> {
  const n = list.ids.length;
  const C = net.numClasses;
  const withPoints = opts.points ?? true;
  const scores = new Float32Array(n * C);
  const points = new Float32Array(withPoints ? n * C * 2 : 0);
  const sizes = new Int32Array(withPoints ? n * 2 : 0);
  if (withPoints) {
    const sizeOf = opts.imageSize ?? ((i: number) => readImageSize(list.imagePath(i)));
    for (let i = 0; i < n; i++) {
      const s = await sizeOf(i);
      sizes[2 * i] = s.width;
      sizes[2 * i + 1] = s.height;
    }
  }
  const loader = new BatchLoader(list, { batchSize: opts.batchSize ?? 16, size: opts.size, shuffle: false });
  const wasTraining = net.training;
  net.eval();
  let done = 0;
  try {
    for await (const batch of loader.epoch(0)) {
      const B = batch.batchSize;
      noGrad(() =>
        tidy(() => {
          const x = tensor(batch.images, { shape: [B, 3, opts.size, opts.size] });
          if (!withPoints) {
            scores.set(net.forward(x).toArray() as Float32Array, done * C);
            return;
          }
          const out = net.forwardMaps(x);
          scores.set(out.scores.toArray() as Float32Array, done * C);
          for (let b = 0; b < B; b++) {
            const i = batch.indices[b]!;
            const W = sizes[2 * i]!;
            const H = sizes[2 * i + 1]!;
            tidy(() => {
              const up = F.interpolate(out.classMaps.narrow(0, b, 1), { size: [H, W], mode: 'bilinear', alignCorners: false });
              const idx = up.reshape([C, H * W]).argmax(1).toArray() as BigInt64Array;
              for (let c = 0; c < C; c++) {
                const flat = Number(idx[c]);
                points[(i * C + c) * 2] = flat % W;
                points[(i * C + c) * 2 + 1] = Math.floor(flat / W);
              }
            });
          }
        }),
      );
      done += B;
      opts.onProgress?.(done, n);
    }
  } finally {
    if (wasTraining) net.train();
  }
  return { ids: [...list.ids], classNames: list.classNames, scores, points, sizes };
}

/**
 * Decodes every image of `list` once, before inference, and throws naming the damaged files: a
 * bad image is reported before a whole split has been inferred, not after.
 */
export async function requireDecodableImages(list: LabeledImageList, what: string): Promise<void> {
  const bad = await findBadImages(list);
  if (bad.length > 0) throw new Error(describeBadImages(bad, what, 'Nothing was inferred. Replace or remove these files (or take them out of the split) and run again.'));
}
