// Background thresholds tuned on a validation split, stored in the run folder
// (RUN/segmentation.json) per evidence settings, and the background model a segmentation uses.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFileError, outOfRange } from '../core/index.js';
import { writeFileAtomic } from '../io/index.js';
import { powerGammaForThreshold, type BackgroundModel } from './backgroundDecision.js';
import {
  DEFAULT_BACKGROUND_THRESHOLD, describeEvidenceKey, sameEvidenceKey, type EvidenceKey, type SegmentationSettings,
} from './segmentationSettings.js';

/** The file in a run folder that holds its tuned thresholds. */
export const SEGMENTATION_FILE = 'segmentation.json';

/** One tuning: the thresholds chosen for one set of evidence settings. */
export interface ThresholdTuning {
  key: EvidenceKey;
  /** Where it was tuned. */
  data: string;
  split: string;
  images: number;
  classNames: string[];
  /** Best single δ and its mIoU on the split. */
  global: { threshold: number; mIoU: number };
  /** Best per-class δ_k and their mIoU on the split. */
  perClass: { thresholds: number[]; mIoU: number };
  /** The untuned default δ's mIoU on the split, for reference. */
  untuned: { threshold: number; mIoU: number };
  date: string;
}

interface SegmentationFile {
  version: 1;
  tunings: ThresholdTuning[];
}

/** The tunings stored in `run` (none when the run was never tuned). */
export function readThresholdTunings(run: string): ThresholdTuning[] {
  const path = join(run, SEGMENTATION_FILE);
  if (!existsSync(path)) return [];
  let file: SegmentationFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as SegmentationFile;
  } catch (e) {
    throw new DataFileError(path, `cannot read the tuned segmentation thresholds (${(e as Error).message}); delete it and run \`wildcat tune-segmentation --run ${run}\` again`);
  }
  const again = `delete it and run \`wildcat tune-segmentation --run ${run}\` again`;
  if (file === null || typeof file !== 'object' || file.version !== 1 || !Array.isArray(file.tunings)) {
    throw new DataFileError(path, `not a segmentation thresholds file of this version (expected {"version": 1, "tunings": [...]}); ${again}`);
  }
  file.tunings.forEach((t, i) => {
    const problem = tuningProblem(t);
    if (problem) throw new DataFileError(path, `tunings[${i}]: ${problem}; ${again}`);
  });
  return file.tunings;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isThreshold = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < 1;

/**
 * What is wrong with one stored tuning, or null: everything a segmentation later reads from it
 * is checked here, so a damaged file is refused by name instead of failing deep inside a run.
 */
function tuningProblem(t: unknown): string | null {
  if (!isObject(t)) return 'not an object';
  const k = t['key'];
  if (!isObject(k) || !Array.isArray(k['scales']) || !k['scales'].every((x) => typeof x === 'number' && x > 0) || typeof k['flip'] !== 'boolean' ||
    typeof k['fuse'] !== 'string' || typeof k['mapNorm'] !== 'string' || typeof k['prior'] !== 'string' ||
    !(k['priorThreshold'] === null || typeof k['priorThreshold'] === 'number') || typeof k['checkpoint'] !== 'string') {
    return 'its "key" (the evidence settings) is missing or malformed';
  }
  const g = t['global'];
  const pc = t['perClass'];
  if (!isObject(g) || !isThreshold(g['threshold'])) return 'its "global.threshold" is not a number in [0, 1)';
  if (!isObject(pc) || !Array.isArray(pc['thresholds']) || pc['thresholds'].length === 0 || !pc['thresholds'].every(isThreshold)) {
    return 'its "perClass.thresholds" is not a list of numbers in [0, 1)';
  }
  if (typeof t['split'] !== 'string' || !(typeof t['images'] === 'number' && t['images'] >= 0)) return 'its "split" or "images" is missing';
  return null;
}

/** Adds `tuning` to `run`'s file, replacing a tuning of the same settings; written atomically. */
export function saveThresholdTuning(run: string, tuning: ThresholdTuning): void {
  const tunings = readThresholdTunings(run).filter((t) => !sameEvidenceKey(t.key, tuning.key));
  tunings.push(tuning);
  const file: SegmentationFile = { version: 1, tunings };
  writeFileAtomic(join(run, SEGMENTATION_FILE), JSON.stringify(file, null, 2) + '\n');
}

/** The background model `settings` ask for, and where its threshold came from (for logs and tables). */
export interface ResolvedBackground {
  model: BackgroundModel;
  /** e.g. "per-class δ tuned on val (200 images)" or "default δ 0.5 (no tuning for these settings)". */
  source: string;
  /** The tuned thresholds were not available and the default was used instead. */
  fellBack: boolean;
}

/**
 * Resolves `settings.threshold` ('tuned', 'tuned-global' or a number) against the tunings of a
 * run for the evidence settings `key`; without a matching tuning the default δ is used and
 * `fellBack` says so. The 'power' background takes `settings.gamma`, or the γ that decides like
 * the resolved global δ.
 */
export function resolveBackground(settings: SegmentationSettings, tunings: readonly ThresholdTuning[], key: EvidenceKey, numClasses: number): ResolvedBackground {
  const t = settings.threshold;
  let thresholds: number | number[];
  let source: string;
  let fellBack = false;
  if (typeof t === 'number') {
    if (!(t >= 0 && t < 1)) throw outOfRange('the background threshold', 'a number in [0, 1), \'tuned\' or \'tuned-global\'', t);
    thresholds = t;
    source = `δ ${t}`;
  } else {
    const tuning = tunings.find((x) => sameEvidenceKey(x.key, key));
    if (tuning && tuning.perClass.thresholds.length !== numClasses) {
      throw new DataFileError(SEGMENTATION_FILE, `the tuned thresholds are for ${tuning.perClass.thresholds.length} classes but the run has ${numClasses}; tune again`);
    }
    if (!tuning) {
      thresholds = DEFAULT_BACKGROUND_THRESHOLD;
      fellBack = true;
      source = `default δ ${DEFAULT_BACKGROUND_THRESHOLD} (no tuning for ${describeEvidenceKey(key)}; run wildcat tune-segmentation)`;
    } else if (t === 'tuned') {
      thresholds = [...tuning.perClass.thresholds];
      source = `per-class δ_k tuned on ${tuning.split} (${tuning.images} images)`;
    } else {
      thresholds = tuning.global.threshold;
      source = `δ ${tuning.global.threshold} tuned on ${tuning.split} (${tuning.images} images)`;
    }
  }
  if (settings.background === 'threshold') return { model: { kind: 'threshold', thresholds }, source, fellBack };
  let gamma = settings.gamma;
  if (gamma === null) {
    const global = typeof thresholds === 'number' ? thresholds : tunings.find((x) => sameEvidenceKey(x.key, key))!.global.threshold;
    if (!(global > 0)) throw outOfRange('the threshold the power background derives γ from', 'a number > 0', global, 'pass gamma (--gamma)');
    gamma = powerGammaForThreshold(global);
    source = `γ ${gamma.toFixed(3)} (decides like ${source})`;
  } else {
    source = `γ ${gamma}`;
  }
  return { model: { kind: 'power', gamma }, source, fellBack };
}
