import { join } from 'node:path';
import { setNumThreads } from '../../core/index.js';
import { DEFAULT_THRESHOLD_STEPS, SEGMENTATION_FILE, describeEvidenceKey } from '../../segment/index.js';
import { tuneRunThresholds } from '../../train/runSegmentation.js';
import { Progress } from '../../train/progress.js';
import { checkpointFlag, num, optStr, parse, str, threadsFlag, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { SEGMENTATION_OPTIONS, SEGMENTATION_USAGE, segmentationSettingsFromFlags } from '../segmentationOptions.js';
import { DATASET_READ_OPTIONS, DATASET_READ_USAGE, datasetReadFromFlags } from '../datasetReadFlags.js';
import { formatTable, pct } from '../table.js';

export const TUNE_SEGMENTATION_USAGE = `
wildcat tune-segmentation --run RUN [--data voc:DIR] [--split SPLIT] [--checkpoint best|last]
                          [--steps N] [--threads N|auto] [--memory-format F] [--inference fused|plain]
                          [class-map and segmentation options]

Chooses the background thresholds by segmentation mIoU on a split with SegmentationClass masks
(Pinheiro & Collobert 2015: per-class thresholds delta_k by grid search): the best single delta
and the best per-class delta_k (coordinate ascent from it) on the grid 0, 1/N, ..., (N-1)/N
(--steps N, default ${DEFAULT_THRESHOLD_STEPS}). Writes them into RUN/${SEGMENTATION_FILE} for these class-map,
--map-norm and --prior settings and this checkpoint (other settings keep their own tuning);
\`predict\`, \`eval\` and \`report\` with --threshold tuned (the default) then use them.
--data and --split default to the run's training data and validation split. The smoothing
options do not affect the tuning.

${ENGINE_USAGE}
${SEGMENTATION_USAGE}
${DATASET_READ_USAGE}
                         (default: as the run was trained)`;

export async function tuneSegmentationCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    run: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, checkpoint: { type: 'string' },
    steps: { type: 'string' }, ...ENGINE_OPTIONS, ...SEGMENTATION_OPTIONS, ...DATASET_READ_OPTIONS,
  }, TUNE_SEGMENTATION_USAGE);
  const threads = threadsFlag(p);
  setNumThreads(threads);
  engineFlags(p, threads);
  const run = str(p, 'run');
  const split = optStr(p, 'split');
  const which = checkpointFlag(p);
  const steps = num(p, 'steps', DEFAULT_THRESHOLD_STEPS, { int: true, min: 2, max: 10000 });
  const settings = segmentationSettingsFromFlags(p);
  const progress = new Progress();
  const r = await tuneRunThresholds(run, {
    data: optStr(p, 'data'), split, checkpoint: which, settings, steps, read: datasetReadFromFlags(p),
    onProgress: (d, t) => progress.update({ label: `tune ${split ?? 'val'}`, done: d, total: t }),
  });
  progress.end();
  const { tuning } = r;
  const rows: (string | number)[][] = ['background', ...tuning.classNames].map((name, l) => [
    name, l === 0 ? '' : tuning.perClass.thresholds[l - 1]!.toFixed(2), pct(r.untuned.perClassIoU[l]!), pct(r.global.perClassIoU[l]!), pct(r.perClass.perClassIoU[l]!),
  ]);
  rows.push(['mIoU', '', pct(r.untuned.meanIoU), pct(r.global.meanIoU), pct(r.perClass.meanIoU)]);
  console.log(formatTable(['label', 'δ_k', `IoU δ=${tuning.untuned.threshold}`, `IoU δ=${tuning.global.threshold}`, 'IoU δ_k'], rows));
  console.log(`(${tuning.images} ${tuning.split} images with masks; ${describeEvidenceKey(tuning.key)}; unsmoothed labels)`);
  console.log(`thresholds → ${join(run, SEGMENTATION_FILE)}`);
}
