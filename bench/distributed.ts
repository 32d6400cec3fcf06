// Data-parallel scaling on this machine: the default WSL training step (half-width ResNet-18,
// stride 16, 192 px, WILDCAT M = 1, SGD; src/train/wslTrainer.ts) in one process with 2 threads
// against 2 processes with 1 thread each (c10d/Gloo over loopback, the trainer's data-parallel
// step), the time of the gradient allreduce inside it, and PyTorch DistributedDataParallel (Gloo)
// on the same model as the reference (bench/torch_ddp.py), in alternating order, same machine,
// same run. Then the allreduce alone of full-width ResNet-18/50/101 gradients between 2 ranks.
// Every process gets OMP_NUM_THREADS and OPENBLAS_NUM_THREADS = its thread count, as the
// launcher gives its workers (OpenBLAS's own pool would otherwise spin on the other core).
//
//   npm run bench:distributed -- --steps 10 --rounds 2
//
// stdout: JSON lines
//   {"bench":"wsl-ddp","config":"2x1","processes":2,"threads":1,"batch_per_process":8,"global_batch":16,
//    "step_s","images_per_s","allreduce_s","torch_step_s","torch_images_per_s",...}
//   {"bench":"scaling", ...efficiency figures...}
//   {"bench":"allreduce","model":"resnet50","gradient_mib","allreduce_s", ...}
// A step's time is the slowest rank's (the global step ends with it); medians over the steps.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/cli/launch.js';
import { checkLoad, DEFAULT_PYTHON, intFlag, log, median, parseFlags, ratio, scriptDir, sec, torchAvailable, writeLine } from './common.js';

const HELP = `usage: node dist/bench/distributed.js [flags]
  --steps 10                   timed steps per configuration and round
  --warmup 3                   untimed steps first
  --rounds 2                   rounds (ours and PyTorch alternate, ABBA)
  --maps 1                     M of the WILDCAT transfer layer (the trainer's default)
  --configs 1x2,2x1,...        only these configurations (default all: 1x2,2x1,2x1-b16,1x1,1x1-b8)
  --no-torch                   skip the PyTorch DDP reference
  --no-allreduce               skip the full-width ResNet allreduce timing
  --python /usr/bin/python3    interpreter with torch`;

interface Config {
  name: string;
  processes: number;
  threads: number;
  batch: number;
}

/** 2 cores: one process with both, or two with one each (same global batch, then twice the batch). */
const CONFIGS: Config[] = [
  { name: '1x2', processes: 1, threads: 2, batch: 16 },
  { name: '2x1', processes: 2, threads: 1, batch: 8 },
  { name: '2x1-b16', processes: 2, threads: 1, batch: 16 },
  { name: '1x1', processes: 1, threads: 1, batch: 16 },
  { name: '1x1-b8', processes: 1, threads: 1, batch: 8 },
];

const WORKER = fileURLToPath(new URL('./distributedWorker.js', import.meta.url));

/** Runs `processes` copies of a command as the ranks of one job; resolves with each rank's JSON line. */
async function runJob(command: string, args: string[], processes: number, threads: number): Promise<Record<string, unknown>[]> {
  const port = await freePort();
  return Promise.all(Array.from({ length: processes }, (_, rank) => new Promise<Record<string, unknown>>((resolve, reject) => {
    // As `wildcat train --nproc` gives its workers (src/cli/launch.ts), for both sides.
    const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
    if (processes > 1) Object.assign(env, { WORLD_SIZE: String(processes), RANK: String(rank), LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) });
    else for (const k of ['WORLD_SIZE', 'RANK', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT']) delete env[k];
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: scriptDir() });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} (rank ${rank}) exited with ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>);
    });
  })));
}

/** Per step, the slowest rank's time. */
function slowest(perRank: number[][]): number[] {
  return perRank[0]!.map((_, i) => Math.max(...perRank.map((r) => r[i]!)));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    log(HELP);
    return;
  }
  const flags = parseFlags(argv, ['no-torch', 'no-allreduce']);
  const known = ['steps', 'warmup', 'rounds', 'maps', 'configs', 'no-torch', 'no-allreduce', 'python'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown flag --${k}\n${HELP}`);
  const steps = intFlag(flags, 'steps', 10);
  const warmup = intFlag(flags, 'warmup', 3, 0);
  const rounds = intFlag(flags, 'rounds', 2);
  const maps = intFlag(flags, 'maps', 1);
  const names = flags.get('configs')?.split(',') ?? CONFIGS.map((c) => c.name);
  for (const n of names) if (!CONFIGS.some((c) => c.name === n)) throw new Error(`--configs: unknown configuration '${n}' (${CONFIGS.map((c) => c.name).join(', ')})`);
  const configs = CONFIGS.filter((c) => names.includes(c.name));
  const python = flags.get('python') ?? DEFAULT_PYTHON;
  const withTorch = !flags.has('no-torch') && torchAvailable(python);
  if (!flags.has('no-torch') && !withTorch) log(`note: ${python} cannot import torch (apt-get install python3-torch): no PyTorch DDP reference`);
  const start = await checkLoad();
  const run = { steps: steps * rounds, warmup, loadStart: start.load, busyStart: start.busy };

  const ours = new Map<string, { steps: number[]; allreduce: number[]; gradientBytes: number }>();
  const torch = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const c of configs) {
      const sides = withTorch ? (r % 2 === 0 ? ['ours', 'torch'] : ['torch', 'ours']) : ['ours'];
      for (const side of sides) {
        log(`round ${r + 1}/${rounds}: ${side} ${c.name} (${c.processes} process${c.processes > 1 ? 'es' : ''} × ${c.threads} thread${c.threads > 1 ? 's' : ''}, batch ${c.batch} each)`);
        const common = ['--batch', String(c.batch), '--threads', String(c.threads), '--warmup', String(warmup), '--steps', String(steps), '--maps', String(maps)];
        if (side === 'ours') {
          const lines = await runJob(process.execPath, [WORKER, ...common], c.processes, c.threads);
          const acc = ours.get(c.name) ?? { steps: [], allreduce: [], gradientBytes: 0 };
          acc.steps.push(...slowest(lines.map((l) => l.stepSeconds as number[])));
          acc.allreduce.push(...(lines[0]!.allReduceSeconds as number[]));
          acc.gradientBytes = lines[0]!.gradientBytes as number;
          ours.set(c.name, acc);
        } else {
          const lines = await runJob(python, [join(scriptDir(), 'torch_ddp.py'), ...common], c.processes, c.threads);
          torch.set(c.name, [...(torch.get(c.name) ?? []), ...slowest(lines.map((l) => l.step_seconds as number[]))]);
        }
      }
    }
  }
  const ips = new Map<string, number>();
  const torchIps = new Map<string, number>();
  for (const c of configs) {
    const o = ours.get(c.name)!;
    const step = median(o.steps);
    const global = c.processes * c.batch;
    ips.set(c.name, global / step);
    const line: Record<string, unknown> = {
      bench: 'wsl-ddp', config: c.name, processes: c.processes, threads: c.threads, batch_per_process: c.batch, global_batch: global, maps,
      step_s: sec(step), images_per_s: Math.round((global / step) * 10) / 10,
      allreduce_s: c.processes > 1 ? sec(median(o.allreduce)) : 0,
      allreduce_share: c.processes > 1 ? ratio(median(o.allreduce), step) : 0,
      gradient_mib: c.processes > 1 ? Math.round((o.gradientBytes / 2 ** 20) * 100) / 100 : undefined,
    };
    const t = torch.get(c.name);
    if (t) {
      const ts = median(t);
      torchIps.set(c.name, global / ts);
      Object.assign(line, { torch_step_s: sec(ts), torch_images_per_s: Math.round((global / ts) * 10) / 10, step_ratio: ratio(step, ts) });
    }
    writeLine(line, run);
  }
  const eff = (m: Map<string, number>): Record<string, number> => {
    const r = (a: string, b: string, k = 1): number[] => (m.has(a) && m.has(b) ? [ratio(m.get(a)!, k * m.get(b)!)] : []);
    const out: Record<string, number> = {};
    // Same cores, same global batch: 2 processes × 1 thread against 1 process × 2 threads.
    for (const v of r('2x1', '1x2')) out.same_batch_vs_threads = v;
    for (const v of r('2x1-b16', '1x2')) out.double_batch_vs_threads = v;
    // Against perfect scaling of one single-thread process (same per-process batch).
    for (const v of r('2x1', '1x1-b8', 2)) out.vs_linear_b8 = v;
    for (const v of r('2x1-b16', '1x1', 2)) out.vs_linear_b16 = v;
    return out;
  };
  const scaling: Record<string, unknown> = { bench: 'scaling', ours: eff(ips) };
  if (torchIps.size === configs.length) scaling.torch = eff(torchIps);
  writeLine(scaling, run);

  if (!flags.has('no-allreduce')) {
    log('allreduce of full-width ResNet gradients (+ a 20-class, M = 4 WILDCAT head) between 2 ranks');
    const lines = await runJob(process.execPath, [WORKER, '--allreduce', 'resnet18,resnet50,resnet101', '--warmup', '1', '--steps', '5'], 2, 1);
    const per = lines.map((l) => l.allreduce as Record<string, { bytes: number; seconds: number[] }>);
    for (const model of Object.keys(per[0]!)) {
      const bytes = per[0]![model]!.bytes;
      const s = median(slowest(per.map((p) => p[model]!.seconds)));
      writeLine({
        bench: 'allreduce', model, processes: 2, gradient_mib: Math.round((bytes / 2 ** 20) * 10) / 10, allreduce_s: sec(s),
        // A bandwidth-optimal allreduce (ring, halving-doubling) sends and receives 2(N-1)/N of the
        // gradient per rank: its size at N = 2, nearly twice it at scale.
        sent_per_rank_mib_n2: Math.round((bytes / 2 ** 20) * 10) / 10, sent_per_rank_mib_large_n: Math.round((2 * bytes / 2 ** 20) * 10) / 10,
        loopback_gib_per_s: Math.round((bytes / s / 2 ** 30) * 100) / 100,
      }, { ...run, steps: 5, warmup: 1 });
    }
  }
}

await main();
