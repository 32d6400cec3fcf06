// Where wildcat-ts keeps derived data it can rebuild: generated scenes and pre-trained backbones.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    dir = resolve(dir, '..');
  }
  return process.cwd();
}

/** `$WILDCAT_CACHE`, or `.cache/` in the package folder. */
export function cacheDir(): string {
  return process.env.WILDCAT_CACHE ? resolve(process.env.WILDCAT_CACHE) : join(packageRoot(), '.cache');
}
