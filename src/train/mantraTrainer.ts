// Training of MANTRA (Durand et al., ICCV 2015) over a frozen backbone: the feature map of every
// image is computed once, then a stochastic subgradient solver learns the linear class models
// w_y (the transfer layer, a 1×1 convolution with bias) of the latent structural SVM
//   min_w λ/2 ‖w‖² + (1/N) Σ_i ℓ_w(x_i, y_i*)      (TPAMI 2019 eq. 7)
// with the step of the MANTRA solver (Pegasos-like): at step t (from 1), γ = 1/(t + 1) and
//   w ← (1 − γ) w − (γ/λ) g,     g the subgradient of the batch's mean loss (mantraLoss),
// i.e. a decreasing step 1/(λ (t + 1)) on the regularized objective. The result is a run folder
// like `wildcat train`'s (config.json, best.safetensors, log.jsonl, summary.json) whose network
// is the backbone + transfer layer with MANTRA pooling (max + min), so `eval`, `predict` and
// `report` work on it unchanged.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { adaptThreads, cat, manualSeed, noGrad, setNumThreads, tensor, tidy, type Tensor } from '../core/index.js';
import { BatchLoader, Rng, mixSeed, type LabeledImageList } from '../data/index.js';
import { writeFileAtomic } from '../io/index.js';
import { buildWildcatNet, type BackboneSpec } from '../wsl/buildWildcatNet.js';
import { mantraLoss, type MantraVariant } from '../wsl/mantra.js';
import { applySpatialPooling, parseSpatialPooling } from '../wsl/spatialPooling.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { loadBackboneWeights } from './backboneWeights.js';
import { saveCheckpoint } from './checkpoint.js';
import { openDataset } from './datasetSpec.js';
import { meanAveragePrecision } from '../eval/index.js';
import { RunLog } from './runLog.js';
import { checkRunFolder, RUN_FILES } from './wslTrainer.js';
import { defaultWslConfig, type WslTrainConfig } from './wslConfig.js';

/** What `wildcat mantra` trains. */
export interface MantraConfig {
  data: string;
  trainSplit: string;
  valSplit: string;
  /** Empty: from the dataset. */
  classNames: string[];
  backbone: BackboneSpec;
  /** The frozen backbone's weights (required: MANTRA learns on fixed features). */
  backboneWeights: string;
  imageSize: number;
  variant: MantraVariant;
  /** λ of the primal objective. */
  lambda: number;
  epochs: number;
  /** Images per subgradient step (their mean loss); AP ranks within the batch. */
  batchSize: number;
  /** Return the weighted average of the iterates (ρ = 2/(t + 2)) instead of the last one. */
  average: boolean;
  seed: number;
  threads: number;
}

/** The solver settings of the MANTRA code (λ = 1e-4, 25 epochs, random permutations); backbone, size, splits and seed are the training defaults'. */
export function defaultMantraConfig(): MantraConfig {
  const d = defaultWslConfig();
  return {
    data: '', trainSplit: d.trainSplit, valSplit: d.valSplit, classNames: [], backbone: d.model.backbone, backboneWeights: '',
    imageSize: d.imageSize, variant: 'multilabel', lambda: 1e-4, epochs: 25, batchSize: 16, average: false, seed: d.seed, threads: d.threads,
  };
}

export interface MantraResult {
  out: string;
  bestMAP: number;
  bestEpoch: number;
  seconds: number;
  /** Seconds spent computing the features (once) and in the solver. */
  featureSeconds: number;
  solverSeconds: number;
}

/** The run config a MANTRA run writes: a WSL config (so loadRun rebuilds the network) plus its solver settings. */
export function mantraRunConfig(c: MantraConfig, classNames: readonly string[]): WslTrainConfig {
  const d = defaultWslConfig();
  return {
    ...d, data: c.data, trainSplit: c.trainSplit, valSplit: c.valSplit, classNames: [...classNames],
    model: { backbone: c.backbone, numClasses: classNames.length, maps: 1, classWise: 'mean', pooling: parseSpatialPooling('mantra'), architecture: 'maps' },
    backboneWeights: c.backboneWeights, imageSize: c.imageSize,
    loss: c.variant === 'multiclass' ? 'softmax' : c.variant === 'ap' ? 'ap' : 'logistic',
    epochs: c.epochs, batchSize: c.batchSize, lr: 0, freezeBackbone: true, flip: false, seed: c.seed, threads: c.threads,
    mantra: { variant: c.variant, lambda: c.lambda, epochs: c.epochs, batchSize: c.batchSize, average: c.average },
  };
}

/** Trains MANTRA into the run folder `out`; see the module comment. */
export async function trainMantra(config: MantraConfig, opts: { out: string; log?: (m: string) => void }): Promise<MantraResult> {
  const say = opts.log ?? ((m: string) => console.error(m));
  const t0 = Date.now();
  checkRunFolder(opts.out, false);
  if (!config.backboneWeights) throw new Error('MANTRA learns on a frozen backbone: give its weights (--backbone-weights)');
  if (!(config.lambda > 0)) throw new RangeError(`MANTRA: lambda must be > 0, got ${config.lambda}`);
  setNumThreads(config.threads);
  manualSeed(config.seed);
  const train = await openDataset(config.data, config.trainSplit, config.classNames);
  const val = await openDataset(config.data, config.valSplit, train.classNames);
  if (config.variant === 'multiclass' && !train.classIndex) {
    throw new Error(`MANTRA multiclass needs one label per image; ${config.data} ${config.trainSplit} is multi-label: use --variant multilabel or ap`);
  }
  const runConfig = mantraRunConfig(config, train.classNames);
  mkdirSync(opts.out, { recursive: true });
  const log = new RunLog(join(opts.out, RUN_FILES.log));
  const net = buildWildcatNet(runConfig.model);
  try {
    loadBackboneWeights(net.backbone, config.backboneWeights);
    net.eval();
    for (const p of net.backboneParameters()) p.requiresGrad = false;
    writeFileAtomic(join(opts.out, RUN_FILES.config), JSON.stringify(runConfig, null, 2) + '\n');
    log.write('start', { config: runConfig });
    const f0 = Date.now();
    const trainFeatures = await extractFeatures(net, train, config.imageSize, (d, n) => say(`features ${config.trainSplit} ${d}/${n}`));
    const valFeatures = await extractFeatures(net, val, config.imageSize, (d, n) => say(`features ${config.valSplit} ${d}/${n}`));
    const featureSeconds = (Date.now() - f0) / 1000;
    try {
      const s0 = Date.now();
      const best = solve(net, config, train, trainFeatures, val, valFeatures, log, say, opts.out);
      const result: MantraResult = {
        out: opts.out, bestMAP: best.mAP, bestEpoch: best.epoch, seconds: (Date.now() - t0) / 1000,
        featureSeconds, solverSeconds: (Date.now() - s0) / 1000,
      };
      log.write('done', { ...result });
      writeFileAtomic(join(opts.out, RUN_FILES.summary), JSON.stringify({ ...result, epochs: config.epochs, interrupted: false }, null, 2) + '\n');
      return result;
    } finally {
      trainFeatures.dispose();
      valFeatures.dispose();
    }
  } finally {
    net.dispose();
  }
}

/** The backbone's feature maps [N, D, h, w] of a whole list (eval mode, no augmentation). */
async function extractFeatures(net: WildcatNet, list: LabeledImageList, size: number, progress: (done: number, total: number) => void): Promise<Tensor> {
  const parts: Tensor[] = [];
  const loader = new BatchLoader(list, { batchSize: 32, size, shuffle: false });
  let done = 0;
  try {
    for await (const b of loader.epoch(0)) {
      parts.push(noGrad(() => tidy(() => net.backbone.features(tensor(b.images, { shape: [b.batchSize, 3, size, size] })))));
      done += b.batchSize;
      progress(done, list.ids.length);
    }
    return cat(parts, 0);
  } finally {
    for (const p of parts) p.dispose();
  }
}

/** The stochastic subgradient solver; keeps the transfer layer of the best validation mAP and saves it. */
function solve(
  net: WildcatNet, c: MantraConfig, train: LabeledImageList, X: Tensor, val: LabeledImageList, Xval: Tensor,
  log: RunLog, say: (m: string) => void, out: string,
): { mAP: number; epoch: number } {
  const layer = net.classifier;
  const params = layer.parameters();
  // The solver starts from w = 0, as MANTRA's.
  noGrad(() => { for (const p of params) p.zero_(); });
  const average = c.average ? params.map(copyOf) : null;
  const C = train.classNames.length;
  const N = train.ids.length;
  const order = Int32Array.from({ length: N }, (_, i) => i);
  let t = 1;
  let best = { mAP: -Infinity, epoch: 0 };
  try {
    for (let epoch = 0; epoch < c.epochs; epoch++) {
      new Rng(mixSeed(c.seed, 'mantra', epoch)).shuffle<number, Int32Array>(order);
      let lossSum = 0;
      let steps = 0;
      for (let from = 0; from < N; from += c.batchSize) {
        const idx = order.subarray(from, Math.min(N, from + c.batchSize));
        const B = idx.length;
        const target = c.variant === 'multiclass'
          ? Int32Array.from(idx, (i) => train.classIndex![i]!)
          : Int8Array.from({ length: B * C }, (_, k) => train.labels[idx[Math.floor(k / C)]! * C + (k % C)]!);
        const loss = tidy(() => {
          const xb = X.indexSelect(0, tensor(Int32Array.from(idx), { dtype: 'int64' }));
          const scores = applySpatialPooling(layer.forward(xb), net.pooling);
          const l = mantraLoss(scores, target, c.variant);
          l.backward();
          return l.item();
        });
        const gamma = 1 / (t + 1);
        noGrad(() => {
          params.forEach((p, k) => {
            const g = p.grad;
            p.mul_(1 - gamma);
            if (g) {
              p.sub_(g, gamma / c.lambda);
              g.dispose();
            }
            p.grad = null;
            if (average) {
              const rho = 2 / (t + 2);
              average[k]!.mul_(1 - rho).add_(p, rho);
            }
          });
        });
        lossSum += loss;
        steps++;
        t++;
        adaptThreads();
      }
      const scoreParams = average ?? params;
      const mAP = validationMAP(net, scoreParams, Xval, val);
      const isBest = mAP > best.mAP;
      if (isBest) {
        best = { mAP, epoch: epoch + 1 };
        withWeights(params, scoreParams, () => saveCheckpoint(join(out, RUN_FILES.best), net, { epoch: epoch + 1, bestMAP: mAP, bestEpoch: epoch }));
      }
      log.write('epoch', { epoch: epoch + 1, loss: lossSum / steps, valMAP: mAP, best: isBest, steps: t - 1 });
      say(`epoch ${epoch + 1}/${c.epochs}  loss ${(lossSum / steps).toFixed(4)}  val mAP ${(100 * mAP).toFixed(2)}${isBest ? ' (best)' : ''}`);
    }
    withWeights(params, average ?? params, () => saveCheckpoint(join(out, RUN_FILES.last), net, { epoch: c.epochs, bestMAP: best.mAP }));
    return best;
  } finally {
    for (const a of average ?? []) a.dispose();
  }
}

/** A detached copy of a parameter (the intermediate detach() handle is released at once, not left to the GC). */
function copyOf(p: Tensor): Tensor {
  return noGrad(() => tidy(() => p.detach().clone()));
}

/** Runs fn with the layer's parameters temporarily replaced by `weights` (the averaged iterate). */
function withWeights(params: Tensor[], weights: Tensor[], fn: () => void): void {
  if (weights === params) return fn();
  const saved = params.map(copyOf);
  try {
    noGrad(() => params.forEach((p, k) => p.copy_(weights[k]!)));
    fn();
  } finally {
    noGrad(() => params.forEach((p, k) => p.copy_(saved[k]!)));
    for (const s of saved) s.dispose();
  }
}

/** Classification mAP on the validation features with the given transfer-layer weights. */
function validationMAP(net: WildcatNet, params: Tensor[], Xval: Tensor, val: LabeledImageList): number {
  let scores!: Float32Array;
  withWeights(net.classifier.parameters(), params, () => {
    scores = noGrad(() => tidy(() => applySpatialPooling(net.classifier.forward(Xval), net.pooling).toArray() as Float32Array));
  });
  const shape: [number, number] = [val.ids.length, val.classNames.length];
  return meanAveragePrecision({ data: scores, shape }, { data: val.labels, shape }, { method: 'voc2010' }).mean;
}
