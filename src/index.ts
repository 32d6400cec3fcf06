// wildcat-ts: weakly supervised learning of deep ConvNets (WELDON / WILDCAT) on libtorch.
// The engine (tensors, autograd) and every layer of the library, as namespaces.
export * from './core/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as distributed from './distributed/index.js';
export * as io from './io/index.js';
export * as wsl from './wsl/index.js';
export * as data from './data/index.js';
export * as evaluation from './eval/index.js';
export * as segment from './segment/index.js';
export * as train from './train/index.js';
