// torch.distributed's module-level style: `init` creates the default process group of this
// process and the free functions act on it.
import type { Tensor } from '../core/index.js';
import { DistributedError, ProcessGroup, type InitOptions, type ReduceOp } from './processGroup.js';

let current: ProcessGroup | null = null;

/**
 * Creates the default process group (see ProcessGroup.init) and returns it.
 * @example await distributed.init({ backend: 'gloo', rank, worldSize, masterAddr: 'node0', masterPort: 29500 })
 */
export async function init(options: InitOptions): Promise<ProcessGroup> {
  if (current !== null) throw new DistributedError(`the default process group already exists (rank ${current.rank} of ${current.worldSize}); destroy() it first`);
  current = await ProcessGroup.init(options);
  return current;
}

/** The default group; throws unless init() ran. */
export function defaultGroup(): ProcessGroup {
  if (current === null) throw new DistributedError('no process group: call distributed.init() first');
  return current;
}

export function isInitialized(): boolean {
  return current !== null;
}

/** ProcessGroup.allReduce on the default group. */
export function allReduce(tensors: Tensor | readonly Tensor[], opts?: { op?: ReduceOp; bucketBytes?: number }): Promise<void> {
  return defaultGroup().allReduce(tensors, opts);
}

/** ProcessGroup.broadcast on the default group. */
export function broadcast(tensors: Tensor | readonly Tensor[], opts?: { src?: number; bucketBytes?: number }): Promise<void> {
  return defaultGroup().broadcast(tensors, opts);
}

/** ProcessGroup.barrier on the default group. */
export function barrier(): Promise<void> {
  return defaultGroup().barrier();
}

/** ProcessGroup.allGather on the default group. */
export function allGather(bytes: Uint8Array): Promise<Uint8Array[]> {
  return defaultGroup().allGather(bytes);
}

/** Destroys the default group (no-op without one). */
export async function destroy(): Promise<void> {
  const g = current;
  current = null;
  await g?.destroy();
}
