/**
 * Batches of images from a `LabeledImageList` (VOC, CSV, folder per class): seeded shuffling per
 * epoch, per-image augmentation, and prefetching — while the caller works on batch b, batch b+1 is
 * already being decoded (sharp decodes on libuv worker threads, so this overlaps with synchronous
 * work on the main thread such as a training step).
 *
 * Deterministic: the order of epoch e depends on (seed, e) and the augmentation of an image on
 * (seed, e, image index), whatever the concurrency.
 *
 * @example
 * const loader = new BatchLoader(voc, { batchSize: 16, size: 192, seed: 1, augment: { flip: true } });
 * for await (const batch of loader.epoch(0)) {
 *   batch.images; // Float32Array [B, 3, 192, 192]
 *   batch.labels; // Int8Array [B, C] in {1, -1, 0}
 * }
 */
import type { AugmentOptions } from './augment.js';
import type { Rgb } from './canvas.js';
import type { LabeledImageList } from './imageList.js';
import { loadImage, type ResizeMode } from './imagePipeline.js';
import { mapLimit } from './mapLimit.js';
import { mixSeed, Rng } from './random.js';

export interface BatchLoaderOptions {
  batchSize: number;
  /** Output side S: images are resized to S×S ('stretch' or 'cover'). */
  size: number;
  resize?: Exclude<ResizeMode, 'fit'>;
  /** Shuffle each epoch (default true); false keeps the list order. */
  shuffle?: boolean;
  /** Drop the last incomplete batch. Default false. */
  dropLast?: boolean;
  /** Default 0. */
  seed?: number;
  augment?: AugmentOptions;
  mean?: Rgb;
  std?: Rgb;
  /** Images decoded concurrently. Default 4 (libuv's default thread pool size). */
  concurrency?: number;
  /** Only these image indices of the list (e.g. a subset). Default all. */
  indices?: ArrayLike<number>;
  /**
   * Data-parallel training: this process reads shard `rank` of `count` of every epoch
   * (DistributedSampler's semantics): the epoch's seeded order is cut to a multiple of `count`
   * and the shard takes positions rank, rank + count, ... of it, so the shards are disjoint, of
   * equal length, reshuffled every epoch, and batch b of every shard together hold the images of
   * batch b of one process with a `count`× larger batch. Default: the whole order.
   */
  shard?: { rank: number; count: number };
  /** Side of batch `index` of epoch `epoch` (multi-scale training); default `size` for every batch. */
  sizeOf?: (epoch: number, index: number) => number;
}

export interface Batch {
  /** [B, 3, S, S] normalized. */
  images: Float32Array;
  /** [B, C]: 1 positive, -1 negative, 0 ignored. */
  labels: Int8Array;
  /** [B] class index, when the list is multi-class. */
  classIndex?: Int32Array;
  ids: string[];
  /** [B] image indices in the list. */
  indices: Int32Array;
  batchSize: number;
  size: number;
  numClasses: number;
  epoch: number;
  /** Batch number within the epoch. */
  index: number;
}

/** See the module comment. */
export class BatchLoader {
  readonly batchSize: number;
  readonly size: number;
  private readonly pool: Int32Array;
  private nextEpoch = 0;

  constructor(readonly source: LabeledImageList, private readonly options: BatchLoaderOptions) {
    const { batchSize, size } = options;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`BatchLoader: batchSize must be a positive integer, got ${batchSize}`);
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`BatchLoader: size must be a positive integer, got ${size}`);
    this.batchSize = batchSize;
    this.size = size;
    const n = source.ids.length;
    if (options.indices) {
      this.pool = Int32Array.from(options.indices as ArrayLike<number>);
      for (const i of this.pool) if (!(i >= 0 && i < n)) throw new RangeError(`BatchLoader: index ${i} outside [0, ${n})`);
    } else {
      this.pool = new Int32Array(n);
      for (let i = 0; i < n; i++) this.pool[i] = i;
    }
    if (this.pool.length === 0) throw new RangeError('BatchLoader: the image list is empty');
    const shard = options.shard;
    if (shard) {
      if (!(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.rank) && shard.rank >= 0 && shard.rank < shard.count)) {
        throw new RangeError(`BatchLoader: shard must be { rank in [0, count), count >= 1 }, got { rank: ${shard.rank}, count: ${shard.count} }`);
      }
      if (this.pool.length < shard.count) throw new RangeError(`BatchLoader: ${this.pool.length} images cannot feed ${shard.count} shards`);
    }
  }

  /** Images per epoch (of this shard). */
  get length(): number {
    const count = this.options.shard?.count ?? 1;
    return Math.floor(this.pool.length / count);
  }

  /** Batches per epoch. */
  get numBatches(): number {
    const n = this.length;
    return this.options.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The image indices of epoch e, in visiting order (this shard's, with `shard`). */
  order(epoch: number): Int32Array {
    const order = Int32Array.from(this.pool);
    if (this.options.shuffle ?? true) new Rng(mixSeed(this.options.seed ?? 0, 'shuffle', epoch)).shuffle<number, Int32Array>(order);
    const shard = this.options.shard;
    if (!shard || shard.count === 1) return order;
    const mine = new Int32Array(this.length);
    for (let j = 0; j < mine.length; j++) mine[j] = order[shard.rank + j * shard.count]!;
    return mine;
  }

  /** Iterates over the batches of epoch `epoch` (default: the epoch after the last one started). */
  async *epoch(epoch?: number): AsyncGenerator<Batch, void, undefined> {
    const e = epoch ?? this.nextEpoch;
    this.nextEpoch = e + 1;
    const order = this.order(e);
    const nb = this.numBatches;
    type Settled = { ok: true; batch: Batch } | { ok: false; error: unknown };
    // Settled promises never reject unobserved while the consumer is busy with the previous batch.
    const start = (b: number): Promise<Settled> =>
      this.loadBatch(e, b, order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize)))
        .then((batch) => ({ ok: true as const, batch }), (error: unknown) => ({ ok: false as const, error }));
    let pending: Promise<Settled> | null = nb > 0 ? start(0) : null;
    try {
      for (let b = 0; b < nb; b++) {
        const settled: Settled = await pending!;
        pending = b + 1 < nb ? start(b + 1) : null;
        if (!settled.ok) throw settled.error;
        yield settled.batch;
      }
    } finally {
      if (pending) await pending; // let an abandoned prefetch finish before returning
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Batch, void, undefined> {
    return this.epoch();
  }

  /** Loads the images `indices` of the list as batch `index` of epoch `epoch`. */
  async loadBatch(epoch: number, index: number, indices: Int32Array): Promise<Batch> {
    const o = this.options;
    const S = o.sizeOf ? o.sizeOf(epoch, index) : this.size;
    if (!(Number.isInteger(S) && S >= 1)) throw new RangeError(`BatchLoader: batch ${index} of epoch ${epoch} has size ${S}, expected a positive integer`);
    const C = this.source.classNames.length;
    const B = indices.length;
    const plane = 3 * S * S;
    const images = new Float32Array(B * plane);
    const labels = new Int8Array(B * C);
    const classIndex = this.source.classIndex ? new Int32Array(B) : undefined;
    const ids: string[] = [];
    for (let b = 0; b < B; b++) {
      const i = indices[b]!;
      ids.push(this.source.ids[i]!);
      labels.set(this.source.labels.subarray(i * C, (i + 1) * C), b * C);
      if (classIndex) classIndex[b] = this.source.classIndex![i]!;
    }
    await mapLimit(indices, o.concurrency ?? 4, async (i, b) => {
      const img = await loadImage(this.source.imagePath(i), {
        size: S, resize: o.resize ?? 'stretch', mean: o.mean, std: o.std,
        augment: o.augment, rng: o.augment ? new Rng(mixSeed(o.seed ?? 0, 'augment', epoch, i)) : undefined,
      });
      images.set(img.data, b * plane);
    });
    const batch: Batch = {
      images, labels, ids, indices: Int32Array.from(indices), batchSize: B, size: S, numClasses: C, epoch, index,
    };
    if (classIndex) batch.classIndex = classIndex;
    return batch;
  }
}
