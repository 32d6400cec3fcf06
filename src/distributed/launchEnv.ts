// The environment a launcher gives each worker, with torchrun's names: WORLD_SIZE, RANK,
// LOCAL_RANK, MASTER_ADDR, MASTER_PORT (so `wildcat train --nproc`, torchrun-style cluster
// launchers and a hand-written script all start workers the same way).

/** What a worker process learns from its environment. */
export interface LaunchEnv {
  rank: number;
  worldSize: number;
  /** Rank among the workers of this machine (LOCAL_RANK; default 0). */
  localRank: number;
  masterAddr: string;
  masterPort: number;
}

/** The variables, by name (one place for the launcher that sets them and the worker that reads them). */
export const LAUNCH_VARS = ['WORLD_SIZE', 'RANK', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT'] as const;

/** Ours, beside torchrun's: the launcher's process id, so that a worker dies with it (src/cli/launch.ts, dieWithLauncher). */
export const LAUNCHER_PID_VAR = 'WILDCAT_LAUNCHER_PID';

/**
 * Reads the launch variables; null when this process was not started as a worker (neither
 * WORLD_SIZE nor RANK set). Errors name the variable and what it must hold.
 */
export function launchEnvFrom(env: Record<string, string | undefined> = process.env): LaunchEnv | null {
  if (env.WORLD_SIZE === undefined && env.RANK === undefined) return null;
  const int = (name: string, min: number, max: number, fallback?: number): number => {
    const v = env[name];
    if (v === undefined || v === '') {
      if (fallback !== undefined) return fallback;
      throw new RangeError(`${name} is not set: a distributed worker needs WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT`);
    }
    const x = Number(v);
    if (!(Number.isInteger(x) && x >= min && x <= max)) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got '${v}'`);
    return x;
  };
  const worldSize = int('WORLD_SIZE', 1, 1 << 20);
  const rank = int('RANK', 0, worldSize - 1);
  const localRank = int('LOCAL_RANK', 0, worldSize - 1, 0);
  const masterAddr = env.MASTER_ADDR;
  if (!masterAddr) throw new RangeError('MASTER_ADDR is not set: the address of the machine of rank 0');
  const masterPort = int('MASTER_PORT', 1, 65535);
  return { rank, worldSize, localRank, masterAddr, masterPort };
}
