// Rebuilding a trained network from its run folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWildcatNet } from '../wsl/buildWildcatNet.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { loadCheckpoint, disposeCheckpoint } from './checkpoint.js';
import { isScoreCombination } from './scoreCombination.js';
import { RUN_FILES } from './wslTrainer.js';
import { completeWslConfig, type WslTrainConfig } from './wslConfig.js';

/** Which weights of a run folder: the best by validation mAP, or the last epoch's. */
export type RunCheckpoint = 'best' | 'last';

/** The checkpoints a run folder has, in the order the `--checkpoint` flag lists them. */
export const RUN_CHECKPOINTS: readonly RunCheckpoint[] = Object.freeze(['best', 'last'] as const);

/** The checkpoint every command and API loads unless told otherwise (one default, defined here). */
export const DEFAULT_CHECKPOINT: RunCheckpoint = 'best';

/**
 * The network of run folder `run` with its best (default) or last weights, and the run's config.
 * @example const { net, config } = loadRun('runs/demo'); net.eval();
 */
export function loadRun(run: string, which: RunCheckpoint = DEFAULT_CHECKPOINT): { net: WildcatNet; config: WslTrainConfig } {
  const configPath = join(run, RUN_FILES.config);
  if (!existsSync(configPath) && isScoreCombination(run)) {
    throw new Error(`${run}: a combination folder (wildcat combine), not a run: only \`wildcat eval\` and \`wildcat predict\` take it (classification and localization)`);
  }
  if (!existsSync(configPath)) throw new Error(`${run}: not a run folder (no ${RUN_FILES.config}); train one with \`wildcat train --out ${run}\``);
  let config: WslTrainConfig;
  try {
    const parsed = JSON.parse(readFileSync(configPath, 'utf8')) as WslTrainConfig | null;
    if (parsed === null || typeof parsed !== 'object' || parsed.model === null || typeof parsed.model !== 'object') throw new Error('not an object with a "model"');
    config = completeWslConfig(parsed);
  } catch (e) {
    throw new Error(`${configPath}: cannot read the run's config (${(e as Error).message})`);
  }
  let path = join(run, which === 'best' ? RUN_FILES.best : RUN_FILES.last);
  if (!existsSync(path) && which === 'best') path = join(run, RUN_FILES.last);
  if (!existsSync(path)) throw new Error(`${run}: no checkpoint yet (${RUN_FILES.best} / ${RUN_FILES.last}); the run has not finished an epoch`);
  const net = buildWildcatNet(config.model);
  const ckpt = loadCheckpoint(path);
  try {
    net.loadStateDict(ckpt.model);
  } catch (e) {
    net.dispose();
    throw new Error(`${path}: ${(e as Error).message}`);
  } finally {
    disposeCheckpoint(ckpt);
  }
  net.eval();
  return { net, config };
}
