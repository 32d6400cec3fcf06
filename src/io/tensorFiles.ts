// Engine glue for weight files: safetensors and PyTorch checkpoints to and from Tensors.
import { readFileSync, existsSync } from 'node:fs';
import { fromBytes, toBytes, type Tensor, type DType } from '../core/index.js';
import { parseWeightFile } from './weightFile.js';
import type { InputLimits } from './inputLimits.js';
import { serializeSafetensors } from './safetensors.js';
import type { RawDType, RawStateDict, RawTensor } from './rawTensor.js';
import { writeFileAtomic } from './atomicWrite.js';
import { WeightFileError } from './weightFileError.js';

const RAW_TO_DTYPE: Record<RawDType, DType> = {
  float32: 'float32', float64: 'float64', float16: 'float16', bfloat16: 'bfloat16', int64: 'int64',
  int32: 'int32', int16: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool',
};

/** A Tensor with the raw tensor's dtype, shape and values. */
export function rawToTensor(raw: RawTensor): Tensor {
  return fromBytes(raw.data, raw.shape, RAW_TO_DTYPE[raw.dtype]);
}

export function tensorToRaw(t: Tensor): RawTensor {
  return { dtype: t.dtype as RawDType, shape: t.shape, data: toBytes(t) };
}

/**
 * Reads a weight file — `.safetensors` or a PyTorch `torch.save` zip checkpoint (`.pth`/`.pt`,
 * e.g. torchvision's ImageNet weights) — into named Tensors, in file order.
 * @example const sd = loadTensors('resnet50-0676ba61.pth'); model.loadStateDict(sd, { strict: false });
 */
export function loadTensors(path: string, options: { limits?: Partial<InputLimits> } = {}): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  if (!existsSync(path)) throw new Error(`${path}: no such weight file`);
  const bytes = readFileSync(path);
  const contents = parseWeightFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, options);
  return { tensors: rawDictToTensors(contents.tensors, path), metadata: contents.metadata ?? {} };
}

export function rawDictToTensors(raw: RawStateDict, source?: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  try {
    for (const [name, r] of raw) {
      try {
        out.set(name, rawToTensor(r));
      } catch (e) {
        // e.g. a bool tensor whose bytes are not 0/1: the file is wrong, so name it.
        if (source === undefined) throw e;
        throw new WeightFileError(source, `tensor '${name}': ${(e as Error).message}`);
      }
    }
  } catch (e) {
    for (const t of out.values()) t.dispose();
    throw e;
  }
  return out;
}

/** Writes named Tensors as safetensors, atomically (a killed process never leaves half a file). */
export function saveTensors(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {}): void {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const raw: RawStateDict = new Map(entries.map(([k, t]) => [k, tensorToRaw(t)]));
  writeFileAtomic(path, serializeSafetensors(raw, metadata));
}
