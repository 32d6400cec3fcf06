// --inference fused|plain reaches nn's inference fusion, on every command that evaluates networks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noGrad, setMemoryFormat } from '../../src/core/index.js';
import { resnet } from '../../src/nn/index.js';
import { fusedInferenceActive, inferenceFusionEnabled, setInferenceFusion } from '../../src/nn/inferenceFusion.js';
import { DEFAULT_INFERENCE, inferenceFlag, parse, UsageError } from '../../src/cli/args.js';
import { predictCommand, PREDICT_USAGE } from '../../src/cli/commands/predict.js';
import { evalCommand, EVAL_USAGE } from '../../src/cli/commands/evaluate.js';
import { reportCommand, REPORT_USAGE } from '../../src/cli/commands/report.js';
import { studioCommand, STUDIO_USAGE } from '../../src/cli/commands/studio.js';
import { tuneSegmentationCommand, TUNE_SEGMENTATION_USAGE } from '../../src/cli/commands/tuneSegmentation.js';
import { leakFree } from '../helpers/leak.js';

const flags = (...argv: string[]) => parse(argv, { inference: { type: 'string' } }, 'usage');

test('--inference fused | plain switches fused inference; fused is the default', () => {
  try {
    assert.equal(DEFAULT_INFERENCE, 'fused');
    assert.equal(inferenceFlag(flags()), 'fused');
    assert.equal(inferenceFusionEnabled(), true);
    leakFree(() => {
      const net = resnet(18, { numClasses: 2, widthMultiplier: 0.125 }).eval();
      assert.equal(noGrad(() => fusedInferenceActive(net.layer1.at(0))), true);
      assert.equal(inferenceFlag(flags('--inference', 'plain')), 'plain');
      assert.equal(noGrad(() => fusedInferenceActive(net.layer1.at(0))), false);
      net.dispose();
    });
    assert.throws(() => inferenceFlag(flags('--inference', 'fast')), (e: unknown) => e instanceof UsageError && /--inference/.test((e as Error).message) && /fused/.test((e as Error).message));
  } finally {
    setInferenceFusion(false);
  }
});

const COMMANDS: [string, (argv: string[]) => Promise<void>, string][] = [
  ['predict', predictCommand, PREDICT_USAGE],
  ['eval', evalCommand, EVAL_USAGE],
  ['report', reportCommand, REPORT_USAGE],
  ['studio', studioCommand, STUDIO_USAGE],
  ['tune-segmentation', tuneSegmentationCommand, TUNE_SEGMENTATION_USAGE],
];

for (const [name, command, usage] of COMMANDS) {
  test(`${name} takes --inference and --memory-format, documents them and checks their values first`, async () => {
    try {
      assert.match(usage, /--inference/);
      assert.match(usage, /--memory-format/);
      await assert.rejects(command(['--inference', 'fast', '--run', '/nonexistent']), (e: unknown) => e instanceof UsageError && /--inference/.test((e as Error).message));
      await assert.rejects(command(['--memory-format', 'nhwc', '--run', '/nonexistent']), (e: unknown) => e instanceof UsageError && /--memory-format/.test((e as Error).message));
    } finally {
      setInferenceFusion(false);
      setMemoryFormat('contiguous');
    }
  });
}
