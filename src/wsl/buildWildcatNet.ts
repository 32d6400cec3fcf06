// Builds a WildcatNet from a plain, JSON-serialisable description (stored in run configs and
// checkpoints, so `predict --run` rebuilds exactly the trained network).
import { preferredMemoryFormat } from '../core/index.js';
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

/** The ResNet of `spec`, its convolution weights in the process's layout (core's setMemoryFormat, default contiguous). */
export function buildBackbone(spec: BackboneSpec, numClasses = 0): ResNet {
  return inPreferredLayout(resnet(spec.depth, { numClasses, widthMultiplier: spec.widthMultiplier, outputStride: spec.outputStride }));
}

function inPreferredLayout<M extends ResNet | WildcatNet>(net: M): M {
  const memoryFormat = preferredMemoryFormat();
  if (memoryFormat !== 'contiguous') net.to({ memoryFormat });
  return net;
}

/** The network of `spec`, its convolution weights in the process's layout (core's setMemoryFormat, default contiguous). */
export function buildWildcatNet(spec: WildcatNetSpec): WildcatNet {
  const net = new WildcatNet(buildBackbone(spec.backbone), {
    numClasses: spec.numClasses,
    maps: spec.maps,
    classWise: spec.classWise,
    pooling: spec.pooling,
    architecture: spec.architecture,
  });
  return inPreferredLayout(net);
}
