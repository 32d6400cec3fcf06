// The CLI's Ctrl-C: the first SIGINT/SIGTERM aborts the signal handed to the library, a second
// one exits at once; nothing stays installed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withInterrupt } from '../../src/cli/interrupt.js';

test('first signal aborts, second exits with 130, handlers removed afterwards', async () => {
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  const exit = process.exit;
  const write = process.stderr.write;
  const exits: unknown[] = [];
  const notices: string[] = [];
  process.exit = ((code?: number) => { exits.push(code); }) as typeof process.exit;
  process.stderr.write = ((chunk: string) => { notices.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    const result = await withInterrupt(async (signal) => {
      assert.equal(signal.aborted, false);
      process.emit('SIGTERM');
      assert.equal(signal.aborted, true);
      assert.deepEqual(exits, []);
      process.emit('SIGINT');
      assert.deepEqual(exits, [130]);
      return 'done';
    }, 'stopping after this step');
    assert.equal(result, 'done');
  } finally {
    process.exit = exit;
    process.stderr.write = write;
  }
  assert.deepEqual(notices, ['\nstopping after this step\n']);
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);
  await assert.rejects(withInterrupt(async () => { throw new Error('boom'); }), /boom/);
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);
});
