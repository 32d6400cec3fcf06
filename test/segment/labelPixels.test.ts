// From class maps to labels: map normalizations, the image-level prior, the two background
// models, and the errors for sizes that disagree and NaN values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SplitSegmentation, classEvidence, imageProbabilities, labelPixels, powerBackgroundThreshold, powerGammaForThreshold, segmentClassMaps, type EvidenceOptions,
} from '../../src/segment/index.js';
import type { LabeledImageList } from '../../src/data/index.js';

const close = (a: ArrayLike<number>, b: number[], tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};
const sig = (z: number) => 1 / (1 + Math.exp(-z));
const opts = (o: Partial<EvidenceOptions>): EvidenceOptions => ({ mapNorm: 'peak', link: 'sigmoid', prior: 'none', priorThreshold: 0.5, ...o });

// Two classes on a 1 × 3 image.
const maps = Float32Array.of(4, 2, -1, /* class 1 */ -3, 0, 1);
const scores = [2, -2];

test('peak normalization: max(z, 0) / the map maximum; link: sigmoid or softmax per pixel', () => {
  close(classEvidence(maps, scores, 1, 3, opts({})), [1, 0.5, 0, 0, 0, 1]);
  close(classEvidence(maps, scores, 1, 3, opts({ mapNorm: 'link' })), [sig(4), sig(2), sig(-1), sig(-3), sig(0), sig(1)]);
  const soft = classEvidence(maps, scores, 1, 3, opts({ mapNorm: 'link', link: 'softmax' }));
  close(soft, [sig(7), sig(2), sig(-2), sig(-7), sig(-2), sig(2)], 1e-6);
  close(imageProbabilities([0, Math.log(3)], 'softmax'), [0.25, 0.75]);
  close(imageProbabilities([0, 2], 'sigmoid'), [0.5, sig(2)]);
});

test('image-level prior (Pinheiro & Collobert eq. 7): weight by p(k|I), or keep the classes above a threshold', () => {
  close(classEvidence(maps, scores, 1, 3, opts({ prior: 'weight' })), [sig(2), 0.5 * sig(2), 0, 0, 0, sig(-2)]);
  close(classEvidence(maps, scores, 1, 3, opts({ prior: 'threshold', priorThreshold: 0.5 })), [1, 0.5, 0, 0, 0, 0]);
  close(classEvidence(maps, scores, 1, 3, opts({ prior: 'threshold', priorThreshold: 0.05 })), [1, 0.5, 0, 0, 0, 1]);
});

test('threshold background: label k* + 1 when the best evidence passes δ_{k*}; unaries [δ_{k*}, y′] normalized', () => {
  const ev = Float32Array.of(0.9, 0.3, 0.1, /* class 1 */ 0.2, 0.25, 0.6);
  const g = labelPixels(ev, 2, 1, 3, { kind: 'threshold', thresholds: 0.5 });
  assert.deepEqual([...g.labels], [1, 0, 2]);
  close(g.probabilities, [0.5 / 1.6, 0.5 / 1.05, 0.5 / 1.2, 0.9 / 1.6, 0.3 / 1.05, 0.1 / 1.2, 0.2 / 1.6, 0.25 / 1.05, 0.6 / 1.2]);
  // Per class: δ = (0.95, 0.55) makes pixel 0 background (0.9 ≤ 0.95) and keeps pixel 2 (0.6 > 0.55).
  assert.deepEqual([...labelPixels(ev, 2, 1, 3, { kind: 'threshold', thresholds: [0.95, 0.55] }).labels], [0, 0, 2]);
  // Ties go to the background; a pixel without any evidence is background with probability 1.
  const none = labelPixels(Float32Array.of(0.5, 0), 1, 1, 2, { kind: 'threshold', thresholds: 0 });
  assert.deepEqual([...none.labels], [1, 0]);
  close(none.probabilities, [0, 1, 1, 0]);
  assert.deepEqual([...labelPixels(Float32Array.of(0.5), 1, 1, 1, { kind: 'threshold', thresholds: 0.5 }).labels], [0]);
});

test('power background (1 − max)^γ decides like the global threshold t with (1 − t)^γ = t', () => {
  const gamma = powerGammaForThreshold(0.3);
  assert.ok(Math.abs(powerBackgroundThreshold(gamma) - 0.3) < 1e-9);
  const ev = Float32Array.of(0.29, 0.31, 0.8);
  const p = labelPixels(ev, 1, 1, 3, { kind: 'power', gamma });
  assert.deepEqual([...p.labels], [...labelPixels(ev, 1, 1, 3, { kind: 'threshold', thresholds: 0.3 }).labels]);
  assert.deepEqual([...p.labels], [0, 1, 1]);
  const bg = Math.pow(0.2, gamma);
  close([p.probabilities[2]!, p.probabilities[5]!], [bg / (bg + 0.8), 0.8 / (bg + 0.8)]);
});

test('bad inputs: sizes that disagree, NaN maps or probabilities, bad thresholds', async () => {
  assert.throws(() => classEvidence(maps, scores, 2, 3, opts({})), { name: 'RangeError', message: /^Expected 12 values \(2 classes at 3×2\) for the length of the class maps of classEvidence\(\) but received 6; the maps and the image size disagree$/ });
  assert.throws(() => classEvidence(Float32Array.of(1, NaN, 0, 0, 0, 0), scores, 1, 3, opts({})), { name: 'RangeError', message: /class map 0 at pixel \(1, 0\) in classEvidence\(\) but received NaN; the network output is broken/ });
  assert.throws(() => classEvidence(maps, [NaN, 0], 1, 3, opts({ prior: 'weight' })), { name: 'RangeError', message: /score of class 0 in imageProbabilities\(\) but received NaN/ });
  assert.throws(() => labelPixels(Float32Array.of(0.5, NaN), 1, 1, 2, { kind: 'threshold', thresholds: 0.5 }), { name: 'RangeError', message: /^Expected a probability in \[0, 1\] for the evidence of class 0 at pixel \(1, 0\) in labelPixels\(\) but received NaN$/ });
  assert.throws(() => labelPixels(Float32Array.of(0.5), 1, 1, 2, { kind: 'threshold', thresholds: 0.5 }), { name: 'RangeError', message: /the maps and the image size disagree/ });
  assert.throws(() => labelPixels(Float32Array.of(0.5), 1, 1, 1, { kind: 'threshold', thresholds: 1 }), { name: 'RangeError', message: /background threshold of class 0/ });
  assert.throws(() => labelPixels(Float32Array.of(0.5), 1, 1, 1, { kind: 'threshold', thresholds: [0.1, 0.2] }), { name: 'RangeError', message: /one per class \(1\)/ });
  assert.throws(() => labelPixels(Float32Array.of(0.5), 1, 1, 1, { kind: 'power', gamma: 0 }), { name: 'RangeError', message: /gamma/ });
  const input = { maps, scores, width: 3, height: 1 };
  const stages = { evidence: opts({}), background: { kind: 'threshold', thresholds: 0.5 } as const, smoothings: ['slic'] as const, slic: { superpixels: 2, compactness: 10, iterations: 2 }, crf: {} };
  await assert.rejects(segmentClassMaps(input, { data: new Uint8Array(12), width: 4, height: 1, channels: 3 }, stages), { name: 'RangeError', message: /image size of segmentClassMaps\(\) but received '4×1'; image and map sizes must agree/ });
  await assert.rejects(segmentClassMaps(input, null, stages), { name: 'TypeError', message: /slic smoothing reads its pixels/ });
  await assert.rejects(segmentClassMaps(input, { data: new Uint8Array(6), width: 2, height: 1, channels: 3 }, { ...stages, smoothings: ['crf'] }), { name: 'RangeError', message: /image and map sizes must agree/ });
  assert.deepEqual([...(await segmentClassMaps(input, null, { ...stages, smoothings: ['none'] })).labels.none!], [1, 0, 2]);
});

test('a ground-truth mask whose labels or size do not fit the run is refused naming the mask file', async () => {
  const list = { ids: ['000007'], classNames: ['cat', 'dog'], imagePath: () => 'JPEGImages/000007.jpg', segmentationPath: () => 'SegmentationClass/000007.png' } as unknown as LabeledImageList;
  const stages = { evidence: opts({}), background: { kind: 'threshold', thresholds: 0.5 } as const, smoothings: ['none'] as const, slic: { superpixels: 2, compactness: 10, iterations: 2 }, crf: {} };
  const image = { index: 0, maps, scores: Float32Array.from(scores), width: 3, height: 1 };
  const scored = (data: number[], width = 3) => new SplitSegmentation(list, stages, { groundTruth: async () => ({ width, height: 1, data: Uint8Array.from(data) }) }).add(image);
  assert.equal((await scored([0, 2, 255]))!.labels.none!.length, 3);
  // Label 3 with two classes (0 background, 1 cat, 2 dog): the mask follows another class list (VOC's 20) — before, an unnamed SegmentationConfusion error.
  await assert.rejects(scored([0, 3, 1]), { name: 'DataFileError', message: /^SegmentationClass\/000007\.png: pixel \(x 1, y 0\) has label 3, but the labels are 0 \(background\), 1\.\.2 \(the classes cat \.\. dog\) and 255 \(void\)/ });
  await assert.rejects(scored([0, 1], 2), { name: 'DataFileError', message: /^SegmentationClass\/000007\.png: the ground-truth mask is 2×1 but its image is 3×1/ });
});
