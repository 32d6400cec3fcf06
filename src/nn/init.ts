// Weight initialisation, in place and without recording gradients (torch.nn.init).
import { noGrad, type Tensor } from '../core/index.js';

export type Nonlinearity = 'linear' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear/conv/
 * sigmoid, 5/3 for tanh, √2 for relu, √(2/(1+a²)) for leaky_relu (a = `param`, default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv2d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const a = param ?? 0.01;
      return Math.sqrt(2 / (1 + a * a));
    }
    case 'selu': return 3 / 4;
    default: throw new TypeError(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'`);
  }
}

/**
 * fan_in = inputs per output unit (size(1) × kernel area), fan_out = size(0) × kernel area,
 * for a weight of shape [out, in, ...kernel].
 */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  const s = t.shape;
  if (s.length < 2) throw new RangeError(`init: fan in/out need a tensor with at least 2 dimensions, got shape [${s.join(', ')}]`);
  let receptive = 1;
  for (let i = 2; i < s.length; i++) receptive *= s[i]!;
  return { fanIn: s[1]! * receptive, fanOut: s[0]! * receptive };
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU after this layer (0 for ReLU). Default 0. */
  a?: number;
  /** 'fan_in' (default) keeps the forward variance, 'fan_out' the backward one. */
  mode?: FanMode;
  /** Default 'leaky_relu', which with a = 0 is ReLU's gain √2 (as in PyTorch). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t);
  const fan = (opts.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  if (fan === 0) throw new RangeError(`init: cannot initialise a tensor with zero fan (shape [${t.shape.join(', ')}])`);
  return calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

/**
 * He initialisation, normal: N(0, std²) with std = gain/√fan.
 * @example kaimingNormal_(conv.weight, { mode: 'fan_out', nonlinearity: 'relu' }) // torchvision ResNet
 */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const std = kaimingStd(t, opts);
  return noGrad(() => t.normal_(0, std));
}

/** He initialisation, uniform on ±√3·gain/√fan. */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return noGrad(() => t.uniform_(-bound, bound));
}

/** Glorot initialisation, uniform on ±gain·√(6/(fan_in+fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return noGrad(() => t.uniform_(-bound, bound));
}

/** Glorot initialisation, normal with std = gain·√(2/(fan_in+fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  return noGrad(() => t.normal_(0, std));
}

/** Normal draws N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => t.normal_(mean, std));
}

/** Uniform draws on [low, high). */
export function uniform_(t: Tensor, low = 0, high = 1): Tensor {
  return noGrad(() => t.uniform_(low, high));
}

export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

export function zeros_(t: Tensor): Tensor {
  return noGrad(() => t.zero_());
}

export function ones_(t: Tensor): Tensor {
  return noGrad(() => t.fill_(1));
}

/**
 * PyTorch's default initialisation of Conv2d and Linear (their reset_parameters): weight
 * kaiming-uniform with a = √5, i.e. uniform on ±1/√fan_in; bias uniform on ±1/√fan_in.
 */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const { fanIn } = fans(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
