// The complete, JSON-serialisable description of a WSL training run. Saved as RUN/config.json
// and inside checkpoints, so a run can be resumed, evaluated and reproduced from its folder.
import type { WildcatNetSpec } from '../wsl/buildWildcatNet.js';
import { parseSpatialPooling } from '../wsl/spatialPooling.js';

export type WslLoss = 'logistic' | 'softmax' | 'ap';

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
  epochs: number;
  batchSize: number;
  /** Learning rate of the new layers (transfer layer / classifier). */
  lr: number;
  /** Backbone learning rate = lr × this (pre-trained layers move slower). */
  backboneLrScale: number;
  momentum: number;
  weightDecay: number;
  /** Linear warm-up length in epochs (fractional allowed) before the cosine decay. */
  warmupEpochs: number;
  /** Random horizontal flips. */
  flip: boolean;
  /** Random scale/crop jitter range of the image side kept, e.g. [0.8, 1] (null = none). */
  scaleJitter: [number, number] | null;
  seed: number;
  /** Intra-op threads for libtorch. */
  threads: number;
}

/**
 * Defaults for this machine (2 cores, no GPU) and the embedded scenes: half-width ResNet-18 at
 * output stride 16 (192-px scenes give 12×12 maps), WILDCAT with k⁺ = k⁻ = 0.2, α = 0.7 and M = 1
 * (with this 8-epoch budget M = 4 trains slower and ends lower: see the README's ablation),
 * SGD momentum 0.9, weight decay 1e-4, new layers at 10× the backbone's rate, cosine decay.
 */
export function defaultWslConfig(numClasses = 0): WslTrainConfig {
  return {
    data: '',
    trainSplit: 'train',
    valSplit: 'val',
    classNames: [],
    model: {
      backbone: { depth: 18, widthMultiplier: 0.5, outputStride: 16 },
      numClasses,
      maps: 1,
      classWise: 'mean',
      pooling: parseSpatialPooling('wildcat'),
      architecture: 'maps',
    },
    backboneWeights: null,
    imageSize: 192,
    loss: 'logistic',
    epochs: 8,
    batchSize: 16,
    lr: 0.05,
    backboneLrScale: 0.1,
    momentum: 0.9,
    weightDecay: 1e-4,
    warmupEpochs: 0.5,
    flip: true,
    scaleJitter: null,
    seed: 1,
    threads: 2,
  };
}
