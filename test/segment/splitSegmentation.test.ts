import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { SplitSegmentation, type SegmentationStages } from '../../src/segment/index.js';
import type { LabeledImageList, SegmentationMask } from '../../src/data/index.js';
import { seededRandom } from '../helpers/seededRandom.js';

const W = 24;
const H = 16;
const C = 2;
const N = 5;

// N images of two colour halves (class a left, b right), noisy class maps that follow them, and masks that are the halves.
async function fixture(dir: string): Promise<{ list: LabeledImageList; maps: Float32Array[]; masks: SegmentationMask[] }> {
  const rand = seededRandom(7);
  const maps: Float32Array[] = [];
  const masks: SegmentationMask[] = [];
  for (let i = 0; i < N; i++) {
    const split = 8 + i;
    const rgb = new Uint8Array(W * H * 3);
    const map = new Float32Array(C * H * W);
    const mask = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        const right = x >= split;
        rgb.fill(right ? 200 : 30, p * 3, p * 3 + 3);
        mask[p] = right ? 2 : 1;
        map[(right ? 1 : 0) * H * W + p] = 2 * rand();
        map[(right ? 0 : 1) * H * W + p] = 0.6 * rand();
      }
    }
    await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(dir, `${i}.png`));
    maps.push(map);
    masks.push({ width: W, height: H, data: mask });
  }
  const list: LabeledImageList = { ids: Array.from({ length: N }, (_, i) => `${i}`), classNames: ['a', 'b'], labels: new Int8Array(N * C), imagePath: (i) => join(dir, `${i}.png`) };
  return { list, maps, masks };
}

const stages: SegmentationStages = {
  evidence: { mapNorm: 'peak', link: 'sigmoid', prior: 'weight', priorThreshold: 0.5 },
  background: { kind: 'threshold', thresholds: 0.3 },
  smoothings: ['none', 'crf', 'slic'],
  slic: { superpixels: 12, compactness: 10, iterations: 4 },
  crf: {},
};

test('submit() segments several images at once and scores exactly like add() one by one; failures surface at finish()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildcat-split-seg-'));
  try {
    const { list, maps, masks } = await fixture(dir);
    const groundTruth = async (i: number): Promise<SegmentationMask | null> => masks[i]!;
    const input = (i: number) => ({ index: i, maps: maps[i]!, scores: Float32Array.of(1, 1), width: W, height: H });

    const serial = new SplitSegmentation(list, stages, { groundTruth });
    const serialLabels: Uint8Array[] = [];
    for (let i = 0; i < N; i++) serialLabels.push((await serial.add(input(i)))!.labels.crf!);

    const parallel = new SplitSegmentation(list, stages, { groundTruth, concurrency: 3 });
    const seen = new Map<number, Uint8Array>();
    for (let i = 0; i < N; i++) await parallel.submit(input(i), (seg) => seen.set(i, seg.labels.crf!));
    await parallel.finish();
    assert.equal(parallel.imagesWithMasks, N);
    for (let i = 0; i < N; i++) assert.deepEqual(seen.get(i), serialLabels[i], `image ${i}`);
    for (const s of stages.smoothings) assert.deepEqual(parallel.confusions.get(s)!.matrix, serial.confusions.get(s)!.matrix, s);
    assert.ok(parallel.metrics().bySmoothing.crf!.meanIoU > 0.5, 'the CRF follows the colour edge');

    const failing = new SplitSegmentation(list, stages, { groundTruth: async (i) => (i === 1 ? { width: W - 1, height: H, data: new Uint8Array((W - 1) * H) } : masks[i]!) });
    await failing.submit(input(0));
    await failing.submit(input(1));
    await assert.rejects(failing.finish(), { message: /ground-truth mask is 23×16 but its image is 24×16/ });
    assert.throws(() => new SplitSegmentation(list, stages, { concurrency: 0 }), { name: 'RangeError', message: /option concurrency of SplitSegmentation/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
