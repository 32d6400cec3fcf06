// Process-wide engine settings and accounting.
import { availableParallelism } from 'node:os';
import { native } from './native.js';
import { expectInteger } from './errors.js';
import { applyThreadCount, noteRequestedThreads } from './threadAdaptation.js';

/** Live tensor handles and the bytes they reference (views count their own size). */
export function memory(): { tensors: number; bytes: number } {
  return native.memory();
}

/**
 * Intra-op threads used by libtorch kernels (OpenMP), and the same number for the BLAS library's
 * own pool (OpenBLAS keeps one thread per core otherwise, whose workers spin on the other core
 * even under `--threads 1`: native/blasThreads.cc). With thread adaptation on
 * (setThreadAdaptation), `n` is the most it will use.
 */
export function setNumThreads(n: number): void {
  expectInteger('setNumThreads() argument n', n, { min: 1 });
  applyThreadCount(n);
  noteRequestedThreads(n);
}

/**
 * The default of every `threads` option (CLI commands, trainer, pre-training), defined once:
 * every core this process may use (node:os availableParallelism, which respects CPU affinity).
 */
export function defaultNumThreads(): number {
  return availableParallelism();
}

/** The thread count libtorch uses now (below setNumThreads' while thread adaptation has lowered it). */
export function getNumThreads(): number {
  return native.getNumThreads();
}

/** Seeds libtorch's default generator (randn, rand, dropout, randperm...). */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}

/** libtorch version and build configuration. */
export function engineVersion(): { torch: string; parallel: string; config: string } {
  return native.version();
}
