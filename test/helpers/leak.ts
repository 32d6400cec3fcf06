// Leak check for tests: every handle created inside `fn` must be released when it returns.
// The body deliberately does NOT run inside tidy(): a scope would dispose whatever library code
// forgot to release and so hide exactly the leaks this check exists to find. Tests dispose their
// own tensors (or return them, and the check disposes what is returned).
import assert from 'node:assert/strict';
import { memory } from '../../src/core/index.js';

/**
 * Runs fn and asserts that the number of live tensor handles afterwards equals the number
 * before. Tensors that fn returns (alone, in an array or in a plain object) are disposed first.
 */
export async function withLeakCheck(fn: () => unknown | Promise<unknown>): Promise<void> {
  const before = memory().tensors;
  const out = await fn();
  disposeAll(out);
  const after = memory().tensors;
  assert.equal(after, before, `tensor leak: ${after - before} handle(s) still alive after the test body (before ${before}, after ${after})`);
}

/** Synchronous variant of withLeakCheck. */
export function leakFree(fn: () => unknown): void {
  const before = memory().tensors;
  const out = fn();
  disposeAll(out);
  const after = memory().tensors;
  assert.equal(after, before, `tensor leak: ${after - before} handle(s) still alive (before ${before}, after ${after})`);
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
