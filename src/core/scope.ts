// Ownership of tensor handles: one owner at a time. Every Tensor created while a tidy() scope
// is open belongs to that scope and is disposed when the scope closes, unless it is returned
// from the scope or kept. Parameters and buffers of modules are kept.
import type { Tensor } from './tensor.js';

const scopes: Set<Tensor>[] = [];
const observers = new Set<(t: Tensor) => void>();

/** Called by the Tensor constructor. */
export function track(t: Tensor): void {
  if (observers.size > 0) for (const o of observers) o(t);
  const top = scopes[scopes.length - 1];
  if (top !== undefined) top.add(t);
}

/**
 * Runs `fn` and disposes every tensor created inside it, except what it returns (a Tensor,
 * or Tensors inside a returned array or plain object) and what was `keep()`-ed.
 * Synchronous only: an async function would let its tensors escape the scope.
 * @example const loss = tidy(() => model.forward(x).sub(y).square().mean());
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new Error('tidy(fn): fn returned a Promise; tidy only supports synchronous functions (tensors would escape the scope)');
  }
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors, 0);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) {
      if (parent !== undefined) parent.add(t);
    } else t.dispose();
  }
  return result;
}

/**
 * Test support (the leak check of test/helpers/leak.ts): calls `fn` with every Tensor created
 * until the returned function is called. An observer that keeps the tensors stops the garbage
 * collector from releasing a forgotten handle behind the check's back, which would make a leak
 * visible only in some runs.
 */
export function observeTensorCreation(fn: (t: Tensor) => void): () => void {
  observers.add(fn);
  return () => void observers.delete(fn);
}

/** Removes a tensor from every open scope so that no tidy() disposes it. Returns it. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collectTensors(v: unknown, out: Set<Tensor>, depth: number): void {
  if (v === null || typeof v !== 'object' || depth > 4) return;
  if (isTensorLike(v)) {
    out.add(v as Tensor);
    return;
  }
  if (Array.isArray(v)) {
    for (const e of v) collectTensors(e, out, depth + 1);
    return;
  }
  if (v instanceof Map) {
    for (const e of v.values()) collectTensors(e, out, depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    for (const e of Object.values(v)) collectTensors(e, out, depth + 1);
  }
}

function isTensorLike(v: object): boolean {
  return (v as { __isTensor?: boolean }).__isTensor === true;
}
