import { parse, str, num, optNum, threadsFlag, threadsAdapt, optStr, flag, choice, UsageError, type Parsed, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { AUTO_EPOCHS, defaultWslConfig, type WslTrainConfig } from '../../train/wslConfig.js';
import { resolveWslPreset, wslPreset, WSL_PRESET_NAMES } from '../../train/wslPresets.js';
import type { SpatialPooling } from '../../wsl/spatialPooling.js';
import { trainWsl, checkRunFolder } from '../../train/wslTrainer.js';
import { openDataset } from '../../train/datasetSpec.js';
import { describeSpatialPooling, parseSpatialPooling, POOLING_NAMES } from '../../wsl/spatialPooling.js';
import { WILDCAT_DEFAULTS } from '../../wsl/wildcatPool.js';
import { LSE_DEFAULTS } from '../../wsl/lsePool.js';
import { GENERALIZED_DEFAULTS } from '../../wsl/generalizedPool.js';
import { ensurePretrained } from '../pretrainedCache.js';
import { withInterrupt } from '../interrupt.js';
import { ProcessGroup, launchEnvFrom, type LaunchEnv } from '../../distributed/index.js';
import { LAUNCH_OPTIONS, DIST_TIMEOUT_OPTION, LAUNCH_USAGE, launchPlanFromFlags, distTimeoutMs, withoutLaunchFlags, runWorkers, type LaunchPlan } from '../launch.js';
import { RUN_FILES } from '../../train/wslTrainer.js';
import { DATASET_READ_OPTIONS, DATASET_READ_USAGE, datasetReadFromFlags } from '../datasetReadFlags.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const D = defaultWslConfig();
const WILDCAT = D.model.pooling as { kmax: number; kmin: number; alpha: number };

// Every default in this text is read from its one definition (defaultWslConfig and the wsl
// defaults), so the help cannot drift from what the flags do.
export const TRAIN_USAGE = `
wildcat train --data voc:DIR --out RUN [options]

Trains a weakly supervised network from image-level labels (defaults fit a CPU with a few cores
and the embedded scenes: half-width ResNet-18 at stride ${D.model.backbone.outputStride}, WILDCAT M=${D.model.maps} k+=k-=${WILDCAT.kmax} alpha=${WILDCAT.alpha}).

Preset
  --preset NAME          a paper's setting: ${WSL_PRESET_NAMES.join(', ')}
                         (printed at start, recorded in config.json; any flag below overrides it)
Data
  --data SPEC            voc:DIR (VOCdevkit or VOC<year> folder), csv:FILE, folder:DIR,
                         coco:INSTANCES.json,IMAGES_DIR ({split} in either part = the split name)
  --train-split NAME     default ${D.trainSplit}
  --val-split NAME       default ${D.valSplit}
  --out RUN              run folder (config.json, log.jsonl, best/last checkpoints)
  --resume               continue the run in RUN from its last checkpoint
Model
  --backbone NAME        resnet18|resnet34|resnet50|resnet101|resnet152 (default resnet${D.model.backbone.depth})
  --width X              channel width multiplier (default ${D.model.backbone.widthMultiplier}; 1 = torchvision shapes)
  --stride N             output stride 32|16|8 (default ${D.model.backbone.outputStride}: last stage dilated)
  --backbone-weights P   auto (Fashion-MNIST pre-training, cached), none, or a .pth/.safetensors
                         file (torchvision names, e.g. resnet101-*.pth). Default auto
  --image-size N         network input side in pixels (default ${D.imageSize})
  --maps M               maps per class in the transfer layer (default ${D.model.maps}; the paper's
                         VOC setting is 4, which needs a longer budget than ${D.epochs} epochs)
  --class-wise MODE      mean|max (default ${D.model.classWise})
  --architecture A       maps (a: transfer layer then spatial pooling) | features (b) (default ${D.model.architecture})
  --pooling NAME         wildcat|weldon|topk|mantra|max|gap|lse|generalized (default wildcat)
  --kmax K --kmin K      regions: a count >= 1 or a fraction in (0,1) (default ${WILDCAT_DEFAULTS.kmax}, kmin = kmax)
  --alpha A              weight of the lowest regions (default ${WILDCAT_DEFAULTS.alpha}; weldon, topk, mantra: 1)
  --r R                  LSE sharpness (default ${LSE_DEFAULTS.r})
  --beta-pos B --beta-neg=B   generalized pooling (default ${GENERALIZED_DEFAULTS.betaPos}, ${GENERALIZED_DEFAULTS.betaNeg}; write negative values as --beta-neg=-10)
  --halve                divide max+min scores by 2 (the official code's convention)
Training
  --loss L               logistic (multi-label) | softmax (multi-class) | ap (AP ranking) (default ${D.loss})
  --epochs N|auto        auto (default): at least ${AUTO_EPOCHS.minSteps} steps, ${AUTO_EPOCHS.min}-${AUTO_EPOCHS.max} epochs, by the training set's size
  --batch-size N         images per step of each process (default ${D.batchSize}; with N processes
                         the global batch is N times larger)
  --lr X                 learning rate of the new layers (default ${D.lr})
  --backbone-lr-scale X  backbone lr = lr * X (default ${D.backboneLrScale})
  --momentum X           default ${D.momentum}
  --weight-decay X       default ${D.weightDecay}
  --warmup E             linear warm-up in epochs (default ${D.warmupEpochs}), then the schedule
  --lr-schedule S        cosine | constant (default ${D.lrSchedule})
  --freeze-backbone      only the new layers learn: no backbone gradients, BatchNorm in eval mode
  --no-freeze-backbone   fine-tune the backbone even when the preset freezes it
  --on-bad-image P       fail|skip: every image is decoded once before training; a damaged file
                         stops the run there (fail, default) or is left out and listed in the
                         run log and summary.json (skip)
  --train-scales A,B     multi-scale training: each batch resized by s uniform in [A,B] (e.g. 0.7,1.4)
  --test-scales LIST     test scales recorded in the run: the default --scales of eval, predict,
                         report and tune-segmentation (e.g. 0.5,0.7,1,1.4,2,2.8)
  --no-flip              no random horizontal flips
  --scale-jitter A,B     random crops keeping a fraction in [A,B] of each side
  --seed N               default ${D.seed} (runs are deterministic given the seed and a fixed --threads N)
${ENGINE_USAGE}
${DATASET_READ_USAGE}
                         (both recorded in config.json: --resume, eval, predict and report
                         read the dataset the same way)
${LAUNCH_USAGE}
`;

export const MODEL_OPTIONS = {
  backbone: { type: 'string' }, width: { type: 'string' }, stride: { type: 'string' },
  'backbone-weights': { type: 'string' }, 'image-size': { type: 'string' }, maps: { type: 'string' },
  'class-wise': { type: 'string' }, architecture: { type: 'string' }, pooling: { type: 'string' },
  kmax: { type: 'string' }, kmin: { type: 'string' }, alpha: { type: 'string' }, r: { type: 'string' },
  'beta-pos': { type: 'string' }, 'beta-neg': { type: 'string' }, halve: { type: 'boolean' },
  loss: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' },
  'backbone-lr-scale': { type: 'string' }, momentum: { type: 'string' }, 'weight-decay': { type: 'string' },
  warmup: { type: 'string' }, 'no-flip': { type: 'boolean' }, 'scale-jitter': { type: 'string' },
  seed: { type: 'string' }, ...ENGINE_OPTIONS,
  preset: { type: 'string' }, 'lr-schedule': { type: 'string' }, 'freeze-backbone': { type: 'boolean' }, 'no-freeze-backbone': { type: 'boolean' }, 'on-bad-image': { type: 'string' },
  'train-scales': { type: 'string' }, 'test-scales': { type: 'string' }, ...DATASET_READ_OPTIONS,
} as const;

/**
 * Builds a training config from parsed flags: `--preset NAME` (else the defaults) gives every
 * value, and each flag given overrides its own.
 */
export function configFromFlags(p: Parsed): WslTrainConfig {
  const presetName = optStr(p, 'preset');
  let c: WslTrainConfig;
  try {
    c = presetName === undefined ? defaultWslConfig() : resolveWslPreset(presetName);
  } catch (e) {
    throw new UsageError(`--preset: ${(e as Error).message}`);
  }
  const depth = Number(choice(p, 'backbone', ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'] as const, `resnet${c.model.backbone.depth}`).slice(6)) as 18;
  const stride = Number(choice(p, 'stride', ['32', '16', '8'] as const, `${c.model.backbone.outputStride}`)) as 16;
  const pooling = poolingFromFlags(p, c.model.pooling);
  let scaleJitter: [number, number] | null = c.scaleJitter;
  const sj = optStr(p, 'scale-jitter');
  if (sj !== undefined) {
    const parts = sj.split(',').map(Number);
    if (parts.length !== 2 || parts.some((x) => !(x > 0 && x <= 1)) || parts[0]! > parts[1]!) throw new UsageError(`--scale-jitter expects A,B with 0 < A <= B <= 1, got '${sj}'`);
    scaleJitter = [parts[0]!, parts[1]!];
  }
  const read = datasetReadFromFlags(p);
  return {
    ...c,
    data: optStr(p, 'data') ?? '',
    trainSplit: str(p, 'train-split', c.trainSplit),
    valSplit: str(p, 'val-split', c.valSplit),
    model: {
      ...c.model,
      backbone: { depth, widthMultiplier: num(p, 'width', c.model.backbone.widthMultiplier, { min: 0.05 }), outputStride: stride },
      maps: num(p, 'maps', c.model.maps, { int: true, min: 1 }),
      classWise: choice(p, 'class-wise', ['mean', 'max'] as const, c.model.classWise),
      architecture: choice(p, 'architecture', ['maps', 'features'] as const, c.model.architecture),
      pooling,
    },
    imageSize: num(p, 'image-size', c.imageSize, { int: true, min: 32 }),
    loss: choice(p, 'loss', ['logistic', 'softmax', 'ap'] as const, c.loss),
    epochs: p.values.epochs === 'auto' ? 0 : num(p, 'epochs', c.epochs, { int: true, min: 1 }),
    batchSize: num(p, 'batch-size', c.batchSize, { int: true, min: 1 }),
    lr: num(p, 'lr', c.lr, { min: 0 }),
    backboneLrScale: num(p, 'backbone-lr-scale', c.backboneLrScale, { min: 0 }),
    momentum: num(p, 'momentum', c.momentum, { min: 0, max: 1 }),
    weightDecay: num(p, 'weight-decay', c.weightDecay, { min: 0 }),
    warmupEpochs: num(p, 'warmup', c.warmupEpochs, { min: 0 }),
    lrSchedule: choice(p, 'lr-schedule', ['cosine', 'constant'] as const, c.lrSchedule),
    freezeBackbone: flag(p, 'freeze-backbone') ? true : flag(p, 'no-freeze-backbone') ? false : c.freezeBackbone,
    onBadImage: choice(p, 'on-bad-image', ['fail', 'skip'] as const, c.onBadImage),
    allowOutsideRoot: read.allowOutsideRoot ?? c.allowOutsideRoot,
    unknownClass: read.unknownClass ?? c.unknownClass,
    trainScales: scaleRange(p, 'train-scales') ?? c.trainScales,
    testScales: scaleList(p, 'test-scales') ?? c.testScales,
    flip: flag(p, 'no-flip') ? false : c.flip,
    scaleJitter,
    seed: num(p, 'seed', c.seed, { int: true, min: 0 }),
    threads: threadsFlag(p, c.threads),
  };
}

/**
 * The pooling of the flags: `--pooling NAME` with its options; without it, the base config's
 * pooling (a preset's or the default) with the options given (`--kmax 0.3` alone keeps the kind).
 */
function poolingFromFlags(p: Parsed, base: SpatialPooling): SpatialPooling {
  const opts = {
    kmax: optNonNegative(p, 'kmax'), kmin: optNonNegative(p, 'kmin'), alpha: optNum(p, 'alpha'), r: optNonNegative(p, 'r'),
    betaPos: optNum(p, 'beta-pos'), betaNeg: optNum(p, 'beta-neg'), halve: flag(p, 'halve') ? true : undefined,
  };
  const name = optStr(p, 'pooling');
  if (name !== undefined) return parseSpatialPooling(choice(p, 'pooling', POOLING_NAMES, 'wildcat'), opts);
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  return parseSpatialPooling(base.kind, { ...(base as object), ...given });
}

/** `A,B` with 0 < A <= B (a scale range), or undefined when the flag is absent. */
function scaleRange(p: Parsed, name: string): [number, number] | undefined {
  const v = optStr(p, name);
  if (v === undefined) return undefined;
  const parts = v.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
  if (parts.length !== 2 || parts.some((x) => !(x > 0 && Number.isFinite(x))) || parts[0]! > parts[1]!) {
    throw new UsageError(`--${name} expects A,B with 0 < A <= B (e.g. 0.7,1.4), got '${v}'`);
  }
  return [parts[0]!, parts[1]!];
}

/** A comma-separated list of positive scales, or undefined when the flag is absent. */
function scaleList(p: Parsed, name: string): number[] | undefined {
  const v = optStr(p, name);
  if (v === undefined) return undefined;
  const parts = v.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
  if (parts.length === 0 || parts.some((x) => !(x > 0 && Number.isFinite(x)))) throw new UsageError(`--${name} expects positive scales separated by commas (e.g. 0.5,1,2), got '${v}'`);
  return parts;
}

/** The lines `wildcat train` prints at start for a preset: its summary and the values it sets. */
export function describePreset(config: WslTrainConfig): string {
  if (!config.preset) return '';
  const p = wslPreset(config.preset);
  const m = config.model;
  const lines = [
    `preset ${p.name}: ${p.summary}`,
    `  backbone resnet${m.backbone.depth} width ${m.backbone.widthMultiplier} stride ${m.backbone.outputStride}; image ${config.imageSize} px; M = ${m.maps}; pooling ${describeSpatialPooling(m.pooling)}; loss ${config.loss}`,
    `  ${config.epochs === 0 ? 'auto' : config.epochs} epochs, batch ${config.batchSize}, lr ${config.lr} (backbone ×${config.backboneLrScale}), momentum ${config.momentum}, weight decay ${config.weightDecay}, warm-up ${config.warmupEpochs}, ${config.lrSchedule}` +
      `${config.freezeBackbone ? ', frozen backbone' : ''}${config.trainScales ? `, train scales ${config.trainScales.join('–')}` : ''}${config.testScales ? `, test scales ${config.testScales.join(', ')}` : ''}; splits ${config.trainSplit} / ${config.valSplit}`,
  ];
  return lines.join('\n');
}

/** An optional number >= 0 (k counts / fractions, LSE sharpness): checked here, not at the first forward pass. */
function optNonNegative(p: Parsed, name: string): number | undefined {
  return p.values[name] === undefined ? undefined : num(p, name, 0, { min: 0 });
}

/** Resolves --backbone-weights (auto → cached Fashion-MNIST pre-training). */
export async function resolveBackboneWeights(p: Parsed, config: WslTrainConfig, log?: (m: string) => void): Promise<string | null> {
  const w = optStr(p, 'backbone-weights') ?? 'auto';
  if (w === 'none') return null;
  if (w === 'auto') return ensurePretrained(config.model.backbone, { threads: config.threads }, log);
  return w;
}

export async function trainCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    data: { type: 'string' }, 'train-split': { type: 'string' }, 'val-split': { type: 'string' }, out: { type: 'string' }, resume: { type: 'boolean' },
    ...MODEL_OPTIONS, ...LAUNCH_OPTIONS, ...DIST_TIMEOUT_OPTION,
  }, TRAIN_USAGE);
  const plan = launchPlanFromFlags(p);
  const worker = launchEnvFrom(process.env);
  engineFlags(p, threadsFlag(p, D.threads));
  if (plan && worker) throw new UsageError(`--nproc/--nnodes start workers, but this process is one already (RANK=${worker.rank}, WORLD_SIZE=${worker.worldSize} are set)`);
  if (plan) return launchTraining(p, argv, plan);
  if (worker) return trainAsWorker(p, worker);
  if (flag(p, 'resume')) {
    const r = await withInterrupt((signal) => trainWsl(defaultWslConfig(), { out: str(p, 'out'), resume: true, signal }));
    printResult(r);
    return;
  }
  if (!optStr(p, 'data')) throw new UsageError('--data is required (e.g. --data voc:scenes)');
  const out = str(p, 'out');
  const config = configFromFlags(p);
  if (config.preset) console.error(describePreset(config));
  // Fail on a wrong --data or --out now, not after minutes of backbone pre-training.
  checkRunFolder(out, false);
  await openDataset(config.data, config.trainSplit, config.classNames, config);
  config.backboneWeights = await resolveBackboneWeights(p, config);
  printResult(await withInterrupt((signal) => trainWsl(config, { out, signal })));
}

/**
 * `--nproc N` (and --nnodes ...): checks what can be checked once (run folder, data, world size
 * of a resumed run) and resolves the backbone weights on node 0 (pre-training, when not cached,
 * happens here, before any worker waits for it), then starts this machine's workers.
 */
async function launchTraining(p: Parsed, argv: string[], plan: LaunchPlan): Promise<void> {
  const out = str(p, 'out');
  const childArgv = withoutLaunchFlags(argv);
  if (threadsAdapt(p)) childArgv.push('--threads', '1'); // one thread per worker, unless a count was given
  const worldSize = plan.nproc * plan.nnodes;
  if (plan.nodeRank === 0) {
    if (flag(p, 'resume')) {
      checkRunFolder(out, true);
      const trainedWith = (JSON.parse(readFileSync(join(out, RUN_FILES.config), 'utf8')) as { worldSize?: number } | null)?.worldSize ?? 1;
      if (trainedWith !== worldSize) {
        throw new UsageError(`${out} was trained by ${trainedWith} process${trainedWith > 1 ? 'es' : ''}; resume it with the same number (here ${worldSize}): ` +
          `the shards of every epoch and the global batch depend on it`);
      }
    } else {
      if (!optStr(p, 'data')) throw new UsageError('--data is required (e.g. --data voc:scenes)');
      const config = configFromFlags(p);
      checkRunFolder(out, false);
      await openDataset(config.data, config.trainSplit, config.classNames, config);
      const weights = await resolveBackboneWeights(p, config);
      childArgv.push('--backbone-weights', weights ?? 'none');
    }
  }
  await runWorkers(plan, 'train', () => childArgv, threadsFlag(p, 1));
}

/**
 * A worker (WORLD_SIZE and RANK set, by --nproc or a cluster launcher): joins the process group
 * and trains its share. Rank 0 resolves the backbone weights first (cached pre-training, or a
 * file); the other ranks receive rank 0's weights and need none.
 */
async function trainAsWorker(p: Parsed, env: LaunchEnv): Promise<void> {
  const resume = flag(p, 'resume');
  const out = str(p, 'out');
  let config: WslTrainConfig;
  if (resume) {
    config = { ...defaultWslConfig(), data: optStr(p, 'data') ?? '', threads: threadsFlag(p, D.threads) };
  } else {
    if (!optStr(p, 'data')) throw new UsageError('--data is required (e.g. --data voc:scenes)');
    config = configFromFlags(p);
    if (env.rank === 0 && config.preset) console.error(describePreset(config));
    if (env.rank === 0) config.backboneWeights = await resolveBackboneWeights(p, config);
  }
  const where = `rank ${env.rank} of ${env.worldSize}`;
  const group = await ProcessGroup.init({ rank: env.rank, worldSize: env.worldSize, masterAddr: env.masterAddr, masterPort: env.masterPort, timeoutMs: distTimeoutMs(p) });
  let result: Awaited<ReturnType<typeof trainWsl>>;
  try {
    result = await withInterrupt((signal) => trainWsl(config, { out, resume, signal, distributed: group }));
    await group.barrier();
  } catch (e) {
    // The group is left as it is: destroying it could wait on a peer that is gone.
    const message = (e as Error).message;
    throw new Error(message.includes(where) ? message : `(${where}) ${message}`);
  }
  await group.destroy();
  if (env.rank === 0) printResult(result);
}

function printResult(r: Awaited<ReturnType<typeof trainWsl>>): void {
  if (r.interrupted) return;
  console.log(`best val mAP ${(100 * r.bestMAP).toFixed(2)} (epoch ${r.bestEpoch}), last ${(100 * r.lastMAP).toFixed(2)}; ${r.imagesPerSecond.toFixed(1)} img/s; ${r.seconds.toFixed(0)} s; run in ${r.out}`);
}
