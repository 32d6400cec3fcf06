// Backbone pre-training on single Fashion-MNIST items pasted on synthetic canvases: the role
// ImageNet plays in the papers. 10-way softmax classification; the weights then initialise the
// backbone of the weakly supervised network (its classifier is dropped). On `diverse` canvases every
// image draws its own style (background family, tint rule, contrast, fragments, blur, noise, JPEG),
// so the backbone learns shapes that transfer to scene styles it has never seen.
import { adaptThreads, defaultNumThreads, manualSeed, setNumThreads, tensor, tidy, noGrad } from '../core/index.js';
import { functional as F, type ResNet } from '../nn/index.js';
import { SGD, CosineAnnealingLR, LinearWarmup, type LrSchedule } from '../optim/index.js';
import { HELD_OUT_STYLES, loadFashionMnist, PRETRAIN_STYLES, SingleItemGenerator, type StyleFamilies } from '../data/index.js';
import { buildBackbone, type BackboneSpec } from '../wsl/buildWildcatNet.js';
import { saveTensors } from '../io/index.js';
import { Progress } from './progress.js';
import { stepIfFinite } from './stepIfFinite.js';

/**
 * The look of the pre-training canvases: `diverse` draws each canvas's style from
 * `PRETRAIN_STYLES` (every family but the held-out ones); `classic` is the dark clutter with
 * bright shaded items of the embedded scenes (the only look of earlier versions).
 */
export type PretrainCanvas = 'diverse' | 'classic';

export interface PretrainConfig {
  backbone: BackboneSpec;
  /** Optimizer steps. */
  steps: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  warmupSteps: number;
  canvas: PretrainCanvas;
  /** Canvas side and item size range (pixels). */
  canvasSize: number;
  minItemSize: number;
  maxItemSize: number;
  /** Held-out test items evaluated at the end. */
  evalImages: number;
  seed: number;
  threads: number;
}

export function defaultPretrainConfig(): PretrainConfig {
  return {
    backbone: { depth: 18, widthMultiplier: 0.5, outputStride: 32 },
    steps: 2500,
    batchSize: 64,
    lr: 0.1,
    momentum: 0.9,
    weightDecay: 5e-4,
    warmupSteps: 50,
    canvas: 'diverse',
    canvasSize: 96,
    minItemSize: 36,
    maxItemSize: 84,
    evalImages: 2000,
    seed: 7,
    threads: defaultNumThreads(),
  };
}

export interface PretrainResult {
  path: string;
  /** Top-1 accuracy on single test items (t10k items, unseen in training) on canvases of the training look. */
  accuracy: number;
  /** The same on held-out-style canvases (`HELD_OUT_STYLES`: a look pre-training never uses). */
  heldOutAccuracy: number;
  finalLoss: number;
  seconds: number;
  /** Training images per second of step time (canvas generation excluded). */
  imagesPerSecond: number;
  /** Mean time per batch of canvas generation and of the training step, in milliseconds. */
  generationMsPerBatch: number;
  stepMsPerBatch: number;
}

/** The style families of a canvas look (null: the classic clutter). */
export function pretrainStyles(canvas: PretrainCanvas): StyleFamilies | null {
  if (canvas === 'diverse') return PRETRAIN_STYLES;
  if (canvas === 'classic') return null;
  throw new RangeError(`unknown pre-training canvas '${String(canvas)}'; expected diverse or classic`);
}

/** The pre-training optimizer: SGD with Nesterov momentum over every parameter. */
export function pretrainOptimizer(net: ResNet, config: PretrainConfig): SGD {
  return new SGD(net.parameters(), { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay, nesterov: true });
}

/**
 * The pre-training schedule, per step: a linear warm-up from 0.1× over `warmupSteps`, then a
 * cosine decay that reaches 0 at the last step.
 */
export function pretrainSchedule(config: PretrainConfig): LrSchedule {
  const warmup = config.warmupSteps;
  if (!(warmup >= 0 && warmup < config.steps)) {
    throw new RangeError(`pre-training: the warm-up (${warmup} steps) must be >= 0 and shorter than the run (${config.steps} steps); raise --steps`);
  }
  // The cosine starts after the warm-up at its own step 0, so it spans the steps that remain.
  const cosine = new CosineAnnealingLR({ tMax: config.steps - warmup, etaMin: 0 });
  return warmup > 0 ? new LinearWarmup({ steps: warmup, startFactor: 0.1, then: cosine }) : cosine;
}

/** One pre-training step on a batch (cross-entropy over the classes); returns the loss (not applied when not finite). */
export function pretrainStep(net: ResNet, optimizer: SGD, images: Float32Array, labels: Int32Array, batchSize: number, size: number): number {
  return tidy(() => {
    const x = tensor(images, { shape: [batchSize, 3, size, size] });
    const y = tensor(labels, { dtype: 'int64' });
    return stepIfFinite(F.crossEntropy(net.forward(x), y), optimizer);
  });
}

/**
 * Pre-trains a ResNet on single items and writes its weights (torchvision names, with `fc`)
 * to `path` as safetensors, atomically.
 */
export async function pretrainBackbone(config: PretrainConfig, path: string, opts: { progress?: boolean; log?: (m: string) => void } = {}): Promise<PretrainResult> {
  const say = opts.log ?? ((m: string) => console.error(m));
  setNumThreads(config.threads);
  manualSeed(config.seed);
  const trainItems = await loadFashionMnist('train');
  const testItems = await loadFashionMnist('test');
  const styles = pretrainStyles(config.canvas);
  const genOpts = { canvasSize: config.canvasSize, minSize: config.minItemSize, maxSize: config.maxItemSize };
  // Batches are generated inline: a worker thread generating the next batch during the step made
  // the loop slower on 2 cores (libtorch's OpenMP threads lose more than the overlap gains).
  const gen = new SingleItemGenerator(trainItems, { ...genOpts, styles, seed: config.seed });
  const net = buildBackbone({ ...config.backbone, outputStride: 32 }, trainItems.classNames.length);
  const opt = pretrainOptimizer(net, config);
  const schedule = pretrainSchedule(config);
  const progress = new Progress({ enabled: opts.progress ?? true });
  const S = config.canvasSize;
  const t0 = Date.now();
  let computeSeconds = 0;
  let generationSeconds = 0;
  let ema = NaN;
  try {
    net.train();
    for (let step = 0; step < config.steps; step++) {
      const tg = performance.now();
      const batch = gen.batchAt(step, config.batchSize);
      generationSeconds += (performance.now() - tg) / 1000;
      schedule.apply(opt, step);
      const ts = performance.now();
      const loss = pretrainStep(net, opt, batch.images, batch.labels, batch.batchSize, S);
      computeSeconds += (performance.now() - ts) / 1000;
      adaptThreads();
      // Let the event loop turn. Handles are released either way (their finalizers run during
      // GC), but measured on 2,000-8,000 steps of a quarter-width ResNet-18, a loop that never
      // yields levels off ~20-25 MB of RSS higher than this one (+3 MB); the yield costs no time.
      await new Promise((resolve) => setImmediate(resolve));
      if (!Number.isFinite(loss)) throw new Error(`pre-training: the loss became ${loss} at step ${step + 1}; lower the learning rate (now ${config.lr})`);
      ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
      progress.update({
        label: 'pretrain',
        done: step + 1,
        total: config.steps,
        figures: { loss: ema, 'img/s': ((step + 1) * config.batchSize) / ((Date.now() - t0) / 1000) },
      });
    }
    progress.end();
    const evalSeed = config.seed + 1000;
    const accuracy = evaluateItems(net, testItems, { ...genOpts, styles, seed: evalSeed }, config.evalImages, S);
    const heldOutAccuracy = evaluateItems(net, testItems, { ...genOpts, styles: HELD_OUT_STYLES, seed: evalSeed }, config.evalImages, S);
    tidy(() =>
      saveTensors(path, net.stateDict(), {
        format: 'wildcat-ts-pretrained/1',
        config: JSON.stringify(config),
        accuracy: String(accuracy),
        heldOutAccuracy: String(heldOutAccuracy),
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    const generationMsPerBatch = (1000 * generationSeconds) / config.steps;
    const stepMsPerBatch = (1000 * computeSeconds) / config.steps;
    say(`pre-training: ${config.steps} steps on ${config.canvas} canvases in ${seconds.toFixed(0)} s (per batch: canvases ${generationMsPerBatch.toFixed(0)} ms, step ${stepMsPerBatch.toFixed(0)} ms); ` +
      `single test items: ${(100 * accuracy).toFixed(1)}% on the training look, ${(100 * heldOutAccuracy).toFixed(1)}% on the held-out look`);
    return {
      path, accuracy, heldOutAccuracy, finalLoss: ema, seconds, imagesPerSecond: (config.steps * config.batchSize) / computeSeconds,
      generationMsPerBatch, stepMsPerBatch,
    };
  } finally {
    opt.dispose();
    net.dispose();
  }
}

function evaluateItems(net: ResNet, items: Awaited<ReturnType<typeof loadFashionMnist>>, genOpts: ConstructorParameters<typeof SingleItemGenerator>[1], n: number, S: number): number {
  const gen = new SingleItemGenerator(items, genOpts);
  net.eval();
  let correct = 0;
  const bs = 100;
  for (let k = 0; k * bs < n; k++) {
    const batch = gen.batchAt(k, Math.min(bs, n - k * bs));
    adaptThreads();
    const pred = noGrad(() => tidy(() => net.forward(tensor(batch.images, { shape: [batch.batchSize, 3, S, S] })).argmax(1).toNumbers()));
    for (let i = 0; i < batch.batchSize; i++) if (pred[i] === batch.labels[i]) correct++;
  }
  return correct / n;
}
