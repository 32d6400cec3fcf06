// Shared machinery of the benchmarks: flags, the load check, medians, and the PyTorch reference
// process driven step by step over a pipe so that our runs and PyTorch's interleave.
// stdout carries only the JSON result lines; everything else goes to stderr.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';

/** Debian's python3-torch runs under the system interpreter, not the python3 first on PATH. */
export const DEFAULT_PYTHON = '/usr/bin/python3';

/** Parses `--name value` and `--flag` (boolean) arguments; `--name=value` works too. */
export function parseFlags(argv: string[], booleans: string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'; flags look like --name value (try --help)`);
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (booleans.includes(a.slice(2))) out.set(a.slice(2), 'true');
    else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`flag ${a} needs a value`);
      out.set(a.slice(2), v);
      i++;
    }
  }
  return out;
}

/** A positive integer flag, or its default. */
export function intFlag(flags: Map<string, string>, name: string, def: number, min = 1): number {
  const s = flags.get(name);
  if (s === undefined) return def;
  const v = Number(s);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, got '${s}'`);
  return v;
}

export function log(msg: string): void {
  process.stderr.write(msg + '\n');
}

/**
 * Fraction of CPU time (all cores) spent outside the idle loop over the next `ms`: unlike the
 * load average, which trails by minutes, this says whether someone is computing right now.
 */
export async function cpuBusy(ms = 1000): Promise<number> {
  const sample = (): [number, number] => {
    let idle = 0;
    let total = 0;
    for (const c of cpus()) {
      idle += c.times.idle;
      total += c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    }
    return [idle, total];
  };
  const [i0, t0] = sample();
  await new Promise((r) => setTimeout(r, ms));
  const [i1, t1] = sample();
  return t1 > t0 ? Math.round((1 - (i1 - i0) / (t1 - t0)) * 100) / 100 : 0;
}

/** 1-minute load average, rounded for the JSON lines. */
export function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

/**
 * Warns on stderr when the machine is busy: with 2 cores, OpenMP with 2 threads slows down
 * badly as soon as another process takes a core, so the figures are noisy.
 */
export async function checkLoad(): Promise<{ load: number; busy: number }> {
  const load = load1();
  const busy = await cpuBusy();
  if (load > 0.5 || busy > 0.2) {
    log(`warning: load average ${load}, CPU ${Math.round(busy * 100)}% busy before we start (${cpus().length} cores): other processes use the CPU, ` +
      'so these timings are noisy (our runs and PyTorch\'s are interleaved so that both suffer alike: compare ratios, not absolute times)');
  }
  return { load, busy };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Rounds seconds for the JSON lines (0.1 ms). */
export function sec(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 1000) / 1000;
}

/** Seconds one call of fn takes. */
export function timeIt(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Splits `total` steps into `rounds` near-equal parts (each ≥ 1). */
export function splitSteps(total: number, rounds: number): number[] {
  const r = Math.max(1, Math.min(rounds, total));
  return Array.from({ length: r }, (_, i) => Math.floor(total / r) + (i < total % r ? 1 : 0));
}

/** The folder holding the PyTorch scripts (bench/ of the package, above dist/bench/). */
export function scriptDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'bench', 'torch_common.py'))) return join(dir, 'bench');
    dir = resolve(dir, '..');
  }
  throw new Error(`cannot find bench/torch_common.py above ${fileURLToPath(import.meta.url)}`);
}

/** Whether `python -c 'import torch'` works (the reference runs only then). */
export function torchAvailable(python: string): boolean {
  const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120_000 });
  return r.status === 0;
}

/** What the reference process says when it is ready. */
export interface TorchInfo {
  torch: string;
  torch_threads: number;
  resnet_source: 'torchvision' | 'script';
}

/**
 * One PyTorch reference process (bench/torch_*.py --serve): it builds its model once, then runs
 * `steps` steps of a phase ('train', 'infer') per request and replies with the time of each.
 * It sleeps on stdin between requests, so it does not compete with our runs.
 */
export class TorchWorker {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  readonly #what: string;
  #stderr = '';

  private constructor(child: ChildProcessWithoutNullStreams, what: string) {
    this.#child = child;
    this.#what = what;
    this.#lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stderr.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-4000);
    });
  }

  /** Starts `script` with `args` plus --serve and waits for its ready line. */
  static async start(python: string, script: string, args: string[]): Promise<{ worker: TorchWorker; info: TorchInfo }> {
    const path = join(scriptDir(), script);
    // Both sides run with the same environment: libgomp's defaults unless the caller set a policy.
    const child = spawn(python, [path, ...args, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const worker = new TorchWorker(child, `${script} ${args.join(' ')}`);
    const info = (await worker.#read()) as unknown as TorchInfo & { ready?: boolean };
    if (info.ready !== true) throw new Error(`${worker.#what}: unexpected first line ${JSON.stringify(info)}`);
    return { worker, info };
  }

  async #read(): Promise<Record<string, unknown>> {
    const next = await this.#lines.next();
    if (next.done) throw new Error(`${this.#what}: the PyTorch process ended unexpectedly; its stderr:\n${this.#stderr}`);
    return JSON.parse(next.value) as Record<string, unknown>;
  }

  /** Runs `steps` steps of `phase` in the reference process; the time of each, in seconds. */
  async run(phase: string, steps: number): Promise<number[]> {
    this.#child.stdin.write(JSON.stringify({ cmd: phase, steps }) + '\n');
    const reply = await this.#read();
    if (typeof reply.error === 'string') throw new Error(`${this.#what}: ${reply.error}`);
    return reply.times as number[];
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((res) => this.#child.once('exit', () => res()));
    this.#child.stdin.end(JSON.stringify({ cmd: 'quit' }) + '\n');
    await exited;
  }
}

/** Our side of a comparison: one step of each phase, run synchronously. */
export type Phases = Record<string, () => unknown>;

export interface Timings {
  ours: Record<string, number[]>;
  torch: Record<string, number[]>;
}

/**
 * Warms up, then times `steps` steps of every phase on our side and in the reference process,
 * in `rounds` interleaved rounds (ABBA order: ours first in even rounds, PyTorch first in odd
 * ones) so that a change of machine load in the middle affects both alike.
 */
export async function interleave(opts: {
  label: string;
  ours: Phases;
  torch: TorchWorker | null;
  warmup: number;
  steps: number;
  rounds: number;
}): Promise<Timings> {
  const { ours, torch } = opts;
  const phases = Object.keys(ours);
  const t: Timings = { ours: {}, torch: {} };
  for (const p of phases) {
    t.ours[p] = [];
    t.torch[p] = [];
  }
  const runOurs = (p: string, n: number): number[] => Array.from({ length: n }, () => timeIt(ours[p]!));
  for (const p of phases) {
    if (opts.warmup > 0) {
      runOurs(p, opts.warmup);
      if (torch) await torch.run(p, opts.warmup);
    }
  }
  const parts = splitSteps(opts.steps, opts.rounds);
  for (let r = 0; r < parts.length; r++) {
    const n = parts[r]!;
    for (const p of phases) {
      const oursFirst = r % 2 === 0;
      if (oursFirst) t.ours[p]!.push(...runOurs(p, n));
      if (torch) t.torch[p]!.push(...(await torch.run(p, n)));
      if (!oursFirst) t.ours[p]!.push(...runOurs(p, n));
      const last = (xs: number[]): string => xs.slice(-n).map((x) => x.toFixed(3)).join(' ');
      log(`${opts.label} round ${r + 1}/${parts.length} ${p}: ours ${last(t.ours[p]!)}` + (torch ? ` | torch ${last(t.torch[p]!)}` : '') + ` (load ${load1()})`);
    }
  }
  return t;
}

/** The PyTorch reference's identity fields of a JSON line. */
export function torchIdentity(info: Partial<TorchInfo> & Record<string, unknown>): Record<string, unknown> {
  return { torch_threads: info.torch_threads, torch_resnet: info.resnet_source, torch_version: info.torch };
}

/** Adds the run's settings and load figures to a JSON line and prints it on stdout. */
export function writeLine(line: Record<string, unknown>, run: { steps: number; warmup: number; loadStart: number; busyStart: number }): void {
  Object.assign(line, { steps: run.steps, warmup: run.warmup, load_start: run.loadStart, cpu_busy_start: run.busyStart, load_end: load1() });
  process.stdout.write(JSON.stringify(line) + '\n');
}

/**
 * Garbage-collection time spent inside our steps: wrap the phases with {@link GcMeter.wrap}, run
 * them, then read {@link GcMeter.msPerStep}. V8 reports each collection (perf_hooks 'gc' entries,
 * delivered asynchronously); a collection counts when it starts inside one of our step windows.
 */
export class GcMeter {
  readonly #windows: [number, number][] = [];
  readonly #gcs: { start: number; ms: number; kind: number }[] = [];
  readonly #observer: PerformanceObserver;

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.#gcs.push({ start: e.startTime, ms: e.duration, kind: (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0 });
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** The same phases, each call's time window recorded. */
  wrap(phases: Phases): Phases {
    const out: Phases = {};
    for (const [name, fn] of Object.entries(phases)) {
      out[name] = () => {
        const t0 = performance.now();
        try {
          return fn();
        } finally {
          this.#windows.push([t0, performance.now()]);
        }
      };
    }
    return out;
  }

  /** Milliseconds of GC per step, and full (mark-sweep) collections per step, over every wrapped call so far. */
  async msPerStep(): Promise<{ gcMsPerStep: number; fullGcPerStep: number; steps: number }> {
    await new Promise((r) => setTimeout(r, 100)); // the observer delivers entries in a later task
    this.#observer.disconnect();
    let ms = 0;
    let full = 0;
    for (const g of this.#gcs) {
      if (!this.#windows.some(([a, b]) => g.start >= a && g.start <= b)) continue;
      ms += g.ms;
      if (g.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++;
    }
    const steps = this.#windows.length;
    return { gcMsPerStep: steps > 0 ? Math.round((ms / steps) * 1000) / 1000 : NaN, fullGcPerStep: steps > 0 ? Math.round((full / steps) * 1000) / 1000 : NaN, steps };
  }
}
