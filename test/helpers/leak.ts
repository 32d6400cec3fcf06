// Leak check for tests: every handle created inside `fn` must be released when it returns.
// The body deliberately does NOT run inside tidy(): a scope would dispose whatever library code
// forgot to release and so hide exactly the leaks this check exists to find. Tests dispose their
// own tensors (or return them, and the check disposes what is returned).
// Every Tensor created during the body is held until the check ends: otherwise the garbage
// collector may release a forgotten handle (its finalizer decrements the live count) before the
// count is read, and the leak shows up in one run out of many (it did: a detach() intermediate in
// the MANTRA solver). Set WILDCAT_LEAK_STACKS=1 to see where each leaked tensor was created.
import assert from 'node:assert/strict';
import { memory, observeTensorCreation, type Tensor } from '../../src/core/index.js';

/**
 * Runs fn and asserts that the number of live tensor handles afterwards equals the number
 * before. Tensors that fn returns (alone, in an array or in a plain object) are disposed first.
 */
export async function withLeakCheck(fn: () => unknown | Promise<unknown>): Promise<void> {
  const before = memory().tensors;
  const created = new Map<Tensor, string>();
  const stop = observeTensorCreation(recorder(created));
  let out: unknown;
  try {
    out = await fn();
  } finally {
    stop();
  }
  disposeAll(out);
  check(before, created, 'after the test body');
}

/** Synchronous variant of withLeakCheck. */
export function leakFree(fn: () => unknown): void {
  const before = memory().tensors;
  const created = new Map<Tensor, string>();
  const stop = observeTensorCreation(recorder(created));
  let out: unknown;
  try {
    out = fn();
  } finally {
    stop();
  }
  disposeAll(out);
  check(before, created, '');
}

function recorder(created: Map<Tensor, string>): (t: Tensor) => void {
  const stacks = process.env.WILDCAT_LEAK_STACKS === '1';
  let pruneAt = 10_000;
  return (t) => {
    created.set(t, stacks ? (new Error().stack ?? '').split('\n').slice(3, 12).join('\n') : '');
    // A long body (a training loop) creates millions: forget the disposed ones now and then.
    if (created.size >= pruneAt) {
      for (const k of created.keys()) if (k.isDisposed) created.delete(k);
      pruneAt = 2 * created.size + 10_000;
    }
  };
}

function check(before: number, created: Map<Tensor, string>, where: string): void {
  const alive = [...created].filter(([t]) => !t.isDisposed);
  const after = memory().tensors;
  const detail = alive.map(([t, stack]) => `\n  [${t.shape.join(', ')}] ${t.dtype}${stack ? '\n' + stack : ''}`).join('');
  assert.equal(after, before, `tensor leak: ${after - before} handle(s) still alive${where ? ' ' + where : ''} (before ${before}, after ${after})${detail}`);
  created.clear();
}

function disposeAll(v: unknown): void {
  if (v === null || typeof v !== 'object') return;
  if ((v as { __isTensor?: boolean }).__isTensor) {
    (v as { dispose(): void }).dispose();
    return;
  }
  if (Array.isArray(v)) v.forEach(disposeAll);
  else if (v instanceof Map) [...v.values()].forEach(disposeAll);
  else if (Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(disposeAll);
}
