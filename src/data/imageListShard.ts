// Contiguous shards of an image list: sharded prediction (`wildcat predict --shard i/n`) and the
// sharded validation of data-parallel training. Contiguous, so that concatenating the shards'
// outputs in shard order gives the unsharded output.
import type { LabeledImageList } from './imageList.js';

/**
 * [start, end) of shard `shard` of `count` over `length` items, in whole blocks of `align` items
 * (shard sizes differ by at most one block). Aligning to the batch size keeps every batch of the
 * unsharded pass whole, so each image is computed in the same batch as without sharding.
 */
export function shardRange(length: number, shard: number, count: number, align = 1): [number, number] {
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(shard) && shard >= 0 && shard < count)) {
    throw new RangeError(`shard ${shard}/${count}: expected 0 <= shard < count`);
  }
  if (!(Number.isInteger(align) && align >= 1)) throw new RangeError(`shardRange: align must be a positive integer, got ${align}`);
  const blocks = Math.ceil(length / align);
  const at = (s: number): number => Math.min(length, Math.floor((blocks * s) / count) * align);
  return [at(shard), at(shard + 1)];
}

/** Images [start, end) of `list` as a list of their own (labels are views, not copies). */
export function sliceImageList(list: LabeledImageList, start: number, end: number): LabeledImageList {
  const n = list.ids.length;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= n)) {
    throw new RangeError(`sliceImageList: [${start}, ${end}) is not a range of the ${n} images`);
  }
  const C = list.classNames.length;
  const slice: LabeledImageList = {
    ids: list.ids.slice(start, end),
    classNames: list.classNames,
    labels: list.labels.subarray(start * C, end * C),
    imagePath: (i: number) => list.imagePath(start + i),
    ...(list.classIndex ? { classIndex: list.classIndex.subarray(start, end) } : {}),
  };
  return slice;
}
