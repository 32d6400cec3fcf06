// How libgomp's threads wait, chosen for a command before libtorch loads (libgomp reads the
// setting once, when it is loaded). This module must not import the core layer, which loads it.

/**
 * The spin count given to a command with a fixed `--threads N` (N > 1): threads that wait spin
 * 1,000 times before sleeping instead of libgomp's 300,000. With libgomp's spinning, a fixed
 * 2-thread WSL step beside one busy process kept 26–41 % of its quiet throughput; with 1,000
 * spins, 43–48 % (README, Speed: a shared CPU). With `--threads auto` (the default) thread
 * adaptation handles a busy machine by running fewer threads, so libgomp's own spinning, faster
 * for ResNet-50's training step by 4–7 % here, stays.
 */
export const FIXED_THREADS_GOMP_SPINCOUNT = '1000';

/** The value of a `--threads` flag in `argv` (`--threads N` or `--threads=N`), or undefined. */
export function threadsArgument(argv: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--threads') value = argv[i + 1];
    else if (a.startsWith('--threads=')) value = a.slice('--threads='.length);
  }
  return value;
}

/**
 * Sets GOMP_SPINCOUNT=FIXED_THREADS_GOMP_SPINCOUNT in `env` for a command whose argv fixes more
 * than one thread, unless the user chose a waiting policy (OMP_WAIT_POLICY or GOMP_SPINCOUNT).
 * Returns whether it did. Child processes (workers of --nproc) inherit it.
 */
export function chooseThreadWaiting(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OMP_WAIT_POLICY !== undefined || env.GOMP_SPINCOUNT !== undefined) return false;
  const threads = Number(threadsArgument(argv));
  if (!Number.isInteger(threads) || threads < 2) return false;
  env.GOMP_SPINCOUNT = FIXED_THREADS_GOMP_SPINCOUNT;
  return true;
}
