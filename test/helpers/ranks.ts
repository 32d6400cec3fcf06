// Starts the ranks of a distributed test job as child processes (torchrun's variables) and
// collects each rank's exit code, output and run time.
import { spawn } from 'node:child_process';
import { freePort } from '../../src/cli/launch.js';

export interface RankResult {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `node script ...args` once per rank in `ranks` (a subset of [0, worldSize) leaves the other
 * ranks missing on purpose), with WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR=127.0.0.1 and
 * MASTER_PORT set; each process is killed after `killAfterMs`.
 */
export async function runRanks(
  script: string,
  opts: { worldSize: number; ranks?: number[]; args?: (rank: number) => string[]; env?: Record<string, string>; killAfterMs?: number; port?: number },
): Promise<RankResult[]> {
  const port = opts.port ?? (await freePort());
  const ranks = opts.ranks ?? [...Array(opts.worldSize).keys()];
  return Promise.all(ranks.map((rank) => new Promise<RankResult>((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [script, ...(opts.args?.(rank) ?? [])], {
      env: {
        ...process.env, WILDCAT_DEBUG: '', ...opts.env,
        WORLD_SIZE: String(opts.worldSize), RANK: String(rank), LOCAL_RANK: String(rank), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ rank, code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  })));
}
