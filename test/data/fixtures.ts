/** Shared fixtures for the data tests: a synthetic item set and temporary folders. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GrayItemSet } from '../../src/data/fashionMnist.js';

/**
 * `perClass` items for each of `classes` classes: 28×28 filled shapes whose size and proportions
 * depend on the class, with a stripe texture, so tests never need the real Fashion-MNIST files.
 */
export function syntheticItems(classes = 4, perClass = 3, names?: string[]): GrayItemSet {
  const count = classes * perClass;
  const pixels = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    labels[i] = c;
    const w = 8 + ((c * 5) % 16) + (i % 3);
    const h = 20 - ((c * 3) % 10);
    const x0 = Math.floor((28 - w) / 2);
    const y0 = Math.floor((28 - h) / 2);
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) pixels[i * 784 + y * 28 + x] = 120 + ((x + y + c) % 4) * 40;
    }
  }
  const classNames = names ?? Array.from({ length: classes }, (_, c) => ['zeta', 'alpha', 'mu', 'beta', 'kappa', 'omega'][c] ?? `c${c}`);
  return { count, height: 28, width: 28, pixels, labels, classNames };
}

/** Runs fn with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'wildcat-data-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
