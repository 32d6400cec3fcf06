import { join } from 'node:path';
import { setNumThreads } from '../../core/index.js';
import { writeFileAtomic } from '../../io/index.js';
import { loadRun } from '../../train/loadRun.js';
import { openDataset } from '../../train/datasetSpec.js';
import { predictImages, type Predictions } from '../../train/predict.js';
import { runSegmentationSettings, runSegmentationStages } from '../../train/runSegmentation.js';
import { Progress } from '../../train/progress.js';
import { SplitSegmentation, writeMaskClasses, writeSegmentationMask } from '../../segment/index.js';
import { parse, str, choice, threadsFlag } from '../args.js';
import { SEGMENTATION_OPTIONS, SEGMENTATION_USAGE, segmentationSettingsFromFlags } from '../segmentationOptions.js';

export const PREDICT_USAGE = `
wildcat predict --run RUN --data voc:DIR --split SPLIT --out PRED [--checkpoint best|last] [--threads N]
                [segmentation options]

Writes PRED/classification.csv (image_id,<class scores...>: pooled scores before the sigmoid),
PRED/localization.csv (image_id,class,x,y,score: per image and class the maximum of the
class map upsampled to the original image; x, y are 0-based pixel column and row), and
PRED/segmentation/<image_id>.png: palette PNGs like VOC's SegmentationClass (0 background,
i+1 for class i of the run's class list, VOC colour map) with PRED/segmentation/classes.txt
(the class list, one name per line: line i names mask index i+1).
${SEGMENTATION_USAGE}`;

export async function predictCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { run: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, out: { type: 'string' }, checkpoint: { type: 'string' }, threads: { type: 'string' }, ...SEGMENTATION_OPTIONS }, PREDICT_USAGE);
  setNumThreads(threadsFlag(p));
  const run = str(p, 'run');
  const which = choice(p, 'checkpoint', ['best', 'last'] as const, 'best');
  const overrides = segmentationSettingsFromFlags(p);
  const out = str(p, 'out');
  const { net, config } = loadRun(run, which);
  try {
    const settings = runSegmentationSettings(config, overrides);
    const list = await openDataset(str(p, 'data'), str(p, 'split'), config.classNames);
    const { stages, background } = runSegmentationStages(run, config, settings, which);
    const segmenter = new SplitSegmentation(list, stages);
    const masks = join(out, 'segmentation');
    const progress = new Progress();
    const pred = await predictImages(net, list, {
      size: config.imageSize,
      multiScale: settings,
      onImage: async (r) => {
        const seg = (await segmenter.add(r))!;
        writeSegmentationMask(masks, list.ids[r.index]!, seg.labels[settings.smoothing]!, r.width, r.height);
      },
      onProgress: (d, t) => progress.update({ label: 'predict', done: d, total: t }),
    });
    progress.end();
    writePredictions(out, pred);
    writeMaskClasses(masks, list.classNames);
    console.log(`${pred.ids.length} images → ${join(out, 'classification.csv')}, ${join(out, 'localization.csv')}, ${masks}/<id>.png (smoothing ${settings.smoothing}; background: ${background.source})`);
  } finally {
    net.dispose();
  }
}

/** Writes the two CSV files of a prediction folder (atomically). */
export function writePredictions(out: string, pred: Predictions): void {
  const C = pred.classNames.length;
  const cls = ['image_id,' + pred.classNames.join(',')];
  const loc = ['image_id,class,x,y,score'];
  for (let i = 0; i < pred.ids.length; i++) {
    const row = [pred.ids[i]!];
    for (let c = 0; c < C; c++) {
      const s = pred.scores[i * C + c]!;
      row.push(fmt(s));
      if (pred.points.length > 0) loc.push(`${pred.ids[i]},${pred.classNames[c]},${pred.points[(i * C + c) * 2]},${pred.points[(i * C + c) * 2 + 1]},${fmt(s)}`);
    }
    cls.push(row.join(','));
  }
  writeFileAtomic(join(out, 'classification.csv'), cls.join('\n') + '\n');
  writeFileAtomic(join(out, 'localization.csv'), loc.join('\n') + '\n');
}

function fmt(v: number): string {
  return Number(v.toPrecision(6)).toString();
}
