import { defaultPretrainConfig, pretrainBackbone } from '../../train/pretrain.js';
import { parse, num, choice, optStr, threadsFlag, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { pretrainedPath } from '../pretrainedCache.js';

const D = defaultPretrainConfig();

// Defaults in this text are read from defaultPretrainConfig, their one definition.
export const PRETRAIN_USAGE = `
wildcat pretrain [--out FILE] [--backbone resnet${D.backbone.depth}] [--width ${D.backbone.widthMultiplier}] [--steps ${D.steps}] [--batch-size ${D.batchSize}]
                 [--lr ${D.lr}] [--canvas ${D.canvas}] [--seed ${D.seed}] [--threads N|auto] [--memory-format F] [--inference MODE]

Pre-trains a ResNet with 10-way softmax on single Fashion-MNIST items randomly scaled (${D.minItemSize}-${D.maxItemSize} px)
on ${D.canvasSize}-px synthetic canvases (the ImageNet analogue) and writes its weights as safetensors
(torchvision names). Without --out the file goes to the cache that \`wildcat train\` uses.

--canvas diverse   each canvas draws its own style: flat, gradient, value-noise, item-texture or
                   clutter background, shaded or flat tints, contrast, fragments, blur, noise,
                   JPEG artefacts
--canvas classic   the dark clutter and bright shaded items of the embedded scenes only

${ENGINE_USAGE}
`;

export async function pretrainCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    out: { type: 'string' }, backbone: { type: 'string' }, width: { type: 'string' }, steps: { type: 'string' },
    'batch-size': { type: 'string' }, lr: { type: 'string' }, canvas: { type: 'string' }, seed: { type: 'string' }, ...ENGINE_OPTIONS,
  }, PRETRAIN_USAGE);
  const d = D;
  const backbones = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'] as const;
  const depth = Number(choice(p, 'backbone', backbones, `resnet${d.backbone.depth}`).slice(6)) as typeof d.backbone.depth;
  const config = {
    ...d,
    backbone: { depth, widthMultiplier: num(p, 'width', d.backbone.widthMultiplier, { min: 0.05 }), outputStride: 32 as const },
    steps: num(p, 'steps', d.steps, { int: true, min: 1 }),
    canvas: choice(p, 'canvas', ['diverse', 'classic'] as const, d.canvas),
    batchSize: num(p, 'batch-size', d.batchSize, { int: true, min: 2 }),
    lr: num(p, 'lr', d.lr, { min: 0 }),
    seed: num(p, 'seed', d.seed, { int: true, min: 0 }),
    threads: threadsFlag(p),
  };
  engineFlags(p, config.threads);
  const out = optStr(p, 'out') ?? pretrainedPath(config);
  const r = await pretrainBackbone(config, out);
  console.log(`weights → ${r.path} (single-item test accuracy ${(100 * r.accuracy).toFixed(1)}%, held-out style ${(100 * r.heldOutAccuracy).toFixed(1)}%; ${r.imagesPerSecond.toFixed(0)} img/s)`);
}
