import { defaultMantraConfig, trainMantra } from '../../train/mantraTrainer.js';
import { openDataset } from '../../train/datasetSpec.js';
import { checkRunFolder } from '../../train/wslTrainer.js';
import { parse, str, num, threadsFlag, optStr, flag, choice, UsageError, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { ensurePretrained } from '../pretrainedCache.js';

const D = defaultMantraConfig();

export const MANTRA_USAGE = `
wildcat mantra --data voc:DIR --out RUN [--backbone-weights auto|FILE] [options]

MANTRA (Durand et al., ICCV 2015): a latent structural SVM over the cells of a frozen backbone's
feature map. Class y scores w_y·(x_h+ + x_h-), h+ / h- its highest / lowest scoring cell; the
features are computed once, then a stochastic subgradient solver (step 1/(lambda (t+1))) learns
the w_y. The run folder evaluates like any run (wildcat eval / predict / report --run RUN).

  --data SPEC            as wildcat train (voc:, coco:, csv:, folder:)
  --train-split NAME     default ${D.trainSplit}
  --val-split NAME       default ${D.valSplit} (the best epoch by mAP is kept)
  --out RUN              run folder
  --backbone-weights P   auto (the cached Fashion-MNIST pre-training of the backbone below) or a
                         weight file (default auto)
  --backbone NAME --width X --stride N --image-size N   default resnet${D.backbone.depth}, ${D.backbone.widthMultiplier}, ${D.backbone.outputStride}, ${D.imageSize}
  --variant V            multilabel (one binary SVM per class, hinge) | multiclass (0/1 loss) |
                         ap (AP ranking over each batch) (default ${D.variant})
  --lambda L             regularization (default ${D.lambda})
  --epochs N             default ${D.epochs}
  --batch-size N         images per subgradient step (default ${D.batchSize})
  --average              keep the weighted average of the iterates
  --seed N               default ${D.seed}
${ENGINE_USAGE}
`;

export async function mantraCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    data: { type: 'string' }, 'train-split': { type: 'string' }, 'val-split': { type: 'string' }, out: { type: 'string' },
    'backbone-weights': { type: 'string' }, backbone: { type: 'string' }, width: { type: 'string' }, stride: { type: 'string' },
    'image-size': { type: 'string' }, variant: { type: 'string' }, lambda: { type: 'string' }, epochs: { type: 'string' },
    'batch-size': { type: 'string' }, average: { type: 'boolean' }, seed: { type: 'string' }, ...ENGINE_OPTIONS,
  }, MANTRA_USAGE);
  if (!optStr(p, 'data')) throw new UsageError('--data is required (e.g. --data voc:scenes)');
  const out = str(p, 'out');
  const depth = Number(choice(p, 'backbone', ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'] as const, `resnet${D.backbone.depth}`).slice(6)) as 18;
  const stride = Number(choice(p, 'stride', ['32', '16', '8'] as const, `${D.backbone.outputStride}`)) as 16;
  const config = {
    ...D,
    data: str(p, 'data'),
    trainSplit: str(p, 'train-split', D.trainSplit),
    valSplit: str(p, 'val-split', D.valSplit),
    backbone: { depth, widthMultiplier: num(p, 'width', D.backbone.widthMultiplier, { min: 0.05 }), outputStride: stride },
    imageSize: num(p, 'image-size', D.imageSize, { int: true, min: 32 }),
    variant: choice(p, 'variant', ['multilabel', 'multiclass', 'ap'] as const, D.variant),
    lambda: num(p, 'lambda', D.lambda, { min: Number.MIN_VALUE }),
    epochs: num(p, 'epochs', D.epochs, { int: true, min: 1 }),
    batchSize: num(p, 'batch-size', D.batchSize, { int: true, min: 1 }),
    average: flag(p, 'average'),
    seed: num(p, 'seed', D.seed, { int: true, min: 0 }),
    threads: threadsFlag(p, D.threads),
  };
  engineFlags(p, config.threads);
  checkRunFolder(out, false);
  await openDataset(config.data, config.trainSplit);
  const w = optStr(p, 'backbone-weights') ?? 'auto';
  if (w === 'none') throw new UsageError('--backbone-weights none: MANTRA needs a trained backbone (its features are fixed)');
  config.backboneWeights = w === 'auto' ? await ensurePretrained(config.backbone, { threads: config.threads }) : w;
  const r = await trainMantra(config, { out });
  console.log(`best val mAP ${(100 * r.bestMAP).toFixed(2)} (epoch ${r.bestEpoch}); features ${r.featureSeconds.toFixed(0)} s, solver ${r.solverSeconds.toFixed(0)} s; run in ${r.out}`);
}
