// Builds a WildcatNet from a plain, JSON-serialisable description (stored in run configs and
// checkpoints, so `predict --run` rebuilds exactly the trained network).
import { resnet, type ResNet } from '../nn/index.js';
import { WildcatNet } from './wildcatNet.js';
import type { SpatialPooling } from './spatialPooling.js';

export interface BackboneSpec {
  depth: 18 | 34 | 50 | 101 | 152;
  /** Channel width multiplier (0.5 gives the 32/64/128/256 ResNet-18 for CPU work). */
  widthMultiplier: number;
  /** 32, or 16 / 8 with the last stage(s) dilated. */
  outputStride: 8 | 16 | 32;
}

export interface WildcatNetSpec {
  backbone: BackboneSpec;
  numClasses: number;
  maps: number;
  classWise: 'mean' | 'max';
  pooling: SpatialPooling;
  architecture: 'maps' | 'features';
}

export function buildBackbone(spec: BackboneSpec, numClasses = 0): ResNet {
  return resnet(spec.depth, { numClasses, widthMultiplier: spec.widthMultiplier, outputStride: spec.outputStride });
}

export function buildWildcatNet(spec: WildcatNetSpec): WildcatNet {
  return new WildcatNet(buildBackbone(spec.backbone), {
    numClasses: spec.numClasses,
    maps: spec.maps,
    classWise: spec.classWise,
    pooling: spec.pooling,
    architecture: spec.architecture,
  });
}
