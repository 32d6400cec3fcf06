// The CLI's choice of how libgomp's threads wait, made from argv before libtorch loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chooseThreadWaiting, FIXED_THREADS_GOMP_SPINCOUNT, threadsArgument } from '../../src/cli/threadWaiting.js';

test('threadsArgument: --threads N and --threads=N, the last one wins, nothing after --', () => {
  assert.equal(threadsArgument(['train', '--data', 'voc:x']), undefined);
  assert.equal(threadsArgument(['--threads', '2']), '2');
  assert.equal(threadsArgument(['--threads=3', '--epochs', '1']), '3');
  assert.equal(threadsArgument(['--threads', 'auto', '--threads', '1']), '1');
  assert.equal(threadsArgument(['--threads']), undefined); // parseArgs reports the missing value
  assert.equal(threadsArgument(['--', '--threads', '2']), undefined);
  assert.equal(threadsArgument(['--threadsx', '2']), undefined);
});

test('chooseThreadWaiting: a short spin for a fixed count of several threads, libgomp\'s own otherwise or when the user chose', () => {
  const env = (e: NodeJS.ProcessEnv = {}) => ({ ...e });
  const fixed = env();
  assert.equal(chooseThreadWaiting(['--threads', '2'], fixed), true);
  assert.equal(fixed.GOMP_SPINCOUNT, FIXED_THREADS_GOMP_SPINCOUNT);
  for (const argv of [[], ['--threads', 'auto'], ['--threads', '1'], ['--threads', 'two'], ['--threads', '1.5'], ['--threads', '0']]) {
    const e = env();
    assert.equal(chooseThreadWaiting(argv, e), false, argv.join(' '));
    assert.equal(e.GOMP_SPINCOUNT, undefined);
  }
  const user = env({ GOMP_SPINCOUNT: '5' });
  assert.equal(chooseThreadWaiting(['--threads', '2'], user), false);
  assert.equal(user.GOMP_SPINCOUNT, '5');
  const passive = env({ OMP_WAIT_POLICY: 'PASSIVE' });
  assert.equal(chooseThreadWaiting(['--threads', '4'], passive), false);
  assert.equal(passive.GOMP_SPINCOUNT, undefined);
});

test('the CLI chooses before libtorch loads: main loads no addon by itself, and a command sees the choice', () => {
  const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  // Runs `wildcat ARGS` in a fresh process and reports the spin setting and whether the addon was
  // loaded by then (`data --help` runs no network, `--help` no command).
  const probe = (args: string[]) => {
    const env = { ...process.env };
    delete env.GOMP_SPINCOUNT;
    delete env.OMP_WAIT_POLICY;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { createRequire } from 'node:module';
      process.argv = [process.argv[0], ${JSON.stringify(main)}, ...${JSON.stringify(args)}];
      const require = createRequire(import.meta.url);
      process.on('exit', () => {
        const addon = Object.keys(require.cache).some((k) => k.endsWith('.node'));
        console.error('PROBE' + JSON.stringify({ spin: process.env.GOMP_SPINCOUNT ?? null, addon }));
      });
      await import(${JSON.stringify(main)});`], { env, encoding: 'utf8' });
    const line = r.stderr.split('\n').find((l) => l.startsWith('PROBE'));
    assert.ok(line, `exit ${r.status} ${r.error?.message ?? ''}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return JSON.parse(line.slice('PROBE'.length)) as { spin: string | null; addon: boolean };
  };
  assert.deepEqual(probe(['--help']), { spin: null, addon: false });
  assert.equal(probe(['data', '--help', '--threads', '2']).spin, FIXED_THREADS_GOMP_SPINCOUNT);
  assert.equal(probe(['data', '--help']).spin, null);
});
