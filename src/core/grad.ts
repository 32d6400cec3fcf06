// Gradient mode and functional gradients.
import { native } from './native.js';
import { Tensor } from './tensor.js';

/**
 * Runs fn with gradient recording off (inference, optimizer updates).
 * @example const scores = noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  const prev = native.isGradEnabled();
  native.setGradEnabled(false);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Runs fn with gradient recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  const prev = native.isGradEnabled();
  native.setGradEnabled(true);
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

/**
 * Gradients of outputs with respect to inputs without touching `.grad` (torch.autograd.grad).
 * Inputs that do not influence the outputs give null when allowUnused is set.
 */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor[],
  opts: { gradOutputs?: Tensor[]; retainGraph?: boolean; allowUnused?: boolean } = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const res = native.autogradGrad(
    outs.map((t) => t.handle),
    inputs.map((t) => t.handle),
    opts.gradOutputs ? opts.gradOutputs.map((t) => t.handle) : null,
    opts.retainGraph ?? false,
    opts.allowUnused ?? false,
  );
  return res.map((h) => (h === null ? null : Tensor.fromHandle(h)));
}
