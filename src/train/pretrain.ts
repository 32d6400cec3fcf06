// Backbone pre-training on single Fashion-MNIST items pasted on cluttered canvases: the role
// ImageNet plays in the papers. 10-way softmax classification; the weights then initialise the
// backbone of the weakly supervised network (its classifier is dropped).
import { defaultNumThreads, manualSeed, setNumThreads, tensor, tidy, noGrad } from '../core/index.js';
import { functional as F } from '../nn/index.js';
import { SGD, CosineAnnealingLR, LinearWarmup } from '../optim/index.js';
import { loadFashionMnist, SingleItemGenerator } from '../data/index.js';
import { buildBackbone, type BackboneSpec } from '../wsl/buildWildcatNet.js';
import { saveTensors } from '../io/index.js';
import { Progress } from './progress.js';
import { stepIfFinite } from './stepIfFinite.js';

export interface PretrainConfig {
  backbone: BackboneSpec;
  /** Optimizer steps. */
  steps: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  warmupSteps: number;
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
    steps: 900,
    batchSize: 64,
    lr: 0.1,
    momentum: 0.9,
    weightDecay: 5e-4,
    warmupSteps: 50,
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
  /** Top-1 accuracy on single test items (t10k items, unseen in training). */
  accuracy: number;
  finalLoss: number;
  seconds: number;
  imagesPerSecond: number;
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
  const genOpts = { canvasSize: config.canvasSize, minSize: config.minItemSize, maxSize: config.maxItemSize };
  const gen = new SingleItemGenerator(trainItems, { ...genOpts, seed: config.seed });
  const net = buildBackbone({ ...config.backbone, outputStride: 32 }, trainItems.classNames.length);
  const opt = new SGD(net.parameters(), { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay, nesterov: true });
  const cosine = new CosineAnnealingLR({ tMax: config.steps, etaMin: 0 });
  const schedule = config.warmupSteps > 0 ? new LinearWarmup({ steps: config.warmupSteps, startFactor: 0.1, then: cosine }) : cosine;
  const progress = new Progress({ enabled: opts.progress ?? true });
  const S = config.canvasSize;
  const t0 = Date.now();
  let computeSeconds = 0;
  let ema = NaN;
  try {
    net.train();
    for (let step = 0; step < config.steps; step++) {
      const batch = gen.batchAt(step, config.batchSize);
      schedule.apply(opt, step);
      const ts = Date.now();
      const loss = tidy(() => {
        const x = tensor(batch.images, { shape: [batch.batchSize, 3, S, S] });
        const y = tensor(batch.labels, { dtype: 'int64' });
        return stepIfFinite(F.crossEntropy(net.forward(x), y), opt);
      });
      computeSeconds += (Date.now() - ts) / 1000;
      // Let the event loop turn: N-API runs the finalizers of collected tensor wrappers from it,
      // so a loop that never yields holds ~200 bytes per op call (~25 MB per 1,000 ResNet-18 steps).
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
    const accuracy = evaluateItems(net, testItems, { ...genOpts, seed: config.seed + 1000 }, config.evalImages, S);
    tidy(() =>
      saveTensors(path, net.stateDict(), {
        format: 'wildcat-ts-pretrained/1',
        config: JSON.stringify(config),
        accuracy: String(accuracy),
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    say(`pre-training: ${config.steps} steps in ${seconds.toFixed(0)} s, test accuracy on single items ${(100 * accuracy).toFixed(1)}%`);
    return { path, accuracy, finalLoss: ema, seconds, imagesPerSecond: (config.steps * config.batchSize) / computeSeconds };
  } finally {
    opt.dispose();
    net.dispose();
  }
}

function evaluateItems(net: ReturnType<typeof buildBackbone>, items: Awaited<ReturnType<typeof loadFashionMnist>>, genOpts: ConstructorParameters<typeof SingleItemGenerator>[1], n: number, S: number): number {
  const gen = new SingleItemGenerator(items, genOpts);
  net.eval();
  let correct = 0;
  const bs = 100;
  for (let k = 0; k * bs < n; k++) {
    const batch = gen.batchAt(k, Math.min(bs, n - k * bs));
    const pred = noGrad(() => tidy(() => net.forward(tensor(batch.images, { shape: [batch.batchSize, 3, S, S] })).argmax(1).toNumbers()));
    for (let i = 0; i < batch.batchSize; i++) if (pred[i] === batch.labels[i]) correct++;
  }
  return correct / n;
}
