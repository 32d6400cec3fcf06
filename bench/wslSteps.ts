// The steps that bench/wsl.ts and bench/contention.ts time: the default WSL training step and
// the backbone pre-training step, in either memory layout.
import { manualSeed, tensor, tidy, type MemoryFormat } from '../src/core/index.js';
import { functional as F, resnet } from '../src/nn/index.js';
import { SGD } from '../src/optim/index.js';
import { stepIfFinite } from '../src/train/stepIfFinite.js';
import { multiLabelLogisticLoss, WILDCAT_NET_DEFAULTS } from '../src/wsl/index.js';
import { buildWildcatNet, type WildcatNetSpec } from '../src/wsl/buildWildcatNet.js';
import type { Phases } from './common.js';

/** The WSL configuration timed (src/train/wslConfig.ts defaults, 10 classes). */
export const WSL = {
  px: 192,
  batch: 16,
  classes: 10,
  maps: WILDCAT_NET_DEFAULTS.maps,
  kmax: 0.2,
  kmin: 0.2,
  alpha: 0.7,
  lr: 0.05,
  backboneLrScale: 0.1,
  momentum: 0.9,
  weightDecay: 1e-4,
};

/** The pre-training configuration timed (src/train/pretrain.ts defaults). */
export const PRETRAIN = { px: 96, batch: 64, classes: 10, lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

function randomImages(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < a.length; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** The phase name of a layout ('train', 'train_cl'), as the PyTorch scripts name them. */
export function phaseName(format: MemoryFormat): string {
  return format === 'channelsLast' ? 'train_cl' : 'train';
}

/** Our side of a bench: per layout a model, its optimizer, and one step. */
export interface Side {
  phases: Phases;
  dispose: () => void;
  model: string;
}

export function wslPhases(maps: number, formats: MemoryFormat[]): Side {
  const spec: WildcatNetSpec = {
    backbone: { depth: 18, widthMultiplier: 0.5, outputStride: 16 },
    numClasses: WSL.classes,
    maps,
    classWise: 'mean',
    pooling: { kind: 'wildcat', kmax: WSL.kmax, kmin: WSL.kmin, alpha: WSL.alpha },
    architecture: 'maps',
  };
  const shape = [WSL.batch, 3, WSL.px, WSL.px];
  const images = randomImages(WSL.batch * 3 * WSL.px * WSL.px);
  const labels = Float32Array.from({ length: WSL.batch * WSL.classes }, () => (Math.random() < 0.3 ? 1 : -1));
  const phases: Phases = {};
  const disposers: (() => void)[] = [];
  for (const memoryFormat of formats) {
    manualSeed(0);
    const net = buildWildcatNet(spec).to({ memoryFormat });
    const opt = new SGD(
      [{ params: net.backboneParameters(), lr: WSL.lr * WSL.backboneLrScale }, { params: net.headParameters(), lr: WSL.lr }],
      { lr: WSL.lr, momentum: WSL.momentum, weightDecay: WSL.weightDecay },
    );
    net.train();
    // As trainStep() in src/train/wslTrainer.ts.
    phases[phaseName(memoryFormat)] = () =>
      tidy(() => {
        const x = tensor(images, { shape }).contiguous({ memoryFormat });
        const y = tensor(labels, { shape: [WSL.batch, WSL.classes], dtype: 'float32' });
        return stepIfFinite(multiLabelLogisticLoss(net.forward(x), y), opt);
      });
    disposers.push(() => {
      opt.dispose();
      net.dispose();
    });
  }
  return { phases, model: `wildcat resnet18 w0.5 os16 C${WSL.classes} M${maps}`, dispose: () => disposers.forEach((d) => d()) };
}

export function pretrainPhases(formats: MemoryFormat[]): Side {
  const shape = [PRETRAIN.batch, 3, PRETRAIN.px, PRETRAIN.px];
  const images = randomImages(PRETRAIN.batch * 3 * PRETRAIN.px * PRETRAIN.px);
  const labels = Int32Array.from({ length: PRETRAIN.batch }, () => Math.floor(Math.random() * PRETRAIN.classes));
  const phases: Phases = {};
  const disposers: (() => void)[] = [];
  for (const memoryFormat of formats) {
    manualSeed(0);
    const net = resnet(18, { numClasses: PRETRAIN.classes, widthMultiplier: 0.5 }).to({ memoryFormat });
    const opt = new SGD(net.parameters(), { lr: PRETRAIN.lr, momentum: PRETRAIN.momentum, weightDecay: PRETRAIN.weightDecay, nesterov: true });
    net.train();
    // As the step of src/train/pretrain.ts.
    phases[phaseName(memoryFormat)] = () =>
      tidy(() => {
        const x = tensor(images, { shape }).contiguous({ memoryFormat });
        const y = tensor(labels, { dtype: 'int64' });
        return stepIfFinite(F.crossEntropy(net.forward(x), y), opt);
      });
    disposers.push(() => {
      opt.dispose();
      net.dispose();
    });
  }
  return { phases, model: `resnet18 w0.5 C${PRETRAIN.classes}`, dispose: () => disposers.forEach((d) => d()) };
}

