// Leak check for tests: every handle created inside `fn` must be released when it returns.
import assert from 'node:assert/strict';
import { memory, tidy } from '../../src/core/index.js';

/**
 * Runs fn inside tidy() and asserts that the number of live tensor handles afterwards equals
 * the number before (so a code path that forgets to dispose what it does not return fails).
 * Tensors fn returns are disposed by the check; return nothing you still need.
 */
export async function withLeakCheck(fn: () => unknown | Promise<unknown>): Promise<void> {
  const before = memory().tensors;
  const out = await fn();
  disposeAll(out);
  const after = memory().tensors;
  assert.equal(after, before, `tensor leak: ${after - before} handle(s) still alive after the test body (before ${before}, after ${after})`);
}

/** Synchronous variant that also wraps the body in tidy(): for library code under test that must not leak beyond what it returns. */
export function leakFree<T>(fn: () => T): void {
  const before = memory().tensors;
  const out = tidy(fn);
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
  else if (Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(disposeAll);
}
