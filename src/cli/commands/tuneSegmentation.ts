import { join } from 'node:path';
import { setNumThreads } from '../../core/index.js';
import {
  BackgroundThresholdSearch, DEFAULT_BACKGROUND_THRESHOLD, SEGMENTATION_FILE, classEvidence, describeEvidenceKey, evidenceKey,
  saveThresholdTuning, vocGroundTruth, type ThresholdTuning,
} from '../../segment/index.js';
import { loadRun } from '../../train/loadRun.js';
import { openVocSplit } from '../../train/datasetSpec.js';
import { predictImages } from '../../train/predict.js';
import { scoreLinkOf } from '../../train/runSegmentation.js';
import { Progress } from '../../train/progress.js';
import { choice, num, optStr, parse, str, threadsFlag } from '../args.js';
import { SEGMENTATION_OPTIONS, SEGMENTATION_USAGE, segmentationSettingsFromFlags } from '../segmentationOptions.js';
import { formatTable, pct } from '../table.js';

export const TUNE_SEGMENTATION_USAGE = `
wildcat tune-segmentation --run RUN [--data voc:DIR] [--split val] [--checkpoint best|last]
                          [--steps N] [--threads N] [class-map and segmentation options]

Chooses the background thresholds by segmentation mIoU on a split with SegmentationClass masks
(Pinheiro & Collobert 2015: per-class thresholds delta_k by grid search): the best single delta
and the best per-class delta_k (coordinate ascent from it) on the grid 0, 1/N, ..., (N-1)/N
(--steps N, default 100). Writes them into RUN/${SEGMENTATION_FILE} for these class-map,
--map-norm and --prior settings and this checkpoint (other settings keep their own tuning);
\`predict\`, \`eval\` and \`report\` with --threshold tuned (the default) then use them.
--data defaults to the run's training data. The smoothing options do not affect the tuning.
${SEGMENTATION_USAGE}`;

export async function tuneSegmentationCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    run: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, checkpoint: { type: 'string' },
    steps: { type: 'string' }, threads: { type: 'string' }, ...SEGMENTATION_OPTIONS,
  }, TUNE_SEGMENTATION_USAGE);
  setNumThreads(threadsFlag(p));
  const run = str(p, 'run');
  const split = str(p, 'split', 'val');
  const which = choice(p, 'checkpoint', ['best', 'last'] as const, 'best');
  const steps = num(p, 'steps', 100, { int: true, min: 2, max: 10000 });
  const settings = segmentationSettingsFromFlags(p);
  const { net, config } = loadRun(run, which);
  let tuning: ThresholdTuning;
  try {
    const data = optStr(p, 'data') ?? config.data;
    if (!data) throw new Error(`${run}: the run's config names no dataset; pass --data voc:DIR`);
    const ds = await openVocSplit(data, split, config.classNames);
    const C = net.numClasses;
    const groundTruth = vocGroundTruth(ds);
    const evidenceOptions = { mapNorm: settings.mapNorm, link: scoreLinkOf(config.loss), prior: settings.prior, priorThreshold: settings.priorThreshold };
    const search = new BackgroundThresholdSearch(C, { steps });
    const progress = new Progress();
    await predictImages(net, ds, {
      size: config.imageSize,
      multiScale: settings,
      imageSize: (i) => ds.imageSize(i),
      onImage: async (r) => {
        const gt = await groundTruth(r.index);
        if (!gt) return;
        if (gt.width !== r.width || gt.height !== r.height) throw new RangeError(`${ds.segmentationPath(r.index)} is ${gt.width}×${gt.height} but its image is ${r.width}×${r.height}`);
        search.add(classEvidence(r.maps, r.scores, r.height, r.width, evidenceOptions), r.height, r.width, gt.data);
      },
      onProgress: (d, t) => progress.update({ label: `tune ${split}`, done: d, total: t }),
    });
    progress.end();
    if (search.images === 0) throw new Error(`${data} (${split}): no image has a SegmentationClass mask; tune on a split with masks`);
    const global = search.bestGlobal();
    const perClass = search.bestPerClass();
    const untuned = search.evaluate(DEFAULT_BACKGROUND_THRESHOLD);
    tuning = {
      key: evidenceKey(settings, which), data, split, images: search.images, classNames: [...ds.classNames],
      global: { threshold: global.thresholds[0]!, mIoU: global.metrics.meanIoU },
      perClass: { thresholds: perClass.thresholds, mIoU: perClass.metrics.meanIoU },
      untuned: { threshold: DEFAULT_BACKGROUND_THRESHOLD, mIoU: untuned.meanIoU },
      date: new Date().toISOString(),
    };
    const rows: (string | number)[][] = ['background', ...ds.classNames].map((name, l) => [
      name, l === 0 ? '' : perClass.thresholds[l - 1]!.toFixed(2), pct(untuned.perClassIoU[l]!), pct(global.metrics.perClassIoU[l]!), pct(perClass.metrics.perClassIoU[l]!),
    ]);
    rows.push(['mIoU', '', pct(untuned.meanIoU), pct(global.metrics.meanIoU), pct(perClass.metrics.meanIoU)]);
    console.log(formatTable(['label', 'δ_k', `IoU δ=${DEFAULT_BACKGROUND_THRESHOLD}`, `IoU δ=${tuning.global.threshold}`, 'IoU δ_k'], rows));
    console.log(`(${search.images} ${split} images with masks; ${describeEvidenceKey(tuning.key)}; unsmoothed labels)`);
  } finally {
    net.dispose();
  }
  saveThresholdTuning(run, tuning);
  console.log(`thresholds → ${join(run, SEGMENTATION_FILE)}`);
}
