// One default per option, whichever door an option comes through: the wsl API, the pooling
// descriptions stored in run configs, the trainer's defaults and the CLI's flags and help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultNumThreads, tensor } from '../../src/core/index.js';
import { resnet18 } from '../../src/nn/index.js';
import {
  CLASS_WISE_DEFAULTS, GENERALIZED_DEFAULTS, LSE_DEFAULTS, WILDCAT_DEFAULTS, WILDCAT_NET_DEFAULTS, WildcatNet,
  applySpatialPooling, describeSpatialPooling, generalizedPool, lsePool, parseSpatialPooling, wildcatPool, withWildcatDefaults,
} from '../../src/wsl/index.js';
import { AUTO_EPOCHS, autoEpochs, defaultWslConfig } from '../../src/train/wslConfig.js';
import { defaultPretrainConfig } from '../../src/train/pretrain.js';
import { configFromFlags, MODEL_OPTIONS, TRAIN_USAGE } from '../../src/cli/commands/train.js';
import { checkpointFlag, parse } from '../../src/cli/args.js';
import { DEFAULT_CHECKPOINT, RUN_CHECKPOINTS } from '../../src/train/loadRun.js';
import { REPORT_DEFAULTS } from '../../src/report/runReport.js';
import { STUDIO_USAGE } from '../../src/cli/commands/studio.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';

test('the defaults themselves: k⁺ = 0.2, k⁻ = k⁺, α = 0.7, no halving, M = 1, class-wise mean, architecture (a), LSE r = 5, β = ±10', () => {
  assert.deepEqual({ ...WILDCAT_DEFAULTS }, { kmax: 0.2, alpha: 0.7, halve: false });
  assert.deepEqual(withWildcatDefaults({}), { kmax: 0.2, kmin: 0.2, alpha: 0.7, halve: false });
  assert.deepEqual(withWildcatDefaults({ kmax: 3 }), { kmax: 3, kmin: 3, alpha: 0.7, halve: false });
  assert.deepEqual({ ...WILDCAT_NET_DEFAULTS }, { maps: 1, classWise: 'mean', architecture: 'maps' });
  assert.equal(CLASS_WISE_DEFAULTS.mode, 'mean');
  assert.equal(LSE_DEFAULTS.r, 5);
  assert.deepEqual({ ...GENERALIZED_DEFAULTS }, { betaPos: 10, betaNeg: -10, alpha: 0.7 });
});

test('wildcatPool and applySpatialPooling agree when k⁻ and α are left out (they once gave 5 and 4 on [[1,2],[3,4]])', leakFreeTidy(() => {
  const x = tensor([[[[1, 2], [3, 4]]]]);
  const direct = wildcatPool(x, { kmax: 1 }).item();
  const described = applySpatialPooling(x, { kind: 'wildcat', kmax: 1 }).item();
  assert.ok(Math.abs(direct - (4 + 0.7 * 1)) < 1e-6, `wildcatPool gave ${direct}`);
  assert.equal(described, direct);
  assert.equal(applySpatialPooling(x, { kind: 'wildcat' }).item(), wildcatPool(x).item());
  assert.equal(describeSpatialPooling({ kind: 'wildcat', kmax: 1 }), 'wildcat k+=1 k-=1 a=0.7');
  assert.equal(applySpatialPooling(x, { kind: 'lse' }).item(), lsePool(x, { r: 5 }).item());
  assert.equal(applySpatialPooling(x, { kind: 'generalized' }).item(), generalizedPool(x, { betaPos: 10, betaNeg: -10, alpha: 0.7 }).item());
}));

test('the CLI and the trainer write the same pooling the API would use', () => {
  const fromCli = parseSpatialPooling('wildcat');
  assert.deepEqual(fromCli, { kind: 'wildcat', ...withWildcatDefaults() });
  assert.deepEqual(defaultWslConfig().model.pooling, fromCli);
  assert.deepEqual(parseSpatialPooling('wildcat', { kmax: 3 }), { kind: 'wildcat', kmax: 3, kmin: 3, alpha: 0.7, halve: false });
  assert.deepEqual(parseSpatialPooling('weldon'), { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 1, halve: false });
  assert.deepEqual(parseSpatialPooling('lse'), { kind: 'lse', r: LSE_DEFAULTS.r });
  assert.deepEqual(parseSpatialPooling('generalized'), { kind: 'generalized', ...GENERALIZED_DEFAULTS });
  assert.throws(() => parseSpatialPooling('wildcats'), { name: 'RangeError', message: /^Expected one of 'wildcat', 'weldon', .* for the pooling name but received 'wildcats'$/ });
});

test('M, class-wise mode and architecture: WildcatNet, the trainer and the CLI share one default', leakFreeTidy(() => {
  const net = new WildcatNet(resnet18({ numClasses: 0, widthMultiplier: 0.125 }), { numClasses: 2 });
  try {
    assert.equal(net.maps, WILDCAT_NET_DEFAULTS.maps);
    assert.equal(net.classWise, WILDCAT_NET_DEFAULTS.classWise);
    assert.equal(net.architecture, WILDCAT_NET_DEFAULTS.architecture);
    assert.deepEqual(net.pooling, { kind: 'wildcat' });
  } finally {
    net.dispose();
  }
  const model = defaultWslConfig().model;
  assert.equal(model.maps, WILDCAT_NET_DEFAULTS.maps);
  assert.equal(model.classWise, WILDCAT_NET_DEFAULTS.classWise);
  assert.equal(model.architecture, WILDCAT_NET_DEFAULTS.architecture);
  assert.deepEqual(configFromFlags(parse(['--data', 'voc:s'], { data: { type: 'string' }, ...MODEL_OPTIONS }, TRAIN_USAGE)), { ...defaultWslConfig(), data: 'voc:s' });
}));

test('threads: every core by default, for the trainer, the pre-training and the CLI', () => {
  assert.equal(defaultWslConfig().threads, defaultNumThreads());
  assert.equal(defaultPretrainConfig().threads, defaultNumThreads());
});

test('the train help prints the defaults it uses', () => {
  const d = defaultWslConfig();
  assert.match(TRAIN_USAGE, new RegExp(`--maps M .*\\(default ${d.model.maps};`));
  assert.match(TRAIN_USAGE, new RegExp(`\\(default ${WILDCAT_DEFAULTS.kmax}, kmin = kmax\\)`));
  assert.match(TRAIN_USAGE, new RegExp(`--alpha A .*\\(default ${WILDCAT_DEFAULTS.alpha};`));
  assert.equal(d.epochs, 0, 'auto');
  assert.match(TRAIN_USAGE, new RegExp(`--epochs N\\|auto +auto \\(default\\): at least ${AUTO_EPOCHS.minSteps} steps, ${AUTO_EPOCHS.min}-${AUTO_EPOCHS.max} epochs`));
  assert.match(TRAIN_USAGE, new RegExp(`--lr X .*\\(default ${d.lr}\\)`));
});

test('auto epochs scale with the training set: at least 900 steps, 12 to 100 epochs', () => {
  assert.equal(autoEpochs(1200, 16), 12, 'the embedded scenes: 75 steps per epoch');
  assert.equal(autoEpochs(3000, 16), 12, 'a larger set keeps 12 passes (2,244 steps)');
  assert.equal(autoEpochs(600, 16), 25, '37 steps per epoch need 25 epochs for 900 steps');
  assert.equal(autoEpochs(40, 16), 100, 'capped');
  assert.equal(autoEpochs(10, 16), 100, 'one partial batch per epoch');
  assert.equal(autoEpochs(1200, 16 * 2), 25, 'a data-parallel global batch counts whole');
  const p = parse(['--data', 'voc:s', '--epochs', 'auto'], { data: { type: 'string' }, ...MODEL_OPTIONS }, TRAIN_USAGE);
  assert.equal(configFromFlags(p).epochs, 0);
  assert.equal(configFromFlags(parse(['--data', 'voc:s', '--epochs', '7'], { data: { type: 'string' }, ...MODEL_OPTIONS }, TRAIN_USAGE)).epochs, 7);
});

test('checkpoint: every command and API loads the best weights unless told otherwise, from one constant', () => {
  assert.equal(DEFAULT_CHECKPOINT, 'best');
  assert.deepEqual([...RUN_CHECKPOINTS], ['best', 'last']);
  assert.equal(REPORT_DEFAULTS.checkpoint, DEFAULT_CHECKPOINT);
  const opts = { checkpoint: { type: 'string' } } as const;
  assert.equal(checkpointFlag(parse([], opts, '')), DEFAULT_CHECKPOINT);
  assert.equal(checkpointFlag(parse(['--checkpoint', 'last'], opts, '')), 'last');
  assert.throws(() => checkpointFlag(parse(['--checkpoint', 'first'], opts, '')), /--checkpoint must be one of best, last; got 'first'/);
  assert.match(STUDIO_USAGE, /--checkpoint C +best or last \(default best\)/);
});
