// Contention benchmark: throughput of the default WSL training step (bench/wslSteps.ts) on a
// quiet machine and with one competing busy process (`yes > /dev/null`, started just for the
// contended run and stopped after it), at 1 and 2 threads, with our thread-waiting default
// (GOMP_SPINCOUNT=1000, set by src/core/native.ts), with a shorter spin (GOMP_SPINCOUNT=100), with
// libgomp's default (WILDCAT_OMP_DEFAULTS=1), with OMP_WAIT_POLICY=PASSIVE, and PyTorch with libgomp's default
// beside them (bench/torch_wsl.py standalone).
//
//   npm run bench:contention -- --threads 1,2 --steps 6
//
// Each measurement is its own process (the waiting policy is read when libtorch loads).
// stdout: one JSON line per (side, policy, threads),
//   {"side","policy","threads","quiet_img_s","contended_img_s","kept", ...}
// kept = contended / quiet throughput. Progress goes to stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getNumThreads, setNumThreads, type MemoryFormat } from '../src/core/index.js';
import { DEFAULT_PYTHON, intFlag, load1, log, median, parseFlags, scriptDir, timeIt, torchAvailable } from './common.js';
import { phaseName, WSL, wslPhases } from './wslSteps.js';
import { join } from 'node:path';

const HELP = `usage: node dist/bench/contention.js [flags]
  --threads 1,2                thread counts
  --warmup 2                   untimed steps per run
  --steps 6                    timed steps per run
  --format channelsLast        memory layout of our step (contiguous | channelsLast)
  --no-torch                   skip PyTorch's line
  --python /usr/bin/python3    interpreter with torch`;

/** One measurement in this process: images per second over `steps` steps (median step). */
function worker(threads: number, warmup: number, steps: number, format: MemoryFormat): void {
  setNumThreads(threads);
  const side = wslPhases(WSL.maps, [format]);
  const step = side.phases[phaseName(format)]!;
  for (let i = 0; i < warmup; i++) step();
  const times = Array.from({ length: steps }, () => timeIt(step));
  side.dispose();
  process.stdout.write(JSON.stringify({ img_s: WSL.batch / median(times), threads: getNumThreads() }) + '\n');
}

/** Runs a child to completion and returns its last stdout line as JSON. */
function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, number>> {
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
      else resolve(JSON.parse(last) as Record<string, number>);
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
  const flags = parseFlags(argv, ['no-torch', 'worker']);
  const known = ['threads', 'warmup', 'steps', 'format', 'no-torch', 'python', 'worker'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown flag --${k}\n${HELP}`);
  const warmup = intFlag(flags, 'warmup', 2, 0);
  const steps = intFlag(flags, 'steps', 6);
  const format = (flags.get('format') ?? 'channelsLast') as MemoryFormat;
  if (format !== 'contiguous' && format !== 'channelsLast') throw new Error(`--format: expected contiguous or channelsLast, got '${format}'`);
  if (flags.has('worker')) {
    worker(intFlag(flags, 'threads', 1), warmup, steps, format);
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
  delete base.WILDCAT_OMP_DEFAULTS;
  const ours = (t: number): [string, string[]] => [process.execPath, [self, '--worker', '--threads', String(t), '--warmup', String(warmup), '--steps', String(steps), '--format', format]];
  const sides: { side: string; policy: string; env: NodeJS.ProcessEnv; run: (threads: number) => [string, string[]] }[] = [
    { side: 'ours', policy: 'GOMP_SPINCOUNT=1000 (our default)', env: base, run: ours },
    { side: 'ours', policy: 'GOMP_SPINCOUNT=100', env: { ...base, GOMP_SPINCOUNT: '100' }, run: ours },
    { side: 'ours', policy: 'libgomp default', env: { ...base, WILDCAT_OMP_DEFAULTS: '1' }, run: ours },
    { side: 'ours', policy: 'OMP_WAIT_POLICY=PASSIVE', env: { ...base, OMP_WAIT_POLICY: 'PASSIVE' }, run: ours },
  ];
  if (useTorch) {
    sides.push({
      side: 'torch', policy: 'libgomp default', env: base,
      run: (t) => [python, [join(scriptDir(), 'torch_wsl.py'), '--threads', String(t), '--warmup', String(warmup), '--steps', String(steps), '--formats', format]],
    });
  }
  for (const s of sides) {
    for (const threads of threadCounts) {
      const [cmd, args] = s.run(threads);
      const quiet = await runChild(cmd, args, s.env);
      const contended = await withBusyProcess(() => runChild(cmd, args, s.env));
      // Our worker prints img_s; torch_wsl.py prints the median step of its phase.
      const imgS = (r: Record<string, number>): number => r.img_s ?? WSL.batch / r[`${phaseName(format)}_s`]!;
      const q = imgS(quiet);
      const c = imgS(contended);
      const line = {
        bench: 'contention', side: s.side, policy: s.policy, threads, format, model: `wildcat resnet18 w0.5 os16 C${WSL.classes} M${WSL.maps}`, px: WSL.px, batch: WSL.batch,
        quiet_img_s: Math.round(q * 10) / 10, contended_img_s: Math.round(c * 10) / 10, kept: Math.round((c / q) * 1000) / 1000, steps, warmup, load: load1(),
      };
      log(`${s.side} ${s.policy} ${threads} thread(s): quiet ${line.quiet_img_s} img/s, with a busy process ${line.contended_img_s} img/s (kept ${line.kept})`);
      process.stdout.write(JSON.stringify(line) + '\n');
    }
  }
}

main().catch((e: unknown) => {
  log(`bench/contention: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
