/** Runs the built `wildcat` CLI in a child process (with a timeout) for the CLI tests. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node dist/src/cli/main.js ...args` in `cwd`; resolves with the exit code and output (never
 * rejects on a non-zero exit). The cache goes to `env.WILDCAT_CACHE` when given, so tests never
 * touch the package's own cache.
 */
export function wildcat(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 30_000, env: { ...process.env, WILDCAT_DEBUG: '', ...opts.env }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`wildcat ${args.join(' ')}: ${error.killed ? 'timed out' : error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}
