// The weakly supervised network: fully convolutional backbone → multi-map transfer layer →
// class-wise pooling → spatial pooling (WILDCAT, CVPR 2017 Fig. 2, architecture (a)), and the
// ablation's architecture (b): spatial pooling of the backbone features, then the classifier.
import { expectInteger, expectOneOf, invalidType, tidy, op, type Tensor } from '../core/index.js';
import { Module, Conv2d, Linear, type ResNet } from '../nn/index.js';
import { CLASS_WISE_DEFAULTS, classWisePool } from './classWisePool.js';
import { applySpatialPooling, type SpatialPooling } from './spatialPooling.js';

export interface WildcatNetOptions {
  numClasses: number;
  /**
   * M: maps (modalities) per class in the transfer layer. Default 1 (WILDCAT_NET_DEFAULTS; the
   * paper's VOC setting is 4, which needs a longer training budget than the embedded demo's).
   */
  maps?: number;
  /** How the M maps of a class combine. Default 'mean'. */
  classWise?: 'mean' | 'max';
  /** Spatial pooling. Default WILDCAT with its defaults (k⁺ = k⁻ = 0.2, α = 0.7). */
  pooling?: SpatialPooling;
  /**
   * 'maps' (a, default): transfer layer → class maps → spatial pooling.
   * 'features' (b): spatial pooling of the backbone features → linear classifier.
   */
  architecture?: 'maps' | 'features';
}

/**
 * The defaults of the network options, defined here once and used by the API, the CLI and the
 * trainer. M = 1: with the 8-epoch budget of the embedded demo M = 4 trains slower and ends
 * lower (README, ablation: test mAP 70.66 with M = 4 against 73.87 with M = 1).
 */
export const WILDCAT_NET_DEFAULTS: Readonly<{ maps: number; classWise: 'mean' | 'max'; architecture: 'maps' | 'features' }> =
  Object.freeze({ maps: 1, classWise: CLASS_WISE_DEFAULTS.mode, architecture: 'maps' });

/** What {@link WildcatNet.forwardMaps} returns. */
export interface WildcatOutput {
  /** [B, C] class scores (before sigmoid / softmax). */
  scores: Tensor;
  /** [B, C, h, w] class maps (after class-wise pooling), the heatmaps. */
  classMaps: Tensor;
  /** [B, C·M, h, w] per-modality maps (channel c·M + m); equals classMaps when M = 1. */
  modalityMaps: Tensor;
}

/**
 * The WSL network of the WILDCAT paper over one of our ResNets (in fully convolutional use).
 * @example
 * const net = new WildcatNet(resnet18({ numClasses: 0, widthMultiplier: 0.5, outputStride: 16 }),
 *   { numClasses: 10, maps: 4, pooling: { kind: 'wildcat', kmax: 0.2, alpha: 0.7 } });
 * const { scores, classMaps } = net.forwardMaps(images);
 */
export class WildcatNet extends Module {
  declare backbone: ResNet;
  declare classifier: Conv2d | Linear;
  readonly numClasses: number;
  readonly maps: number;
  readonly classWise: 'mean' | 'max';
  readonly pooling: SpatialPooling;
  readonly architecture: 'maps' | 'features';

  constructor(backbone: ResNet, opts: WildcatNetOptions) {
    super();
    expectInteger('option numClasses of WildcatNet', opts.numClasses, { min: 1 });
    const maps = expectInteger('option maps of WildcatNet', opts.maps ?? WILDCAT_NET_DEFAULTS.maps, { min: 1 });
    if (backbone.fc) throw invalidType('the backbone of WildcatNet', 'a ResNet built without its classifier (numClasses: 0)', backbone, `it has a ${backbone.fc.constructor.name} fc layer`);
    this.numClasses = opts.numClasses;
    this.maps = maps;
    this.classWise = expectOneOf('option classWise of WildcatNet', opts.classWise ?? WILDCAT_NET_DEFAULTS.classWise, ['mean', 'max']);
    this.pooling = opts.pooling ?? { kind: 'wildcat' };
    this.architecture = expectOneOf('option architecture of WildcatNet', opts.architecture ?? WILDCAT_NET_DEFAULTS.architecture, ['maps', 'features']);
    this.registerModule('backbone', backbone);
    const d = backbone.outChannels;
    if (this.architecture === 'maps') this.registerModule('classifier', new Conv2d(d, opts.numClasses * maps, 1));
    else this.registerModule('classifier', new Linear(d, opts.numClasses));
  }

  /** Parameters of the new layers (trained at a higher learning rate than the backbone). */
  headParameters(): Tensor[] {
    return this.classifier.parameters();
  }

  backboneParameters(): Tensor[] {
    return this.backbone.parameters();
  }

  /** Class scores [B, C]. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const f = this.backbone.features(x);
      if (this.architecture === 'features') {
        return (this.classifier as Linear).forward(applySpatialPooling(f, this.pooling));
      }
      return applySpatialPooling(this.#classMaps(this.classifier.forward(f)), this.pooling);
    });
  }

  /** Scores with the class maps and per-modality maps they come from. */
  forwardMaps(x: Tensor): WildcatOutput {
    return tidy(() => {
      const f = this.backbone.features(x);
      if (this.architecture === 'features') {
        const lin = this.classifier as Linear;
        const scores = lin.forward(applySpatialPooling(f, this.pooling));
        // The classifier applied at every position (a class activation map).
        const w = lin.weight.reshape([this.numClasses, -1, 1, 1]);
        const classMaps = op('aten::conv2d')(f, w, lin.bias ?? null);
        return { scores, classMaps, modalityMaps: classMaps.clone() };
      }
      const modalityMaps = this.classifier.forward(f);
      const classMaps = this.#classMaps(modalityMaps);
      return { scores: applySpatialPooling(classMaps, this.pooling), classMaps, modalityMaps };
    });
  }

  #classMaps(modalityMaps: Tensor): Tensor {
    return this.maps === 1 ? modalityMaps : classWisePool(modalityMaps, { maps: this.maps, mode: this.classWise });
  }
}
