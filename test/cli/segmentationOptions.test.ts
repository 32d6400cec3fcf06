// The segmentation flags shared by predict, eval, report and tune-segmentation: one declaration,
// one parser, the API's defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, UsageError } from '../../src/cli/args.js';
import { SEGMENTATION_OPTIONS, SEGMENTATION_USAGE, segmentationSettingsFromFlags } from '../../src/cli/segmentationOptions.js';
import { DEFAULT_SEGMENTATION, OQUAB_TEST_SCALES, resolveSegmentationSettings } from '../../src/segment/index.js';
import { EVAL_USAGE } from '../../src/cli/commands/evaluate.js';
import { PREDICT_USAGE } from '../../src/cli/commands/predict.js';
import { REPORT_USAGE } from '../../src/cli/commands/report.js';
import { TUNE_SEGMENTATION_USAGE } from '../../src/cli/commands/tuneSegmentation.js';

const settings = (...argv: string[]) => segmentationSettingsFromFlags(parse(argv, SEGMENTATION_OPTIONS, 'usage'));

test('no flag gives the API defaults (test scales: the run\'s recorded ones first); flags set each field', () => {
  assert.deepEqual(settings(), {});
  assert.deepEqual(resolveSegmentationSettings(settings()), DEFAULT_SEGMENTATION);
  assert.deepEqual(resolveSegmentationSettings(settings(), [1, 2]).scales, [1, 2]);
  assert.deepEqual(resolveSegmentationSettings(settings('--scales', '1'), [1, 2]).scales, [1]);
  const s = settings('--scales', 'oquab', '--flip', '--fuse', 'max', '--map-norm', 'link', '--prior', 'threshold', '--prior-threshold', '0.3',
    '--background', 'power', '--threshold', '0.25', '--gamma', '3', '--smooth', 'none', '--slic-superpixels', '50', '--slic-compactness', '20',
    '--crf-iterations', '5', '--crf-sxy', '2', '--crf-gaussian-weight', '1', '--crf-bilateral-sxy', '40', '--crf-srgb', '9', '--crf-bilateral-weight', '4', '--crf-pixel-sigmas');
  assert.deepEqual(resolveSegmentationSettings(s), {
    scales: [...OQUAB_TEST_SCALES], flip: true, fuse: 'max', mapNorm: 'link', prior: 'threshold', priorThreshold: 0.3, background: 'power',
    threshold: 0.25, gamma: 3, smoothing: 'none', slic: { ...DEFAULT_SEGMENTATION.slic, superpixels: 50, compactness: 20 },
    crf: { iterations: 5, gaussian: { sxy: 2, weight: 1 }, bilateral: { sxy: 40, srgb: 9, weight: 4 }, scaleToImage: false },
  });
  assert.deepEqual(settings('--scales', '0.5,1,1.5,2').scales, [0.5, 1, 1.5, 2]);
  assert.equal(settings('--threshold', 'tuned-global').threshold, 'tuned-global');
  assert.deepEqual(settings('--crf-srgb', '5'), { crf: { bilateral: { srgb: 5 } } });
});

test('bad segmentation flags are usage errors naming the flag', () => {
  for (const [argv, msg] of [
    [['--scales', '1,x'], /^--scales: Expected comma-separated/],
    [['--threshold', '1'], /^--threshold must be tuned, tuned-global or a number in \[0, 1\); got '1'$/],
    [['--gamma', '0'], /^--gamma must be > 0/],
    [['--smooth', 'blur'], /^--smooth must be one of/],
    [['--crf-iterations', '1.5'], /^--crf-iterations expects an integer/],
    [['--map-norm', 'max'], /^--map-norm must be one of peak, link|^--map-norm must be one of link, peak/],
  ] as const) {
    assert.throws(() => settings(...argv), (e: Error) => e instanceof UsageError && msg.test(e.message), argv.join(' '));
  }
});

test('predict, eval, report and tune-segmentation document the same options', () => {
  for (const usage of [PREDICT_USAGE, EVAL_USAGE, REPORT_USAGE, TUNE_SEGMENTATION_USAGE]) assert.ok(usage.includes(SEGMENTATION_USAGE.trim()));
});
