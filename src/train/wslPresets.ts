// The papers' training settings by name (`wildcat train --preset NAME`): each preset lists only
// what it changes on top of defaultWslConfig(), with the paper, table or section every value comes
// from. `fashionvoc` changes nothing: it is the defaults, read from their one definition.
import type { BackboneSpec, WildcatNetSpec } from '../wsl/buildWildcatNet.js';
import { describeSpatialPooling } from '../wsl/spatialPooling.js';
import { defaultWslConfig, type WslTrainConfig } from './wslConfig.js';

/** What a preset may set: any training field, and any part of the model spec. */
export type WslPresetSettings = Partial<Omit<WslTrainConfig, 'model' | 'preset'>> & {
  model?: Partial<Omit<WildcatNetSpec, 'backbone'>> & { backbone?: Partial<BackboneSpec> };
};

export interface WslPreset {
  name: string;
  /** One line: the paper setting it reproduces. */
  summary: string;
  settings: WslPresetSettings;
  /** Where the values come from, by field name (`imageSize`, `model.maps`, …). */
  sources: Readonly<Record<string, string>>;
}

// The optimizer and schedule of the WILDCAT authors' code (wildcat.pytorch demo commands:
// `--lr 0.01 --lrp 0.1 --epochs 20 --batch-size 16`, SGD momentum 0.9, weight decay 1e-4, no lr
// decay, warped square images with random flips): the CVPR 2017 paper says only "SGD with momentum".
const WILDCAT_CODE_OPTIMIZER: WslPresetSettings = {
  epochs: 20, batchSize: 16, lr: 0.01, backboneLrScale: 0.1, momentum: 0.9, weightDecay: 1e-4,
  warmupEpochs: 0, lrSchedule: 'constant', flip: true,
};
const WILDCAT_CODE = 'WILDCAT code (wildcat.pytorch demo: lr 0.01, lrp 0.1, 20 epochs, batch 16, momentum 0.9, wd 1e-4, no decay)';
const RESNET101: WslPresetSettings['model'] = { backbone: { depth: 101, widthMultiplier: 1, outputStride: 32 } };
const RESNET101_SOURCE = 'CVPR 2017 §3.1 (FCN ResNet-101, conv5 at W/32)';

/** The presets, in the order the README lists them. */
export const WSL_PRESETS: readonly WslPreset[] = Object.freeze<WslPreset[]>([
  {
    name: 'voc07-wildcat',
    summary: 'WILDCAT on PASCAL VOC 2007 (CVPR 2017 §4): ResNet-101, 448 px, M = 8, k⁺ = k⁻ = 0.2, α = 0.7',
    settings: {
      ...WILDCAT_CODE_OPTIMIZER, trainSplit: 'trainval', valSplit: 'test', imageSize: 448, loss: 'logistic',
      model: { ...RESNET101, maps: 8, classWise: 'mean', architecture: 'maps', pooling: { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7, halve: true } },
    },
    sources: {
      'model.backbone': RESNET101_SOURCE, imageSize: 'CVPR 2017 §4.2 (448 × 448)', 'model.maps': 'CVPR 2017 Table 6 (best M on VOC 2007) and the code\'s demo (--maps 8)',
      'model.pooling': 'CVPR 2017 §4.1 (α = 0.7), the code\'s demo (--k 0.2), WildcatPool2d (halved)', loss: 'CVPR 2017 §3.4 / the code (MultiLabelSoftMarginLoss)',
      optimizer: WILDCAT_CODE, splits: 'VOC 2007 protocol: trainval / test',
    },
  },
  {
    name: 'voc12-seg-weldon',
    summary: 'ResNet-WELDON for VOC 2012 segmentation (TPAMI 2019 §6.5): 448 px, k⁺ = k⁻ = 50 regions',
    settings: {
      ...WILDCAT_CODE_OPTIMIZER, trainSplit: 'train', valSplit: 'val', imageSize: 448, loss: 'logistic',
      model: { ...RESNET101, maps: 1, classWise: 'mean', architecture: 'maps', pooling: { kind: 'wildcat', kmax: 50, kmin: 50, alpha: 1, halve: true } },
    },
    sources: {
      'model.backbone': 'TPAMI 2019 §4.1 (ResNet-101)', imageSize: 'TPAMI 2019 §6.5 (448 × 448)', 'model.pooling': 'TPAMI 2019 §6.5 (k⁺ = k⁻ = 50), eq. 11 (WELDON, halved)',
      'model.maps': 'TPAMI 2019 §4.2 (one map per class)', loss: 'TPAMI 2019 §5.1.1 (multi-label logistic)',
      optimizer: `TPAMI 2019 §5.2 says SGD with momentum only; ${WILDCAT_CODE}`, splits: 'TPAMI 2019 §6.5: train (with SBD, 10,582 images) / val',
    },
  },
  {
    name: 'coco-wildcat',
    summary: 'WILDCAT on MS COCO (CVPR 2017 §4, Table 4): ResNet-101, 448 px, M = 4, k⁺ = k⁻ = 0.2, α = 0.7',
    settings: {
      ...WILDCAT_CODE_OPTIMIZER, trainSplit: 'train2014', valSplit: 'val2014', imageSize: 448, loss: 'logistic',
      model: { ...RESNET101, maps: 4, classWise: 'mean', architecture: 'maps', pooling: { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7, halve: true } },
    },
    sources: {
      'model.backbone': RESNET101_SOURCE, imageSize: 'CVPR 2017 §4.2 (448 × 448)', 'model.maps': 'CVPR 2017 §4.1 ("fixed at M = 4 and α = 0.7")',
      'model.pooling': 'CVPR 2017 §4.1 (α = 0.7), the code\'s k = 0.2 (halved)', loss: 'CVPR 2017 §3.4 (multi-label)',
      optimizer: WILDCAT_CODE, splits: 'Oquab et al. 2015 protocol (CVPR 2017 §4): train2014 / val2014',
    },
  },
  {
    name: 'mit67-wildcat',
    summary: 'WILDCAT on MIT67 scenes (CVPR 2017 §4, Table 3): multi-class softmax, M = 8, k⁺ = k⁻ = 0.4',
    settings: {
      ...WILDCAT_CODE_OPTIMIZER, lr: 0.001, trainSplit: 'train', valSplit: 'test', imageSize: 448, loss: 'softmax',
      model: { ...RESNET101, maps: 8, classWise: 'mean', architecture: 'maps', pooling: { kind: 'wildcat', kmax: 0.4, kmin: 0.4, alpha: 0.7, halve: true } },
    },
    sources: {
      'model.backbone': RESNET101_SOURCE, imageSize: 'CVPR 2017 §4.2 (448 × 448)', 'model.maps': 'the code\'s MIT67 demo (--maps 8; CVPR 2017 Table 6: M = 12 best)',
      'model.pooling': 'the code\'s MIT67 demo (--k 0.4), CVPR 2017 §4.1 (α = 0.7), halved', loss: 'TPAMI 2019 §5.1.1 / the code (CrossEntropyLoss): multi-class',
      optimizer: `${WILDCAT_CODE}; lr 0.001 (the MIT67 demo)`, splits: 'MIT67 protocol: train / test (80 + 20 images per class)',
    },
  },
  {
    name: 'oquab-max',
    summary: 'Oquab et al. CVPR 2015: global max pooling, frozen features, multi-scale training 0.7–1.4 and test 0.5–2.8',
    settings: {
      imageSize: 500, loss: 'logistic', lr: 0.001, momentum: 0.9, batchSize: 16, warmupEpochs: 0, lrSchedule: 'constant',
      freezeBackbone: true, trainScales: [0.7, 1.4], testScales: [0.5, 0.7, 1, 1.4, 2, 2.8],
      model: { ...RESNET101, maps: 1, classWise: 'mean', architecture: 'maps', pooling: { kind: 'max' } },
    },
    sources: {
      'model.pooling': 'Oquab §3 (global max pooling)', imageSize: 'Oquab §4 (largest side 500 px)', trainScales: 'Oquab §4 (s uniform in [0.7, 1.4] per batch of 16)',
      testScales: 'Oquab §4 (s ∈ {0.5, 0.7, 1, 1.4, 2.0, 2.8}, scores averaged)', freezeBackbone: 'Oquab §4 (C1–C7 pre-trained and kept fixed; only Ca, Cb learn)',
      loss: 'Oquab §3 eq. 1 (sum of K binary logistic losses)', optimizer: 'Oquab §5 (SGD, lr 0.001, momentum 0.9); no schedule given: constant',
      'model.backbone': 'the paper\'s network (Overfeat-like, C1–C7) is not available: ResNet-101 as the other presets',
      epochs: 'not given: the default',
    },
  },
  {
    name: 'pinheiro-lse',
    summary: 'Pinheiro & Collobert CVPR 2015: LSE pooling (r = 5), softmax, frozen features, 400 px',
    settings: {
      imageSize: 400, loss: 'softmax', lr: 0.001, momentum: 0.9, weightDecay: 5e-5, batchSize: 16, warmupEpochs: 0, lrSchedule: 'constant',
      freezeBackbone: true,
      model: { ...RESNET101, maps: 1, classWise: 'mean', architecture: 'maps', pooling: { kind: 'lse', r: 5 } },
    },
    sources: {
      'model.pooling': 'Pinheiro §3.1 eq. 6, §4.2 (r = 5)', loss: 'Pinheiro §3.1, §4.2 (softmax over the classes)', imageSize: 'Pinheiro §4.2 (400 × 400 input)',
      freezeBackbone: 'Pinheiro §4.2 (Overfeat layers "frozen")', optimizer: 'Pinheiro §4.2 (lr 0.001, batch 16, momentum 0.9, wd 5e-5; its ×0.8 per 5M examples is longer than any run here: constant)',
      'model.backbone': 'the paper\'s Overfeat is not available: ResNet-101 as the other presets',
      epochs: 'not given (about a week on a GPU): the default',
    },
  },
  {
    name: 'fashionvoc',
    summary: 'the defaults: the embedded Fashion-MNIST scenes on a CPU (half-width ResNet-18, 192 px, WILDCAT M = 1)',
    settings: {},
    sources: { all: 'defaultWslConfig() (src/train/wslConfig.ts) and the wsl defaults; see the train options table' },
  },
]);

/** Preset names, for usage texts and errors. */
export const WSL_PRESET_NAMES: readonly string[] = Object.freeze(WSL_PRESETS.map((p) => p.name));

/** The preset called `name`; the error lists the names. */
export function wslPreset(name: string): WslPreset {
  const p = WSL_PRESETS.find((x) => x.name === name);
  if (!p) throw new RangeError(`unknown preset '${name}'; expected one of ${WSL_PRESET_NAMES.join(', ')}`);
  return p;
}

/**
 * The full training config of preset `name`: defaultWslConfig() with the preset's settings on
 * top (model parts merged field by field) and `preset` recorded.
 * @example resolveWslPreset('voc07-wildcat').model.maps // 8
 */
export function resolveWslPreset(name: string): WslTrainConfig {
  const p = wslPreset(name);
  const d = defaultWslConfig();
  const { model, ...rest } = p.settings;
  return {
    ...d,
    ...rest,
    model: { ...d.model, ...model, backbone: { ...d.model.backbone, ...model?.backbone } },
    preset: p.name,
  };
}

/**
 * The README's presets table (markdown): one column per preset, one row per setting, then where
 * each preset's values come from. The README carries this text verbatim (a test compares them).
 */
export function presetsMarkdown(): string {
  const configs = WSL_PRESETS.map((p) => resolveWslPreset(p.name));
  const row = (label: string, cell: (c: WslTrainConfig) => string): string => `| ${label} | ${configs.map(cell).join(' | ')} |`;
  const lines = [
    `| setting | ${WSL_PRESETS.map((p) => `\`${p.name}\``).join(' | ')} |`,
    `|---|${WSL_PRESETS.map(() => '---').join('|')}|`,
    row('backbone', (c) => `ResNet-${c.model.backbone.depth} ×${c.model.backbone.widthMultiplier}, stride ${c.model.backbone.outputStride}`),
    row('image size', (c) => `${c.imageSize}`),
    row('pooling', (c) => describeSpatialPooling(c.model.pooling)),
    row('M (maps per class)', (c) => `${c.model.maps}`),
    row('loss', (c) => c.loss),
    row('epochs, batch', (c) => `${c.epochs === 0 ? 'auto' : c.epochs}, ${c.batchSize}`),
    row('lr (backbone ×)', (c) => `${c.lr} (×${c.backboneLrScale})`),
    row('momentum, weight decay', (c) => `${c.momentum}, ${c.weightDecay}`),
    row('warm-up, schedule', (c) => `${c.warmupEpochs}, ${c.lrSchedule}`),
    row('frozen backbone', (c) => (c.freezeBackbone ? 'yes' : 'no')),
    row('train scales', (c) => (c.trainScales ? c.trainScales.join('–') : '—')),
    row('test scales', (c) => (c.testScales ? c.testScales.join(', ') : '—')),
    row('splits (train / val)', (c) => `${c.trainSplit} / ${c.valSplit}`),
    '',
    'Where the values come from:',
    '',
    ...WSL_PRESETS.map((p) => `- \`${p.name}\` — ${p.summary}. ${Object.entries(p.sources).map(([k, v]) => `${k}: ${v}`).join('; ')}.`),
  ];
  return lines.join('\n');
}
