// A tiny trained run for the studio tests: 24/8/8 scenes of 64 px, one epoch of a 1/8-width
// ResNet-18 (about 2 s), made through the CLI as a user would.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** Runs the built CLI synchronously (1 libtorch thread) and returns its stdout. */
export function cli(...args: string[]): string {
  return execFileSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Writes scenes and trains a run under `root`; returns their paths. */
export function makeTinyRun(root: string, opts: { maps?: number } = {}): { scenes: string; run: string; data: string } {
  const scenes = join(root, 'scenes');
  const run = join(root, 'run');
  cli('data', 'scenes', '--out', scenes, '--train', '24', '--val', '8', '--test', '8', '--size', '64');
  cli('train', '--data', `voc:${scenes}`, '--out', run, '--epochs', '1', '--image-size', '64', '--width', '0.125',
    '--maps', String(opts.maps ?? 2), '--backbone-weights', 'none', '--threads', '1');
  return { scenes, run, data: `voc:${scenes}` };
}

/** The JPEG of a scene of the tiny dataset. */
export function sceneJpeg(scenes: string, id: string): string {
  return join(scenes, 'VOC2007', 'JPEGImages', `${id}.jpg`);
}
