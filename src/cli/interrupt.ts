// Ctrl-C for the long commands. The library never touches signals or exits the process: it
// takes an AbortSignal and stops cleanly between steps. This is where the command line turns
// SIGINT / SIGTERM into that signal.

/**
 * Runs `fn` with an AbortSignal that the first SIGINT or SIGTERM aborts (after printing `notice`
 * to stderr); a second one exits at once with code 130. The handlers are removed when fn settles.
 * @example await withInterrupt((signal) => trainWsl(config, { out, signal }));
 */
export async function withInterrupt<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  notice = 'interrupt: saving the run after this step (press again to abort without saving)',
): Promise<T> {
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) return process.exit(130);
    process.stderr.write(`\n${notice}\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
