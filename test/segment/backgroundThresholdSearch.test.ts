// Choosing background thresholds by mIoU on a hand-made validation set, the confusion matrix the
// search predicts, and the thresholds stored in a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BackgroundThresholdSearch, DEFAULT_SEGMENTATION, SEGMENTATION_FILE, evidenceKey, labelPixels, readThresholdTunings, resolveBackground,
  saveThresholdTuning, type ThresholdTuning,
} from '../../src/segment/index.js';
import { SegmentationConfusion } from '../../src/eval/index.js';

// One class, one row of 8 pixels: ground truth 0 0 0 0 1 1 1 1 (255 = void at the end of the second image).
// Object pixels have evidence 0.62–0.9, background 0.1–0.4: every δ in [0.40, 0.62) separates
// them perfectly (mIoU 1); the plateau's middle on the 0.01 grid is 0.51.
const evidence = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.62, 0.7, 0.8, 0.9);
const truth = [0, 0, 0, 0, 1, 1, 1, 1];

test('the global threshold is the middle of the best plateau; its confusion matrix equals labelPixels + SegmentationConfusion', () => {
  const s = new BackgroundThresholdSearch(1);
  s.add(evidence, 1, 8, truth);
  s.add(Float32Array.of(0.45, 0.95), 1, 2, [0, 255]);
  const g = s.bestGlobal();
  // With the second image, δ must also be >= 0.45 (its background pixel): plateau 0.45 … 0.62.
  assert.deepEqual(g.thresholds, [0.53]);
  assert.equal(g.metrics.meanIoU, 1);
  for (const t of [0, 35, 50, 70, 99]) {
    const d = t / 100;
    const cm = new SegmentationConfusion(2);
    cm.add(labelPixels(evidence, 1, 1, 8, { kind: 'threshold', thresholds: d }).labels, truth);
    cm.add(labelPixels(Float32Array.of(0.45, 0.95), 1, 1, 2, { kind: 'threshold', thresholds: d }).labels, [0, 255]);
    assert.deepEqual([...s.confusion([t])], [...cm.matrix], `δ = ${d}`);
  }
  // Hand-worked: δ = 0.7 keeps 0.8 and 0.9 → background IoU 5/7 (5 right, 2 missed objects), object IoU 2/4.
  const m = s.evaluate(0.7);
  assert.deepEqual([...s.confusion([70])], [5, 0, 2, 2]);
  assert.ok(Math.abs(m.meanIoU - (5 / 7 + 2 / 4) / 2) < 1e-12);
});

test('per-class thresholds find what no single threshold can', () => {
  // Class 0's objects are weak (0.3), class 1's background is strong (0.6): δ_0 < 0.3 and δ_1 >= 0.6 are needed.
  const s = new BackgroundThresholdSearch(2);
  // Pixels: [class-0 object, class-0 background, class-1 object, class-1 "background" where class 1 fires]
  const ev = Float32Array.of(0.3, 0.1, 0, 0, /* class 1 */ 0, 0, 0.9, 0.6);
  s.add(ev, 1, 4, [1, 0, 2, 0]);
  const global = s.bestGlobal();
  const perClass = s.bestPerClass();
  assert.ok(global.metrics.meanIoU < 1);
  assert.equal(perClass.metrics.meanIoU, 1);
  const [d0, d1] = perClass.thresholds;
  assert.ok(d0! >= 0.1 && d0! < 0.3 && d1! >= 0.6 && d1! < 0.9, `δ = ${perClass.thresholds}`);
  assert.deepEqual([...labelPixels(ev, 2, 1, 4, { kind: 'threshold', thresholds: perClass.thresholds }).labels], [1, 0, 2, 0]);
});

test('bad inputs: sizes, labels and evidence that do not fit', () => {
  const s = new BackgroundThresholdSearch(1);
  assert.throws(() => s.bestGlobal(), /no image added/);
  assert.throws(() => s.add(evidence, 1, 8, truth.slice(1)), { name: 'RangeError', message: /number of ground-truth pixels .* but received 7; mask and image sizes disagree/ });
  assert.throws(() => s.add(evidence, 2, 8, truth), { name: 'RangeError', message: /length of the evidence/ });
  assert.throws(() => s.add(evidence, 1, 8, [0, 0, 0, 0, 1, 1, 1, 3]), { name: 'RangeError', message: /a label in \[0, 1\] or void 255 .* but received 3/ });
  assert.throws(() => s.add(Float32Array.of(NaN), 1, 1, [0]), { name: 'RangeError', message: /a probability in \[0, 1\] .* but received NaN/ });
  assert.equal(s.images, 0, 'a refused image leaves the counts untouched');
});

test('tuned thresholds are stored per evidence settings, replaced atomically, resolved or fallen back from', () => {
  const run = mkdtempSync(join(tmpdir(), 'wildcat-tuned-'));
  try {
    assert.deepEqual(readThresholdTunings(run), []);
    const key = evidenceKey(DEFAULT_SEGMENTATION, 'best');
    const tuning = (d: number): ThresholdTuning => ({
      key, data: 'voc:x', split: 'val', images: 3, classNames: ['a', 'b'], global: { threshold: d, mIoU: 0.5 },
      perClass: { thresholds: [d, 0.2], mIoU: 0.6 }, untuned: { threshold: 0.5, mIoU: 0.4 }, date: 'now',
    });
    saveThresholdTuning(run, tuning(0.3));
    saveThresholdTuning(run, { ...tuning(0.7), key: { ...key, flip: true } });
    saveThresholdTuning(run, tuning(0.4));
    const stored = readThresholdTunings(run);
    assert.equal(stored.length, 2);
    const r = resolveBackground(DEFAULT_SEGMENTATION, stored, key, 2);
    assert.deepEqual(r.model, { kind: 'threshold', thresholds: [0.4, 0.2] });
    assert.equal(r.fellBack, false);
    assert.deepEqual(resolveBackground({ ...DEFAULT_SEGMENTATION, threshold: 'tuned-global' }, stored, key, 2).model, { kind: 'threshold', thresholds: 0.4 });
    assert.deepEqual(resolveBackground({ ...DEFAULT_SEGMENTATION, threshold: 0.25 }, stored, key, 2).model, { kind: 'threshold', thresholds: 0.25 });
    const other = resolveBackground(DEFAULT_SEGMENTATION, stored, { ...key, mapNorm: 'link' }, 2);
    assert.deepEqual([other.model, other.fellBack], [{ kind: 'threshold', thresholds: 0.5 }, true]);
    assert.match(other.source, /no tuning for scales 1, map-norm link, prior weight, best checkpoint; run wildcat tune-segmentation/);
    const power = resolveBackground({ ...DEFAULT_SEGMENTATION, background: 'power' }, stored, key, 2);
    assert.equal(power.model.kind, 'power');
    assert.ok(Math.abs((power.model as { gamma: number }).gamma - Math.log(0.4) / Math.log(0.6)) < 1e-12);
    assert.throws(() => resolveBackground(DEFAULT_SEGMENTATION, stored, key, 3), { name: 'DataFileError', message: /for 2 classes but the run has 3; tune again/ });
    writeFileSync(join(run, SEGMENTATION_FILE), '{"version": 1, "tunings": [');
    assert.throws(() => readThresholdTunings(run), { name: 'DataFileError', message: /segmentation\.json: cannot read the tuned segmentation thresholds/ });
    assert.ok(readFileSync(join(run, SEGMENTATION_FILE), 'utf8').startsWith('{"version": 1'));
    // Damaged tunings are refused by name when read, not deep inside a segmentation.
    const damaged: [unknown, RegExp][] = [
      [null, /not a segmentation thresholds file of this version/],
      [{ version: 1, tunings: [null] }, /tunings\[0\]: not an object/],
      [{ version: 1, tunings: [{ ...tuning(0.3), key: { ...key, scales: 'x' } }] }, /tunings\[0\]: its "key" .* is missing or malformed/],
      [{ version: 1, tunings: [{ ...tuning(0.3), perClass: { thresholds: [0.2, 7] } }] }, /tunings\[0\]: its "perClass.thresholds" is not a list of numbers in \[0, 1\)/],
      [{ version: 1, tunings: [{ ...tuning(0.3), global: {} }] }, /tunings\[0\]: its "global.threshold"/],
    ];
    for (const [content, message] of damaged) {
      writeFileSync(join(run, SEGMENTATION_FILE), JSON.stringify(content));
      assert.throws(() => readThresholdTunings(run), { name: 'DataFileError', message });
    }
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
});
