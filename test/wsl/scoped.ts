// Scope for the value tests of test/wsl.
import { tidy } from '../../src/core/index.js';
import { leakFree } from '../helpers/leak.js';

/**
 * Runs a test body inside tidy() under leakFree: value tests create many short-lived tensors
 * of their own. The scope also disposes what library code forgets, so this only catches what
 * a scope cannot see (native handles no Tensor owns, tensors kept by the code under test).
 * The real leak check is each test file's withLeakCheck test, which runs every function and
 * code path of the library outside any scope and disposes only what it returns.
 */
export function scoped(fn: () => void): void {
  leakFree(() => {
    tidy(fn);
  });
}
