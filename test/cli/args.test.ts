// The command functions in-process (fast): usage errors, --help texts, flags → config.
// test/cli/usage.test.ts checks the same through real processes (exit codes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { parse, UsageError } from '../../src/cli/args.js';
import { configFromFlags, trainCommand, MODEL_OPTIONS, TRAIN_USAGE } from '../../src/cli/commands/train.js';
import { dataCommand, DATA_USAGE } from '../../src/cli/commands/data.js';
import { evalCommand, EVAL_USAGE } from '../../src/cli/commands/evaluate.js';
import { predictCommand, PREDICT_USAGE } from '../../src/cli/commands/predict.js';
import { pretrainCommand, PRETRAIN_USAGE } from '../../src/cli/commands/pretrain.js';
import { ablateCommand, ABLATE_USAGE } from '../../src/cli/commands/ablate.js';
import { demoCommand, DEMO_USAGE } from '../../src/cli/commands/demo.js';
import { defaultWslConfig } from '../../src/train/wslConfig.js';

const COMMANDS: Array<[string, (argv: string[]) => Promise<void>, string]> = [
  ['data', dataCommand, DATA_USAGE],
  ['pretrain', pretrainCommand, PRETRAIN_USAGE],
  ['train', trainCommand, TRAIN_USAGE],
  ['eval', evalCommand, EVAL_USAGE],
  ['predict', predictCommand, PREDICT_USAGE],
  ['ablate', ablateCommand, ABLATE_USAGE],
  ['demo', demoCommand, DEMO_USAGE],
];

/** Runs fn with process.exit and stdout captured (parse() prints the usage and exits on --help). */
async function captureExit(fn: () => Promise<void>): Promise<{ code: number | undefined; out: string }> {
  const exit = process.exit;
  const write = process.stdout.write;
  let out = '';
  class Exit extends Error {
    constructor(readonly code: number | undefined) {
      super('exit');
    }
  }
  process.exit = ((code?: number) => {
    throw new Exit(code);
  }) as typeof process.exit;
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    await fn();
    return { code: undefined, out };
  } catch (e) {
    if (e instanceof Exit) return { code: e.code, out };
    throw e;
  } finally {
    process.exit = exit;
    process.stdout.write = write;
  }
}

test('--help and -h of every command print its usage (trimmed) and exit 0', async () => {
  for (const [name, fn, usage] of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      const r = await captureExit(() => fn([flag]));
      assert.equal(r.code, 0, `${name} ${flag}`);
      assert.equal(r.out, usage.trim() + '\n');
      assert.ok(r.out.startsWith(`wildcat ${name}`), name);
    }
  }
});

async function usageError(fn: (argv: string[]) => Promise<void>, argv: string[]): Promise<string> {
  try {
    await fn(argv);
  } catch (e) {
    assert.ok(e instanceof UsageError, `${argv.join(' ')}: expected a UsageError, got ${(e as Error).constructor.name}: ${(e as Error).message}`);
    return e.message;
  }
  assert.fail(`${argv.join(' ')}: no error`);
}

test('usage errors name the flag and what it accepts', async () => {
  const d = ['--data', 'voc:scenes', '--out', 'r'];
  const cases: Array<[(argv: string[]) => Promise<void>, string[], RegExp]> = [
    [trainCommand, [], /^--data is required/],
    [trainCommand, ['--out', 'r'], /^--data is required/],
    [trainCommand, ['--data', 'voc:scenes'], /^--out is required/],
    [trainCommand, [...d, '--epochs', 'x'], /^--epochs expects a number, got 'x'$/],
    [trainCommand, [...d, '--epochs', ''], /^--epochs expects a number/],
    [trainCommand, [...d, '--epochs', '1.5'], /^--epochs expects an integer, got 1\.5$/],
    [trainCommand, [...d, '--epochs', '0'], /^--epochs must be >= 1, got 0$/],
    [trainCommand, [...d, '--lr=-1'], /^--lr must be >= 0/],
    [trainCommand, [...d, '--lr', '-1'], /--lr.*ambiguous/s],
    [trainCommand, [...d, '--momentum', '1.5'], /^--momentum must be <= 1/],
    [trainCommand, [...d, '--kmax=-2'], /^--kmax must be >= 0/],
    [trainCommand, [...d, '--width', '0'], /^--width must be >= 0.05/],
    [trainCommand, [...d, '--pooling', 'median'], /^--pooling must be one of wildcat, weldon.*; got 'median'$/],
    [trainCommand, [...d, '--stride', '4'], /^--stride must be one of 32, 16, 8/],
    [trainCommand, [...d, '--loss', 'hinge'], /^--loss must be one of logistic, softmax, ap/],
    [trainCommand, [...d, '--scale-jitter', '0.5'], /^--scale-jitter expects A,B/],
    [trainCommand, [...d, '--scale-jitter', '0.9,0.5'], /^--scale-jitter expects A,B/],
    [trainCommand, [...d, '--frobnicate'], /Unknown option '--frobnicate'/],
    [trainCommand, ['--data'], /--data/],
    [dataCommand, [], /^missing data command \(scenes\)/],
    [dataCommand, ['cats', '--out', 'x'], /^unknown data command 'cats'/],
    [dataCommand, ['scenes'], /^--out is required/],
    [dataCommand, ['scenes', '--out', 'x', '--size', '32'], /^--size must be >= 64, got 32$/],
    [dataCommand, ['scenes', '--out', 'x', '--train', 'ten'], /^--train expects a number/],
    [evalCommand, ['--data', 'voc:x', '--split', 'test'], /^--run is required/],
    [evalCommand, ['--run', 'r', '--data', 'voc:x', '--split', 'test', '--threads', '0'], /^--threads must be >= 1/],
    [predictCommand, ['--run', 'r', '--data', 'voc:x', '--split', 'test', '--checkpoint', 'first'], /^--checkpoint must be one of best, last; got 'first'$/],
    [predictCommand, ['--run', 'r', '--data', 'voc:x', '--split', 'test', '--out', 'p', '--shard', '1-2'], /^--shard expects i\/n with 0 <= i < n \(e\.g\. 0\/4\), got '1-2'$/],
    [predictCommand, ['--merge', '--out', 'p'], /^--merge needs the shard folders/],
    [predictCommand, ['--run', 'r', '--data', 'voc:x', '--split', 'test', '--out', 'p', '--nproc', '2', '--shard', '0/2'], /^--nproc makes its own shards; drop --shard$/],
    [trainCommand, ['--data', 'voc:x', '--out', 'r', '--nnodes', '2'], /^--nnodes 2 needs --master-addr HOST/],
    [trainCommand, ['--data', 'voc:x', '--out', 'r', '--master-port', '29500'], /^--master-port goes with --nproc N/],
    [trainCommand, ['--data', 'voc:x', '--out', 'r', '--nproc', '0'], /^--nproc must be >= 1/],
    [trainCommand, ['--data', 'voc:x', '--out', 'r', '--nnodes', '2', '--node-rank', '2', '--master-addr', 'h'], /^--node-rank must be <= 1/],
    [pretrainCommand, ['--steps', 'many'], /^--steps expects a number/],
    [pretrainCommand, ['--backbone', 'vgg16'], /^--backbone must be one of resnet18/],
    [ablateCommand, ['--out', 'x'], /^--data is required/],
    [demoCommand, ['--epochs', '-'], /^--epochs expects a number/],
  ];
  for (const [fn, argv, pattern] of cases) {
    const m = await usageError(fn, argv);
    assert.match(m, pattern, `${fn.name} ${argv.join(' ')}: ${m}`);
  }
});

test('configFromFlags: defaults, and every flag lands in the config', () => {
  const parsed = (argv: string[]) => parse(argv, { data: { type: 'string' }, 'train-split': { type: 'string' }, 'val-split': { type: 'string' }, out: { type: 'string' }, resume: { type: 'boolean' }, ...MODEL_OPTIONS }, TRAIN_USAGE);
  const d = defaultWslConfig();
  assert.deepEqual(configFromFlags(parsed(['--data', 'voc:s'])), { ...d, data: 'voc:s', threads: availableParallelism() });
  const c = configFromFlags(parsed([
    '--data', 'csv:list-{split}.csv', '--train-split', 'trainval', '--val-split', 'test',
    '--backbone', 'resnet50', '--width', '0.25', '--stride', '8', '--image-size', '96', '--maps', '2',
    '--class-wise', 'max', '--architecture', 'features', '--pooling', 'weldon', '--kmax', '3', '--kmin', '0.1', '--halve',
    '--loss', 'ap', '--epochs', '3', '--batch-size', '4', '--lr', '0.01', '--backbone-lr-scale', '0.5',
    '--momentum', '0.8', '--weight-decay', '0', '--warmup', '0', '--no-flip', '--scale-jitter', '0.6,1', '--seed', '9', '--threads', '1',
    '--allow-outside-root', '--unknown-class', 'warn',
  ]));
  assert.deepEqual(c, {
    ...d,
    data: 'csv:list-{split}.csv', trainSplit: 'trainval', valSplit: 'test',
    model: {
      ...d.model,
      backbone: { depth: 50, widthMultiplier: 0.25, outputStride: 8 },
      maps: 2, classWise: 'max', architecture: 'features',
      pooling: { kind: 'wildcat', kmax: 3, kmin: 0.1, alpha: 1, halve: true },
    },
    imageSize: 96, loss: 'ap', epochs: 3, batchSize: 4, lr: 0.01, backboneLrScale: 0.5, momentum: 0.8, weightDecay: 0,
    warmupEpochs: 0, flip: false, scaleJitter: [0.6, 1], seed: 9, threads: 1, allowOutsideRoot: true, unknownClass: 'warn',
  });
  assert.throws(() => configFromFlags(parsed(['--unknown-class', 'skip'])), /--unknown-class/);
  assert.deepEqual(configFromFlags(parsed(['--pooling', 'generalized', '--beta-pos', '4', '--beta-neg=-3', '--alpha', '0.5'])).model.pooling, { kind: 'generalized', betaPos: 4, betaNeg: -3, alpha: 0.5 });
  assert.deepEqual(configFromFlags(parsed(['--pooling', 'lse', '--r', '2'])).model.pooling, { kind: 'lse', r: 2 });
});
