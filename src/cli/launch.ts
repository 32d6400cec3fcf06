// Starting the worker processes of a data-parallel or sharded command, with torchrun's
// conventions: `--nproc N` workers on this machine, `--nnodes M --node-rank R --master-addr HOST
// --master-port P` for several machines; each worker gets WORLD_SIZE, RANK, LOCAL_RANK,
// MASTER_ADDR and MASTER_PORT (src/distributed/launchEnv.ts reads them back) and one libtorch
// thread unless --threads says otherwise, so N workers fill N cores without oversubscription.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { native } from '../core/native.js';
import { DEFAULT_TIMEOUT_MS, LAUNCHER_PID_VAR } from '../distributed/index.js';
import { num, optStr, UsageError, type OptionSpec, type Parsed } from './args.js';

/** The launcher's own flags (removed from the workers' command lines). */
export const LAUNCH_OPTIONS = {
  nproc: { type: 'string' }, nnodes: { type: 'string' }, 'node-rank': { type: 'string' },
  'master-addr': { type: 'string' }, 'master-port': { type: 'string' },
} as const satisfies OptionSpec;

/** The workers' flag for the process group's timeout (kept on their command lines). */
export const DIST_TIMEOUT_OPTION = { 'dist-timeout': { type: 'string' } } as const satisfies OptionSpec;

/** torchrun's default port when several machines meet. */
export const DEFAULT_MASTER_PORT = 29500;

/** Usage text of the launch flags (train and predict print it). */
export const LAUNCH_USAGE = `Several processes (data-parallel; torchrun's conventions)
  --nproc N              start N worker processes on this machine (one libtorch thread each
                         unless --threads is given)
  --nnodes M             machines taking part (default 1); run the same command on each with
  --node-rank R          this machine's index in [0, M) (default 0; rank 0 runs on node 0)
  --master-addr HOST     address of node 0 (default 127.0.0.1 on one machine)
  --master-port P        port of the rendezvous store on node 0 (default: a free port on one
                         machine, ${DEFAULT_MASTER_PORT} for several)
  --dist-timeout S       seconds a worker waits for the others, at start and in each exchange
                         (default ${DEFAULT_TIMEOUT_MS / 1000}); a worker that dies is reported at once
  Workers also start from WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (cluster launchers).`;

export interface LaunchPlan {
  /** Workers on this machine. */
  nproc: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  /** null: pick a free port (one machine only). */
  masterPort: number | null;
}

/** The launch flags as a plan; null when neither --nproc nor --nnodes was given. */
export function launchPlanFromFlags(p: Parsed): LaunchPlan | null {
  if (p.values.nproc === undefined && p.values.nnodes === undefined) {
    for (const f of ['node-rank', 'master-addr', 'master-port']) {
      if (p.values[f] !== undefined) throw new UsageError(`--${f} goes with --nproc N (and --nnodes M for several machines)`);
    }
    return null;
  }
  const nproc = num(p, 'nproc', 1, { int: true, min: 1 });
  const nnodes = num(p, 'nnodes', 1, { int: true, min: 1 });
  const nodeRank = num(p, 'node-rank', 0, { int: true, min: 0, max: nnodes - 1 });
  const addr = optStr(p, 'master-addr');
  if (nnodes > 1 && addr === undefined) throw new UsageError(`--nnodes ${nnodes} needs --master-addr HOST (the address of node 0, reachable from every machine)`);
  const masterPort = p.values['master-port'] === undefined ? (nnodes > 1 ? DEFAULT_MASTER_PORT : null) : num(p, 'master-port', 0, { int: true, min: 1, max: 65535 });
  return { nproc, nnodes, nodeRank, masterAddr: addr ?? '127.0.0.1', masterPort };
}

/** The --dist-timeout flag in milliseconds. */
export function distTimeoutMs(p: Parsed): number {
  return Math.round(num(p, 'dist-timeout', DEFAULT_TIMEOUT_MS / 1000, { min: 0.001 }) * 1000);
}

/** `argv` without the given flags taking a value (both `--flag value` and `--flag=value`); default the launcher's. */
export function withoutLaunchFlags(argv: readonly string[], flags: readonly string[] = Object.keys(LAUNCH_OPTIONS)): string[] {
  const names = new Set(flags.map((n) => `--${n}`));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    if (names.has(eq > 0 ? a.slice(0, eq) : a)) {
      if (eq < 0) i++; // its value
      continue;
    }
    out.push(a);
  }
  return out;
}

/** A TCP port that is free on this machine now (the rendezvous store of a one-machine job). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/**
 * In a worker started by runWorkers: asks the kernel (prctl PR_SET_PDEATHSIG, native/parentDeath.cc)
 * for a signal when the launcher exits, however it ends — a launcher killed with SIGKILL cannot
 * forward anything, and its workers would otherwise run on, orphaned. The worker then sends
 * itself one SIGTERM, the path of a forwarded one: a training worker saves the run after the step
 * under way (the stop vote stops every rank, on every machine, after the same step) and
 * `--resume` continues it; a prediction worker just ends. The kernel's signal is SIGHUP, caught
 * here, because it can come more than once (once per launcher thread that exits while others
 * live) and a second SIGTERM would abort without saving. Throws when the launcher is already
 * gone. The variable is removed from this process's environment, so processes this worker starts
 * do not inherit it.
 */
export function dieWithLauncher(env: Record<string, string | undefined> = process.env): void {
  const value = env[LAUNCHER_PID_VAR];
  delete env[LAUNCHER_PID_VAR];
  if (value === undefined) return;
  const pid = Number(value);
  if (!(Number.isInteger(pid) && pid > 0)) throw new Error(`${LAUNCHER_PID_VAR} must be the launcher's process id, got '${value}'`);
  if (native.signalOnParentDeath(constants.signals.SIGHUP, pid) === 'parent-gone') {
    throw new Error(`the launcher (process ${pid}) exited before this worker started; nothing was done`);
  }
  let gone = false;
  process.on('SIGHUP', () => {
    if (gone) return;
    gone = true;
    process.stderr.write(`\nthe launcher (process ${pid}) is gone: this worker stops\n`);
    process.kill(process.pid, 'SIGTERM');
  });
}

/** How long the other workers get to report a failed worker themselves before they are killed. */
const FAILURE_GRACE_MS = 10_000;

/**
 * Runs `wildcat <command> ...argv(localRank)` as the workers of this machine and waits for them.
 * Each worker's OpenMP and OpenBLAS pools get `threads` threads (OMP_NUM_THREADS,
 * OPENBLAS_NUM_THREADS, unless already set): libtorch's thread setting does not reach OpenBLAS,
 * whose pool otherwise has a thread per core, spinning after each call, so N single-thread
 * workers would contend for the cores (measured: 2 workers ran at the speed of one).
 * Ctrl-C / SIGTERM are forwarded once to every worker (they run in their own process group, so
 * the terminal's signal reaches them only through here); a launcher that dies however it ends
 * (SIGKILL included) takes its workers with it (dieWithLauncher). When a worker fails, the others get a
 * grace period to notice and report it, then are killed; throws naming the first failed rank.
 */
export async function runWorkers(plan: LaunchPlan, command: string, argv: (localRank: number) => string[], threads: number): Promise<void> {
  const worldSize = plan.nproc * plan.nnodes;
  const port = plan.masterPort ?? (await freePort());
  const children: ChildProcess[] = [];
  let firstFailure: { rank: number; code: number | null; signal: NodeJS.Signals | null } | null = null;
  let killTimer: NodeJS.Timeout | null = null;
  const forward = (signal: NodeJS.Signals): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
  };
  const onInt = (): void => forward('SIGINT');
  const onTerm = (): void => forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    await Promise.all(Array.from({ length: plan.nproc }, (_, local) => new Promise<void>((resolve, reject) => {
      const rank = plan.nodeRank * plan.nproc + local;
      const child = spawn(process.execPath, [MAIN, command, ...argv(local)], {
        stdio: 'inherit',
        detached: true,
        env: {
          OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads),
          ...process.env,
          WORLD_SIZE: String(worldSize), RANK: String(rank), LOCAL_RANK: String(local), LOCAL_WORLD_SIZE: String(plan.nproc),
          MASTER_ADDR: plan.masterAddr, MASTER_PORT: String(port),
          [LAUNCHER_PID_VAR]: String(process.pid),
        },
      });
      children.push(child);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if ((code !== 0 || signal !== null) && firstFailure === null) {
          firstFailure = { rank, code, signal };
          killTimer = setTimeout(() => forward('SIGKILL'), FAILURE_GRACE_MS);
        }
        resolve();
      });
    })));
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (killTimer) clearTimeout(killTimer);
  }
  const failed = firstFailure as { rank: number; code: number | null; signal: NodeJS.Signals | null } | null;
  if (failed) {
    throw new Error(`worker rank ${failed.rank} of ${worldSize} ${failed.signal ? `was killed by ${failed.signal}` : `exited with code ${failed.code}`} (its messages are above)`);
  }
}
