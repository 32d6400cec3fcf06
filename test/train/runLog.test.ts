import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunLog } from '../../src/train/runLog.js';
import { withTempDir } from './fixtures.js';

test('RunLog appends one JSON object per line and reads them back in order', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'sub', 'log.jsonl');
    const log = new RunLog(path);
    log.write('start', { config: { lr: 0.1 } });
    log.write('epoch', { epoch: 1, loss: 0.5, lr: [0.01, 0.1] });
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    const events = RunLog.read(path);
    assert.deepEqual(events.map((e) => e.event), ['start', 'epoch']);
    assert.deepEqual(events[1], { time: events[1]!.time, event: 'epoch', epoch: 1, loss: 0.5, lr: [0.01, 0.1] });
    assert.ok(!Number.isNaN(Date.parse(String(events[0]!.time))));
    // A second writer on the same file (a resumed run) appends.
    new RunLog(path).write('resume', { epoch: 1, batch: 0 });
    assert.deepEqual(RunLog.read(path).map((e) => e.event), ['start', 'epoch', 'resume']);
  });
});

test('RunLog.read skips a torn last line and reads a missing log as empty', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'log.jsonl');
    const log = new RunLog(path);
    log.write('start', {});
    log.write('epoch', { epoch: 1 });
    appendFileSync(path, '{"time":"2024-01-01T00:00:00.000Z","event":"epo');
    assert.deepEqual(RunLog.read(path).map((e) => e.event), ['start', 'epoch']);
    // Writing after the torn line (a resumed run) keeps the new event readable.
    appendFileSync(path, '\n');
    log.write('resume', {});
    assert.deepEqual(RunLog.read(path).map((e) => e.event), ['start', 'epoch', 'resume']);
    writeFileSync(path, '');
    assert.deepEqual(RunLog.read(path), []);
    assert.deepEqual(RunLog.read(join(dir, 'none.jsonl')), []);
  });
});
