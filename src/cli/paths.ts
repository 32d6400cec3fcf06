// Where wildcat-ts keeps derived data it can rebuild: generated scenes and pre-trained backbones.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { isSourceCheckout, packageRoot } from '../core/packageRoot.js';

/**
 * The cache folder: `$WILDCAT_CACHE` when set; in a clone, the clone's `.cache/` (so a fresh clone
 * starts from a fresh cache, `make demo` and the README's commands find it there, and removing the
 * clone removes it); in an installed package, the per-user cache `$XDG_CACHE_HOME/wildcat-ts`
 * (default `~/.cache/wildcat-ts`; a relative XDG_CACHE_HOME is ignored, as the XDG spec says), never
 * the package folder inside node_modules.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env, root: string = packageRoot()): string {
  if (env.WILDCAT_CACHE) return resolve(env.WILDCAT_CACHE);
  if (isSourceCheckout(root)) return join(root, '.cache');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.cache'), 'wildcat-ts');
}
