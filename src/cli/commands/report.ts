import { join } from 'node:path';
import { setNumThreads } from '../../core/index.js';
import { REPORT_DEFAULTS as D, writeRunReport } from '../../report/runReport.js';
import { Progress } from '../../train/progress.js';
import { parse, str, num, choice, checkpointFlag, optStr, threadsFlag, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { SEGMENTATION_OPTIONS, SEGMENTATION_USAGE, segmentationSettingsFromFlags } from '../segmentationOptions.js';
import { DATASET_READ_OPTIONS, DATASET_READ_USAGE, datasetReadFromFlags } from '../datasetReadFlags.js';

export const REPORT_USAGE = `
wildcat report --run RUN [--data voc:DIR] [--split test] [--out report.html] [--images N]
               [--checkpoint best|last] [--classes K] [--tile PX] [--normalize map|image]
               [--colormap turbo|jet] [--alpha A] [--threads N|auto] [--memory-format F] [--inference fused|plain]
               [segmentation options]

One self-contained HTML page (open it in any browser, send it as a file) showing what a trained
run learned: its configuration, training curves (loss, val mAP), classification and pointwise
localization AP per class on the split, and a gallery of N images (the best half and the worst
half, chosen deterministically) with, for each image, the ground truth and for its top classes
(present ones, then the top false positive) the class heatmap, the k+ highest (green) and k-
lowest (red) regions the pooling selected, the predicted peak and the score, plus the M
per-modality maps of the top class; the predicted segmentation beside the ground-truth mask,
and segmentation mIoU in the headline.

  --run RUN          run folder (from \`wildcat train\`)
  --data SPEC        voc:DIR, default the run's training data
  --split NAME       default ${D.split}
  --out FILE         default RUN/report-<split>.html
  --images N         gallery size (default ${D.images})
  --checkpoint C     best or last (default ${D.checkpoint})
  --classes K        present classes shown per image (default ${D.maxClasses})
  --tile PX          longer side of the gallery pictures (default ${D.tileSize})
  --normalize MODE   heatmap colour scale per map or shared per image (default ${D.normalize})
  --colormap NAME    turbo or jet (default ${D.colormap})
  --alpha A          heatmap opacity (default ${D.alpha})
${ENGINE_USAGE}
${SEGMENTATION_USAGE}
${DATASET_READ_USAGE}
                         (default: as the run was trained)`;

export async function reportCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    run: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, out: { type: 'string' },
    images: { type: 'string' }, checkpoint: { type: 'string' }, classes: { type: 'string' }, tile: { type: 'string' },
    normalize: { type: 'string' }, colormap: { type: 'string' }, alpha: { type: 'string' }, ...ENGINE_OPTIONS,
    ...SEGMENTATION_OPTIONS, ...DATASET_READ_OPTIONS,
  }, REPORT_USAGE);
  const threads = threadsFlag(p);
  setNumThreads(threads);
  engineFlags(p, threads);
  const run = str(p, 'run');
  const split = str(p, 'split', D.split);
  const out = optStr(p, 'out') ?? join(run, `report-${split}.html`);
  const progress = new Progress();
  const t0 = Date.now();
  const r = await writeRunReport({
    run,
    data: optStr(p, 'data'),
    split,
    checkpoint: checkpointFlag(p),
    images: num(p, 'images', D.images, { int: true, min: 0 }),
    maxClasses: num(p, 'classes', D.maxClasses, { int: true, min: 1 }),
    tileSize: num(p, 'tile', D.tileSize, { int: true, min: 32, max: 1024 }),
    normalize: choice(p, 'normalize', ['map', 'image'] as const, D.normalize),
    colormap: choice(p, 'colormap', ['turbo', 'jet'] as const, D.colormap),
    alpha: num(p, 'alpha', D.alpha, { min: 0, max: 1 }),
    segmentation: segmentationSettingsFromFlags(p),
    read: datasetReadFromFlags(p),
    onProgress: (label, done, total) => progress.update({ label, done, total }),
  }, out);
  progress.end();
  const good = r.gallery.filter((g) => g.good).length;
  console.log(
    `classification mAP ${(100 * r.metrics.mAP).toFixed(2)}, pointwise localization mAP ${(100 * r.metrics.locMAP).toFixed(2)}${r.metrics.segmentation ? `, segmentation mIoU ${(100 * r.metrics.segmentation.bySmoothing.none!.meanIoU).toFixed(2)}` : ''} on ${r.metrics.images} ${split} images\n` +
      `report → ${out} (${good} best + ${r.gallery.length - good} worst images, ${r.pictures} pictures, ${(r.html.length / 1e6).toFixed(1)} MB, ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
}
