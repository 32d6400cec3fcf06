import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setNumThreads } from '../../core/index.js';
import { writeFileAtomic } from '../../io/index.js';
import { loadRun, type RunCheckpoint } from '../../train/loadRun.js';
import { isScoreCombination } from '../../train/scoreCombination.js';
import { disposeMembers, loadCombination, predictCombination } from '../../train/predictCombination.js';
import { datasetReadOptions, openDataset, requireDecodableImages, type DatasetReadOptions } from '../../train/datasetSpec.js';
import { predictImages, type Predictions } from '../../train/predict.js';
import { runSegmentationSettings, runSegmentationStages } from '../../train/runSegmentation.js';
import { Progress } from '../../train/progress.js';
import { INFERENCE_BATCH_SIZE, SplitSegmentation, writeMaskClasses, writeSegmentationMask } from '../../segment/index.js';
import { shardRange, sliceImageList } from '../../data/index.js';
import { launchEnvFrom } from '../../distributed/index.js';
import { parse, str, num, optStr, flag, checkpointFlag, threadsFlag, threadsAdapt, UsageError, type Parsed, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { LAUNCH_OPTIONS, runWorkers, withoutLaunchFlags } from '../launch.js';
import { mergePredictionShards, parseShardSpec, writeShardInfo } from '../predictionShards.js';
import { SEGMENTATION_OPTIONS, SEGMENTATION_USAGE, refuseSegmentationOptions, segmentationSettingsFromFlags } from '../segmentationOptions.js';
import { DATASET_READ_OPTIONS, DATASET_READ_USAGE, datasetReadFromFlags } from '../datasetReadFlags.js';

export const PREDICT_USAGE = `
wildcat predict --run RUN --data voc:DIR --split SPLIT --out PRED [--checkpoint best|last] [--threads N|auto] [--memory-format channels-last|contiguous|auto]
                [--inference fused|plain] [segmentation options]

Writes PRED/classification.csv (image_id,<class scores...>: pooled scores before the sigmoid),
PRED/localization.csv (image_id,class,x,y,score: per image and class the maximum of the
class map upsampled to the original image; x, y are 0-based pixel column and row), and
PRED/segmentation/<image_id>.png: palette PNGs like VOC's SegmentationClass (0 background,
i+1 for class i of the run's class list, VOC colour map) with PRED/segmentation/classes.txt
(the class list, one name per line: line i names mask index i+1).
RUN may also be a combination folder (wildcat combine): its combined scores and maps (no masks;
each member at its own image size and scale 1, segmentation options do not apply).

Sharding (the merged folder is byte for byte the unsharded one, at the same --threads):
  --shard i/n            predict only part i of n of the split (whole batches) into PRED, with
                         PRED/shard.json; run the n parts anywhere, then merge them:
  --merge DIR...         wildcat predict --merge PRED_0 ... PRED_n-1 --out PRED
  --nproc N              both on this machine: N worker processes (one libtorch thread each
                         unless --threads is given), then the merge
${ENGINE_USAGE}
${SEGMENTATION_USAGE}
${DATASET_READ_USAGE}
                         (default: as the run was trained)`;

/** Images per forward pass; shards hold whole batches of it. */
const PREDICT_BATCH = INFERENCE_BATCH_SIZE;

export async function predictCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    run: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, out: { type: 'string' }, checkpoint: { type: 'string' }, ...ENGINE_OPTIONS,
    shard: { type: 'string' }, merge: { type: 'boolean' }, nproc: LAUNCH_OPTIONS.nproc, ...SEGMENTATION_OPTIONS, ...DATASET_READ_OPTIONS,
  }, PREDICT_USAGE);
  if (flag(p, 'merge')) {
    const out = str(p, 'out');
    const { images, files } = mergePredictionShards(p.positionals, out);
    console.log(`${p.positionals.length} shards, ${images} images → ${out} (${files} files)`);
    return;
  }
  if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}' (shard folders go with --merge)`);
  if (p.values.nproc !== undefined) return predictWithWorkers(p, argv, str(p, 'out'));
  const shard = optStr(p, 'shard') === undefined ? null : parseShardSpec(str(p, 'shard'));
  const threads = threadsFlag(p);
  setNumThreads(threads);
  engineFlags(p, threads);
  const run = str(p, 'run');
  const checkpoint = checkpointFlag(p);
  const out = str(p, 'out');
  if (isScoreCombination(run)) {
    if (shard) throw new UsageError('--shard applies to a run, not to a combination folder');
    refuseSegmentationOptions(run, segmentationSettingsFromFlags(p));
    return predictWithCombination(run, checkpoint, str(p, 'data'), str(p, 'split'), out, datasetReadFromFlags(p));
  }
  await predictRun(p, run, checkpoint, out, shard);
}

/** `predict --run RUN` (one shard of it with `--shard i/n`): scores, peaks and masks of a split. */
async function predictRun(p: Parsed, run: string, checkpoint: RunCheckpoint, out: string, shard: { shard: number; shards: number } | null): Promise<void> {
  const overrides = segmentationSettingsFromFlags(p);
  const { net, config } = loadRun(run, checkpoint);
  try {
    const settings = runSegmentationSettings(config, overrides);
    const split = str(p, 'split');
    const whole = await openDataset(str(p, 'data'), split, config.classNames, datasetReadOptions(config, datasetReadFromFlags(p)));
    const [start, end] = shard ? shardRange(whole.ids.length, shard.shard, shard.shards, PREDICT_BATCH) : [0, whole.ids.length];
    const list = shard ? sliceImageList(whole, start, end) : whole;
    await requireDecodableImages(list, `${str(p, 'data')} (${split})`);
    const { stages, background } = runSegmentationStages(run, config, settings, checkpoint);
    const segmenter = new SplitSegmentation(list, stages);
    const masks = join(out, 'segmentation');
    // Under --nproc, the first worker alone draws the progress line.
    const progress = new Progress({ enabled: (launchEnvFrom()?.localRank ?? 0) === 0 });
    const pred: Predictions = list.ids.length === 0
      ? { ids: [], classNames: list.classNames, scores: new Float32Array(0), points: new Float32Array(0), sizes: new Int32Array(0) }
      : await predictImages(net, list, {
        size: config.imageSize,
        batchSize: PREDICT_BATCH,
        multiScale: settings,
        onImage: (r) => segmenter.submit(r, (seg) => writeSegmentationMask(masks, list.ids[r.index]!, seg.labels[settings.smoothing]!, r.width, r.height)),
        onProgress: (d, t) => progress.update({ label: 'predict', done: d, total: t }),
      });
    await segmenter.finish();
    progress.end();
    writePredictions(out, pred);
    writeMaskClasses(masks, list.classNames);
    if (shard) writeShardInfo(out, { ...shard, images: list.ids.length, total: whole.ids.length, run, checkpoint, split });
    console.log(`${pred.ids.length} images${shard ? ` (shard ${shard.shard}/${shard.shards})` : ''} → ${join(out, 'classification.csv')}, ${join(out, 'localization.csv')}, ${masks}/<id>.png (smoothing ${settings.smoothing}; background: ${background.source})`);
  } finally {
    net.dispose();
  }
}

/** `--nproc N`: N shard workers on this machine into PRED/.shards/i, then the merge into PRED. */
async function predictWithWorkers(p: Parsed, argv: string[], out: string): Promise<void> {
  const nproc = num(p, 'nproc', 1, { int: true, min: 1 });
  if (p.values.shard !== undefined) throw new UsageError('--nproc makes its own shards; drop --shard');
  const shardsDir = join(out, '.shards');
  const dirs = Array.from({ length: nproc }, (_, i) => join(shardsDir, String(i)));
  const base = withoutLaunchFlags(argv, ['nproc', 'out']);
  if (threadsAdapt(p)) base.push('--threads', '1'); // one thread per worker, unless a count was given
  rmSync(shardsDir, { recursive: true, force: true });
  await runWorkers({ nproc, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: null }, 'predict', (i) => [...base, '--shard', `${i}/${nproc}`, '--out', dirs[i]!], threadsFlag(p, 1));
  const { images } = mergePredictionShards(dirs, out);
  rmSync(shardsDir, { recursive: true, force: true });
  console.log(`${images} images in ${nproc} shards → ${join(out, 'classification.csv')}, ${join(out, 'localization.csv')}, ${join(out, 'segmentation')}/<id>.png`);
}

/** `predict --run COMBO`: the combined scores and maps of a `wildcat combine` folder. */
async function predictWithCombination(dir: string, checkpoint: RunCheckpoint, data: string, split: string, out: string, read: DatasetReadOptions): Promise<void> {
  const c = loadCombination(dir, checkpoint);
  try {
    const list = await openDataset(data, split, c.combination.classNames, read);
    await requireDecodableImages(list, `${data} (${split})`);
    const progress = new Progress();
    const pred = await predictCombination(c, list, { batchSize: PREDICT_BATCH, onProgress: (d, t) => progress.update({ label: 'predict', done: d, total: t }) });
    progress.end();
    writePredictions(out, pred);
    console.log(`${pred.ids.length} images → ${join(out, 'classification.csv')}, ${join(out, 'localization.csv')}`);
  } finally {
    disposeMembers(c);
  }
}

/** Writes the two CSV files of a prediction folder (atomically), RFC 4180 quoted. */
export function writePredictions(out: string, pred: Predictions): void {
  const C = pred.classNames.length;
  const line = (fields: string[]): string => fields.join(',');
  const cls = [line(['image_id', ...pred.classNames.map(csvText)])];
  const loc = [line(['image_id', 'class', 'x', 'y', 'score'])];
  for (let i = 0; i < pred.ids.length; i++) {
    const id = csvText(pred.ids[i]!);
    const row = [id];
    for (let c = 0; c < C; c++) {
      const s = pred.scores[i * C + c]!;
      row.push(fmt(s));
      if (pred.points.length > 0) loc.push(line([id, csvText(pred.classNames[c]!), String(pred.points[(i * C + c) * 2]), String(pred.points[(i * C + c) * 2 + 1]), fmt(s)]));
    }
    cls.push(line(row));
  }
  writeFileAtomic(join(out, 'classification.csv'), cls.join('\n') + '\n');
  writeFileAtomic(join(out, 'localization.csv'), loc.join('\n') + '\n');
}

/**
 * One text field of a CSV file: quoted per RFC 4180 when it holds a comma, quote or line break,
 * and prefixed with an apostrophe when it starts like a spreadsheet formula (=, +, -, @, tab,
 * carriage return), so an image id such as '=HYPERLINK(...)' stays text (OWASP's CSV injection advice).
 */
export function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function fmt(v: number): string {
  return Number(v.toPrecision(6)).toString();
}