import { join } from 'node:path';
import { setNumThreads } from '../../core/index.js';
import { writeFileAtomic } from '../../io/index.js';
import { DEFAULT_CHECKPOINT, loadRun, type RunCheckpoint } from '../../train/loadRun.js';
import { isScoreCombination } from '../../train/scoreCombination.js';
import { disposeMembers, loadCombination, predictCombination } from '../../train/predictCombination.js';
import { datasetReadOptions, openSplitForInference, type DatasetReadOptions } from '../../train/datasetSpec.js';
import { evaluatePredictions, type WslMetrics } from '../../train/evaluatePredictions.js';
import { evaluateSplit, runSegmentationSettings } from '../../train/runSegmentation.js';
import { Progress } from '../../train/progress.js';
import { SMOOTHINGS, type SegmentationOverrides } from '../../segment/index.js';
import { parse, str, checkpointFlag, optStr, threadsFlag, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { formatTable, pct } from '../table.js';
import { SEGMENTATION_OPTIONS, SEGMENTATION_USAGE, refuseSegmentationOptions, segmentationSettingsFromFlags } from '../segmentationOptions.js';
import { DATASET_READ_OPTIONS, DATASET_READ_USAGE, datasetReadFromFlags } from '../datasetReadFlags.js';

export const EVAL_USAGE = `
wildcat eval --run RUN --data voc:DIR --split SPLIT [--checkpoint best|last] [--out metrics.json] [--threads N|auto] [--memory-format channels-last|contiguous|auto]
             [--inference fused|plain] [segmentation options]

RUN may also be a combination folder (wildcat combine): classification and localization only,
each member at its own image size and scale 1 (segmentation options do not apply).

Classification mAP (VOC 2010+ and VOC 2007 11-point AP, difficult ignored), pointwise
localization mAP (Oquab et al. 2015: the class map's peak must fall in a box of the class,
enlarged by 18 px at VOC scale) and, on the images with a SegmentationClass mask, segmentation
mIoU (background + classes, void ignored) without and with each smoothing, per class and mean.

${ENGINE_USAGE}
${SEGMENTATION_USAGE}
${DATASET_READ_USAGE}
                         (default: as the run was trained)`;

export async function evalCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { run: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, checkpoint: { type: 'string' }, out: { type: 'string' }, ...ENGINE_OPTIONS, ...SEGMENTATION_OPTIONS, ...DATASET_READ_OPTIONS }, EVAL_USAGE);
  const threads = threadsFlag(p);
  setNumThreads(threads);
  engineFlags(p, threads);
  const run = str(p, 'run');
  const m = await evaluateRun(run, str(p, 'data'), str(p, 'split'), checkpointFlag(p), segmentationSettingsFromFlags(p), datasetReadFromFlags(p));
  console.log(metricsTable(m));
  if (m.segmentation) console.log('\n' + segmentationTable(m));
  const out = optStr(p, 'out') ?? join(run, `metrics-${str(p, 'split')}.json`);
  writeFileAtomic(out, JSON.stringify(m, null, 2) + '\n');
  console.log(`metrics → ${out}`);
}

/**
 * Predicts a VOC split with a run's network (or a combination's, `wildcat combine`) and scores it
 * (classification, localization, segmentation). The dataset is read as the run was trained
 * (allowOutsideRoot, unknownClass of its config) unless `read` says otherwise.
 */
export async function evaluateRun(run: string, data: string, split: string, which: RunCheckpoint = DEFAULT_CHECKPOINT, segmentation: SegmentationOverrides = {}, read: DatasetReadOptions = {}): Promise<WslMetrics> {
  if (isScoreCombination(run)) {
    refuseSegmentationOptions(run, segmentation);
    return evaluateCombination(run, data, split, which, read);
  }
  const { net, config } = loadRun(run, which);
  try {
    const ds = await openSplitForInference(data, split, config.classNames, datasetReadOptions(config, read));
    const progress = new Progress();
    const { metrics } = await evaluateSplit(net, config, ds, {
      run, checkpoint: which, settings: runSegmentationSettings(config, segmentation),
      onProgress: (d, t) => progress.update({ label: `eval ${split}`, done: d, total: t }),
    });
    progress.end();
    return metrics;
  } finally {
    net.dispose();
  }
}

export function metricsTable(m: WslMetrics): string {
  const rows: (string | number)[][] = m.classNames.map((c, i) => [c, pct(m.perClassAP[i]!), pct(m.perClassLocAP[i]!)]);
  rows.push(['mean', pct(m.mAP), pct(m.locMAP)]);
  return formatTable(['class', 'AP (cls)', 'AP (loc)'], rows) + `\n(${m.images} images; VOC2007 11-point classification mAP ${pct(m.mAP07).toFixed(2)})`;
}

async function evaluateCombination(dir: string, data: string, split: string, which: RunCheckpoint, read: DatasetReadOptions): Promise<WslMetrics> {
  const c = loadCombination(dir, which);
  try {
    const ds = await openSplitForInference(data, split, c.combination.classNames, read);
    const progress = new Progress();
    const pred = await predictCombination(c, ds, {
      imageSize: (i) => ds.imageSize(i),
      onProgress: (d, t) => progress.update({ label: `eval ${split}`, done: d, total: t }),
    });
    progress.end();
    return await evaluatePredictions(pred, ds);
  } finally {
    disposeMembers(c);
  }
}

/** Per-label IoU (background + classes) for each smoothing, then the mean. */
export function segmentationTable(m: WslMetrics): string {
  const s = m.segmentation;
  if (!s) return 'segmentation: no image of the split has a ground-truth mask';
  const smoothings = SMOOTHINGS.filter((k) => s.bySmoothing[k]);
  const header = ['label', ...smoothings.map((k) => (k === 'none' ? 'IoU' : `IoU +${k.toUpperCase()}`))];
  const rows: (string | number)[][] = s.labelNames.map((name, l) => [name, ...smoothings.map((k) => pct(s.bySmoothing[k]!.perClassIoU[l]!))]);
  rows.push(['mIoU', ...smoothings.map((k) => pct(s.bySmoothing[k]!.meanIoU))]);
  return formatTable(header, rows) + `\n(segmentation: ${s.imagesWithMasks} images with masks; background: ${s.background})`;
}
