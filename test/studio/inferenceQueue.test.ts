import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceQueue } from '../../src/studio/inferenceQueue.js';
import { HttpError } from '../../src/studio/httpError.js';

test('jobs run one at a time, in arrival order; a failing job fails alone', async () => {
  const q = new InferenceQueue(10);
  const log: string[] = [];
  let active = 0;
  const job = (name: string, fail = false) => q.run(async () => {
    active++;
    assert.equal(active, 1, 'one job at a time');
    log.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, 2));
    log.push(`end ${name}`);
    active--;
    if (fail) throw new Error(`job ${name} failed`);
    return name;
  });
  const results = await Promise.allSettled([job('a'), job('b', true), job('c'), job('d')]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.match(String((results[1] as PromiseRejectedResult).reason), /job b failed/);
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c', 'start d', 'end d']);
  assert.equal(q.running, false);
  assert.equal(await q.run(() => 7), 7, 'the queue works after a failure');
});

test('a full queue answers 503 with Retry-After, then takes jobs again once drained', async () => {
  const q = new InferenceQueue(2);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const running = q.run(() => gate);
  const waiting = [q.run(() => 1), q.run(() => 2)];
  assert.equal(q.waiting, 2);
  await assert.rejects(q.run(() => 3), (e: unknown) => {
    assert.ok(e instanceof HttpError);
    assert.equal(e.status, 503);
    assert.match(e.message, /2 inference requests are already waiting/);
    assert.ok(Number(e.headers['Retry-After']) >= 1);
    return true;
  });
  let drained = false;
  const idle = q.drained().then(() => (drained = true));
  await Promise.resolve();
  assert.equal(drained, false, 'not drained while jobs run or wait');
  release();
  await running;
  assert.deepEqual(await Promise.all(waiting), [1, 2]);
  await idle;
  assert.equal(drained, true);
  await q.drained();
  assert.equal(await q.run(() => 4), 4);
  assert.throws(() => new InferenceQueue(-1), /Expected an integer >= 0 for the capacity of an InferenceQueue but received -1/);
});
