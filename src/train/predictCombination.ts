// Inference with a learned combination of runs (scoreCombination.ts): every member predicts at its
// own input size, image by image in lockstep; the combined score of class c is
// Σ_r a_{c,r} s_{r,c} + b_c, and its map (for the localization peak) the same combination of the
// members' class maps, each upsampled to the original image first (maps of different grids only
// add up at one resolution).
import { adaptThreads, noGrad, tensor, tidy, type Tensor } from '../core/index.js';
import { functional as F } from '../nn/index.js';
import { BatchLoader, readImageSize, type LabeledImageList } from '../data/index.js';
import { INFERENCE_BATCH_SIZE } from '../segment/index.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { DEFAULT_CHECKPOINT, loadRun, type RunCheckpoint } from './loadRun.js';
import type { Predictions } from './predict.js';
import { combineScores, loadScoreCombination, type ScoreCombination } from './scoreCombination.js';
import type { WslTrainConfig } from './wslConfig.js';

/** The member networks of a combination folder, loaded (dispose with {@link disposeMembers}). */
export interface CombinationMembers {
  combination: ScoreCombination;
  members: Array<{ net: WildcatNet; config: WslTrainConfig }>;
}

/** Loads a COMBO folder and its member runs; checks that they share the class list. */
export function loadCombination(dir: string, which: RunCheckpoint = DEFAULT_CHECKPOINT): CombinationMembers {
  const combination = loadScoreCombination(dir);
  const members: CombinationMembers['members'] = [];
  try {
    for (const run of combination.runs) {
      const m = loadRun(run, which);
      members.push(m);
      if (m.config.classNames.join('\n') !== combination.classNames.join('\n')) {
        throw new Error(`${run}: its classes [${m.config.classNames.join(', ')}] differ from the combination's [${combination.classNames.join(', ')}] (${dir})`);
      }
    }
  } catch (e) {
    disposeMembers({ combination, members });
    throw e;
  }
  return { combination, members };
}

export function disposeMembers(c: CombinationMembers): void {
  for (const m of c.members) m.net.dispose();
}

/**
 * Predictions of a combination over `list` (same shape as predictImages'): combined scores, and
 * with `points` (default true) the peak of each combined class map in original-image pixels.
 */
export async function predictCombination(
  c: CombinationMembers, list: LabeledImageList,
  opts: { points?: boolean; batchSize?: number; imageSize?: (i: number) => Promise<{ width: number; height: number }>; onProgress?: (done: number, total: number) => void } = {},
): Promise<Predictions> {
  const { weights, bias } = c.combination;
  const n = list.ids.length;
  const C = bias.length;
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
  const batchSize = opts.batchSize ?? INFERENCE_BATCH_SIZE;
  // Column r of the weights: member r's weight per class, the factor of its class maps.
  const columns = c.members.map((_, r) => Float32Array.from(weights, (row) => row[r]!));
  const loaders = c.members.map((m) => new BatchLoader(list, { batchSize, size: m.config.imageSize, shuffle: false }));
  const epochs = loaders.map((l) => l.epoch(0));
  for (const m of c.members) m.net.eval();
  let done = 0;
  try {
    for (;;) {
      const batches = await Promise.all(epochs.map((e) => e.next()));
      if (batches.some((b) => b.done)) break;
      const bs = batches.map((b) => b.value!);
      const B = bs[0]!.batchSize;
      adaptThreads();
      noGrad(() => tidy(() => {
        const outs = c.members.map((m, r) => m.net.forwardMaps(tensor(bs[r]!.images, { shape: [B, 3, bs[r]!.size, bs[r]!.size] })));
        const combinedScores = combineScores(outs.map((o) => o.scores.toArray() as Float32Array), weights, bias);
        for (let b = 0; b < B; b++) {
          const i = bs[0]!.indices[b]!;
          scores.set(combinedScores.subarray(b * C, (b + 1) * C), i * C);
          if (!withPoints) continue;
          const W = sizes[2 * i]!;
          const H = sizes[2 * i + 1]!;
          tidy(() => {
            let combined: Tensor | null = null;
            outs.forEach((o, r) => {
              const up = F.interpolate(o.classMaps.narrow(0, b, 1), { size: [H, W], mode: 'bilinear', alignCorners: false }).reshape([C, H * W]);
              const w = tensor(columns[r]!, { shape: [C, 1] });
              combined = combined === null ? up.mul(w) : combined.add(up.mul(w));
            });
            const idx = (combined as unknown as Tensor).argmax(1).toArray() as BigInt64Array;
            for (let k = 0; k < C; k++) {
              const flat = Number(idx[k]);
              points[(i * C + k) * 2] = flat % W;
              points[(i * C + k) * 2 + 1] = Math.floor(flat / W);
            }
          });
        }
      }));
      done += B;
      opts.onProgress?.(done, n);
    }
  } finally {
    // Also on an error: close the members' loaders (each lets its prefetched batch finish).
    await Promise.all(epochs.map((e) => e.return(undefined)));
  }
  return { ids: [...list.ids], classNames: list.classNames, scores, points, sizes };
}
