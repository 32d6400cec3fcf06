// Training of a WSL network from image-level labels: SGD with a slower backbone, cosine decay,
// validation mAP each epoch, best/last checkpoints written atomically, exact resume after an
// interruption (the batch order of an epoch depends only on the seed), a progress line and a
// JSON-lines log. A non-finite loss stops the run before it can damage the weights. Stopping is
// asked for with an AbortSignal; signals and process exit belong to the caller (the CLI). With a
// process group, the same trainer runs data-parallel (one call per rank; rank 0 owns the folder).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adaptThreads, invalidType, manualSeed, setNumThreads, tensor, tidy, type Tensor } from '../core/index.js';
import { SGD, CosineAnnealingLR, LinearWarmup, StepLR, type LrSchedule } from '../optim/index.js';
import { BatchLoader, Rng, mixSeed, describeBadImages, findBadImages, withoutImages, type Batch, type LabeledImageList } from '../data/index.js';
import { DataParallel, broadcastOptimizerState, runOnRank0, agree, type ProcessGroup } from '../distributed/index.js';
import { removeStaleTempFiles, writeFileAtomic } from '../io/index.js';
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
import { autoEpochs, completeWslConfig, type WslTrainConfig } from './wslConfig.js';
import { dataParallelStep, predictSharded, checkSameData } from './dataParallelTraining.js';

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
  /** Totals over the run's segments so far (a resumed run adds its own): wall time, step time, images. */
  spentSeconds?: number;
  spentTrainSeconds?: number;
  spentImages?: number;
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
  /**
   * Stops the run cleanly: the step in progress finishes, the run is checkpointed, and trainWsl
   * returns with `interrupted: true` (`resume: true` then continues exactly there). The library
   * installs no signal handler and never exits the process: the CLI turns Ctrl-C into this.
   */
  signal?: AbortSignal;
  /** Called after every optimizer step (progress displays, tests that stop at a given step). */
  onStep?: (step: TrainStepInfo) => void;
  /**
   * Train data-parallel over this process group (every rank calls trainWsl with it), with
   * DistributedDataParallel's semantics (src/distributed/dataParallel.ts): each rank reads its
   * shard of every epoch (BatchLoader's `shard`) in batches of config.batchSize, so the global
   * batch is worldSize × batchSize; gradients are averaged after each backward pass; validation is
   * sharded and gathered. Rank 0 alone reads and writes the run folder (config, checkpoints, log,
   * progress line) and loads the backbone weights; the other ranks receive its state. A resumed
   * run needs the world size it was trained with.
   */
  distributed?: ProcessGroup;
}

/** What {@link TrainWslOptions.onStep} receives. */
export interface TrainStepInfo {
  /** 0-based epoch and batch of the step just taken, and the batches per epoch. */
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  /** Optimizer steps taken by this trainWsl call (a resumed run counts from 0 again). */
  steps: number;
  /** Side in pixels of the step's images (varies with multi-scale training). */
  size: number;
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
  /** Image files left out by `onBadImage: 'skip'` (their paths); absent when none. */
  skippedImages?: string[];
  /** True when `resume` found the run already finished (nothing was trained or written). */
  alreadyFinished?: boolean;
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
    return completeWslConfig(JSON.parse(readFileSync(path, 'utf8')) as WslTrainConfig);
  } catch (e) {
    throw new Error(`${path}: cannot read the run's config (${(e as Error).message})`);
  }
}

/** Raised when the loss becomes NaN or infinite; the run folder keeps its last good checkpoint. */
export class NonFiniteLossError extends Error {}

/**
 * Trains a WildcatNet as described by `config` into the run folder `opts.out`, in named phases:
 * openRun (folder, config, engine settings, data) → the network and its optimizer → startRun or
 * resumeRun (the position to continue from) → for each epoch trainEpoch (the steps) and closeEpoch
 * (validation, checkpoints, log) → finishRun (summary). The model and the optimizer are disposed
 * before it returns or throws.
 * @example await trainWsl({ ...defaultWslConfig(), data: 'voc:scenes' }, { out: 'runs/a' })
 */
export async function trainWsl(configIn: WslTrainConfig, opts: TrainWslOptions): Promise<TrainWslResult> {
  const group = opts.distributed ?? null;
  const lead = group === null || group.rank === 0;
  const say = lead ? (opts.log ?? ((m: string) => console.error(m))) : () => undefined;
  if (opts.resume) {
    // A process group takes rank 0's answer (the other ranks may not see the run folder), so
    // every rank returns, or every rank resumes.
    const finished = group === null ? finishedRun(opts.out) : await runOnRank0(group, () => finishedRun(opts.out));
    if (finished) {
      say(`${opts.out} is finished (${finished.epochs} epochs, best val mAP ${(100 * finished.bestMAP).toFixed(2)} at epoch ${finished.bestEpoch}); nothing to resume, nothing changed`);
      return finished;
    }
  }
  const run = await openRun(configIn, opts);
  if (lead) {
    const removed = removeStaleTempFiles(run.out);
    if (removed.length > 0) {
      run.log.write('cleanup', { removed });
      say(`removed ${removed.length} partial file${removed.length === 1 ? '' : 's'} left by a killed write: ${removed.join(', ')}`);
    }
  }
  // Built right after openRun's manualSeed: the initial weights depend on nothing else.
  const net = buildWildcatNet(run.config.model);
  const optimizer = wslOptimizer(net, run.config);
  const progress = new Progress({ enabled: lead && (opts.progress ?? true) });
  try {
    const start = (): RunPosition => (opts.resume ? resumeRun(run, net, optimizer, say) : startRun(run, net, say));
    let position: RunPosition;
    let ddp: DataParallel | null = null;
    if (group === null) {
      position = start();
    } else {
      // Rank 0 loads the weights (backbone or checkpoint) and the position; every rank then
      // starts from its parameters, buffers and optimizer state.
      position = await runOnRank0(group, start);
      ddp = new DataParallel(net, group);
      await ddp.broadcastState();
      await broadcastOptimizerState(optimizer, group);
    }
    const clock: Clock = { start: Date.now(), images: 0, trainSeconds: 0, steps: 0, before: position.spent };
    const session: Session = { run, net, optimizer, loader: wslLoader(run, group), schedule: wslSchedule(run.config), lossFn: wslLoss(run.config.loss), progress, say, opts, ddp, lead, clock };
    let interrupted = false;
    while (position.epoch < run.config.epochs && !interrupted) {
      const epoch = await trainEpoch(session, position, clock);
      if (epoch.stop === 'now') {
        stopMidEpoch(session, position);
        interrupted = true;
      } else {
        await closeEpoch(session, position, epoch);
        if (epoch.stop === 'after-epoch' && position.epoch < run.config.epochs) {
          run.log.write('interrupted', { epoch: position.epoch, batch: 0 });
          say(`stopped; ${run.out} can continue with --resume`);
          interrupted = true;
        }
      }
    }
    return finishRun(run, position, clock, interrupted, lead);
  } finally {
    progress.end();
    optimizer.dispose();
    net.dispose();
  }
}

/** A run whose folder, config and data are settled. */
interface OpenedRun {
  out: string;
  /** The config as trained: a resumed run's own, with classNames and numClasses filled in. */
  config: WslTrainConfig;
  train: LabeledImageList;
  val: LabeledImageList;
  lastPath: string;
  /** The run's log; writes nothing on ranks other than 0. */
  log: Pick<RunLog, 'write'>;
  /** Image files left out (onBadImage 'skip'). */
  skipped: string[];
}

/**
 * Phase 1: checks the folder, takes the config (the run's own when resuming), sets threads and
 * seed, opens the training and validation data and completes the config from them. With a
 * process group, rank 0 does the folder part and every rank takes its config, keeping only its
 * own `data` (the dataset may sit at another path on another machine) and `threads`.
 */
async function openRun(configIn: WslTrainConfig, opts: TrainWslOptions): Promise<OpenedRun> {
  const out = opts.out;
  const group = opts.distributed ?? null;
  const worldSize = group?.worldSize ?? 1;
  const settle = (): WslTrainConfig => {
    checkRunFolder(out, opts.resume ?? false);
    const c = opts.resume ? readRunConfig(out) : { ...configIn, worldSize };
    const trainedWith = c.worldSize ?? 1;
    if (trainedWith !== worldSize) {
      throw new Error(`${out} was trained by ${trainedWith} process${trainedWith > 1 ? 'es' : ''} and cannot continue with ${worldSize}: ` +
        `the shards of every epoch and the global batch (${trainedWith} × ${c.batchSize}) depend on it; resume with ${trainedWith > 1 ? `--nproc ${trainedWith} (or WORLD_SIZE=${trainedWith})` : 'a single process (no --nproc)'}`);
    }
    mkdirSync(out, { recursive: true });
    return c;
  };
  let config: WslTrainConfig;
  if (group === null) {
    config = settle();
  } else {
    const lead = await runOnRank0(group, settle);
    if (!opts.resume) await agree(group, differingSetting(configIn, lead));
    config = { ...lead, data: configIn.data || lead.data, threads: configIn.threads };
  }
  setNumThreads(config.threads);
  manualSeed(config.seed);

  const train = await openDataset(config.data, config.trainSplit, config.classNames, config);
  const val = await openDataset(config.data, config.valSplit, train.classNames, config);
  const classNames = [...train.classNames];
  if (config.model.numClasses === 0) config = { ...config, model: { ...config.model, numClasses: classNames.length } };
  if (config.model.numClasses !== classNames.length) {
    throw new Error(`the model has ${config.model.numClasses} classes but ${config.data} has ${classNames.length} (${classNames.join(', ')})`);
  }
  config = { ...config, classNames };
  // Auto epochs are resolved here, where the training set's size is known, and saved resolved.
  if (config.epochs === 0) config = { ...config, epochs: autoEpochs(train.ids.length, config.batchSize * (config.worldSize ?? 1)) };
  if (config.loss === 'softmax' && !train.classIndex) {
    throw new Error(`--loss softmax needs multi-class data (one label per image); ${config.data} ${config.trainSplit} is multi-label: use --loss logistic or ap`);
  }
  const log = group === null || group.rank === 0 ? new RunLog(join(out, RUN_FILES.log)) : { write: () => undefined };
  // Every image decoded once before the first step (the same pass on every rank, so the lists agree).
  const checked = await checkImages(config, train, val, log, opts);
  if (group !== null) await checkSameData(group, [{ name: 'training', list: checked.train }, { name: 'validation', list: checked.val }]);
  return { out, config, train: checked.train, val: checked.val, lastPath: join(out, RUN_FILES.last), log, skipped: checked.skipped };
}

/**
 * The bad-image pass: decodes every training and validation image once. With onBadImage 'fail'
 * a damaged file stops the run here, named, before any step; with 'skip' the lists lose those
 * files, which are logged ('skipped_images') and reported in the summary.
 */
async function checkImages(config: WslTrainConfig, train: LabeledImageList, val: LabeledImageList, log: Pick<RunLog, 'write'>, opts: TrainWslOptions): Promise<{ train: LabeledImageList; val: LabeledImageList; skipped: string[] }> {
  const progress = new Progress({ enabled: opts.progress ?? true });
  const badTrain = await findBadImages(train, { onProgress: (d, t) => progress.update({ label: 'checking training images', done: d, total: t }) });
  const badVal = await findBadImages(val, { onProgress: (d, t) => progress.update({ label: 'checking validation images', done: d, total: t }) });
  progress.end();
  const bad = [...badTrain, ...badVal];
  if (bad.length === 0) return { train, val, skipped: [] };
  if (config.onBadImage !== 'skip') {
    throw new Error(describeBadImages(bad, `${config.data} (${config.trainSplit} / ${config.valSplit})`,
      'Nothing was trained. Replace or remove these files, or pass --on-bad-image skip to train without them (they are then listed in the run log and summary.json).'));
  }
  const skipped = bad.map((b) => b.path);
  log.write('skipped_images', { images: bad.map((b) => ({ path: b.path, reason: b.reason })) });
  (opts.log ?? ((m: string) => console.error(m)))(`skipping ${bad.length} image file${bad.length === 1 ? '' : 's'} that cannot be decoded (--on-bad-image skip): ${skipped.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''}`);
  const trainLeft = withoutImages(train, badTrain.map((b) => b.index));
  const valLeft = withoutImages(val, badVal.map((b) => b.index));
  if (trainLeft.ids.length === 0 || valLeft.ids.length === 0) throw new Error(describeBadImages(bad, config.data, `No ${trainLeft.ids.length === 0 ? 'training' : 'validation'} image is left to use.`));
  return { train: trainLeft, val: valLeft, skipped };
}

/** The result of a run whose summary.json says it finished, or null. */
function finishedRun(out: string): TrainWslResult | null {
  const path = join(out, RUN_FILES.summary);
  if (!existsSync(path)) return null;
  try {
    const summary = JSON.parse(readFileSync(path, 'utf8')) as TrainWslResult;
    return { ...summary, interrupted: false, alreadyFinished: true };
  } catch (e) {
    throw new Error(`${path}: the run's summary is damaged (${(e as Error).message}); it says the run finished, so --resume stops here`, { cause: e });
  }
}

/**
 * What differs between this rank's config and rank 0's, apart from the settings that may differ
 * per process (data path, threads, backbone weights: only rank 0 loads them); null when nothing.
 */
function differingSetting(mine: WslTrainConfig, lead: WslTrainConfig): string | null {
  const comparable = (c: WslTrainConfig): Record<string, unknown> => ({ ...c, data: null, threads: null, backboneWeights: null, worldSize: null });
  const a = comparable(mine);
  const b = comparable(lead);
  for (const key of Object.keys(b)) {
    const x = JSON.stringify(a[key]);
    const y = JSON.stringify(b[key]);
    if (x !== y) return `its setting '${key}' is ${x} but rank 0's is ${y}: start every rank with the same options`;
  }
  return null;
}

/** Where a run stands: the next step, the best validation so far, the epoch in progress. */
interface RunPosition {
  /** Next epoch to run (0-based) and next batch within it. */
  epoch: number;
  batch: number;
  bestMAP: number;
  /** 0-based epoch of bestMAP; -1 before the first validation. */
  bestEpoch: number;
  /** Validation mAP of the last finished epoch (a resumed run that had finished reports it again). */
  lastMAP: number;
  /** Loss sum and step count of the epoch in progress, so its logged mean survives a resume. */
  lossSum: number;
  lossCount: number;
  /** Totals of the run's earlier segments (zero for a new run). */
  spent: Spent;
}

/** Wall time, training-step time and images of a run so far. */
interface Spent {
  seconds: number;
  trainSeconds: number;
  images: number;
}

/** Phase 2 of a new run: loads the backbone weights, writes config.json, logs the start. */
function startRun(run: OpenedRun, net: WildcatNet, say: (m: string) => void): RunPosition {
  const { config } = run;
  if (config.backboneWeights) {
    loadBackboneWeights(net.backbone, config.backboneWeights);
    say(`backbone weights: ${config.backboneWeights}`);
  }
  writeFileAtomic(join(run.out, RUN_FILES.config), JSON.stringify(config, null, 2) + '\n');
  run.log.write('start', { config });
  return { epoch: 0, batch: 0, bestMAP: -Infinity, bestEpoch: -1, lastMAP: NaN, lossSum: 0, lossCount: 0, spent: { seconds: 0, trainSeconds: 0, images: 0 } };
}

/** Phase 2 of a resumed run: weights, optimizer state and position from the last checkpoint. */
function resumeRun(run: OpenedRun, net: WildcatNet, optimizer: SGD, say: (m: string) => void): RunPosition {
  const ckpt = loadCheckpoint<CheckpointMeta>(run.lastPath);
  try {
    net.loadStateDict(ckpt.model);
    if (ckpt.optimizer) optimizer.loadStateDict(ckpt.optimizer);
  } finally {
    disposeCheckpoint(ckpt);
  }
  const m = ckpt.meta;
  const position: RunPosition = {
    epoch: m.epoch, batch: m.batch, bestMAP: m.bestMAP ?? -Infinity, bestEpoch: m.bestEpoch ?? -1,
    lastMAP: m.mAP ?? NaN, lossSum: m.lossSum ?? 0, lossCount: m.lossCount ?? 0,
    spent: { seconds: m.spentSeconds ?? 0, trainSeconds: m.spentTrainSeconds ?? 0, images: m.spentImages ?? 0 },
  };
  run.log.write('resume', { epoch: position.epoch, batch: position.batch });
  say(`resuming ${run.out} at epoch ${position.epoch + 1}, batch ${position.batch}`);
  return position;
}

/** Everything the epoch phases work with. */
interface Session {
  run: OpenedRun;
  net: WildcatNet;
  optimizer: SGD;
  loader: BatchLoader;
  schedule: LrSchedule;
  lossFn: LossFn;
  progress: Progress;
  say: (m: string) => void;
  opts: TrainWslOptions;
  /** Data-parallel training (null in a single process). */
  ddp: DataParallel | null;
  /** This process owns the run folder (rank 0, or the only process). */
  lead: boolean;
  clock: Clock;
}

/** Throughput over the whole trainWsl call. */
interface Clock {
  start: number;
  images: number;
  /** Time spent in training steps only (not data loading, validation or checkpoints). */
  trainSeconds: number;
  steps: number;
  /** What earlier segments of the run spent. */
  before: Spent;
}

/** The run's totals so far, earlier segments included, as checkpoint metadata. */
function spentSoFar(clock: Clock): Required<Pick<CheckpointMeta, 'spentSeconds' | 'spentTrainSeconds' | 'spentImages'>> {
  return {
    spentSeconds: clock.before.seconds + (Date.now() - clock.start) / 1000,
    spentTrainSeconds: clock.before.trainSeconds + clock.trainSeconds,
    spentImages: clock.before.images + clock.images,
  };
}

/** What trainEpoch did: 'now' = stopped mid-epoch; 'after-epoch' = stopped on its last step. */
interface EpochOutcome {
  stop: 'no' | 'now' | 'after-epoch';
  images: number;
  seconds: number;
}

/**
 * Phase 3: the steps of epoch `position.epoch` from batch `position.batch`, the next batch
 * decoding while the current one trains. Updates the position's batch and loss counters; a stop
 * request (opts.signal) is honoured after the step in progress. Throws NonFiniteLossError, before
 * the weights change, when the loss is not finite.
 */
async function trainEpoch(s: Session, position: RunPosition, clock: Clock): Promise<EpochOutcome> {
  const { run, net, optimizer, loader, progress, opts } = s;
  const { config } = run;
  const epoch = position.epoch;
  const nb = loader.numBatches;
  const worldSize = s.ddp?.group.worldSize ?? 1;
  setTrainingMode(net, config);
  const order = loader.order(epoch);
  const batchIndices = (b: number): Int32Array => order.subarray(b * config.batchSize, Math.min(order.length, (b + 1) * config.batchSize));
  let pending: Promise<Batch> | null = position.batch < nb ? loader.loadBatch(epoch, position.batch, batchIndices(position.batch)) : null;
  const epochStart = Date.now();
  let images = 0;
  progress.restart();
  for (let b = position.batch; b < nb; b++) {
    const batch = await pending!;
    pending = b + 1 < nb ? loader.loadBatch(epoch, b + 1, batchIndices(b + 1)) : null;
    pending?.catch(() => undefined);
    const lrs = s.schedule.apply(optimizer, epoch + b / nb);
    const stepStart = Date.now();
    // Data-parallel ranks vote on stopping inside the step's allreduce (a request seen after
    // step k stops every rank after step k + 1); a single process stops right after this step.
    const { loss, stop: voted } = s.ddp
      ? await dataParallelStep(s.ddp, net, optimizer, s.lossFn, batch, opts.signal?.aborted ?? false)
      : { loss: trainStep(net, optimizer, s.lossFn, batch), stop: false };
    clock.trainSeconds += (Date.now() - stepStart) / 1000;
    const threads = adaptThreads();
    if (threads) run.log.write('threads', { epoch, batch: b, ...threads });
    if (!Number.isFinite(loss)) {
      run.log.write('nonfinite_loss', { epoch, batch: b, loss: String(loss), lr: lrs });
      throw new NonFiniteLossError(
        `the loss became ${loss} at epoch ${epoch + 1}, batch ${b + 1} (lr ${headLr(lrs).toPrecision(3)}); the weights were not updated with it. ` +
          `${existsSync(run.lastPath) ? `${run.lastPath} holds the last good state. ` : ''}Lower --lr (now ${config.lr}) and train again.`,
      );
    }
    position.batch = b + 1;
    position.lossSum += loss;
    position.lossCount++;
    // Images of the global batch: every rank's shard is as large as this one.
    clock.images += batch.batchSize * worldSize;
    images += batch.batchSize * worldSize;
    clock.steps++;
    progress.update({
      label: `epoch ${epoch + 1}/${config.epochs}`,
      done: b + 1,
      total: nb,
      figures: { loss: position.lossSum / position.lossCount, 'img/s': images / ((Date.now() - epochStart) / 1000), lr: headLr(lrs) },
    });
    opts.onStep?.({ epoch, batch: b, batches: nb, loss, steps: clock.steps, size: batch.size });
    if (s.ddp ? voted : opts.signal?.aborted) {
      // On the epoch's last step, stop after its validation and checkpoint: stopping here would
      // skip them for good.
      if (b + 1 === nb) return { stop: 'after-epoch', images, seconds: (Date.now() - epochStart) / 1000 };
      if (pending) await pending.catch(() => undefined);
      return { stop: 'now', images, seconds: (Date.now() - epochStart) / 1000 };
    }
  }
  return { stop: 'no', images, seconds: (Date.now() - epochStart) / 1000 };
}

/** Phase 3, stopped mid-epoch: checkpoints exactly where the next step would start. */
function stopMidEpoch(s: Session, position: RunPosition): void {
  const { run } = s;
  const meta: CheckpointMeta = {
    config: run.config, epoch: position.epoch, batch: position.batch, bestMAP: position.bestMAP, bestEpoch: position.bestEpoch,
    lossSum: position.lossSum, lossCount: position.lossCount, ...spentSoFar(s.clock),
  };
  if (s.lead) saveCheckpoint(run.lastPath, s.net, meta, s.optimizer);
  run.log.write('interrupted', { epoch: position.epoch, batch: position.batch });
  s.progress.end();
  s.say(`stopped; ${run.out} can continue with --resume`);
}

/**
 * Phase 4: validation mAP of the finished epoch, the best and last checkpoints, the epoch's log
 * line; moves the position to the start of the next epoch.
 */
async function closeEpoch(s: Session, position: RunPosition, outcome: EpochOutcome): Promise<void> {
  const { run, net } = s;
  const { config } = run;
  const epoch = position.epoch;
  s.progress.end();
  const predictOptions = { size: config.imageSize, batchSize: 32 };
  const pred = s.ddp ? await predictSharded(s.ddp, net, run.val, predictOptions) : await predictImages(net, run.val, { ...predictOptions, points: false });
  const { mAP } = classificationMetrics(pred, run.val.labels);
  position.lastMAP = mAP;
  const isBest = mAP > position.bestMAP;
  if (isBest) {
    position.bestMAP = mAP;
    position.bestEpoch = epoch;
  }
  const meta: CheckpointMeta = { config, epoch: epoch + 1, batch: 0, bestMAP: position.bestMAP, bestEpoch: position.bestEpoch, mAP, ...spentSoFar(s.clock) };
  if (s.lead) {
    if (isBest) saveCheckpoint(join(run.out, RUN_FILES.best), net, meta);
    saveCheckpoint(run.lastPath, net, meta, s.optimizer);
  }
  const lossMean = position.lossSum / Math.max(1, position.lossCount);
  const imagesPerSecond = outcome.images / outcome.seconds;
  run.log.write('epoch', { epoch: epoch + 1, loss: lossMean, valMAP: mAP, best: isBest, imagesPerSecond, seconds: outcome.seconds, lr: s.optimizer.getLr() });
  s.say(`epoch ${epoch + 1}/${config.epochs}  loss ${lossMean.toFixed(4)}  val mAP ${(100 * mAP).toFixed(2)}${isBest ? ' (best)' : ''}  ${imagesPerSecond.toFixed(1)} img/s  ${outcome.seconds.toFixed(0)} s`);
  Object.assign(position, { epoch: epoch + 1, batch: 0, lossSum: 0, lossCount: 0 });
}

/** Phase 5: the result; a finished (not interrupted) run also logs it and writes summary.json. */
function finishRun(run: OpenedRun, position: RunPosition, clock: Clock, interrupted: boolean, lead: boolean): TrainWslResult {
  // Every segment of a resumed run counts: the checkpoint carries what the earlier ones spent.
  const total = spentSoFar(clock);
  const result: TrainWslResult = {
    out: run.out, epochs: run.config.epochs, bestMAP: position.bestMAP, bestEpoch: position.bestEpoch + 1, lastMAP: position.lastMAP, interrupted,
    seconds: total.spentSeconds,
    imagesPerSecond: total.spentTrainSeconds > 0 ? total.spentImages / total.spentTrainSeconds : 0,
    ...(run.skipped.length > 0 ? { skippedImages: run.skipped } : {}),
  };
  if (!interrupted && lead) {
    run.log.write('done', { ...result });
    writeFileAtomic(join(run.out, RUN_FILES.summary), JSON.stringify(result, null, 2) + '\n');
  }
  return result;
}

/**
 * The WSL optimizer: SGD with momentum and weight decay over two parameter groups, the
 * pre-trained backbone at lr × backboneLrScale and the new layers at lr.
 */
export function wslOptimizer(net: WildcatNet, config: WslTrainConfig): SGD {
  const head = { params: net.headParameters(), lr: config.lr };
  if (config.freezeBackbone) {
    freezeBackbone(net);
    // One group: the backbone is not the optimizer's (no update, no weight decay, no momentum state).
    return new SGD([head], { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay });
  }
  return new SGD(
    [{ params: net.backboneParameters(), lr: config.lr * config.backboneLrScale }, head],
    { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay },
  );
}

/**
 * Frozen-backbone transfer (Oquab et al. CVPR 2015 §4): no gradient is computed for the backbone's
 * parameters, so its forward pass records no graph and the backward pass stops at the transfer
 * layer. Pair it with {@link setTrainingMode} so BatchNorm keeps its running statistics too.
 */
export function freezeBackbone(net: WildcatNet): void {
  for (const p of net.backboneParameters()) p.requiresGrad = false;
}

/** Training mode for the steps: the whole network, except a frozen backbone, which stays in eval mode (BatchNorm statistics untouched). */
export function setTrainingMode(net: WildcatNet, config: Pick<WslTrainConfig, 'freezeBackbone'>): void {
  net.train();
  if (config.freezeBackbone) net.backbone.eval();
}

/**
 * The side of batch `batch` of epoch `epoch` under multi-scale training (Oquab et al. CVPR 2015 §4:
 * "each training mini-batch … is resized by a scale factor s uniformly sampled between 0.7 and
 * 1.4"): round(imageSize · s), s drawn from a generator seeded by (seed, epoch, batch), so a resumed
 * run sees the same sizes; at least 32 px. Without train scales, imageSize.
 */
export function trainBatchSize(config: Pick<WslTrainConfig, 'imageSize' | 'trainScales' | 'seed'>, epoch: number, batch: number): number {
  if (!config.trainScales) return config.imageSize;
  const [lo, hi] = config.trainScales;
  const s = new Rng(mixSeed(config.seed, 'train-scale', epoch, batch)).uniform(lo, hi);
  return Math.max(32, Math.round(config.imageSize * s));
}

/**
 * The WSL schedule over (fractional) epochs, applied before every step at epoch + b / batches:
 * a linear warm-up from 0.1× over `warmupEpochs` (none when 0), then a cosine decay that reaches 0
 * at the end of the last epoch (`lrSchedule: 'cosine'`) or the base rate (`'constant'`).
 */
export function wslSchedule(config: WslTrainConfig): LrSchedule {
  const warmup = config.warmupEpochs;
  if (!(warmup >= 0 && warmup < config.epochs)) {
    throw new RangeError(`the warm-up (${warmup} epochs) must be >= 0 and shorter than the run (${config.epochs} epochs); lower --warmup`);
  }
  // 'constant': a step schedule whose factor never changes (the WILDCAT code keeps its lr).
  // The cosine starts after the warm-up at its own step 0, so it spans the epochs that remain.
  const after = config.lrSchedule === 'constant' ? new StepLR({ stepSize: 1, gamma: 1 }) : new CosineAnnealingLR({ tMax: config.epochs - warmup, etaMin: 0 });
  // --warmup 0 means no warm-up (LinearWarmup itself needs a positive length).
  return warmup > 0 ? new LinearWarmup({ steps: warmup, startFactor: 0.1, then: after }) : after;
}

/**
 * The training batches of a run: seeded order per epoch, its augmentation, a partial last batch
 * dropped; with a process group, this rank's shard of every epoch.
 */
function wslLoader(run: OpenedRun, group: ProcessGroup | null): BatchLoader {
  const { config, train } = run;
  const count = group?.worldSize ?? 1;
  return new BatchLoader(train, {
    batchSize: config.batchSize,
    size: config.imageSize,
    seed: config.seed,
    dropLast: Math.floor(train.ids.length / count) > config.batchSize,
    augment: { flip: config.flip, ...(config.scaleJitter ? { scaleJitter: config.scaleJitter } : {}) },
    ...(group ? { shard: { rank: group.rank, count } } : {}),
    ...(config.trainScales ? { sizeOf: (epoch: number, batch: number) => trainBatchSize(config, epoch, batch) } : {}),
  });
}

/** The new layers' rate: the optimizer's last group (the only one with a frozen backbone). */
function headLr(lrs: readonly number[]): number {
  return lrs[lrs.length - 1]!;
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
      return (s, b) => {
        if (!b.classIndex) throw invalidType('the batch of the softmax loss', 'multi-class data (batch.classIndex)', b.classIndex, 'use the logistic or AP loss on multi-label data');
        return multiClassSoftmaxLoss(s, b.classIndex);
      };
    default:
      throw new RangeError(`unknown loss '${String(kind)}'; expected logistic, softmax or ap`);
  }
}

/** One SGD step on a batch of side `size` (default: the batch's own); returns the loss value (the step is skipped when it is not finite). */
export function trainStep(net: WildcatNet, optimizer: SGD, lossFn: LossFn, batch: Batch, size = batch.size): number {
  return tidy(() => {
    const x = tensor(batch.images, { shape: [batch.batchSize, 3, size, size] });
    return stepIfFinite(lossFn(net.forward(x), batch), optimizer);
  });
}

