// Training of a WSL network from image-level labels: SGD with a slower backbone, cosine decay,
// validation mAP each epoch, best/last checkpoints written atomically, exact resume after an
// interruption (the batch order of an epoch depends only on the seed), a progress line and a
// JSON-lines log. A non-finite loss stops the run before it can damage the weights.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, setNumThreads, tensor, tidy, type Tensor } from '../core/index.js';
import { SGD, CosineAnnealingLR, LinearWarmup, type LrSchedule } from '../optim/index.js';
import { BatchLoader, type Batch } from '../data/index.js';
import { writeFileAtomic } from '../io/index.js';
import { buildWildcatNet } from '../wsl/buildWildcatNet.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { multiLabelLogisticLoss, multiClassSoftmaxLoss, apRankingLoss } from '../wsl/index.js';
import { saveCheckpoint, loadCheckpoint, disposeCheckpoint } from './checkpoint.js';
import { loadBackboneWeights } from './backboneWeights.js';
import { openDataset } from './datasetSpec.js';
import { predictImages } from './predict.js';
import { classificationMetrics } from './evaluatePredictions.js';
import { Progress } from './progress.js';
import { stepIfFinite } from './stepIfFinite.js';
import { RunLog } from './runLog.js';
import type { WslTrainConfig } from './wslConfig.js';

/** Files of a run folder. */
export const RUN_FILES = {
  config: 'config.json',
  last: 'last.ckpt.safetensors',
  best: 'best.safetensors',
  log: 'log.jsonl',
  summary: 'summary.json',
} as const;

/** Metadata stored in checkpoints. */
export interface CheckpointMeta {
  config: WslTrainConfig;
  /** Next epoch to run and next batch within it. */
  epoch: number;
  batch: number;
  bestMAP: number;
  bestEpoch: number;
  /** Validation mAP after the epoch this checkpoint closes (NaN mid-epoch). */
  mAP?: number;
  /** Mid-epoch only: loss sum and step count of the epoch so far, so the epoch's logged mean loss survives a resume. */
  lossSum?: number;
  lossCount?: number;
}

export interface TrainWslOptions {
  /** Run folder (created). */
  out: string;
  /** Continue the run in `out` from its last checkpoint (its config.json wins). */
  resume?: boolean;
  /** Show the progress line (stderr). Default true. */
  progress?: boolean;
  /** Printed messages (epoch summaries). Default: console.error. */
  log?: (msg: string) => void;
  /** For tests: stop (as if interrupted) after this many optimizer steps in this call. */
  stopAfterSteps?: number;
}

export interface TrainWslResult {
  out: string;
  epochs: number;
  bestMAP: number;
  bestEpoch: number;
  lastMAP: number;
  interrupted: boolean;
  seconds: number;
  imagesPerSecond: number;
}

/**
 * Throws unless `out` suits the run: without resume it must not hold a run already (a new run
 * would overwrite it), with resume it must hold a last checkpoint. Cheap: call it before slow
 * preparations (pre-training) too.
 */
export function checkRunFolder(out: string, resume: boolean): void {
  const lastPath = join(out, RUN_FILES.last);
  if (resume) {
    if (!existsSync(lastPath)) throw new Error(`${out}: nothing to resume (no ${RUN_FILES.last}); start the run without --resume`);
    if (!existsSync(join(out, RUN_FILES.config))) throw new Error(`${out}: cannot resume, ${RUN_FILES.config} is missing`);
  } else if (existsSync(lastPath) || existsSync(join(out, RUN_FILES.summary))) {
    throw new Error(`${out} already holds a run; pass --resume to continue it, or choose another --out`);
  }
}

function readRunConfig(out: string): WslTrainConfig {
  const path = join(out, RUN_FILES.config);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as WslTrainConfig;
  } catch (e) {
    throw new Error(`${path}: cannot read the run's config (${(e as Error).message})`);
  }
}

/** Raised when the loss becomes NaN or infinite; the run folder keeps its last good checkpoint. */
export class NonFiniteLossError extends Error {}

/**
 * Trains a WildcatNet as described by `config` into the run folder `opts.out`.
 * @example await trainWsl({ ...defaultWslConfig(), data: 'voc:scenes', numClasses... }, { out: 'runs/a' })
 */
export async function trainWsl(configIn: WslTrainConfig, opts: TrainWslOptions): Promise<TrainWslResult> {
  const out = opts.out;
  const say = opts.log ?? ((m: string) => console.error(m));
  const lastPath = join(out, RUN_FILES.last);
  const configPath = join(out, RUN_FILES.config);
  let config = configIn;
  checkRunFolder(out, opts.resume ?? false);
  if (opts.resume) config = readRunConfig(out);
  mkdirSync(out, { recursive: true });
  setNumThreads(config.threads);
  manualSeed(config.seed);

  const train = await openDataset(config.data, config.trainSplit, config.classNames);
  const val = await openDataset(config.data, config.valSplit, train.classNames);
  const classNames = [...train.classNames];
  if (config.model.numClasses === 0) config = { ...config, model: { ...config.model, numClasses: classNames.length } };
  if (config.model.numClasses !== classNames.length) {
    throw new Error(`the model has ${config.model.numClasses} classes but ${config.data} has ${classNames.length} (${classNames.join(', ')})`);
  }
  config = { ...config, classNames };
  if (config.loss === 'softmax' && !train.classIndex) {
    throw new Error(`--loss softmax needs multi-class data (one label per image); ${config.data} ${config.trainSplit} is multi-label: use --loss logistic or ap`);
  }

  const net = buildWildcatNet(config.model);
  const optimizer = wslOptimizer(net, config);
  let startEpoch = 0;
  let startBatch = 0;
  let bestMAP = -Infinity;
  let bestEpoch = -1;
  let resumedLossSum = 0;
  let resumedLossCount = 0;
  // Validation mAP of the last finished epoch (a resumed run that had finished reports it again).
  let lastMAP = NaN;
  const runLog = new RunLog(join(out, RUN_FILES.log));
  if (opts.resume) {
    const ckpt = loadCheckpoint<CheckpointMeta>(lastPath);
    try {
      net.loadStateDict(ckpt.model);
      if (ckpt.optimizer) optimizer.loadStateDict(ckpt.optimizer);
    } finally {
      disposeCheckpoint(ckpt);
    }
    startEpoch = ckpt.meta.epoch;
    startBatch = ckpt.meta.batch;
    bestMAP = ckpt.meta.bestMAP ?? -Infinity;
    bestEpoch = ckpt.meta.bestEpoch ?? -1;
    resumedLossSum = ckpt.meta.lossSum ?? 0;
    resumedLossCount = ckpt.meta.lossCount ?? 0;
    lastMAP = ckpt.meta.mAP ?? NaN;
    runLog.write('resume', { epoch: startEpoch, batch: startBatch });
    say(`resuming ${out} at epoch ${startEpoch + 1}, batch ${startBatch}`);
  } else {
    if (config.backboneWeights) {
      loadBackboneWeights(net.backbone, config.backboneWeights);
      say(`backbone weights: ${config.backboneWeights}`);
    }
    writeFileAtomic(configPath, JSON.stringify(config, null, 2) + '\n');
    runLog.write('start', { config });
  }

  const loader = new BatchLoader(train, {
    batchSize: config.batchSize,
    size: config.imageSize,
    seed: config.seed,
    dropLast: train.ids.length > config.batchSize,
    augment: { flip: config.flip, ...(config.scaleJitter ? { scaleJitter: config.scaleJitter } : {}) },
  });
  const nb = loader.numBatches;
  const schedule = wslSchedule(config);
  const lossFn = wslLoss(config.loss);

  // A signal finishes the current step, then saves and exits cleanly.
  let stopRequested = false;
  const onSignal = (): void => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    say('\ninterrupt: saving the run after this step (press again to abort without saving)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = new Progress({ enabled: opts.progress ?? true });
  const t0 = Date.now();
  let images = 0;
  let trainSeconds = 0;
  let steps = 0;
  let interrupted = false;
  try {
    for (let epoch = startEpoch; epoch < config.epochs && !interrupted; epoch++) {
      net.train();
      const order = loader.order(epoch);
      const batchIndices = (b: number): Int32Array => order.subarray(b * config.batchSize, Math.min(order.length, (b + 1) * config.batchSize));
      let pending: Promise<Batch> | null = startBatch < nb ? loader.loadBatch(epoch, startBatch, batchIndices(startBatch)) : null;
      let lossSum = resumedLossSum;
      let lossCount = resumedLossCount;
      resumedLossSum = 0;
      resumedLossCount = 0;
      let stopAtEpochEnd = false;
      const epochStart = Date.now();
      let epochImages = 0;
      progress.restart();
      for (let b = startBatch; b < nb; b++) {
        const batch = await pending!;
        pending = b + 1 < nb ? loader.loadBatch(epoch, b + 1, batchIndices(b + 1)) : null;
        pending?.catch(() => undefined);
        const lrs = schedule.apply(optimizer, epoch + b / nb);
        const stepStart = Date.now();
        const loss = trainStep(net, optimizer, lossFn, batch, config.imageSize);
        trainSeconds += (Date.now() - stepStart) / 1000;
        if (!Number.isFinite(loss)) {
          runLog.write('nonfinite_loss', { epoch, batch: b, loss: String(loss), lr: lrs });
          throw new NonFiniteLossError(
            `the loss became ${loss} at epoch ${epoch + 1}, batch ${b + 1} (lr ${lrs[1]!.toPrecision(3)}); the weights were not updated with it. ` +
              `${existsSync(lastPath) ? `${lastPath} holds the last good state. ` : ''}Lower --lr (now ${config.lr}) and train again.`,
          );
        }
        lossSum += loss;
        lossCount++;
        images += batch.batchSize;
        epochImages += batch.batchSize;
        steps++;
        progress.update({
          label: `epoch ${epoch + 1}/${config.epochs}`,
          done: b + 1,
          total: nb,
          figures: { loss: lossSum / lossCount, 'img/s': epochImages / ((Date.now() - epochStart) / 1000), lr: lrs[1]! },
        });
        if (stopRequested || (opts.stopAfterSteps !== undefined && steps >= opts.stopAfterSteps)) {
          if (b + 1 === nb) {
            // The epoch's last step: validate and checkpoint it as usual, then stop. Stopping
            // here would skip this epoch's validation and best checkpoint for good.
            stopAtEpochEnd = true;
            break;
          }
          if (pending) await pending.catch(() => undefined);
          const meta: CheckpointMeta = { config, epoch, batch: b + 1, bestMAP, bestEpoch, lossSum, lossCount };
          saveCheckpoint(lastPath, net, meta, optimizer);
          runLog.write('interrupted', { epoch, batch: b + 1 });
          progress.end();
          say(`stopped; ${out} can continue with --resume`);
          interrupted = true;
          break;
        }
      }
      if (interrupted) break;
      startBatch = 0;
      progress.end();
      const epochSeconds = (Date.now() - epochStart) / 1000;
      const pred = await predictImages(net, val, { size: config.imageSize, batchSize: 32, points: false });
      const { mAP } = classificationMetrics(pred, val.labels);
      lastMAP = mAP;
      const isBest = mAP > bestMAP;
      if (isBest) {
        bestMAP = mAP;
        bestEpoch = epoch;
      }
      const meta: CheckpointMeta = { config, epoch: epoch + 1, batch: 0, bestMAP, bestEpoch, mAP };
      if (isBest) saveCheckpoint(join(out, RUN_FILES.best), net, meta);
      saveCheckpoint(lastPath, net, meta, optimizer);
      const lossMean = lossSum / Math.max(1, lossCount);
      runLog.write('epoch', { epoch: epoch + 1, loss: lossMean, valMAP: mAP, best: isBest, imagesPerSecond: epochImages / epochSeconds, seconds: epochSeconds, lr: optimizer.getLr() });
      say(`epoch ${epoch + 1}/${config.epochs}  loss ${lossMean.toFixed(4)}  val mAP ${(100 * mAP).toFixed(2)}${isBest ? ' (best)' : ''}  ${(epochImages / epochSeconds).toFixed(1)} img/s  ${epochSeconds.toFixed(0)} s`);
      if (stopAtEpochEnd && epoch + 1 < config.epochs) {
        runLog.write('interrupted', { epoch: epoch + 1, batch: 0 });
        say(`stopped; ${out} can continue with --resume`);
        interrupted = true;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.end();
    optimizer.dispose();
    net.dispose();
  }
  const result: TrainWslResult = {
    out, epochs: config.epochs, bestMAP, bestEpoch: bestEpoch + 1, lastMAP, interrupted,
    seconds: (Date.now() - t0) / 1000, imagesPerSecond: trainSeconds > 0 ? images / trainSeconds : 0,
  };
  if (!interrupted) {
    runLog.write('done', { ...result });
    writeFileAtomic(join(out, RUN_FILES.summary), JSON.stringify(result, null, 2) + '\n');
  }
  return result;
}

/**
 * The WSL optimizer: SGD with momentum and weight decay over two parameter groups, the
 * pre-trained backbone at lr × backboneLrScale and the new layers at lr.
 */
export function wslOptimizer(net: WildcatNet, config: WslTrainConfig): SGD {
  return new SGD(
    [{ params: net.backboneParameters(), lr: config.lr * config.backboneLrScale }, { params: net.headParameters(), lr: config.lr }],
    { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay },
  );
}

/** The WSL schedule over (fractional) epochs, applied before every step at epoch + b / batches: a linear warm-up from 0.1× over `warmupEpochs`, then a cosine decay. */
export function wslSchedule(config: WslTrainConfig): LrSchedule {
  const cosine = new CosineAnnealingLR({ tMax: config.epochs, etaMin: 0 });
  // --warmup 0 means no warm-up (LinearWarmup itself needs a positive length).
  return config.warmupEpochs > 0 ? new LinearWarmup({ steps: config.warmupEpochs, startFactor: 0.1, then: cosine }) : cosine;
}

/** A loss over pooled scores [B, C] and the batch's labels. */
export type LossFn = (scores: Tensor, batch: Batch) => Tensor;

/** The training loss of a config: multi-label logistic, AP ranking, or multi-class softmax. */
export function wslLoss(kind: WslTrainConfig['loss']): LossFn {
  switch (kind) {
    case 'logistic':
      return (s, b) => multiLabelLogisticLoss(s, tensor(b.labels, { shape: [b.batchSize, b.numClasses], dtype: 'float32' }));
    case 'ap':
      return (s, b) => apRankingLoss(s, tensor(b.labels, { shape: [b.batchSize, b.numClasses], dtype: 'float32' }));
    case 'softmax':
      return (s, b) => multiClassSoftmaxLoss(s, b.classIndex!);
    default:
      throw new RangeError(`unknown loss '${String(kind)}'; expected logistic, softmax or ap`);
  }
}

/** One SGD step; returns the loss value (the step is skipped when it is not finite). */
export function trainStep(net: WildcatNet, optimizer: SGD, lossFn: LossFn, batch: Batch, size: number): number {
  return tidy(() => {
    const x = tensor(batch.images, { shape: [batch.batchSize, 3, size, size] });
    return stepIfFinite(lossFn(net.forward(x), batch), optimizer);
  });
}

