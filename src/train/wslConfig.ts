// The complete, JSON-serialisable description of a WSL training run. Saved as RUN/config.json
// and inside checkpoints, so a run can be resumed, evaluated and reproduced from its folder.
import { defaultNumThreads } from '../core/index.js';
import type { UnknownClassPolicy } from '../data/index.js';
import type { WildcatNetSpec } from '../wsl/buildWildcatNet.js';
import type { MantraVariant } from '../wsl/mantra.js';
import { parseSpatialPooling } from '../wsl/spatialPooling.js';
import { WILDCAT_NET_DEFAULTS } from '../wsl/wildcatNet.js';

export type WslLoss = 'logistic' | 'softmax' | 'ap';

/** Learning-rate schedule after the warm-up: cosine decay to 0 over the run, or constant (the WILDCAT code's: no decay over its 20 epochs). */
export type WslLrSchedule = 'cosine' | 'constant';

export interface WslTrainConfig {
  /** Dataset, e.g. `voc:/data/VOCdevkit` (a VOCdevkit or one VOC<year> folder). */
  data: string;
  trainSplit: string;
  valSplit: string;
  /** Class list; empty = detected from the dataset. */
  classNames: string[];
  model: WildcatNetSpec;
  /** Backbone weights loaded before training (our pre-training output, torchvision .pth, safetensors), or null. */
  backboneWeights: string | null;
  /** Network input side in pixels. */
  imageSize: number;
  loss: WslLoss;
  /** Epochs; 0 = auto, scaled with the training set's size ({@link autoEpochs}), resolved when the run starts. */
  epochs: number;
  /** Images per step of one process; a data-parallel run's global batch is worldSize × this. */
  batchSize: number;
  /** Learning rate of the new layers (transfer layer / classifier). */
  lr: number;
  /** Backbone learning rate = lr × this (pre-trained layers move slower). */
  backboneLrScale: number;
  momentum: number;
  weightDecay: number;
  /** Linear warm-up length in epochs (fractional allowed) before the schedule. */
  warmupEpochs: number;
  /** What follows the warm-up. */
  lrSchedule: WslLrSchedule;
  /**
   * Frozen-backbone transfer (Oquab et al. CVPR 2015 §4: only the adaptation layers learn): the
   * backbone's parameters get no gradient and its BatchNorm layers stay in eval mode.
   */
  freezeBackbone: boolean;
  /**
   * What a damaged image file does (every image is decoded once in a quick pass before the first
   * step): 'fail' stops before training, naming the files; 'skip' trains without them and lists
   * them in the run log and summary.json.
   */
  onBadImage: BadImagePolicy;
  /**
   * Read image ids (VOC) and CSV paths that leave the dataset folder (absolute, '../'); false
   * refuses them, naming the list and the path. Recorded so that a resume, eval, predict and
   * report read the dataset the same way.
   */
  allowOutsideRoot: boolean;
  /** A VOC object whose name is not a class of the dataset: 'fail' names the file; 'warn' leaves it out with one warning per file. */
  unknownClass: UnknownClassPolicy;
  /**
   * Multi-scale training (Oquab et al. §4): each batch is resized to round(imageSize · s) with s
   * drawn uniformly in [min, max] per batch (seeded, so resumable); null = imageSize always.
   */
  trainScales: [number, number] | null;
  /** Test scales recorded for evaluation (Oquab et al. §4: 0.5 … 2.8); null = one scale. */
  testScales: number[] | null;
  /** The preset the run started from (`wildcat train --preset`), or null. */
  preset: string | null;
  /**
   * Present when `wildcat mantra` trained the run (a latent structural SVM on a frozen backbone,
   * src/train/mantraTrainer.ts): its solver settings. The network is the backbone + transfer
   * layer with MANTRA pooling, so the run evaluates like any other.
   */
  mantra?: { variant: MantraVariant; lambda: number; epochs: number; batchSize: number; average: boolean };
  /** Random horizontal flips. */
  flip: boolean;
  /** Random scale/crop jitter range of the image side kept, e.g. [0.8, 1] (null = none). */
  scaleJitter: [number, number] | null;
  seed: number;
  /** Intra-op threads for libtorch (per process). */
  threads: number;
  /**
   * Processes training together (data-parallel; set by the trainer from its process group). The
   * shards of every epoch depend on it, so a run resumes only with the same number.
   */
  worldSize: number;
}

/**
 * `epochs: 0` (auto): enough epochs for at least `minSteps` optimizer steps, between `min` and
 * `max` epochs. 900 steps is the budget measured to train the embedded scenes well (12 epochs of
 * 1,200 images at batch 16: README, "Defaults"); a smaller set gets more epochs so the network
 * still sees that many updates, a larger one its 12 passes.
 */
export const AUTO_EPOCHS = Object.freeze({ minSteps: 900, min: 12, max: 100 });

/**
 * The epochs `epochs: 0` resolves to for `trainImages` images in steps of `batchSize` images
 * (the global batch of a data-parallel run; the last partial batch is dropped).
 */
export function autoEpochs(trainImages: number, batchSize: number): number {
  const stepsPerEpoch = trainImages > batchSize ? Math.floor(trainImages / batchSize) : 1;
  return Math.min(AUTO_EPOCHS.max, Math.max(AUTO_EPOCHS.min, Math.ceil(AUTO_EPOCHS.minSteps / stepsPerEpoch)));
}

/**
 * The training defaults, defined here once (the CLI's flags and usage text read them): sized for
 * a CPU with a few cores and the embedded scenes, and measured there and on scenes of a style the
 * pre-training never saw (README, "Defaults"). Half-width ResNet-18 at output stride 16 (192-px
 * scenes give 12×12 maps); the network and pooling defaults of wsl (WILDCAT_NET_DEFAULTS: M = 1;
 * WILDCAT_DEFAULTS: k⁺ = k⁻ = 0.2, α = 0.7); SGD momentum 0.9, weight decay 1e-4, lr 0.1 for the
 * new layers and 0.01 for the backbone, no warm-up, cosine decay to 0 over auto epochs (at least
 * 900 steps: 12 epochs of the embedded 1,200 scenes); every core.
 */
/** See {@link WslTrainConfig.onBadImage}. */
export type BadImagePolicy = 'fail' | 'skip';

export function defaultWslConfig(numClasses = 0): WslTrainConfig {
  return {
    data: '',
    trainSplit: 'train',
    valSplit: 'val',
    classNames: [],
    model: {
      backbone: { depth: 18, widthMultiplier: 0.5, outputStride: 16 },
      numClasses,
      maps: WILDCAT_NET_DEFAULTS.maps,
      classWise: WILDCAT_NET_DEFAULTS.classWise,
      pooling: parseSpatialPooling('wildcat'),
      architecture: WILDCAT_NET_DEFAULTS.architecture,
    },
    backboneWeights: null,
    imageSize: 192,
    loss: 'logistic',
    epochs: 0,
    batchSize: 16,
    lr: 0.1,
    backboneLrScale: 0.1,
    momentum: 0.9,
    weightDecay: 1e-4,
    warmupEpochs: 0,
    lrSchedule: 'cosine',
    freezeBackbone: false,
    onBadImage: 'fail',
    allowOutsideRoot: false,
    unknownClass: 'fail',
    trainScales: null,
    testScales: null,
    preset: null,
    flip: true,
    scaleJitter: null,
    seed: 1,
    threads: defaultNumThreads(),
    worldSize: 1,
  };
}

/**
 * A config read from a run folder, with the fields added since it was written filled from the
 * defaults (a run trained before presets and frozen backbones resumes and evaluates unchanged).
 */
export function completeWslConfig(config: WslTrainConfig): WslTrainConfig {
  const d = defaultWslConfig();
  return {
    ...config,
    lrSchedule: config.lrSchedule ?? d.lrSchedule,
    freezeBackbone: config.freezeBackbone ?? d.freezeBackbone,
    onBadImage: config.onBadImage ?? d.onBadImage,
    allowOutsideRoot: config.allowOutsideRoot ?? d.allowOutsideRoot,
    unknownClass: config.unknownClass ?? d.unknownClass,
    trainScales: config.trainScales ?? d.trainScales,
    testScales: config.testScales ?? d.testScales,
    preset: config.preset ?? d.preset,
  };
}
