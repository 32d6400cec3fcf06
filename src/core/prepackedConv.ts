// Prepacked convolutions: oneDNN's convolution with its weights reordered once, for inference.
import { native, type ConvContextHandle } from './native.js';
import { Tensor } from './tensor.js';
import { isGradEnabled } from './grad.js';

/** What a prepacked convolution applies to its output in the same pass. */
export type ConvActivation = 'none' | 'relu';

/** Geometry of a 2-D convolution, as aten::conv2d takes it. */
export interface ConvGeometry {
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation: readonly [number, number];
  groups: number;
}

let available: boolean | undefined;

/** Whether this libtorch carries the prepacked oneDNN convolution (libtorch built with oneDNN). */
export function prepackedConvAvailable(): boolean {
  available ??= native.prepackedConvAvailable();
  return available;
}

/**
 * A float32 convolution packed for one input shape: its weights are reordered once into the
 * blocked layout oneDNN's kernel reads (the eager convolution reorders them on every call) and an
 * optional ReLU runs in the same pass. These are libtorch's `mkldnn_prepacked` operators (what
 * `torch.jit.freeze` uses). Inference only: `run` records no autograd graph and refuses to run
 * while gradients are enabled. The packed weights are a copy: later writes to `weight` do not
 * reach them. Call {@link release} when done (the GC frees them otherwise).
 */
export class PrepackedConv2d {
  readonly inputShape: readonly number[];
  readonly activation: ConvActivation;
  #context: ConvContextHandle | null;

  constructor(weight: Tensor, bias: Tensor | null, geometry: ConvGeometry, inputShape: readonly number[], activation: ConvActivation = 'none') {
    if (!prepackedConvAvailable()) throw new Error('PrepackedConv2d: this libtorch has no oneDNN (mkldnn_prepacked operators); use conv2d');
    if (inputShape.length !== 4) throw new RangeError(`PrepackedConv2d: inputShape must be [N, C, H, W], got [${inputShape.join(', ')}]`);
    const { stride, padding, dilation, groups } = geometry;
    this.inputShape = [...inputShape];
    this.activation = activation;
    this.#context = native.convPrepack(weight.handle, bias?.handle ?? null, [...stride], [...padding], [...dilation], groups, [...inputShape], activation);
  }

  /** The convolution (and activation) of `x`, whose shape must be `inputShape`; the output takes x's memory format. */
  run(x: Tensor): Tensor {
    if (this.#context === null) throw new TypeError('PrepackedConv2d: used after release()');
    if (isGradEnabled()) throw new Error('PrepackedConv2d.run: inference only (no autograd); call it inside noGrad()');
    return Tensor.fromHandle(native.convRun(x.handle, this.#context));
  }

  /** Frees the packed weights now. Idempotent. */
  release(): void {
    if (this.#context !== null) native.convRelease(this.#context);
    this.#context = null;
  }
}

/**
 * The version counter of `t` (PyTorch's `t._version`): every in-place write bumps it, so a value
 * derived from `t` can tell when `t` has changed since.
 */
export function tensorVersion(t: Tensor): number {
  return native.tensorVersion(t.handle);
}
