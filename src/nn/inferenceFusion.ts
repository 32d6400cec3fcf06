// Fused inference: a convolution, the BatchNorm after it and a following ReLU run as one
// prepacked oneDNN convolution when a network is evaluated (eval mode, gradients off).
import { isGradEnabled, noGrad, PrepackedConv2d, prepackedConvAvailable, tensorVersion, tidy, type ConvActivation, type Tensor } from '../core/index.js';
import type { Module } from './module.js';
import type { Conv2d } from './layers/conv2d.js';
import type { BatchNorm2d } from './layers/batchNorm2d.js';

let enabled = false;

/**
 * Turns fused inference on or off for the whole process (off unless set; the CLI's `--inference`
 * sets it, default fused). When on, ResNet blocks evaluated in eval mode with gradients off fold
 * each BatchNorm into the convolution before it (w·γ/σ, β − μ·γ/σ: PyTorch's
 * `fuse_conv_bn_eval`), run it as a {@link PrepackedConv2d} with the ReLU fused, and reuse the
 * packed weights from call to call. Results equal the plain path's to float rounding (a few
 * units in the 6th significant digit), not bit for bit, which is why it is a choice.
 */
export function setInferenceFusion(on: boolean): void {
  if (typeof on !== 'boolean') throw new TypeError(`setInferenceFusion(): expected true or false, got ${String(on)}`);
  enabled = on;
}

/** Whether fused inference is on ({@link setInferenceFusion}). */
export function inferenceFusionEnabled(): boolean {
  return enabled;
}

/** Whether `m` takes the fused path now: fusion on, m in eval mode, gradients off, libtorch with oneDNN. */
export function fusedInferenceActive(m: Module): boolean {
  return enabled && !m.training && !isGradEnabled() && prepackedConvAvailable();
}

/**
 * Packed shapes kept per convolution (batch sizes × scales), the least recently used dropped
 * first. Eight holds Oquab et al.'s six test scales (the `oquab` preset) plus a partial batch:
 * fewer would miss on every scale of that cycle (LRU on a longer loop), and each miss packs anew.
 */
const MAX_SHAPES = 8;

/**
 * A Conv2d followed by an eval-mode BatchNorm2d (and optionally a ReLU), folded and packed per
 * input shape. The packed weights are rebuilt when any tensor they derive from changed (its
 * version counter moved, or the module holds a new tensor), so loading a state dict or an
 * optimizer step between evaluations is safe.
 */
export class FusedConvBn {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  readonly activation: ConvActivation;
  #packed = new Map<string, PrepackedConv2d>();
  #sources: (Tensor | null)[] = [];
  #versions: number[] = [];

  constructor(conv: Conv2d, bn: BatchNorm2d, activation: ConvActivation) {
    this.conv = conv;
    this.bn = bn;
    this.activation = activation;
  }

  /** Whether the pair can be folded: numeric padding, running statistics, float32 weights. */
  static supports(conv: Conv2d, bn: BatchNorm2d): boolean {
    return (
      Array.isArray(conv.padding) &&
      bn.running_mean !== null &&
      bn.running_var !== null &&
      conv.weight.dtype === 'float32' &&
      bn.running_mean.dtype === 'float32' &&
      bn.numFeatures === conv.outChannels
    );
  }

  /** bn(conv(x)), then the activation; x must be float32 [N, C, H, W]. */
  forward(x: Tensor): Tensor {
    this.#dropIfStale();
    const key = `${x.shape.join('x')}${x.isContiguous('channelsLast') && !x.isContiguous() ? 'cl' : ''}`;
    let packed = this.#packed.get(key);
    if (packed === undefined) {
      packed = this.#pack(x.shape);
      if (this.#packed.size >= MAX_SHAPES) {
        const [oldest, old] = this.#packed.entries().next().value as [string, PrepackedConv2d];
        old.release();
        this.#packed.delete(oldest);
      }
    } else this.#packed.delete(key);
    this.#packed.set(key, packed); // most recently used last
    return packed.run(x);
  }

  /** Frees every packed shape. */
  release(): void {
    for (const p of this.#packed.values()) p.release();
    this.#packed.clear();
  }

  #currentSources(): (Tensor | null)[] {
    const { conv, bn } = this;
    return [conv.weight, conv.bias, bn.weight, bn.bias, bn.running_mean, bn.running_var];
  }

  #dropIfStale(): void {
    const now = this.#currentSources();
    const versions = now.map((t) => (t === null ? -1 : tensorVersion(t)));
    const same = now.every((t, i) => t === this.#sources[i]) && versions.every((v, i) => v === this.#versions[i]);
    if (same) return;
    this.release();
    this.#sources = now;
    this.#versions = versions;
  }

  #pack(inputShape: readonly number[]): PrepackedConv2d {
    const { conv, bn } = this;
    return tidy(() =>
      noGrad(() => {
        // σ = sqrt(var + eps); w' = w · γ/σ per output channel; b' = β + (b − μ) · γ/σ.
        const invStd = bn.running_var!.add(bn.eps).rsqrt();
        const scale = bn.weight === null ? invStd : invStd.mul(bn.weight);
        const weight = conv.weight.mul(scale.reshape([-1, 1, 1, 1]));
        const shift = (conv.bias === null ? bn.running_mean!.neg() : conv.bias.sub(bn.running_mean!)).mul(scale);
        const bias = bn.bias === null ? shift : shift.add(bn.bias);
        const stride = conv.stride;
        const padding = conv.padding as [number, number];
        return new PrepackedConv2d(weight, bias, { stride, padding, dilation: conv.dilation, groups: conv.groups }, inputShape, this.activation);
      }),
    );
  }
}
