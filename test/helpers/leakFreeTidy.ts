// Test bodies for op-value tests: many intermediates, disposed by a scope, still leak-checked.
import { tidy } from '../../src/core/index.js';
import { leakFree } from './leak.js';

/**
 * Wraps a synchronous test body so it runs inside tidy() under the leak check (leakFree).
 * The scope disposes every Tensor the body creates, so op tests need not dispose each
 * intermediate; what the check still catches is what a scope cannot see: a native handle no
 * Tensor owns (an op result left unwrapped), or a tensor kept() by the code under test.
 * Library code whose own disposal is under test belongs in a plain withLeakCheck/leakFree.
 * @example test('sum', leakFreeTidy(() => assertTensor(tensor([1, 2]).sum(), 3)));
 */
export function leakFreeTidy(body: () => unknown): () => void {
  return () => leakFree(() => tidy(body));
}
