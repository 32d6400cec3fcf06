import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageVerdict, scoreProbabilities, selectGallery, type ImageVerdict } from '../../src/report/index.js';

test('verdict: missed, false positives (highest first), mislocalized, margin', () => {
  const v = imageVerdict({
    scores: [3, -1, 0.5, 2, -2],
    labels: [1, 1, -1, -1, 0],
    peakHits: [true, false, false, false, false],
  });
  assert.deepEqual(v.present, [0, 1]);
  assert.deepEqual(v.missed, [1], 'class 1 ranks below absent classes');
  assert.deepEqual(v.falsePositives, [3, 2], 'absent classes above the lowest present one');
  assert.deepEqual(v.mislocalized, [1]);
  assert.equal(v.errors, 4);
  assert.equal(v.margin, -1 - 2);
});

test('verdict with probabilities: an absent class at p > 0.5 fires even when ranked last', () => {
  const scores = [5, 1];
  const v = imageVerdict({ scores, probs: scoreProbabilities(scores, 'logistic'), labels: [1, -1], peakHits: [true, false] });
  assert.deepEqual(v.falsePositives, [1]);
  assert.equal(v.errors, 1);
  const clean = imageVerdict({ scores: [5, -1], probs: scoreProbabilities([5, -1], 'logistic'), labels: [1, -1], peakHits: [true, false] });
  assert.equal(clean.errors, 0);
  assert.equal(clean.margin, 6);
});

test('scoreProbabilities follows the loss', () => {
  assert.ok(Math.abs(scoreProbabilities([0], 'logistic')![0]! - 0.5) < 1e-12);
  const s = scoreProbabilities([1, 1, 1, 1], 'softmax')!;
  assert.ok([...s].every((p) => Math.abs(p - 0.25) < 1e-12));
  assert.equal(scoreProbabilities([1], 'ap'), undefined);
});

test('selectGallery: best half and worst half, deterministic', () => {
  const v = (errors: number, margin: number): ImageVerdict => ({ present: [0], missed: [], falsePositives: [], mislocalized: [], errors, margin });
  const verdicts = [v(0, 1), v(2, -1), v(0, 3), v(1, 0), v(0, 3), v(3, -5), v(0, Number.NaN)];
  const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const pick = selectGallery(verdicts, ids, 4);
  assert.deepEqual(pick.best, [2, 4], 'no error, widest margin; equal margins by id');
  assert.deepEqual(pick.worst, [5, 1], 'most errors first');
  assert.deepEqual(selectGallery(verdicts, ids, 4), pick);
  const all = selectGallery(verdicts, ids, 100);
  assert.equal(all.best.length + all.worst.length, 7);
  assert.equal(new Set([...all.best, ...all.worst]).size, 7);
  assert.deepEqual(selectGallery(verdicts, ids, 0), { best: [], worst: [] });
  assert.deepEqual(selectGallery(verdicts, ids, 1).best, [2]);
});

test('selectGallery: among equally right images, more objects first', () => {
  const v = (present: number, margin: number): ImageVerdict => ({ present: Array.from({ length: present }, (_, c) => c), missed: [], falsePositives: [], mislocalized: [], errors: 0, margin });
  assert.deepEqual(selectGallery([v(1, 9), v(3, 0.5), v(2, 1)], ['a', 'b', 'c'], 2).best, [1]);
  assert.deepEqual(selectGallery([v(1, 9), v(3, 0.5), v(2, 1)], ['a', 'b', 'c'], 2).worst, [0]);
});
