// Where the wildcat-ts package is on disk, and whether it is a clone or an installed package:
// the two differ in how the native addon gets built (make vs npm's install hook) and where
// derived data is cached.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding wildcat-ts's package.json and native/ (found above this compiled file). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native', 'binding.gyp'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error(`wildcat-ts: cannot find the package root (package.json beside native/binding.gyp) above ${fileURLToPath(import.meta.url)}`);
}

/**
 * Whether `root` is a source checkout (a clone, with its Makefile) rather than a package installed
 * by npm (whose tarball has no Makefile).
 */
export function isSourceCheckout(root: string): boolean {
  return existsSync(join(root, 'Makefile'));
}
