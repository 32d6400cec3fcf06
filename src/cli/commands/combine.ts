import { setNumThreads } from '../../core/index.js';
import { openDataset } from '../../train/datasetSpec.js';
import { classificationMetrics } from '../../train/evaluatePredictions.js';
import { loadRun } from '../../train/loadRun.js';
import { predictImages } from '../../train/predict.js';
import { Progress } from '../../train/progress.js';
import { combineScores, COMBINATION_DEFAULTS, fitScoreCombination, saveScoreCombination } from '../../train/scoreCombination.js';
import { parse, str, num, threadsFlag, UsageError, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { formatTable, pct } from '../table.js';

export const COMBINE_USAGE = `
wildcat combine --runs A,B,C --data voc:DIR --split val --out COMBO [--l2 X] [--threads N|auto]
                [--memory-format F] [--inference MODE]

Object-Bank combination (WELDON / WILDCAT: one model per scale, then combined): learns, per class,
a linear combination of the runs' scores, s_c = sum_r a_cr * s_rc + b_c, by L2-regularized logistic
regression on SPLIT (a validation split: not the one you report). Writes COMBO/combination.json;
\`wildcat eval --run COMBO\` and \`wildcat predict --run COMBO\` use it like a run.

  --runs A,B,...         trained run folders (same classes)
  --l2 X                 penalty on the weights (default ${COMBINATION_DEFAULTS.l2})
${ENGINE_USAGE}
`;

export async function combineCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { runs: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, out: { type: 'string' }, l2: { type: 'string' }, ...ENGINE_OPTIONS }, COMBINE_USAGE);
  const threads = threadsFlag(p);
  setNumThreads(threads);
  engineFlags(p, threads);
  const runs = str(p, 'runs').split(',').map((r) => r.trim()).filter((r) => r !== '');
  if (runs.length < 2) throw new UsageError(`--runs expects at least two run folders separated by commas, got '${str(p, 'runs')}'`);
  const data = str(p, 'data');
  const split = str(p, 'split');
  const out = str(p, 'out');
  const l2 = num(p, 'l2', COMBINATION_DEFAULTS.l2, { min: Number.MIN_VALUE });
  const memberScores: Float32Array[] = [];
  let classNames: readonly string[] = [];
  let labels: Int8Array = new Int8Array(0);
  let ids: string[] = [];
  const rows: (string | number)[][] = [];
  for (const run of runs) {
    const { net, config } = loadRun(run);
    try {
      if (classNames.length > 0 && config.classNames.join('\n') !== classNames.join('\n')) {
        throw new Error(`${run}: its classes [${config.classNames.join(', ')}] differ from ${runs[0]}'s [${classNames.join(', ')}]`);
      }
      const list = await openDataset(data, split, config.classNames, config);
      classNames = list.classNames;
      labels = list.labels;
      ids = [...list.ids];
      const progress = new Progress();
      const pred = await predictImages(net, list, { size: config.imageSize, points: false, onProgress: (d, t) => progress.update({ label: run, done: d, total: t }) });
      progress.end();
      memberScores.push(pred.scores);
      rows.push([run, pct(classificationMetrics(pred, labels).mAP)]);
    } finally {
      net.dispose();
    }
  }
  const C = classNames.length;
  const { weights, bias } = fitScoreCombination(memberScores, labels, C, { l2 });
  const combined = combineScores(memberScores, weights, bias);
  const mAP = classificationMetrics({ ids, classNames, scores: combined, points: new Float32Array(0), sizes: new Int32Array(0) }, labels).mAP;
  rows.push(['combination (fitted here)', pct(mAP)]);
  const path = saveScoreCombination(out, { runs, classNames: [...classNames], weights, bias, l2, fittedOn: { data, split, images: labels.length / C } });
  console.log(formatTable(['member', `${split} mAP`], rows));
  console.log(`weights per class (${runs.length} runs): ${classNames.map((c, k) => `${c} [${weights[k]!.map((w) => w.toFixed(2)).join(' ')}]`).join(', ')}`);
  console.log(`combination → ${path} (its ${split} mAP is optimistic: it was fitted there; evaluate on another split)`);
}
