// --inference fused|plain reaches nn's inference fusion; every command that runs a network takes
// both engine flags (--memory-format, --inference), documents them, and checks them first.
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
import { trainCommand, TRAIN_USAGE } from '../../src/cli/commands/train.js';
import { pretrainCommand, PRETRAIN_USAGE } from '../../src/cli/commands/pretrain.js';
import { demoCommand, DEMO_USAGE } from '../../src/cli/commands/demo.js';
import { ablateCommand, ABLATE_USAGE } from '../../src/cli/commands/ablate.js';
import { mantraCommand, MANTRA_USAGE } from '../../src/cli/commands/mantra.js';
import { combineCommand, COMBINE_USAGE } from '../../src/cli/commands/combine.js';
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

// Each command with the arguments it needs before it reads the engine flags (none of them exists:
// a flag that were not checked first would fail on the missing file instead).
const missing = '/nonexistent/wildcat';
const COMMANDS: [string, (argv: string[]) => Promise<void>, string, string[]][] = [
  ['predict', predictCommand, PREDICT_USAGE, ['--run', missing]],
  ['eval', evalCommand, EVAL_USAGE, ['--run', missing]],
  ['report', reportCommand, REPORT_USAGE, ['--run', missing]],
  ['studio', studioCommand, STUDIO_USAGE, ['--run', missing]],
  ['tune-segmentation', tuneSegmentationCommand, TUNE_SEGMENTATION_USAGE, ['--run', missing]],
  ['train', trainCommand, TRAIN_USAGE, ['--data', `voc:${missing}`, '--out', missing]],
  ['pretrain', pretrainCommand, PRETRAIN_USAGE, ['--out', `${missing}.safetensors`]],
  ['demo', demoCommand, DEMO_USAGE, ['--out', missing]],
  ['ablate', ablateCommand, ABLATE_USAGE, ['--data', `voc:${missing}`, '--out', missing]],
  ['mantra', mantraCommand, MANTRA_USAGE, ['--data', `voc:${missing}`, '--out', missing]],
  ['combine', combineCommand, COMBINE_USAGE, ['--runs', `${missing}1,${missing}2`]],
];

for (const [name, command, usage, args] of COMMANDS) {
  test(`${name} takes --inference and --memory-format, documents them and checks their values first`, async () => {
    try {
      // The command's own usage, or (ablate) the training flags it refers to.
      assert.match(name === 'ablate' ? TRAIN_USAGE : usage, /--inference MODE\s+fused \| plain/);
      assert.match(name === 'ablate' ? TRAIN_USAGE : usage, /--memory-format F\s+channels-last \| contiguous \| auto/);
      await assert.rejects(command(['--inference', 'fast', ...args]), (e: unknown) => e instanceof UsageError && /--inference/.test((e as Error).message));
      await assert.rejects(command(['--memory-format', 'nhwc', ...args]), (e: unknown) => e instanceof UsageError && /--memory-format/.test((e as Error).message));
    } finally {
      setInferenceFusion(false);
      setMemoryFormat('contiguous');
    }
  });
}
