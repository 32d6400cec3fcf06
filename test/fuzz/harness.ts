// The fuzzing harness: cases run in long-lived worker processes (node --max-old-space-size),
// one case at a time each, watched by the parent: a case that kills its worker (signal, abort,
// exit), runs longer than the time limit or grows the worker's resident memory past the memory
// limit is a failure attributed to that case, and the worker is replaced. A case that ends in an
// error passes only if the message names the file and is not an internal error (stack overflow,
// reading a property of undefined, ...).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One input to try: a mutant (seed, index) of a target, or a crafted case. */
export type FuzzCase = { target: string; kind: 'mutant'; seed: number; index: number } | { target: string; kind: 'crafted'; name: string; path?: string };

export interface FuzzResult {
  case: FuzzCase;
  outcome: 'ok' | 'error' | 'crash' | 'timeout' | 'memory';
  /** The error message (outcome 'error'), or what happened to the worker. */
  message?: string;
  errorName?: string;
  ms: number;
  /** Input size in bytes. */
  bytes?: number;
  /** Why the case fails the suite; undefined when it passes. */
  failure?: string;
}

export interface FuzzOptions {
  workers?: number;
  timeoutMs?: number;
  memoryBytes?: number;
  onResult?: (r: FuzzResult) => void;
}

/** Messages that betray an internal bug rather than a named refusal. */
const INTERNAL = /Maximum call stack size exceeded|Cannot read propert|is not a function|is not iterable|Invalid array length|Invalid typed array length|Array buffer allocation failed|undefined \(reading|Invalid code point|Warning treated as error|please report this error/;

const SELF = fileURLToPath(import.meta.url);

/** Runs every case, `workers` at a time; the results come back in case order. */
export async function runFuzz(cases: readonly FuzzCase[], options: FuzzOptions = {}): Promise<FuzzResult[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const memoryBytes = options.memoryBytes ?? 2 ** 30;
  const dir = mkdtempSync(join(tmpdir(), 'wildcat-fuzz-'));
  const results: FuzzResult[] = new Array(cases.length);
  let next = 0;
  const lane = async (lane: number): Promise<void> => {
    let worker: Worker | undefined;
    while (next < cases.length) {
      const i = next++;
      let c = cases[i]!;
      if (c.kind === 'crafted') {
        // Crafted inputs are built here, outside the watched worker, whose memory they would count against.
        const { CRAFTED, TARGETS } = await import('./targets.js');
        const name = c.name;
        const path = join(dir, `FUZZFILE-crafted-${name}.${TARGETS.find((t) => t.name === c.target)!.ext}`);
        writeFileSync(path, await CRAFTED.find((k) => k.name === name)!.make());
        c = { ...c, path };
      }
      worker ??= new Worker(join(dir, `w${lane}`), memoryBytes);
      const r = await worker.run(c, timeoutMs);
      r.case = cases[i]!;
      if (r.outcome === 'crash' || r.outcome === 'timeout' || r.outcome === 'memory') worker = undefined;
      r.failure = judge(r);
      results[i] = r;
      options.onResult?.(r);
    }
    worker?.stop();
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.workers ?? 1) }, (_, k) => lane(k)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

function judge(r: FuzzResult): string | undefined {
  switch (r.outcome) {
    case 'ok': return undefined;
    case 'crash': return `the worker died: ${r.message}`;
    case 'timeout': return `over the time limit (${r.ms} ms)`;
    case 'memory': return `over the memory limit (${r.message})`;
    case 'error': {
      const m = r.message ?? '';
      if (INTERNAL.test(m)) return `internal error: ${r.errorName}: ${m.slice(0, 300)}`;
      if (!m.includes('FUZZFILE')) return `the error does not name the file: ${r.errorName}: ${m.slice(0, 300)}`;
      return undefined;
    }
  }
}

class Worker {
  private readonly child: ChildProcess;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(dir: string, private readonly memoryBytes: number) {
    this.child = fork(SELF, ['--fuzz-worker', dir], {
      execArgv: [`--max-old-space-size=${Math.floor(memoryBytes / 2 ** 20)}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.resume();
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  run(c: FuzzCase, timeoutMs: number): Promise<FuzzResult> {
    const started = Date.now();
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: FuzzResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.child.off('message', onMessage);
        resolve(r);
      };
      const kill = (outcome: 'timeout' | 'memory', message: string): void => {
        this.child.kill('SIGKILL');
        finish({ case: c, outcome, message, ms: Date.now() - started });
      };
      const timer = setTimeout(() => kill('timeout', `killed after ${timeoutMs} ms`), timeoutMs);
      // Resident memory of the worker, polled: V8's heap limit does not cover Buffers or libtorch.
      const poll = setInterval(() => {
        const rss = residentBytes(this.child.pid);
        if (rss > this.memoryBytes) kill('memory', `${(rss / 2 ** 20).toFixed(0)} MiB resident`);
      }, 25);
      const onMessage = (m: { outcome: 'ok' | 'error'; message?: string; errorName?: string; bytes: number; rss: number }): void => {
        if (m.rss > this.memoryBytes) return finish({ case: c, outcome: 'memory', message: `${(m.rss / 2 ** 20).toFixed(0)} MiB resident`, ms: Date.now() - started, bytes: m.bytes });
        finish({ case: c, outcome: m.outcome, message: m.message, errorName: m.errorName, ms: Date.now() - started, bytes: m.bytes });
      };
      this.child.on('message', onMessage);
      void this.exited.then(({ code, signal }) => finish({ case: c, outcome: 'crash', message: `exit ${code}, signal ${signal}`, ms: Date.now() - started }));
      this.child.send(c);
    });
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

function residentBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Worker side: builds each case's file (named so that FUZZFILE appears in its path) and reads it. */
async function worker(dir: string): Promise<void> {
  const { TARGETS } = await import('./targets.js');
  const { FuzzRng, mutate } = await import('./mutate.js');
  const seeds = new Map<string, Uint8Array[]>();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  process.on('message', (c: FuzzCase) => {
    void (async () => {
      const target = TARGETS.find((t) => t.name === c.target);
      if (!target) throw new Error(`unknown fuzz target ${c.target}`);
      let bytes: Uint8Array;
      let path = join(dir, `FUZZFILE-${c.target}.${target.ext}`);
      if (c.kind === 'crafted') {
        path = c.path!;
        bytes = new Uint8Array(0);
      } else {
        const rng = new FuzzRng((c.seed * 0x9e3779b1) ^ (c.index * 0x85ebca6b) ^ hash(target.name));
        if (target.generate) bytes = target.generate(rng);
        else {
          let s = seeds.get(target.name);
          if (!s) seeds.set(target.name, (s = await target.seeds()));
          const m = mutate(s[c.index % s.length]!, rng, target.text);
          bytes = target.wrap ? target.wrap(m) : m;
        }
        writeFileSync(path, bytes);
      }
      let reply: { outcome: 'ok' | 'error'; message?: string; errorName?: string };
      try {
        await target.run(path);
        reply = { outcome: 'ok' };
      } catch (e) {
        reply = { outcome: 'error', message: String((e as Error)?.message ?? e), errorName: (e as Error)?.name };
      }
      process.send!({ ...reply, bytes: c.kind === 'crafted' ? statSync(path).size : bytes.length, rss: process.memoryUsage.rss() });
    })().catch((e: unknown) => {
      process.send!({ outcome: 'error', message: `harness: ${String((e as Error)?.message ?? e)}`, errorName: 'HarnessError', bytes: 0, rss: 0 });
    });
  });
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

if (process.argv[2] === '--fuzz-worker') await worker(process.argv[3]!);

/** The cases of a run: `mutants` per target (seeded), then every crafted case. */
export async function fuzzCases(mutants: number, seed: number, only?: readonly string[]): Promise<FuzzCase[]> {
  const { TARGETS, CRAFTED } = await import('./targets.js');
  const cases: FuzzCase[] = [];
  for (const t of TARGETS) {
    if (only && !only.includes(t.name)) continue;
    for (let index = 0; index < mutants; index++) cases.push({ target: t.name, kind: 'mutant', seed, index });
  }
  for (const k of CRAFTED) if (!only || only.includes(k.target)) cases.push({ target: k.target, kind: 'crafted', name: k.name });
  return cases;
}
