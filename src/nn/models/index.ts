// Model zoo: architectures with torchvision-compatible parameter names.
export { ResNet, BasicBlock, Bottleneck, resnet, resnet18, resnet34, resnet50, resnet101, resnet152 } from './resnet.js';
export type { ResNetOptions, BlockOptions } from './resnet.js';
