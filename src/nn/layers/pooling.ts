// Spatial pooling layers: max, average, adaptive average.
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, type AdaptiveSize, type AvgPool2dOptions, type MaxPool2dOptions } from '../functional.js';
import { pair, type Size2 } from '../pair.js';

/**
 * Max over windows (stride defaults to the kernel size).
 * @example new MaxPool2d(3, { stride: 2, padding: 1 }) // the ResNet stem
 */
export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly opts: Readonly<MaxPool2dOptions>;

  constructor(kernelSize: Size2, opts: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = pair(kernelSize, 'MaxPool2d kernelSize');
    this.opts = { ...opts };
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }

  override extraRepr(): string {
    return `kernelSize=[${this.kernelSize.join(', ')}], ${JSON.stringify(this.opts)}`;
  }
}

/** Mean over windows (stride defaults to the kernel size; padded zeros counted by default). */
export class AvgPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly opts: Readonly<AvgPool2dOptions>;

  constructor(kernelSize: Size2, opts: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = pair(kernelSize, 'AvgPool2d kernelSize');
    this.opts = { ...opts };
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }

  override extraRepr(): string {
    return `kernelSize=[${this.kernelSize.join(', ')}], ${JSON.stringify(this.opts)}`;
  }
}

/**
 * Mean over bins splitting the map into `outputSize` cells, whatever the input size
 * (1 gives global average pooling). null in [h, w] keeps that input dimension.
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: AdaptiveSize;

  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = outputSize;
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}
