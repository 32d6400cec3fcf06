import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, str, num, type Parsed, engineFlags } from '../args.js';
import { configFromFlags, resolveBackboneWeights, MODEL_OPTIONS } from './train.js';
import { trainWsl, RUN_FILES, type TrainWslResult } from '../../train/wslTrainer.js';
import { evaluateRun } from './evaluate.js';
import { writeFileAtomic } from '../../io/index.js';
import { describeSpatialPooling, parseSpatialPooling, type SpatialPooling } from '../../wsl/spatialPooling.js';
import { WILDCAT_DEFAULTS } from '../../wsl/wildcatPool.js';
import type { WslTrainConfig } from '../../train/wslConfig.js';
import type { WslMetrics } from '../../train/evaluatePredictions.js';
import { tuneRunThresholds } from '../../train/runSegmentation.js';
import { SMOOTHINGS, type Smoothing } from '../../segment/index.js';
import { formatTable, pct } from '../table.js';
import { withInterrupt } from '../interrupt.js';

export const ABLATE_USAGE = `
wildcat ablate --data voc:DIR --out DIR [--test-split test] [--epochs N] [--only a,b] [training flags]

Trains max, GAP, LSE, WELDON and WILDCAT poolings (M = 1 and 4; alpha = 1 and ${WILDCAT_DEFAULTS.alpha}) and the
architecture (b) variant with the same budget, then prints classification mAP, pointwise
localization mAP and segmentation mIoU (without and with each smoothing; background thresholds
tuned on the validation split first, as \`wildcat tune-segmentation\` does) on the test split for
each: the WILDCAT paper's Tables 5-7 in miniature. Each run lives in DIR/<name>; finished runs are
reused, so an interrupted ablation continues.
`;

interface Variant {
  name: string;
  pooling: SpatialPooling;
  maps: number;
  architecture: 'maps' | 'features';
}

export function ablationVariants(kmax = WILDCAT_DEFAULTS.kmax): Variant[] {
  const weldon = parseSpatialPooling('weldon', { kmax }); // α = 1
  const wildcat = parseSpatialPooling('wildcat', { kmax }); // α = WILDCAT_DEFAULTS.alpha
  return [
    { name: 'max', pooling: parseSpatialPooling('max'), maps: 1, architecture: 'maps' },
    { name: 'gap', pooling: parseSpatialPooling('gap'), maps: 1, architecture: 'maps' },
    { name: 'lse', pooling: parseSpatialPooling('lse'), maps: 1, architecture: 'maps' },
    { name: 'weldon-m1', pooling: weldon, maps: 1, architecture: 'maps' },
    { name: 'wildcat-m1', pooling: wildcat, maps: 1, architecture: 'maps' },
    { name: 'weldon-m4', pooling: weldon, maps: 4, architecture: 'maps' },
    { name: 'wildcat-m4', pooling: wildcat, maps: 4, architecture: 'maps' },
    { name: 'wildcat-arch-b', pooling: wildcat, maps: 1, architecture: 'features' },
  ];
}

export interface AblationRow {
  name: string;
  pooling: string;
  maps: number;
  architecture: string;
  valMAP: number;
  testMAP: number;
  testLocMAP: number;
  /** Test segmentation mIoU per smoothing (absent when the test split has no masks). */
  testMIoU: Partial<Record<Smoothing, number>>;
  imagesPerSecond: number;
  seconds: number;
}

export async function ablateCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { data: { type: 'string' }, 'train-split': { type: 'string' }, 'val-split': { type: 'string' }, 'test-split': { type: 'string' }, out: { type: 'string' }, only: { type: 'string' }, ...MODEL_OPTIONS }, ABLATE_USAGE);
  const rows = await runAblation(p);
  console.log(ablationTable(rows));
}

export async function runAblation(p: Parsed, log: (m: string) => void = (m) => console.error(m)): Promise<AblationRow[]> {
  const out = str(p, 'out');
  const data = str(p, 'data');
  const testSplit = str(p, 'test-split', 'test');
  const base = configFromFlags(p);
  engineFlags(p, base.threads);
  base.data = data;
  base.backboneWeights = await resolveBackboneWeights(p, base, log);
  const only = typeof p.values.only === 'string' ? new Set(p.values.only.split(',')) : null;
  const rows: AblationRow[] = [];
  for (const v of ablationVariants(num(p, 'kmax', WILDCAT_DEFAULTS.kmax, { min: 0 }))) {
    if (only && !only.has(v.name)) continue;
    const runDir = join(out, v.name);
    const config: WslTrainConfig = { ...base, model: { ...base.model, pooling: v.pooling, maps: v.maps, architecture: v.architecture } };
    let result: TrainWslResult;
    const summaryPath = join(runDir, RUN_FILES.summary);
    if (existsSync(summaryPath)) {
      result = JSON.parse(readFileSync(summaryPath, 'utf8')) as TrainWslResult;
      log(`${v.name}: finished earlier, reusing ${runDir}`);
    } else {
      log(`\n== ${v.name}: ${describeSpatialPooling(v.pooling)}, M=${v.maps}, architecture ${v.architecture === 'maps' ? '(a)' : '(b)'}`);
      result = await withInterrupt((signal) => trainWsl(config, { out: runDir, resume: existsSync(join(runDir, RUN_FILES.last)), signal }));
      if (result.interrupted) throw new Error(`ablation interrupted during ${v.name}; run the same command again to continue`);
    }
    await tuneRunThresholds(runDir, { data, split: config.valSplit });
    const m = await evaluateRun(runDir, data, testSplit);
    rows.push({
      name: v.name, pooling: describeSpatialPooling(v.pooling), maps: v.maps, architecture: v.architecture === 'maps' ? 'a' : 'b',
      valMAP: result.bestMAP, testMAP: m.mAP, testLocMAP: m.locMAP, testMIoU: meanIoUs(m), imagesPerSecond: result.imagesPerSecond, seconds: result.seconds,
    });
    writeFileAtomic(join(out, 'ablation.json'), JSON.stringify(rows, null, 2) + '\n');
  }
  return rows;
}

/** Segmentation mIoU of each smoothing in `m` (empty without masks). */
export function meanIoUs(m: WslMetrics): Partial<Record<Smoothing, number>> {
  const out: Partial<Record<Smoothing, number>> = {};
  for (const s of SMOOTHINGS) {
    const v = m.segmentation?.bySmoothing[s]?.meanIoU;
    if (v !== undefined) out[s] = v;
  }
  return out;
}

/** Column titles of the mIoU of each smoothing: 'mIoU', 'mIoU +SLIC', ... */
export function meanIoUHeaders(): string[] {
  return SMOOTHINGS.map((s) => (s === 'none' ? 'test mIoU' : `mIoU +${s.toUpperCase()}`));
}

export function ablationTable(rows: AblationRow[]): string {
  return formatTable(
    ['run', 'pooling', 'M', 'arch', 'val mAP', 'test mAP', 'test loc mAP', ...meanIoUHeaders(), 'img/s'],
    rows.map((r) => [r.name, r.pooling, String(r.maps), r.architecture, pct(r.valMAP), pct(r.testMAP), pct(r.testLocMAP), ...SMOOTHINGS.map((s) => pct(r.testMIoU[s] ?? NaN)), r.imagesPerSecond]),
  );
}
