// The nn layer: modules, layers, initialisation, functional ops and losses, models.
// Exposed as `nn` (nn.Conv2d, nn.functional.conv2d, nn.init.kaimingNormal_, nn.resnet18, ...).
export { Module, type StateDict, type LoadStateDictResult, type ModuleToOptions } from './module.js';
export { Conv2d, type Conv2dLayerOptions } from './layers/conv2d.js';
export { BatchNorm2d, type BatchNorm2dOptions } from './layers/batchNorm2d.js';
export { Linear } from './layers/linear.js';
export { ReLU } from './layers/relu.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './layers/pooling.js';
export { Dropout, Dropout2d } from './layers/dropout.js';
export { Sequential, type TensorModule } from './layers/sequential.js';
export { Identity } from './layers/identity.js';
export { setInferenceFusion, inferenceFusionEnabled, fusedInferenceActive, FusedConvBn } from './inferenceFusion.js';
export { Flatten } from './layers/flatten.js';
export type { Size2 } from './pair.js';
export * as functional from './functional.js';
export * as init from './init.js';
export * as models from './models/index.js';
export * from './models/index.js';
