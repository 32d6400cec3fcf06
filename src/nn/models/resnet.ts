// ResNet-18/34/50/101/152 with torchvision's layout and parameter names, so torchvision
// checkpoints load by name; plus a width multiplier and a fully convolutional (dilated) mode.
import { tidy, type Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { Conv2d } from '../layers/conv2d.js';
import { BatchNorm2d } from '../layers/batchNorm2d.js';
import { ReLU } from '../layers/relu.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../layers/pooling.js';
import { Linear } from '../layers/linear.js';
import { Sequential } from '../layers/sequential.js';
import { constant_, kaimingNormal_ } from '../init.js';
import { fusedInferenceActive, FusedConvBn } from '../inferenceFusion.js';

/** Settings of one residual block. */
export interface BlockOptions {
  /** Stride of the block's strided convolution (1 or 2). */
  stride?: number;
  /** Projection of the shortcut when shape changes (1×1 conv + BN), named `downsample`. */
  downsample?: Sequential | null;
  /** Dilation of the 3×3 convolutions after the first one of the stage (see ResNetOptions.outputStride). */
  dilation?: number;
  /** Dilation of the block's strided 3×3 convolution (the previous stage's dilation). */
  firstDilation?: number;
  /** Groups of the 3×3 convolution (ResNeXt); Bottleneck only. */
  groups?: number;
  /** Channels per group at planes = 64 (64 for ResNet, 128 for Wide ResNet); Bottleneck only. */
  baseWidth?: number;
}

function conv3x3(inC: number, outC: number, stride: number, dilation: number, groups = 1): Conv2d {
  return new Conv2d(inC, outC, 3, { stride, padding: dilation, dilation, groups, bias: false });
}

function conv1x1(inC: number, outC: number, stride = 1): Conv2d {
  return new Conv2d(inC, outC, 1, { stride, bias: false });
}

// Block internals release each intermediate as soon as the next layer has consumed it (autograd
// keeps what backward needs), as PyTorch's reference counting does: inference then reuses warm
// memory instead of holding a block's every activation until the block returns.
function consumed(input: Tensor, output: Tensor): Tensor {
  if (output !== input) input.dispose();
  return output;
}

// out += shortcut, in place as torchvision (BN's backward does not need its output): one
// activation-sized allocation less per block.
function addIdentity_(out: Tensor, x: Tensor, downsample: Sequential | null): Tensor {
  const identity = downsample ? downsample.forward(x) : x;
  out.add_(identity);
  if (identity !== x) identity.dispose();
  return out;
}

/** A block's convolutions fused with their BatchNorms for inference (src/nn/inferenceFusion.ts). */
interface FusedBlock {
  /** The main branch: every pair but the last followed by ReLU. */
  main: FusedConvBn[];
  /** The projected shortcut (downsample's 1×1 conv + BN), or null for the identity. */
  shortcut: FusedConvBn | null;
}

/**
 * The fused form of a block or stem, built on first use and rebuilt when the block's layers are
 * no longer the modules it was built from (a layer replaced by assignment).
 */
class FusionCache {
  #layers: readonly (Module | null)[] = [];
  #fused: FusedBlock | null | undefined;

  get(layers: readonly (Module | null)[], build: () => FusedBlock | null): FusedBlock | null {
    if (this.#fused !== undefined && (layers.length !== this.#layers.length || layers.some((m, i) => m !== this.#layers[i]))) this.release();
    if (this.#fused === undefined) {
      this.#layers = layers;
      this.#fused = build();
    }
    return this.#fused;
  }

  release(): void {
    if (this.#fused) {
      for (const c of this.#fused.main) c.release();
      this.#fused.shortcut?.release();
    }
    this.#fused = undefined;
  }
}

/** The fused form of a block's [conv, bn] pairs, or null when one of them cannot be folded. */
function fuseBlock(pairs: [Conv2d, BatchNorm2d][], downsample: Sequential | null): FusedBlock | null {
  if (!pairs.every(([c, b]) => FusedConvBn.supports(c, b))) return null;
  let shortcut: FusedConvBn | null = null;
  if (downsample !== null) {
    const [conv, bn] = [downsample.at(0), downsample.at(1)];
    if (downsample.length !== 2 || !(conv instanceof Conv2d) || !(bn instanceof BatchNorm2d) || !FusedConvBn.supports(conv, bn)) return null;
    shortcut = new FusedConvBn(conv, bn, 'none');
  }
  const main = pairs.map(([c, b], i) => new FusedConvBn(c, b, i < pairs.length - 1 ? 'relu' : 'none'));
  return { main, shortcut };
}

/** relu(main(x) + shortcut(x)) through the fused convolutions (eval mode, gradients off). */
function fusedBlockForward(f: FusedBlock, x: Tensor, relu: ReLU): Tensor {
  return tidy(() => {
    let out = f.main[0]!.forward(x);
    for (let i = 1; i < f.main.length; i++) out = consumed(out, f.main[i]!.forward(out));
    const identity = f.shortcut ? f.shortcut.forward(x) : x;
    out.add_(identity);
    if (identity !== x) identity.dispose();
    return relu.forward(out);
  });
}


/** The residual block of ResNet-18/34: two 3×3 convolutions (conv1, bn1, conv2, bn2, downsample). */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare relu: ReLU;
  declare conv2: Conv2d;
  declare bn2: BatchNorm2d;
  declare downsample: Sequential | null;

  constructor(inplanes: number, planes: number, opts: BlockOptions = {}) {
    super();
    if ((opts.groups ?? 1) !== 1 || (opts.baseWidth ?? 64) !== 64) throw new RangeError('BasicBlock: only groups = 1 and baseWidth = 64 are supported (as torchvision)');
    const dilation = opts.dilation ?? 1;
    this.registerModule('conv1', conv3x3(inplanes, planes, opts.stride ?? 1, opts.firstDilation ?? dilation));
    this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('relu', new ReLU({ inplace: true }));
    this.registerModule('conv2', conv3x3(planes, planes, 1, dilation));
    this.registerModule('bn2', new BatchNorm2d(planes));
    this.registerModule('downsample', opts.downsample ?? null);
  }

  /** The BN whose γ is zeroed by zeroInitResidual. */
  get lastBn(): BatchNorm2d {
    return this.bn2;
  }

  #fusion = new FusionCache();

  forward(x: Tensor): Tensor {
    if (fusedInferenceActive(this)) {
      const { conv1, bn1, conv2, bn2, downsample } = this;
      const fused = this.#fusion.get([conv1, bn1, conv2, bn2, downsample], () => fuseBlock([[conv1, bn1], [conv2, bn2]], downsample));
      if (fused) return fusedBlockForward(fused, x, this.relu);
    }
    return tidy(() => {
      let out = this.conv1.forward(x);
      out = consumed(out, this.bn1.forward(out));
      out = this.relu.forward(out);
      out = consumed(out, this.conv2.forward(out));
      out = consumed(out, this.bn2.forward(out));
      return this.relu.forward(addIdentity_(out, x, this.downsample));
    });
  }

  protected override releaseDerived(): void {
    this.#fusion.release();
  }
}

/**
 * The residual block of ResNet-50/101/152, torchvision v1.5: 1×1 reduce, 3×3 (carrying the
 * stride), 1×1 expand ×4 (conv1, bn1, conv2, bn2, conv3, bn3, relu, downsample).
 */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare conv2: Conv2d;
  declare bn2: BatchNorm2d;
  declare conv3: Conv2d;
  declare bn3: BatchNorm2d;
  declare relu: ReLU;
  declare downsample: Sequential | null;

  constructor(inplanes: number, planes: number, opts: BlockOptions = {}) {
    super();
    const groups = opts.groups ?? 1;
    const width = Math.floor(planes * ((opts.baseWidth ?? 64) / 64)) * groups;
    const dilation = opts.dilation ?? 1;
    this.registerModule('conv1', conv1x1(inplanes, width));
    this.registerModule('bn1', new BatchNorm2d(width));
    this.registerModule('conv2', conv3x3(width, width, opts.stride ?? 1, opts.firstDilation ?? dilation, groups));
    this.registerModule('bn2', new BatchNorm2d(width));
    this.registerModule('conv3', conv1x1(width, planes * Bottleneck.expansion));
    this.registerModule('bn3', new BatchNorm2d(planes * Bottleneck.expansion));
    this.registerModule('relu', new ReLU({ inplace: true }));
    this.registerModule('downsample', opts.downsample ?? null);
  }

  get lastBn(): BatchNorm2d {
    return this.bn3;
  }

  #fusion = new FusionCache();

  protected override releaseDerived(): void {
    this.#fusion.release();
  }

  forward(x: Tensor): Tensor {
    if (fusedInferenceActive(this)) {
      const { conv1, bn1, conv2, bn2, conv3, bn3, downsample } = this;
      const pairs: [Conv2d, BatchNorm2d][] = [[conv1, bn1], [conv2, bn2], [conv3, bn3]];
      const fused = this.#fusion.get([conv1, bn1, conv2, bn2, conv3, bn3, downsample], () => fuseBlock(pairs, downsample));
      if (fused) return fusedBlockForward(fused, x, this.relu);
    }
    return tidy(() => {
      let out = this.conv1.forward(x);
      out = consumed(out, this.bn1.forward(out));
      out = this.relu.forward(out);
      out = consumed(out, this.conv2.forward(out));
      out = consumed(out, this.bn2.forward(out));
      out = this.relu.forward(out);
      out = consumed(out, this.conv3.forward(out));
      out = consumed(out, this.bn3.forward(out));
      return this.relu.forward(addIdentity_(out, x, this.downsample));
    });
  }
}

type BlockClass = (typeof BasicBlock | typeof Bottleneck) & { expansion: number };

export interface ResNetOptions {
  /** Size of the classifier `fc`; 0 leaves out `fc` (forward then returns pooled features). Default 1000. */
  numClasses?: number;
  /**
   * Scales every width: stem and stages get round(64·m), round(128·m), round(256·m), round(512·m)
   * channels (×4 after Bottleneck blocks). 0.5 gives a 32/64/128/256 ResNet-18 for CPU work.
   * Default 1 (torchvision's shapes, so its checkpoints load).
   */
  widthMultiplier?: number;
  /** Input channels of conv1. Default 3. */
  inChannels?: number;
  /**
   * Output stride of features(): 32 (default), 16 (stage 4 dilated) or 8 (stages 3 and 4
   * dilated). Shorthand for replaceStrideWithDilation [f, f, t] / [f, t, t].
   */
  outputStride?: 8 | 16 | 32;
  /**
   * torchvision's replace_stride_with_dilation for stages 2, 3, 4: the stage keeps stride 1 and
   * multiplies the dilation by 2 instead, so maps stay larger with the same receptive field
   * and the same parameters. In a dilated stage the first block's strided 3×3 conv keeps the
   * previous dilation and every later 3×3 conv uses the new one (torchvision's rule for
   * Bottleneck, applied to BasicBlock's two convs the same way, as timm does).
   */
  replaceStrideWithDilation?: [boolean, boolean, boolean];
  /** Zero the γ of each block's last BN so blocks start as identities. Default false. */
  zeroInitResidual?: boolean;
  /** ResNeXt groups (Bottleneck only). Default 1. */
  groups?: number;
  /** Channels per group at 64 planes (Bottleneck only). Default 64. */
  widthPerGroup?: number;
}

/**
 * ResNet (He et al. 2016) as torchvision builds it: conv1 (7×7/2), bn1, relu, maxpool (3×3/2),
 * layer1..layer4, avgpool, fc; weights initialised as torchvision (Kaiming normal fan_out for
 * convs, BN γ=1 β=0, PyTorch default for fc).
 * `features(x)` gives the last maps (output stride 32, or 16/8 with dilation) for fully
 * convolutional use; `forward(x)` gives class scores.
 * @example const net = resnet18({ widthMultiplier: 0.5, numClasses: 10, outputStride: 16 });
 */
export class ResNet extends Module {
  declare conv1: Conv2d;
  declare bn1: BatchNorm2d;
  declare relu: ReLU;
  declare maxpool: MaxPool2d;
  declare layer1: Sequential;
  declare layer2: Sequential;
  declare layer3: Sequential;
  declare layer4: Sequential;
  declare avgpool: AdaptiveAvgPool2d;
  declare fc: Linear | null;
  /** Channels of features(x) (512·expansion·widthMultiplier). */
  readonly outChannels: number;
  /** Input pixels per feature-map cell along each axis: 32, 16 or 8. */
  readonly outputStride: number;
  readonly numClasses: number;
  #inplanes: number;
  #dilation = 1;

  constructor(block: BlockClass, layers: [number, number, number, number], opts: ResNetOptions = {}) {
    super();
    const m = opts.widthMultiplier ?? 1;
    if (!(m > 0)) throw new RangeError(`ResNet: widthMultiplier must be positive, got ${m}`);
    const numClasses = opts.numClasses ?? 1000;
    if (!Number.isInteger(numClasses) || numClasses < 0) throw new RangeError(`ResNet: numClasses must be a non-negative integer, got ${numClasses}`);
    const rswd = replacement(opts);
    const groups = opts.groups ?? 1;
    const baseWidth = opts.widthPerGroup ?? 64;
    const width = (c: number): number => Math.max(1, Math.round(c * m));
    const stem = width(64);
    this.#inplanes = stem;
    this.numClasses = numClasses;
    this.registerModule('conv1', new Conv2d(opts.inChannels ?? 3, stem, 7, { stride: 2, padding: 3, bias: false }));
    this.registerModule('bn1', new BatchNorm2d(stem));
    this.registerModule('relu', new ReLU({ inplace: true }));
    this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    const stage = (planes: number, blocks: number, stride: number, dilate: boolean): Sequential => this.#makeLayer(block, planes, blocks, stride, dilate, groups, baseWidth);
    this.registerModule('layer1', stage(width(64), layers[0], 1, false));
    this.registerModule('layer2', stage(width(128), layers[1], 2, rswd[0]));
    this.registerModule('layer3', stage(width(256), layers[2], 2, rswd[1]));
    this.registerModule('layer4', stage(width(512), layers[3], 2, rswd[2]));
    this.registerModule('avgpool', new AdaptiveAvgPool2d([1, 1]));
    this.outChannels = width(512) * block.expansion;
    this.outputStride = 32 / rswd.reduce((f, d) => (d ? f * 2 : f), 1);
    this.registerModule('fc', numClasses > 0 ? new Linear(this.outChannels, numClasses) : null);

    for (const mod of this.modules()) {
      if (mod instanceof Conv2d) kaimingNormal_(mod.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      else if (mod instanceof BatchNorm2d) {
        if (mod.weight) constant_(mod.weight, 1);
        if (mod.bias) constant_(mod.bias, 0);
      }
    }
    if (opts.zeroInitResidual) {
      for (const mod of this.modules()) {
        if (mod instanceof BasicBlock || mod instanceof Bottleneck) constant_(mod.lastBn.weight!, 0);
      }
    }
  }

  #makeLayer(block: BlockClass, planes: number, blocks: number, stride: number, dilate: boolean, groups: number, baseWidth: number): Sequential {
    const previousDilation = this.#dilation;
    if (dilate) {
      this.#dilation *= stride;
      stride = 1;
    }
    const outC = planes * block.expansion;
    let downsample: Sequential | null = null;
    if (stride !== 1 || this.#inplanes !== outC) downsample = new Sequential(conv1x1(this.#inplanes, outC, stride), new BatchNorm2d(outC));
    const layer = new Sequential(
      new block(this.#inplanes, planes, { stride, downsample, firstDilation: previousDilation, dilation: this.#dilation, groups, baseWidth }),
    );
    this.#inplanes = outC;
    for (let i = 1; i < blocks; i++) layer.append(new block(this.#inplanes, planes, { dilation: this.#dilation, groups, baseWidth }));
    return layer;
  }

  /**
   * The last feature maps [N, outChannels, ⌈H/s⌉, ⌈W/s⌉] with s = outputStride (224 px gives
   * 7×7 at 32, 14×14 at 16, 28×28 at 8).
   */
  features(x: Tensor): Tensor {
    return tidy(() => {
      let y = this.maxpool.forward(this.#stem(x));
      y = this.layer1.forward(y);
      y = this.layer2.forward(y);
      y = this.layer3.forward(y);
      return this.layer4.forward(y);
    });
  }

  #stemFusion = new FusionCache();

  /** relu(bn1(conv1(x))), fused when evaluating with fused inference on. */
  #stem(x: Tensor): Tensor {
    if (fusedInferenceActive(this)) {
      const { conv1, bn1 } = this;
      const fused = this.#stemFusion.get([conv1, bn1], () => (FusedConvBn.supports(conv1, bn1) ? { main: [new FusedConvBn(conv1, bn1, 'relu')], shortcut: null } : null));
      if (fused) return fused.main[0]!.forward(x);
    }
    return this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
  }

  protected override releaseDerived(): void {
    this.#stemFusion.release();
  }

  /** Class scores [N, numClasses] (global average pooling, fc); [N, outChannels] without fc. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const pooled = this.avgpool.forward(this.features(x)).flatten(1);
      return this.fc ? this.fc.forward(pooled) : pooled;
    });
  }
}

function replacement(opts: ResNetOptions): [boolean, boolean, boolean] {
  if (opts.replaceStrideWithDilation !== undefined) {
    const r = opts.replaceStrideWithDilation;
    if (!Array.isArray(r) || r.length !== 3) throw new TypeError('ResNet: replaceStrideWithDilation must be three booleans (stages 2, 3, 4)');
    if (opts.outputStride !== undefined) {
      const implied = 32 / r.reduce((f, d) => (d ? f * 2 : f), 1);
      if (implied !== opts.outputStride) throw new RangeError(`ResNet: outputStride ${opts.outputStride} contradicts replaceStrideWithDilation [${r.join(', ')}] (output stride ${implied})`);
    }
    return [r[0], r[1], r[2]];
  }
  switch (opts.outputStride ?? 32) {
    case 32: return [false, false, false];
    case 16: return [false, false, true];
    case 8: return [false, true, true];
    default: throw new RangeError(`ResNet: outputStride must be 8, 16 or 32, got ${String(opts.outputStride)}`);
  }
}

/** ResNet-18: BasicBlock [2, 2, 2, 2], 11,689,512 parameters at 1000 classes. */
export function resnet18(opts: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [2, 2, 2, 2], opts);
}

/** ResNet-34: BasicBlock [3, 4, 6, 3], 21,797,672 parameters. */
export function resnet34(opts: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [3, 4, 6, 3], opts);
}

/** ResNet-50: Bottleneck [3, 4, 6, 3], 25,557,032 parameters. */
export function resnet50(opts: ResNetOptions = {}): ResNet {
  return new ResNet(Bottleneck, [3, 4, 6, 3], opts);
}

/** ResNet-101: Bottleneck [3, 4, 23, 3], 44,549,160 parameters. */
export function resnet101(opts: ResNetOptions = {}): ResNet {
  return new ResNet(Bottleneck, [3, 4, 23, 3], opts);
}

/** ResNet-152: Bottleneck [3, 8, 36, 3], 60,192,808 parameters. */
export function resnet152(opts: ResNetOptions = {}): ResNet {
  return new ResNet(Bottleneck, [3, 8, 36, 3], opts);
}

/** The ResNet of a given depth (18, 34, 50, 101 or 152). */
export function resnet(depth: 18 | 34 | 50 | 101 | 152, opts: ResNetOptions = {}): ResNet {
  switch (depth) {
    case 18: return resnet18(opts);
    case 34: return resnet34(opts);
    case 50: return resnet50(opts);
    case 101: return resnet101(opts);
    case 152: return resnet152(opts);
    default: throw new RangeError(`resnet: depth must be 18, 34, 50, 101 or 152, got ${String(depth)}`);
  }
}
