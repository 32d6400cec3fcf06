/** Shared fixtures for the train and CLI tests: tiny scene sets, tiny configs, checkpoint readers. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBytes } from '../../src/core/index.js';
import { loadTensors } from '../../src/io/index.js';
import { writeVocScenes } from '../../src/data/vocSceneWriter.js';
import { defaultWslConfig, type WslTrainConfig } from '../../src/train/wslConfig.js';
import { syntheticItems } from '../data/fixtures.js';

/** Runs fn with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'wildcat-train-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Side of the tiny scenes. */
export const SCENE_SIZE = 64;

/**
 * Writes 64-px scenes of 4 synthetic classes (no Fashion-MNIST files needed) in VOC layout under
 * `dir`; returns the `voc:` dataset spec.
 */
export async function writeTinyScenes(dir: string, counts = { train: 24, val: 8, test: 8 }, seed = 3): Promise<string> {
  await writeVocScenes({
    out: dir, counts, seed, size: SCENE_SIZE,
    items: { train: syntheticItems(4, 6), test: syntheticItems(4, 3) },
    scene: { minItemSize: 18, maxItemSize: 40, maxItems: 3 },
  });
  return `voc:${dir}`;
}

/** A width-0.125 ResNet-18 WILDCAT at 64 px, 1 thread: each epoch of 24 scenes takes a fraction of a second. */
export function tinyConfig(data: string, overrides: Partial<WslTrainConfig> = {}): WslTrainConfig {
  const c = defaultWslConfig();
  return {
    ...c,
    data,
    model: { ...c.model, backbone: { depth: 18, widthMultiplier: 0.125, outputStride: 16 } },
    imageSize: SCENE_SIZE,
    epochs: 2,
    batchSize: 8,
    threads: 1,
    ...overrides,
  };
}

/** The tensors of a weight file as name → bytes (+ dtype/shape), handles disposed. */
export function checkpointBytes(path: string): Map<string, { shape: number[]; dtype: string; bytes: Buffer }> {
  const { tensors } = loadTensors(path);
  const out = new Map<string, { shape: number[]; dtype: string; bytes: Buffer }>();
  for (const [k, t] of tensors) {
    out.set(k, { shape: t.shape, dtype: t.dtype, bytes: Buffer.from(toBytes(t)) });
    t.dispose();
  }
  return out;
}

/** Names of the tensors that differ between two weight files (missing on one side counts). */
export function differingTensors(a: string, b: string): string[] {
  const ta = checkpointBytes(a);
  const tb = checkpointBytes(b);
  const diff: string[] = [];
  for (const k of new Set([...ta.keys(), ...tb.keys()])) {
    const x = ta.get(k);
    const y = tb.get(k);
    if (!x || !y || x.dtype !== y.dtype || x.shape.join() !== y.shape.join() || !x.bytes.equals(y.bytes)) diff.push(k);
  }
  return diff;
}

/** A silent logger that keeps the messages. */
export function collectLog(): { log: (m: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (m) => lines.push(m), lines };
}
