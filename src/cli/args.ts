// Command-line parsing on node:util parseArgs, with typed, validated option readers whose
// errors name the flag and what it accepts.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { defaultNumThreads, setMemoryFormat, setThreadAdaptation, type MemoryFormat, type ThreadChange } from '../core/index.js';
import { setInferenceFusion } from '../nn/inferenceFusion.js';
import { DEFAULT_CHECKPOINT, RUN_CHECKPOINTS, type RunCheckpoint } from '../train/loadRun.js';

import { UsageError } from './usageError.js';

export { UsageError };

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: OptionSpec, usage: string): Parsed {
  let r: ReturnType<typeof parseArgs>;
  try {
    r = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage.trim()}`);
  }
  if (r.values.help) {
    process.stdout.write(usage.trim() + '\n');
    process.exit(0);
  }
  return { values: r.values as Parsed['values'], positionals: r.positionals };
}

export function str(p: Parsed, name: string, fallback?: string): string {
  const v = p.values[name];
  if (v === undefined || v === true || v === false) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${name} is required`);
  }
  return v;
}

export function optStr(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function num(p: Parsed, name: string, fallback: number, check: { int?: boolean; min?: number; max?: number } = {}): number {
  const v = p.values[name];
  if (v === undefined) return fallback;
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`--${name} expects a number, got '${String(v)}'`);
  if (check.int && !Number.isInteger(x)) throw new UsageError(`--${name} expects an integer, got ${v}`);
  if (check.min !== undefined && x < check.min) throw new UsageError(`--${name} must be >= ${check.min}, got ${v}`);
  if (check.max !== undefined && x > check.max) throw new UsageError(`--${name} must be <= ${check.max}, got ${v}`);
  return x;
}

/**
 * --threads N|auto: libtorch threads. auto (the default) starts at `fallback` (every core, unless
 * the command says otherwise) and lets thread adaptation lower the count while other processes
 * keep cores busy (engineFlags turns it on); N fixes the count.
 */
export function threadsFlag(p: Parsed, fallback = defaultNumThreads()): number {
  if (threadsAdapt(p)) return fallback;
  const v = p.values.threads;
  if (typeof v !== 'string' || !/^\s*[0-9.eE+-]+\s*$/.test(v)) throw new UsageError(`--threads expects a thread count or auto, got '${String(v)}'`);
  return num(p, 'threads', fallback, { int: true, min: 1 });
}

/** Whether --threads leaves the count to thread adaptation (not given, or auto). */
export function threadsAdapt(p: Parsed): boolean {
  return p.values.threads === undefined || p.values.threads === 'auto';
}

/** The usage line of --threads, the same in every command. */
export const THREADS_USAGE = `  --threads N|auto       libtorch threads (default auto: every core, one fewer per core other
                         processes keep busy for a second, checked every half second; N fixes the count)`;

/** The line printed when thread adaptation changes the count. */
export function describeThreadChange(c: ThreadChange): string {
  return `threads: ${c.from} → ${c.to} (other processes kept ${c.othersCores.toFixed(1)} of ${c.cores} cores busy; --threads N fixes the count)`;
}

/**
 * One line on stderr when other processes already use the cores that `threads` threads need (the
 * 1-minute load average plus our threads exceeds the cores): OpenMP's threads then wait for each
 * other, and a fixed count of several threads can lose two thirds of its throughput (README,
 * Speed: contention). With thread adaptation on (`adapting`) the line says the count will follow
 * the load; with a fixed count it names a smaller one.
 */
export function busyMachineHint(threads: number, load = loadavg()[0] ?? 0, cores = cpus().length, adapting = false): string | null {
  if (threads < 2 || load + threads <= cores + 0.5) return null;
  const busy = `note: the machine is busy (load average ${load.toFixed(1)} on ${cores} cores)`;
  const hint = adapting
    ? `${busy}: starting with ${threads} threads, fewer while other processes keep cores busy (each change is said here)`
    : `${busy}: ${threads} threads compete with other processes; ` +
      `if steps are slow, --threads ${Math.max(1, Math.min(threads - 1, Math.floor(cores - load)))} may be faster (--threads auto follows the load)`;
  console.error(hint);
  return hint;
}

/** The values of --memory-format, and the layouts they name. */
const MEMORY_FORMAT_FLAGS = { 'channels-last': 'channelsLast', contiguous: 'contiguous', auto: 'auto' } as const;

/**
 * --memory-format channels-last|contiguous|auto (default auto): sets the layout of the networks
 * the command builds (core's setMemoryFormat). When the first network is built (after the
 * arguments were checked), says on stderr which layout auto picked and why, and gives the
 * busy-machine hint for `threads`.
 */
export function memoryFormatFlag(p: Parsed, threads?: number, adapting = false): MemoryFormat {
  const flag = choice(p, 'memory-format', Object.keys(MEMORY_FORMAT_FLAGS) as (keyof typeof MEMORY_FORMAT_FLAGS)[], 'auto');
  const said = { format: 'contiguous' as MemoryFormat, reason: null as string | null };
  const { format, reason } = setMemoryFormat(MEMORY_FORMAT_FLAGS[flag], {
    onFirstUse: () => {
      if (said.reason !== null) console.error(`memory format: ${said.format === 'channelsLast' ? 'channels-last' : 'contiguous'} (auto: ${said.reason}; --memory-format chooses)`);
      if (threads !== undefined) busyMachineHint(threads, undefined, undefined, adapting);
    },
  });
  Object.assign(said, { format, reason });
  return format;
}

/** The values of --inference: fold BatchNorm into prepacked convolutions, or run the layers as trained. */
export const INFERENCE_MODES = ['fused', 'plain'] as const;
export type InferenceMode = (typeof INFERENCE_MODES)[number];
/** The default of --inference (measured faster for every network timed: README, Speed). */
export const DEFAULT_INFERENCE: InferenceMode = 'fused';

/**
 * --inference fused|plain (default fused): whether networks evaluated by the command fold each
 * BatchNorm into its convolution and run it prepacked (nn's setInferenceFusion). Scores equal the
 * plain path's to float rounding.
 */
export function inferenceFlag(p: Parsed): InferenceMode {
  const mode = choice(p, 'inference', INFERENCE_MODES, DEFAULT_INFERENCE);
  setInferenceFusion(mode === 'fused');
  return mode;
}

/** The engine flags every command that runs a network takes (--threads is read first, by threadsFlag). */
export const ENGINE_OPTIONS = { threads: { type: 'string' }, 'memory-format': { type: 'string' }, inference: { type: 'string' } } as const;

/** Their usage lines. */
export const ENGINE_USAGE = `${THREADS_USAGE}
  --memory-format F      channels-last | contiguous | auto (default auto: channels-last when
                         libtorch has oneDNN; says on stderr what it picked)
  --inference MODE       fused | plain (default ${DEFAULT_INFERENCE}): networks evaluated by the command fold
                         BatchNorm into prepacked oneDNN convolutions, or run layer by layer`;

/**
 * Applies the engine flags (ENGINE_OPTIONS): --memory-format for the networks the command builds
 * and --inference for the ones it evaluates, and turns thread adaptation on unless --threads fixes
 * the count (each change is said on stderr). `threads` feeds the busy-machine hint.
 */
export function engineFlags(p: Parsed, threads?: number): { memoryFormat: MemoryFormat; inference: InferenceMode; adaptThreads: boolean } {
  const adaptThreads = setThreadAdaptation(threadsAdapt(p), { onChange: (c) => console.error(describeThreadChange(c)) });
  const memoryFormat = memoryFormatFlag(p, threads, adaptThreads);
  return { memoryFormat, inference: inferenceFlag(p), adaptThreads };
}

/** --checkpoint best|last: which weights of the run, default DEFAULT_CHECKPOINT. */
export function checkpointFlag(p: Parsed): RunCheckpoint {
  return choice(p, 'checkpoint', RUN_CHECKPOINTS, DEFAULT_CHECKPOINT);
}

export function optNum(p: Parsed, name: string): number | undefined {
  return p.values[name] === undefined ? undefined : num(p, name, 0);
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function choice<T extends string>(p: Parsed, name: string, allowed: readonly T[], fallback: T): T {
  const v = p.values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got '${String(v)}'`);
  }
  return v as T;
}
