// The addon is context-aware: worker threads load their own instance and compute independently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { memory, tensor } from '../../src/core/index.js';

const CORE = new URL('../../src/core/index.js', import.meta.url).href;

// Runs in the worker (CommonJS eval): imports the core, computes y = a·b and d(sum y²)/da, posts
// the values and the worker's own handle count after disposal.
const WORKER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.core).then((c) => {
  const { a, b } = workerData;
  const out = c.tidy(() => {
    const ta = c.tensor(a, { dtype: 'float64', requiresGrad: true });
    const tb = c.tensor(b, { dtype: 'float64' });
    const y = ta.matmul(tb);
    const [g] = c.grad(y.square().sum(), [ta]);
    return { y: Array.from(y.toArray()), g: Array.from(g.toArray()), shape: y.shape, during: c.memory().tensors };
  });
  parentPort.postMessage({ ...out, after: c.memory().tensors, threads: c.getNumThreads() });
}).catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

interface WorkerResult { y: number[]; g: number[]; shape: number[]; during: number; after: number; error?: string }

function runWorker(a: number[][], b: number[][]): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_SRC, { eval: true, workerData: { core: CORE, a, b } });
    w.once('message', (m: WorkerResult) => (m.error ? reject(new Error(m.error)) : resolve(m)));
    w.once('error', reject);
    w.once('exit', (code) => { if (code !== 0) reject(new Error(`worker exited with ${code}`)); });
  });
}

/** y = a·b and d(Σy²)/da = 2·y·bᵀ, computed in plain JS. */
function expected(a: number[][], b: number[][]): { y: number[]; g: number[] } {
  const y = a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
  const g = a.map((_, i) => b.map((bk) => bk.reduce((s, v, j) => s + 2 * y[i]![j]! * v, 0)));
  return { y: y.flat(), g: g.flat() };
}

test('a worker thread loads the addon, computes with autograd and posts the result', async () => {
  const a = [[1, 2], [3, 4]];
  const b = [[1, 0, 2], [-1, 1, 0]];
  const r = await runWorker(a, b);
  const e = expected(a, b);
  assert.deepEqual(r.shape, [2, 3]);
  assert.deepEqual(r.y, e.y);
  assert.deepEqual(r.g, e.g);
  assert.equal(r.after, 0, 'the worker disposed everything');
  assert.ok(r.during > 0);
});

test('two workers at once compute independently; main-thread accounting is separate', async () => {
  const main = tensor([1, 2, 3]);
  const before = memory();
  const a1 = [[1, 2, 3]];
  const b1 = [[1], [1], [1]];
  const a2 = [[2, 0], [0, 2], [1, 1]];
  const b2 = [[5, 6], [7, 8]];
  const [r1, r2] = await Promise.all([runWorker(a1, b1), runWorker(a2, b2)]);
  assert.deepEqual(r1.y, expected(a1, b1).y);
  assert.deepEqual(r1.g, expected(a1, b1).g);
  assert.deepEqual(r2.y, expected(a2, b2).y);
  assert.deepEqual(r2.g, expected(a2, b2).g);
  // Handles of other threads never show in this thread's memory().
  assert.deepEqual(memory(), before);
  // The main thread's tensors are untouched and the engine still works here.
  assert.deepEqual(main.add(1).toNumbers(), [2, 3, 4]);
  main.dispose();
});

test('a worker terminated while holding tensors does not disturb the main thread', async () => {
  const src = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.core).then((c) => {
  globalThis.held = [];
  for (let i = 0; i < 200; i++) globalThis.held.push(c.randn([32, 32]).matmul(c.randn([32, 32])));
  parentPort.postMessage(c.memory().tensors);
  setInterval(() => {}, 1000);
});`;
  const w = new Worker(src, { eval: true, workerData: { core: CORE } });
  const n = await new Promise<number>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  assert.ok(n >= 200);
  await w.terminate();
  const t = tensor([[1, 2], [3, 4]]);
  assert.deepEqual(t.matmul(t).toNumbers(), [7, 10, 15, 22]);
  t.dispose();
});
