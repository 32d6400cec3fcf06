import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeVocScenes } from '../../data/index.js';
import { writeFileAtomic } from '../../io/index.js';
import { autoEpochs, defaultWslConfig, type WslTrainConfig } from '../../train/wslConfig.js';
import { defaultPretrainConfig } from '../../train/pretrain.js';
import { trainWsl, RUN_FILES } from '../../train/wslTrainer.js';
import { parseSpatialPooling } from '../../wsl/spatialPooling.js';
import { parse, num, flag, str, threadsFlag, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { cacheDir } from '../paths.js';
import { ensurePretrained } from '../pretrainedCache.js';
import { SCENE_DEFAULTS } from './data.js';
import { evaluateRun, metricsTable, segmentationTable } from './evaluate.js';
import { meanIoUHeaders, meanIoUs } from './ablate.js';
import { tuneRunThresholds } from '../../train/runSegmentation.js';
import { SMOOTHINGS } from '../../segment/index.js';
import { formatTable, pct } from '../table.js';
import { withInterrupt } from '../interrupt.js';
import type { WslMetrics } from '../../train/evaluatePredictions.js';

/**
 * The demo's own budget, shorter than `wildcat train`'s defaults so that `make demo` on a fresh
 * clone (set-up, scenes, pre-training, two trainings, evaluation) stays under 15 minutes on
 * 2 cores. Everything else is the defaults.
 */
export const DEMO_SETTINGS = Object.freeze({ pretrainSteps: 1200, epochs: 8 });

export const DEMO_USAGE = `
wildcat demo [--out runs/demo] [--epochs ${DEMO_SETTINGS.epochs}] [--pretrain-steps ${DEMO_SETTINGS.pretrainSteps}] [--no-baseline] [--threads N|auto]
             [--memory-format F] [--inference MODE]

The main job on the embedded data: writes Fashion-MNIST scenes in the VOC layout (cached),
pre-trains the backbone on single items (cached), trains WILDCAT from image-level labels,
trains global max pooling with the same budget as the baseline, tunes each run's segmentation
background thresholds on the validation scenes, and prints classification mAP, pointwise
localization mAP and segmentation mIoU on the test scenes.

To fit 15 minutes on 2 cores the demo trains shorter than \`wildcat train\`'s defaults:
${DEMO_SETTINGS.pretrainSteps} pre-training steps (default ${defaultPretrainConfig().steps}) and ${DEMO_SETTINGS.epochs} epochs (default auto: ${autoEpochs(1200, defaultWslConfig().batchSize)} for
the 1,200 training scenes); the README gives both budgets' figures.

${ENGINE_USAGE}
`;

export async function demoCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    out: { type: 'string' }, epochs: { type: 'string' }, 'pretrain-steps': { type: 'string' }, 'no-baseline': { type: 'boolean' }, ...ENGINE_OPTIONS,
  }, DEMO_USAGE);
  const t0 = Date.now();
  const say = (m: string): void => console.error(m);
  const threads = threadsFlag(p);
  engineFlags(p, threads);
  const out = str(p, 'out', 'runs/demo');

  // 1. Scenes (deterministic, so a cached copy is the same data).
  const scenesDir = join(cacheDir(), `scenes-${SCENE_DEFAULTS.seed}-${SCENE_DEFAULTS.train}-${SCENE_DEFAULTS.val}-${SCENE_DEFAULTS.test}-${SCENE_DEFAULTS.size}`);
  if (!existsSync(join(scenesDir, 'VOC2007', 'ImageSets'))) {
    say(`writing scenes to ${scenesDir}`);
    const r = await writeVocScenes({ out: scenesDir, counts: SCENE_DEFAULTS, size: SCENE_DEFAULTS.size, seed: SCENE_DEFAULTS.seed, overwrite: true });
    say(`${r.ids.train.length} train / ${r.ids.val.length} val / ${r.ids.test.length} test scenes, ${r.objects} objects (${r.seconds.toFixed(1)} s)`);
  } else say(`scenes (cached): ${scenesDir}`);
  const data = `voc:${scenesDir}`;

  // 2. Backbone pre-training (cached), with the demo's shorter budget.
  const base = defaultWslConfig();
  base.data = data;
  base.threads = threads;
  base.epochs = num(p, 'epochs', DEMO_SETTINGS.epochs, { int: true, min: 1 });
  const pretrainSteps = num(p, 'pretrain-steps', DEMO_SETTINGS.pretrainSteps, { int: true, min: defaultPretrainConfig().warmupSteps + 1 });
  say(`demo budget (shorter than \`wildcat train\`'s defaults, to fit 15 minutes on 2 cores): ${pretrainSteps} pre-training steps ` +
    `(default ${defaultPretrainConfig().steps}), ${base.epochs} epochs (default auto: ${autoEpochs(SCENE_DEFAULTS.train, base.batchSize)} for ${SCENE_DEFAULTS.train} scenes)`);
  base.backboneWeights = await ensurePretrained(base.model.backbone, { threads, steps: pretrainSteps }, say);

  // 3. WILDCAT, and the max-pooling baseline with the same budget.
  const runs: Array<{ name: string; config: WslTrainConfig }> = [{ name: 'wildcat', config: base }];
  if (!flag(p, 'no-baseline')) runs.push({ name: 'max', config: { ...base, model: { ...base.model, maps: 1, pooling: parseSpatialPooling('max') } } });
  const results: Array<{ name: string; metrics: WslMetrics; imagesPerSecond: number; seconds: number }> = [];
  for (const r of runs) {
    const dir = join(out, r.name);
    if (existsSync(join(dir, RUN_FILES.config))) rmSync(dir, { recursive: true, force: true });
    say(`\n== training ${r.name} (${r.config.epochs} epochs) → ${dir}`);
    const res = await withInterrupt((signal) => trainWsl(r.config, { out: dir, signal }));
    if (res.interrupted) return;
    await tuneRunThresholds(dir, {});
    const metrics = await evaluateRun(dir, data, 'test');
    results.push({ name: r.name, metrics, imagesPerSecond: res.imagesPerSecond, seconds: res.seconds });
    if (r.name === 'wildcat') console.log(`\nWILDCAT on the test scenes (${dir}):\n${metricsTable(metrics)}\n\n${segmentationTable(metrics)}`);
  }
  console.log('\n' + formatTable(
    ['model', 'test mAP (cls)', 'test mAP (loc)', ...meanIoUHeaders(), 'train img/s', 'train s'],
    results.map((r) => [r.name, pct(r.metrics.mAP), pct(r.metrics.locMAP), ...SMOOTHINGS.map((s) => pct(meanIoUs(r.metrics)[s] ?? NaN)), r.imagesPerSecond, r.seconds]),
  ));
  const summary = {
    seconds: (Date.now() - t0) / 1000, scenes: scenesDir, pretrainSteps, epochs: base.epochs,
    results: results.map((r) => ({ name: r.name, mAP: r.metrics.mAP, locMAP: r.metrics.locMAP, mIoU: meanIoUs(r.metrics), imagesPerSecond: r.imagesPerSecond, trainSeconds: r.seconds })),
  };
  writeFileAtomic(join(out, 'demo.json'), JSON.stringify(summary, null, 2) + '\n');
  console.log(`\ndemo budget: ${pretrainSteps} pre-training steps and ${base.epochs} epochs, shorter than \`wildcat train\`'s defaults ` +
    `(${defaultPretrainConfig().steps} steps, ${autoEpochs(SCENE_DEFAULTS.train, base.batchSize)} epochs here), which score higher: see the README`);
  console.log(`demo finished in ${(summary.seconds / 60).toFixed(1)} min; runs and demo.json in ${out}`);
}
