// A FileStore rendezvous (API only): a group meets through the file, which a clean destroy
// removes; the file a killed job leaves behind is refused at once, naming the file, instead of
// sending the new job after the old job's vanished processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '../../src/core/index.js';
import { ProcessGroup } from '../../src/distributed/index.js';
import { withLeakCheck } from '../helpers/leak.js';

const PROCESS_GROUP = fileURLToPath(new URL('../../src/distributed/index.js', import.meta.url));

test('a FileStore group works and removes its file; a killed job\'s file is refused, named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildcat-filestore-'));
  try {
    const path = join(dir, 'store');
    await withLeakCheck(async () => {
      const pg = await ProcessGroup.init({ rank: 0, worldSize: 1, fileStore: path, timeoutMs: 10_000 });
      const t = tensor([1, 2], { dtype: 'float32' });
      await pg.allReduce(t, { op: 'sum' });
      assert.deepEqual(Array.from(t.toArray() as Float32Array), [1, 2]);
      t.dispose();
      await pg.destroy();
    });
    assert.ok(!existsSync(path), 'a clean destroy removes the file');

    // A job killed after joining leaves its file behind.
    const killed = spawnSync(process.execPath, ['--input-type=module', '-e',
      `const { ProcessGroup } = await import(${JSON.stringify(PROCESS_GROUP)});
       await ProcessGroup.init({ rank: 0, worldSize: 1, fileStore: ${JSON.stringify(path)}, timeoutMs: 10000 });
       process.kill(process.pid, 'SIGKILL');`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    assert.ok(existsSync(path), 'the killed job left its file');
    const started = Date.now();
    await assert.rejects(ProcessGroup.init({ rank: 0, worldSize: 1, fileStore: path, timeoutMs: 10_000 }),
      new RegExp(`rank 0 of 1: the FileStore ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} holds an earlier job's rendezvous \\(rank 0 joined it before: that job ended without removing the file\\); delete the file or give this job a fresh path`));
    assert.ok(Date.now() - started < 5_000, 'refused at once, not after a timeout');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
