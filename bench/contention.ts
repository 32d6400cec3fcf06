// Contention benchmark: throughput of the default WSL training step (bench/wslSteps.ts) on a
// quiet machine and with one competing busy process (`yes > /dev/null`, started just for the
// contended run and stopped after it), at 1 and 2 threads, with libgomp's default waiting (the
// library's, and the CLI's with --threads auto), with GOMP_SPINCOUNT=1000 (what the CLI sets for a
// fixed --threads N: src/cli/threadWaiting.ts), with GOMP_SPINCOUNT=100 and with
// OMP_WAIT_POLICY=PASSIVE, each at a fixed thread count and with thread adaptation
// (src/core/threadAdaptation.ts: the CLI's default, --threads auto), and PyTorch with libgomp's
// default beside them (bench/torch_wsl.py standalone).
//
//   npm run bench:contention -- --threads 1,2 --steps 6
//
// Each measurement is its own process (the waiting policy is read when libtorch loads).
// stdout: one JSON line per (side, policy, threads),
//   {"side","policy","adapt","threads","quiet_img_s","contended_img_s","kept","contended_mean_img_s","kept_mean", ...}
// img_s figures are from the median step; kept = contended / quiet throughput; the *_mean figures
// divide all timed images by all timed seconds, so they include the steps an adapting run takes
// before it notices the busy process (two windows, ~1 s). Progress goes to stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { adaptThreads, getNumThreads, setNumThreads, setThreadAdaptation, type MemoryFormat } from '../src/core/index.js';
import { FIXED_THREADS_GOMP_SPINCOUNT } from '../src/cli/threadWaiting.js';
import { DEFAULT_PYTHON, intFlag, load1, log, median, parseFlags, scriptDir, timeIt, torchAvailable } from './common.js';
import { phaseName, WSL, wslPhases } from './wslSteps.js';
import { join } from 'node:path';

const HELP = `usage: node dist/bench/contention.js [flags]
  --threads 1,2                thread counts
  --warmup 2                   untimed steps per run
  --steps 6                    timed steps per run
  --format channelsLast        memory layout of our step (contiguous | channelsLast)
  --policies all               comma-separated subset of: default, spin1000, spin100, passive (ours), torch
  --no-torch                   skip PyTorch's line
  --python /usr/bin/python3    interpreter with torch`;

/**
 * One measurement in this process: images per second over `steps` steps (median step, and all
 * images over all time), with thread adaptation checked after every step as the trainer does.
 */
function worker(threads: number, warmup: number, steps: number, format: MemoryFormat, adapt: boolean): void {
  setNumThreads(threads);
  const changes: string[] = [];
  setThreadAdaptation(adapt, { onChange: (c) => changes.push(`${c.from}→${c.to} (others ${c.othersCores.toFixed(2)})`) });
  const side = wslPhases(WSL.maps, [format]);
  const step = side.phases[phaseName(format)]!;
  const adaptingStep = (): void => {
    step();
    adaptThreads();
  };
  for (let i = 0; i < warmup; i++) adaptingStep();
  const times = Array.from({ length: steps }, () => timeIt(adaptingStep));
  side.dispose();
  const total = times.reduce((a, b) => a + b, 0);
  process.stdout.write(JSON.stringify({ img_s: WSL.batch / median(times), mean_img_s: (WSL.batch * steps) / total, threads: getNumThreads(), changes }) + '\n');
}

/** Runs a child to completion and returns its last stdout line as JSON. */
function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, number | string[]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${err}`));
      else resolve(JSON.parse(last) as Record<string, number | string[]>);
    });
  });
}

/** `fn` with one busy process (`yes`, output discarded) competing for the CPU. */
async function withBusyProcess<T>(fn: () => Promise<T>): Promise<T> {
  const busy: ChildProcess = spawn('yes', [], { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    await new Promise((r) => setTimeout(r, 300));
    return await fn();
  } finally {
    busy.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    log(HELP);
    return;
  }
  const flags = parseFlags(argv, ['no-torch', 'worker', 'adapt']);
  const known = ['threads', 'warmup', 'steps', 'format', 'no-torch', 'python', 'worker', 'adapt', 'policies'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown flag --${k}\n${HELP}`);
  const warmup = intFlag(flags, 'warmup', 2, 0);
  const steps = intFlag(flags, 'steps', 6);
  const format = (flags.get('format') ?? 'channelsLast') as MemoryFormat;
  if (format !== 'contiguous' && format !== 'channelsLast') throw new Error(`--format: expected contiguous or channelsLast, got '${format}'`);
  if (flags.has('worker')) {
    worker(intFlag(flags, 'threads', 1), warmup, steps, format, flags.has('adapt'));
    return;
  }
  const threadCounts = (flags.get('threads') ?? '1,2').split(',').map(Number);
  if (threadCounts.some((t) => !Number.isInteger(t) || t < 1)) throw new Error(`--threads: expected positive integers, got '${flags.get('threads')}'`);
  const python = flags.get('python') ?? DEFAULT_PYTHON;
  const useTorch = !flags.has('no-torch') && torchAvailable(python);
  const self = fileURLToPath(import.meta.url);
  // Neither the parent's setting nor a user's choice may leak into the children.
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.OMP_WAIT_POLICY;
  delete base.GOMP_SPINCOUNT;
  const ours = (adapt: boolean) => (t: number): [string, string[]] =>
    [process.execPath, [self, '--worker', '--threads', String(t), '--warmup', String(warmup), '--steps', String(steps), '--format', format, ...(adapt ? ['--adapt'] : [])]];
  const waiting: { key: string; policy: string; env: NodeJS.ProcessEnv }[] = [
    { key: 'default', policy: 'libgomp default', env: base },
    { key: 'spin1000', policy: `GOMP_SPINCOUNT=${FIXED_THREADS_GOMP_SPINCOUNT}`, env: { ...base, GOMP_SPINCOUNT: FIXED_THREADS_GOMP_SPINCOUNT } },
    { key: 'spin100', policy: 'GOMP_SPINCOUNT=100', env: { ...base, GOMP_SPINCOUNT: '100' } },
    { key: 'passive', policy: 'OMP_WAIT_POLICY=PASSIVE', env: { ...base, OMP_WAIT_POLICY: 'PASSIVE' } },
  ];
  const chosen = (flags.get('policies') ?? 'all').split(',');
  const unknown = chosen.filter((k) => k !== 'all' && k !== 'torch' && !waiting.some((w) => w.key === k));
  if (unknown.length > 0) throw new Error(`--policies: unknown ${unknown.join(', ')}; known: ${waiting.map((w) => w.key).join(', ')}, torch`);
  const wanted = (key: string): boolean => chosen.includes('all') || chosen.includes(key);
  const sides: { side: string; policy: string; adapt: boolean; env: NodeJS.ProcessEnv; run: (threads: number) => [string, string[]] }[] = [];
  for (const w of waiting.filter((x) => wanted(x.key))) {
    for (const adapt of [false, true]) sides.push({ side: 'ours', policy: w.policy, adapt, env: w.env, run: ours(adapt) });
  }
  if (useTorch && wanted('torch')) {
    sides.push({
      side: 'torch', policy: 'libgomp default', adapt: false, env: base,
      run: (t) => [python, [join(scriptDir(), 'torch_wsl.py'), '--threads', String(t), '--warmup', String(warmup), '--steps', String(steps), '--formats', format]],
    });
  }
  for (const s of sides) {
    for (const threads of threadCounts) {
      if (s.adapt && threads === 1) continue; // one thread has nothing to adapt
      const [cmd, args] = s.run(threads);
      const quiet = await runChild(cmd, args, s.env);
      const contended = await withBusyProcess(() => runChild(cmd, args, s.env));
      // Our worker prints img_s; torch_wsl.py prints the median step of its phase.
      const figure = (r: Record<string, number | string[]>, key: string): number | undefined => (typeof r[key] === 'number' ? r[key] : undefined);
      const imgS = (r: Record<string, number | string[]>): number => figure(r, 'img_s') ?? WSL.batch / figure(r, `${phaseName(format)}_s`)!;
      const q = imgS(quiet);
      const c = imgS(contended);
      const qMean = figure(quiet, 'mean_img_s');
      const cMean = figure(contended, 'mean_img_s');
      const round1 = (x: number | undefined): number | null => (x === undefined ? null : Math.round(x * 10) / 10);
      const line = {
        bench: 'contention', side: s.side, policy: s.policy, adapt: s.adapt, threads, format, model: `wildcat resnet18 w0.5 os16 C${WSL.classes} M${WSL.maps}`, px: WSL.px, batch: WSL.batch,
        quiet_img_s: round1(q), contended_img_s: round1(c), kept: Math.round((c / q) * 1000) / 1000,
        quiet_mean_img_s: round1(qMean), contended_mean_img_s: round1(cMean),
        kept_mean: qMean && cMean ? Math.round((cMean / qMean) * 1000) / 1000 : null,
        quiet_changes: quiet.changes ?? null, contended_changes: contended.changes ?? null, steps, warmup, load: load1(),
      };
      log(`${s.side} ${s.policy}${s.adapt ? ' + adaptation' : ''} ${threads} thread(s): quiet ${line.quiet_img_s} img/s, with a busy process ${line.contended_img_s} img/s (kept ${line.kept}; mean ${line.kept_mean ?? '-'})`);
      process.stdout.write(JSON.stringify(line) + '\n');
    }
  }
}

main().catch((e: unknown) => {
  log(`bench/contention: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
