// Thread adaptation: libtorch's thread count follows the cores other processes leave free.
//
// Why: OpenMP's threads wait for each other at the end of every parallel region. When another
// process takes one of two cores, a 2-thread step waits on whichever thread was descheduled and
// training falls to about a third of its quiet throughput (26–41 % here, PyTorch 28–39 %), well
// below what the same step gets from one thread beside the same load (README, Speed: a shared
// CPU). One thread per free core avoids that, and no fixed count is right for both a quiet and a
// shared machine, so the count is re-decided every window from what the machine's CPU counters show.
import { native } from './native.js';
import { othersCores, readCpuTimes, type CpuTimes } from './cpuTimes.js';

/**
 * Wall time of one measurement of the other processes' load (ms). A change needs two windows in
 * a row that ask for it (THREAD_ADAPTATION_WINDOWS), so a burst shorter than a second (a process
 * starting, the kernel reclaiming memory) changes nothing.
 */
export const THREAD_ADAPTATION_WINDOW_MS = 500;

/** Consecutive windows that must ask for fewer (or more) threads before the count changes. */
export const THREAD_ADAPTATION_WINDOWS = 2;

/** One change of the thread count, and the load that caused it. */
export interface ThreadChange {
  from: number;
  to: number;
  /** Cores other processes kept busy during the window (0…cores). */
  othersCores: number;
  cores: number;
}

export interface ThreadAdaptationOptions {
  /** Measurement window (default THREAD_ADAPTATION_WINDOW_MS). */
  windowMs?: number;
  /** Called after each change (the CLI prints one line). */
  onChange?: (change: ThreadChange) => void;
  /** Where the CPU counters come from (default: /proc; tests pass their own). */
  readTimes?: () => CpuTimes | null;
  /** Milliseconds clock (default performance.now; tests pass their own). */
  now?: () => number;
}

/**
 * The thread count for the next window, given the current count, the most the user asked for,
 * and the cores other processes used. Fewer threads as soon as the free cores fall half a core
 * below the current count; more only when a further core is clearly free (0.7 above), so a load
 * near a boundary does not flip the count every window.
 */
export function adaptedThreadCount(current: number, ceiling: number, others: number, cores: number): number {
  const free = cores - others;
  if (current > 1 && free < current - 0.5) return Math.max(1, Math.min(ceiling, Math.round(free)));
  if (current < ceiling && free > current + 0.7) return Math.max(current, Math.min(ceiling, Math.floor(free + 0.3)));
  return current;
}

/** The count last asked for through setNumThreads (runtime.ts); the adaptation never exceeds it. */
let ceiling: number | null = null;

interface Adaptation {
  windowMs: number;
  onChange: (change: ThreadChange) => void;
  readTimes: () => CpuTimes | null;
  now: () => number;
  baseline: CpuTimes;
  since: number;
  /** Consecutive windows that asked for a change in the direction of `wanted`, and the last count asked for. */
  agreeing: number;
  wanted: number;
}
let active: Adaptation | null = null;

/** Sets libtorch's and the BLAS library's thread pools to `n` threads. */
export function applyThreadCount(n: number): void {
  native.setNumThreads(n);
  native.setBlasThreads(n);
}

/** Records a thread count asked for by the user (setNumThreads) and starts a fresh window. */
export function noteRequestedThreads(n: number): void {
  ceiling = n;
  if (active) restartWindow(active);
}

function restartWindow(a: Adaptation): void {
  a.baseline = a.readTimes() ?? a.baseline;
  a.since = a.now();
  a.agreeing = 0;
}

/**
 * Turns thread adaptation on or off for this process. When on, `adaptThreads()` (called by the
 * training and inference loops between steps) measures, once per window, how many cores other
 * processes use, and lowers or restores libtorch's thread count between 1 and the count last
 * given to setNumThreads. Off (the library's default) restores that count; the CLI turns it on
 * unless `--threads N` fixes the count. Returns false, and stays off, where the CPU counters cannot
 * be read (/proc/stat and /proc/self/stat: Linux only).
 *
 * A different thread count changes the summation order of some kernels, so an adapted run is not
 * bit-identical to one at a fixed count (results agree to float tolerance).
 */
export function setThreadAdaptation(on: boolean, options: ThreadAdaptationOptions = {}): boolean {
  if (!on) {
    if (active && ceiling !== null && native.getNumThreads() !== ceiling) applyThreadCount(ceiling);
    active = null;
    return false;
  }
  const readTimes = options.readTimes ?? readCpuTimes;
  const baseline = readTimes();
  if (baseline === null) {
    active = null;
    return false;
  }
  const now = options.now ?? (() => performance.now());
  ceiling ??= native.getNumThreads();
  active = {
    windowMs: options.windowMs ?? THREAD_ADAPTATION_WINDOW_MS, onChange: options.onChange ?? (() => {}), readTimes, now, baseline, since: now(), agreeing: 0, wanted: 0,
  };
  return true;
}

/** Whether thread adaptation is on. */
export function threadAdaptationEnabled(): boolean {
  return active !== null;
}

/**
 * Between steps: when adaptation is on and a window has passed, measures the window's load and
 * starts the next window; when this window and the one before both asked for fewer threads (or
 * both for more), sets the count this one asked for (adaptedThreadCount). Costs a clock read
 * otherwise. Returns the change made, or null.
 */
export function adaptThreads(): ThreadChange | null {
  const a = active;
  if (a === null || a.now() - a.since < a.windowMs) return null;
  const after = a.readTimes();
  if (after === null) return null;
  const others = othersCores(a.baseline, after);
  a.baseline = after;
  a.since = a.now();
  if (others === null) return null;
  const from = native.getNumThreads();
  const to = adaptedThreadCount(from, ceiling ?? from, others, after.cores);
  if (to === from) {
    a.agreeing = 0;
    return null;
  }
  a.agreeing = a.agreeing > 0 && Math.sign(a.wanted - from) === Math.sign(to - from) ? a.agreeing + 1 : 1;
  a.wanted = to;
  if (a.agreeing < THREAD_ADAPTATION_WINDOWS) return null;
  applyThreadCount(to);
  // The reading that decided is already the new count's baseline: a fresh window, no agreement yet.
  a.agreeing = 0;
  const change = { from, to, othersCores: others, cores: after.cores };
  a.onChange(change);
  return change;
}
