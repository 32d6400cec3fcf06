// The network's maps for the few images a report shows: class maps, per-modality maps and the
// regions the pooling selected, copied out of the tensors as plain arrays.
import { adaptThreads, noGrad, tensor, tidy } from '../core/index.js';
import { BatchLoader } from '../data/index.js';
import type { AnnotatedDataset } from '../train/datasetSpec.js';
import type { WildcatPoolOptions } from '../wsl/wildcatPool.js';
import { wildcatRegions } from '../wsl/wildcatPool.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import type { CardMaps } from './galleryCard.js';

/**
 * Class and modality maps of images `indices` of `ds` (network input side `size`), with the
 * evidence regions `regions` selects (none when null), keyed by image index. Tensor-leak free.
 */
export async function galleryMaps(net: WildcatNet, ds: AnnotatedDataset, size: number, indices: readonly number[], regions: WildcatPoolOptions | null): Promise<Map<number, CardMaps>> {
  const out = new Map<number, CardMaps>();
  if (indices.length === 0) return out;
  const C = net.numClasses;
  const loader = new BatchLoader(ds, { batchSize: 4, size, shuffle: false, indices });
  for await (const batch of loader.epoch(0)) {
    const B = batch.batchSize;
    adaptThreads();
    noGrad(() =>
      tidy(() => {
        const r = net.forwardMaps(tensor(batch.images, { shape: [B, 3, size, size] }));
        const [, , h, w] = r.classMaps.shape as [number, number, number, number];
        const M = r.modalityMaps.shape[1]! / C;
        const cm = r.classMaps.contiguous().toArray() as Float32Array;
        const mm = r.modalityMaps.contiguous().toArray() as Float32Array;
        let top: Int32Array | undefined;
        let bottom: Int32Array | undefined;
        let kTop = 0;
        let kBottom = 0;
        if (regions) {
          const sel = wildcatRegions(r.classMaps, regions);
          kTop = sel.top.shape[2]!;
          kBottom = sel.bottom.shape[2]!;
          top = Int32Array.from(sel.top.contiguous().toArray() as BigInt64Array, Number);
          bottom = Int32Array.from(sel.bottom.contiguous().toArray() as BigInt64Array, Number);
        }
        for (let b = 0; b < B; b++) {
          out.set(batch.indices[b]!, {
            classMaps: cm.slice(b * C * h * w, (b + 1) * C * h * w),
            modalityMaps: mm.slice(b * C * M * h * w, (b + 1) * C * M * h * w),
            h,
            w,
            maps: M,
            top: top?.slice(b * C * kTop, (b + 1) * C * kTop),
            kTop,
            bottom: bottom?.slice(b * C * kBottom, (b + 1) * C * kBottom),
            kBottom,
          });
        }
      }),
    );
  }
  return out;
}
