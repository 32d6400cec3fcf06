// The worker's launch variables, the init options and the launcher's command-line surgery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInitOptions, launchEnvFrom, LAUNCHER_PID_VAR } from '../../src/distributed/index.js';
import { dieWithLauncher, withoutLaunchFlags } from '../../src/cli/launch.js';

test('launchEnvFrom reads torchrun variables; bad or missing ones are named', () => {
  assert.equal(launchEnvFrom({}), null);
  assert.deepEqual(launchEnvFrom({ WORLD_SIZE: '4', RANK: '3', LOCAL_RANK: '1', MASTER_ADDR: 'node0', MASTER_PORT: '29500' }),
    { worldSize: 4, rank: 3, localRank: 1, masterAddr: 'node0', masterPort: 29500 });
  assert.equal(launchEnvFrom({ WORLD_SIZE: '2', RANK: '0', MASTER_ADDR: 'h', MASTER_PORT: '1' })!.localRank, 0);
  assert.throws(() => launchEnvFrom({ WORLD_SIZE: '2', MASTER_ADDR: 'h', MASTER_PORT: '1' }), /RANK is not set/);
  assert.throws(() => launchEnvFrom({ WORLD_SIZE: '2', RANK: '2', MASTER_ADDR: 'h', MASTER_PORT: '1' }), /RANK must be an integer in \[0, 1\], got '2'/);
  assert.throws(() => launchEnvFrom({ WORLD_SIZE: '2', RANK: '0', MASTER_PORT: '1' }), /MASTER_ADDR is not set/);
  assert.throws(() => launchEnvFrom({ WORLD_SIZE: '2', RANK: '0', MASTER_ADDR: 'h', MASTER_PORT: '70000' }), /MASTER_PORT must be an integer in \[1, 65535\]/);
});

test('init options are checked before anything connects', () => {
  assert.deepEqual(checkInitOptions({ rank: 1, worldSize: 2, fileStore: '/tmp/x' }), { backend: 'gloo', rank: 1, worldSize: 2, timeoutMs: 300_000, fileStore: '/tmp/x' });
  assert.throws(() => checkInitOptions({ backend: 'nccl' as 'gloo', rank: 0, worldSize: 1, fileStore: 'f' }), /backend 'nccl' is not supported/);
  assert.throws(() => checkInitOptions({ rank: 2, worldSize: 2, fileStore: 'f' }), /rank must be an integer in \[0, 2\), got 2/);
  assert.throws(() => checkInitOptions({ rank: 0, worldSize: 2 }), /masterAddr is required/);
  assert.throws(() => checkInitOptions({ rank: 0, worldSize: 2, masterAddr: 'h', masterPort: 0 }), /masterPort must be an integer in \[1, 65535\]/);
  assert.throws(() => checkInitOptions({ rank: 0, worldSize: 2, masterAddr: 'h', masterPort: 1, fileStore: 'f' }), /either fileStore or masterAddr\/masterPort/);
});

test('the launcher removes its own flags from the workers\' command line', () => {
  assert.deepEqual(
    withoutLaunchFlags(['--data', 'voc:x', '--nproc', '2', '--nnodes=2', '--node-rank', '1', '--master-addr', 'h', '--master-port=29500', '--dist-timeout', '60', '--resume']),
    ['--data', 'voc:x', '--dist-timeout', '60', '--resume'],
  );
  assert.deepEqual(withoutLaunchFlags(['--out', 'a', '--nproc=3', '--threads', '1'], ['nproc', 'out']), ['--threads', '1']);
});

test('a worker refuses to start when its launcher is already gone, and takes the launcher\'s pid out of its environment', () => {
  const none: Record<string, string | undefined> = {};
  dieWithLauncher(none); // not a worker of ours: nothing to do
  assert.throws(() => dieWithLauncher({ [LAUNCHER_PID_VAR]: 'x1' }), /WILDCAT_LAUNCHER_PID must be the launcher's process id, got 'x1'/);
  // This process is never its own parent: as for a launcher that exited before the worker armed.
  const env: Record<string, string | undefined> = { [LAUNCHER_PID_VAR]: String(process.pid) };
  assert.throws(() => dieWithLauncher(env), new RegExp(`the launcher \\(process ${process.pid}\\) exited before this worker started`));
  assert.equal(env[LAUNCHER_PID_VAR], undefined, 'not inherited by what the worker starts');
  assert.equal(process.listenerCount('SIGHUP'), 0, 'nothing armed');
});
