import { join } from 'node:path';
import { setNumThreads } from '../../core/index.js';
import { writeFileAtomic } from '../../io/index.js';
import { loadRun } from '../../train/loadRun.js';
import { isScoreCombination } from '../../train/scoreCombination.js';
import { disposeMembers, loadCombination, predictCombination } from '../../train/predictCombination.js';
import { openDataset } from '../../train/datasetSpec.js';
import { predictImages, type Predictions } from '../../train/predict.js';
import { Progress } from '../../train/progress.js';
import { parse, str, num, choice, threadsFlag } from '../args.js';

export const PREDICT_USAGE = `
wildcat predict --run RUN --data voc:DIR --split SPLIT --out PRED [--checkpoint best|last] [--threads N]

Writes PRED/classification.csv (image_id,<class scores...>: pooled scores before the sigmoid)
and PRED/localization.csv (image_id,class,x,y,score: per image and class the maximum of the
class map upsampled to the original image; x, y are 0-based pixel column and row).
RUN may also be a combination folder (wildcat combine): its combined scores and maps.
`;

export async function predictCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { run: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, out: { type: 'string' }, checkpoint: { type: 'string' }, threads: { type: 'string' } }, PREDICT_USAGE);
  setNumThreads(threadsFlag(p));
  const which = choice(p, 'checkpoint', ['best', 'last'] as const, 'best');
  if (isScoreCombination(str(p, 'run'))) {
    const c = loadCombination(str(p, 'run'), which);
    try {
      const list = await openDataset(str(p, 'data'), str(p, 'split'), c.combination.classNames);
      const progress = new Progress();
      const pred = await predictCombination(c, list, { onProgress: (d, t) => progress.update({ label: 'predict', done: d, total: t }) });
      progress.end();
      writePredictions(str(p, 'out'), pred);
      console.log(`${pred.ids.length} images → ${join(str(p, 'out'), 'classification.csv')}, ${join(str(p, 'out'), 'localization.csv')}`);
    } finally {
      disposeMembers(c);
    }
    return;
  }
  const { net, config } = loadRun(str(p, 'run'), which);
  try {
    const list = await openDataset(str(p, 'data'), str(p, 'split'), config.classNames);
    const progress = new Progress();
    const pred = await predictImages(net, list, { size: config.imageSize, onProgress: (d, t) => progress.update({ label: 'predict', done: d, total: t }) });
    progress.end();
    const out = str(p, 'out');
    writePredictions(out, pred);
    console.log(`${pred.ids.length} images → ${join(out, 'classification.csv')}, ${join(out, 'localization.csv')}`);
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
