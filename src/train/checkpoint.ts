// Checkpoints of a training run: model weights, optimizer state and run metadata in one
// safetensors file, written atomically so that a killed run always leaves a loadable file.
import { existsSync } from 'node:fs';
import { tidy, type Tensor } from '../core/index.js';
import type { Module } from '../nn/index.js';
import type { OptimizerStateDict } from '../optim/index.js';
import { loadTensors, saveTensors } from '../io/index.js';

const FORMAT = 'wildcat-ts-checkpoint/1';

export interface CheckpointContents<M> {
  /** Model state dict (PyTorch key names). Owned by the caller: dispose after loading. */
  model: Map<string, Tensor>;
  optimizer: OptimizerStateDict | null;
  meta: M;
}

/** Writes model (+ optimizer) state and JSON metadata to `path` atomically. */
export function saveCheckpoint(path: string, model: Module, meta: unknown, optimizer?: { stateDict(): OptimizerStateDict }): void {
  tidy(() => {
    const tensors = new Map<string, Tensor>();
    for (const [k, t] of model.stateDict()) tensors.set(`model.${k}`, t);
    let optimMeta = '';
    if (optimizer) {
      const sd = optimizer.stateDict();
      for (const [k, t] of Object.entries(sd.tensors)) tensors.set(`optimizer.${k}`, t);
      optimMeta = JSON.stringify(sd.meta);
    }
    saveTensors(path, tensors, { format: FORMAT, meta: JSON.stringify(meta), optimizer: optimMeta });
  });
}

/**
 * Reads a checkpoint written by saveCheckpoint. A plain weight file (safetensors of a state
 * dict, or a torch.save `.pth`) is accepted too: its tensors become `model`, with no optimizer.
 */
export function loadCheckpoint<M = Record<string, unknown>>(path: string): CheckpointContents<M> {
  if (!existsSync(path)) throw new Error(`${path}: checkpoint not found`);
  const { tensors, metadata } = loadTensors(path);
  if (metadata.format !== FORMAT) return { model: tensors, optimizer: null, meta: {} as M };
  let meta: M;
  let optimMeta: OptimizerStateDict['meta'] | null;
  try {
    meta = JSON.parse(metadata.meta ?? '{}') as M;
    optimMeta = metadata.optimizer ? (JSON.parse(metadata.optimizer) as OptimizerStateDict['meta']) : null;
  } catch {
    for (const t of tensors.values()) t.dispose();
    throw new Error(`${path}: the checkpoint's metadata is not valid JSON; the file is damaged`);
  }
  const model = new Map<string, Tensor>();
  const optimTensors: Record<string, Tensor> = {};
  for (const [k, t] of tensors) {
    if (k.startsWith('model.')) model.set(k.slice(6), t);
    else if (k.startsWith('optimizer.') && optimMeta) optimTensors[k.slice(10)] = t;
    else t.dispose();
  }
  return { model, optimizer: optimMeta ? { tensors: optimTensors, meta: optimMeta } : null, meta };
}

/** Disposes every tensor of a loaded checkpoint. */
export function disposeCheckpoint(c: CheckpointContents<unknown>): void {
  for (const t of c.model.values()) t.dispose();
  if (c.optimizer) for (const t of Object.values(c.optimizer.tensors)) t.dispose();
}
