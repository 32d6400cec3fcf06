// Class maps at the original image resolution: the trained network runs at several input
// scales (and optionally on the mirrored input), each class map is upsampled bilinearly to the
// image size (mirror undone), and the passes are fused into one map per class; the pooled
// image-level scores are fused the same way. Oquab et al. (CVPR 2015 §4) average raw scores over
// test scales; WILDCAT (CVPR 2017 §3.4) reads segmentations from the class maps before pooling.
import { adaptThreads, expectInteger, expectOneOf, keep, noGrad, outOfRange, tensor, tidy, type Tensor } from '../core/index.js';
import { functional as F } from '../nn/index.js';
import { BatchLoader, readImageSize, type LabeledImageList } from '../data/index.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { scaledSide } from './testScales.js';

export type FuseMode = 'mean' | 'max';

export interface MultiScaleOptions {
  /** Input-side factors relative to the run's image size (see testScales.ts). */
  scales: readonly number[];
  /** Also run every scale on the horizontally mirrored input, its maps mirrored back. */
  flip: boolean;
  /** How the passes combine: element-wise mean or max (maps and scores alike). */
  fuse: FuseMode;
}

/** Single-scale inference, what `wildcat predict` / `eval` did before multi-scale existed. */
export const DEFAULT_MULTI_SCALE: Readonly<MultiScaleOptions> = Object.freeze({ scales: Object.freeze([1]), flip: false, fuse: 'mean' });

/** The fused outputs for one image. */
export interface ImageClassMaps {
  /** Position of the image in its source. */
  index: number;
  /** [C] fused pooled scores (before sigmoid / softmax). */
  scores: Float32Array;
  /** [C, height, width] fused class maps at the original image resolution (scores, not probabilities). */
  maps: Float32Array;
  width: number;
  height: number;
}

/** Where the network inputs come from. */
export interface ScaledInputs {
  /** Number of images. */
  readonly length: number;
  /** Original size of image i: the size the maps are upsampled to. */
  imageSize(i: number): Promise<{ width: number; height: number }>;
  /** Images `indices` resized to side × side, normalized, as [B, 3, side, side]. */
  load(indices: Int32Array, side: number): Promise<Float32Array>;
}

/**
 * Inputs from an image list on disk through the data layer's pipeline (sharp, 'stretch' resize
 * to side × side, ImageNet normalization) — the pipeline training used, so scale 1 gives the
 * network exactly the pixels it was trained and validated on.
 */
export function imageListInputs(
  list: LabeledImageList,
  opts: { imageSize?: (i: number) => Promise<{ width: number; height: number }>; concurrency?: number } = {},
): ScaledInputs {
  const loaders = new Map<number, BatchLoader>();
  return {
    length: list.ids.length,
    imageSize: opts.imageSize ?? ((i) => readImageSize(list.imagePath(i))),
    async load(indices, side) {
      let loader = loaders.get(side);
      if (!loader) {
        loader = new BatchLoader(list, { batchSize: Math.max(1, indices.length), size: side, shuffle: false, concurrency: opts.concurrency });
        loaders.set(side, loader);
      }
      return (await loader.loadBatch(0, 0, indices)).images;
    },
  };
}

/**
 * Images per forward pass when a trained network is evaluated (predict, eval, report, combine).
 * Chosen by measured throughput: the default network (half-width ResNet-18, 192 px, channels-last,
 * fused inference, 2 threads) runs 250 img/s at 1 image, 350 at 4, 370 at 8, 375–380 at 16, 32 and
 * 64: 16 is on the plateau at a quarter of the memory of 64 (README, Speed).
 */
export const INFERENCE_BATCH_SIZE = 16;

export interface MultiScaleRunOptions extends Partial<MultiScaleOptions> {
  /** The run's network input side (scale 1). */
  size: number;
  /** Images per forward pass. Default INFERENCE_BATCH_SIZE. Memory holds one scale of one batch of inputs (plus the next one being decoded) and B fused maps at image size. */
  batchSize?: number;
  /** Only these images, in this order. Default all, in order. */
  indices?: ArrayLike<number>;
}

/**
 * Runs `net` (in eval mode, without gradients) over `inputs` and yields, image by image in
 * order, the fused class maps at the original image size and the fused scores.
 *
 * Geometry: each [C, h, w] map is resized with bilinear interpolation, align_corners false (map
 * cell (i, j) covers image columns [j·W/w, (j+1)·W/w) — the network saw the image stretched to a
 * square). A mirrored pass's maps are mirrored back before resizing (bilinear resizing commutes
 * with mirroring). Passes are processed one scale at a time, so memory stays bounded on large
 * images and many scales; fusion is a running sum (mean) or maximum.
 * @example
 * for await (const r of multiScaleClassMaps(net, imageListInputs(voc), { size: 192, scales: [0.5, 1, 1.5, 2], flip: true })) {
 *   r.maps; // Float32Array [C, r.height, r.width]
 * }
 */
export async function* multiScaleClassMaps(net: WildcatNet, inputs: ScaledInputs, opts: MultiScaleRunOptions): AsyncGenerator<ImageClassMaps, void, undefined> {
  const where = 'multiScaleClassMaps()';
  const scales = opts.scales ?? DEFAULT_MULTI_SCALE.scales;
  const flip = opts.flip ?? DEFAULT_MULTI_SCALE.flip;
  const fuse = expectOneOf(`option fuse of ${where}`, opts.fuse ?? DEFAULT_MULTI_SCALE.fuse, ['mean', 'max'] as const);
  const batchSize = expectInteger(`option batchSize of ${where}`, opts.batchSize ?? INFERENCE_BATCH_SIZE, { min: 1 });
  expectInteger(`option size of ${where}`, opts.size, { min: 1 });
  if (scales.length === 0 || scales.some((s) => !(Number.isFinite(s) && s > 0))) throw outOfRange(`option scales of ${where}`, 'a non-empty list of positive numbers', [...scales]);
  const n = inputs.length;
  const order = opts.indices ? Int32Array.from(opts.indices as ArrayLike<number>) : Int32Array.from({ length: n }, (_, i) => i);
  for (const i of order) expectInteger(`an image index in option indices of ${where}`, i, { min: 0, max: n - 1 });
  const C = net.numClasses;
  const sides = scales.map((s) => scaledSide(opts.size, s));
  const mirrors = flip ? [false, true] : [false];
  const passes = sides.length * mirrors.length;

  const chunks: Int32Array[] = [];
  for (let k = 0; k < order.length; k += batchSize) chunks.push(order.subarray(k, Math.min(order.length, k + batchSize)));
  // Jobs (chunk, scale) in processing order; the next job's images decode while this one computes.
  type Loaded = { ok: true; data: Float32Array } | { ok: false; error: unknown };
  const start = (j: number): Promise<Loaded> | null => {
    if (j >= chunks.length * sides.length) return null;
    const chunk = chunks[Math.floor(j / sides.length)]!;
    return inputs.load(chunk, sides[j % sides.length]!).then((data) => ({ ok: true as const, data }), (error: unknown) => ({ ok: false as const, error }));
  };

  const wasTraining = net.training;
  net.eval();
  let pending = start(0);
  let job = 0;
  let acc: (Tensor | null)[] = [];
  try {
    for (const chunk of chunks) {
      adaptThreads();
      const B = chunk.length;
      const sizes = await Promise.all(Array.from(chunk, (i) => inputs.imageSize(i)));
      sizes.forEach((s, b) => {
        expectInteger(`the width of image ${chunk[b]} in ${where}`, s.width, { min: 1 });
        expectInteger(`the height of image ${chunk[b]} in ${where}`, s.height, { min: 1 });
      });
      acc = new Array<Tensor | null>(B).fill(null);
      const scoreAcc = new Float64Array(B * C).fill(fuse === 'max' ? -Infinity : 0);
      for (let k = 0; k < sides.length; k++, job++) {
        const loaded = await pending!;
        pending = start(job + 1);
        if (!loaded.ok) throw loaded.error;
        const side = sides[k]!;
        if (loaded.data.length !== B * 3 * side * side) {
          throw outOfRange(`the number of input values ScaledInputs.load() gave ${where} for ${B} images at ${side}×${side}`, `${B * 3 * side * side} (B·3·side²)`, loaded.data.length);
        }
        for (const mirrored of mirrors) {
          noGrad(() =>
            tidy(() => {
              let x = tensor(loaded.data, { shape: [B, 3, side, side] });
              if (mirrored) x = x.flip([3]);
              const out = net.forwardMaps(x);
              const s = out.scores.toArray() as Float32Array;
              for (let j = 0; j < B * C; j++) scoreAcc[j] = fuse === 'max' ? Math.max(scoreAcc[j]!, s[j]!) : scoreAcc[j]! + s[j]!;
              const maps = mirrored ? out.classMaps.flip([3]) : out.classMaps;
              for (let b = 0; b < B; b++) {
                // One image at a time, so a single upsampled map is alive besides the fused ones.
                tidy(() => {
                  const { width: W, height: H } = sizes[b]!;
                  const up = F.interpolate(maps.narrow(0, b, 1), { size: [H, W], mode: 'bilinear', alignCorners: false });
                  const prev = acc[b];
                  if (!prev) acc[b] = keep(up);
                  else if (fuse === 'mean') prev.add_(up);
                  else {
                    acc[b] = keep(prev.maximum(up));
                    prev.dispose();
                  }
                });
              }
            }),
          );
        }
      }
      for (let b = 0; b < B; b++) {
        const t = acc[b]!;
        if (fuse === 'mean' && passes > 1) t.div_(passes);
        const maps = t.toArray() as Float32Array;
        t.dispose();
        acc[b] = null;
        const scores = new Float32Array(C);
        for (let c = 0; c < C; c++) scores[c] = fuse === 'mean' ? scoreAcc[b * C + c]! / passes : scoreAcc[b * C + c]!;
        yield { index: chunk[b]!, scores, maps, width: sizes[b]!.width, height: sizes[b]!.height };
      }
    }
  } finally {
    for (const t of acc) t?.dispose();
    if (pending) await pending; // an abandoned prefetch finishes before we return
    if (wasTraining) net.train();
  }
}
