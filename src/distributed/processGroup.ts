// A process group on libtorch's c10d engine with the Gloo backend (native/distributed.cc): the
// ranks of one job meet through a rendezvous store (a TCPStore hosted by rank 0 at
// masterAddr:masterPort, or a FileStore on a path every rank can reach), then exchange tensors
// with collectives. Every collective returns a promise (it runs off the JS thread) and has a
// timeout; a rank that dies or never joins makes the others fail with a DistributedError naming it.
import { Tensor } from '../core/index.js';
import { native, type GroupHandle } from '../core/native.js';

/** How long a rank waits for the others at init and in each collective (c10d's store default, 5 min). */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** Gradient and broadcast bucket size, as DistributedDataParallel's default (25 MiB). */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

/** Options of `init` (the names follow torch.distributed.init_process_group). */
export interface InitOptions {
  /** Only Gloo: the CPU backend of c10d. Default 'gloo'. */
  backend?: 'gloo';
  /** This process's rank in [0, worldSize). */
  rank: number;
  /** Number of processes in the job. */
  worldSize: number;
  /** Address of rank 0, which hosts the TCPStore (with masterPort). */
  masterAddr?: string;
  masterPort?: number;
  /**
   * A FileStore path instead of a TCPStore: a fresh path per job, reachable by every rank. A
   * clean `destroy` on every rank removes the file; a killed job leaves it, and a rank that finds
   * it already joined that file refuses to start (delete the file).
   */
  fileStore?: string;
  /** Per-call timeout (joining, each collective). Default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** Reduction of `allReduce`. Gloo has no average: 'avg' sums, then divides by the world size. */
export type ReduceOp = 'sum' | 'avg' | 'max' | 'min' | 'product';

/** A collective failed (a rank died, never joined, or timed out); the message names the rank. */
export class DistributedError extends Error {
  override name = 'DistributedError';
}

/**
 * One c10d process group. Every rank must call the same collectives in the same order, with
 * tensors of the same shapes and dtypes.
 * @example
 * const pg = await ProcessGroup.init({ rank, worldSize: 2, masterAddr: '127.0.0.1', masterPort: 29500 });
 * await pg.allReduce([grad], { op: 'avg' });
 * await pg.destroy();
 */
export class ProcessGroup {
  #handle: GroupHandle | null;

  private constructor(handle: GroupHandle, readonly rank: number, readonly worldSize: number, readonly timeoutMs: number) {
    this.#handle = handle;
  }

  /** Joins the group (waits up to the timeout for every rank), then connects Gloo. */
  static async init(options: InitOptions): Promise<ProcessGroup> {
    const o = checkInitOptions(options);
    const handle = await wrap(native.distributed.init({
      rank: o.rank, size: o.worldSize, timeoutMs: o.timeoutMs,
      ...(o.fileStore !== undefined ? { fileStore: o.fileStore } : { masterAddr: o.masterAddr!, masterPort: o.masterPort! }),
    }));
    return new ProcessGroup(handle, o.rank, o.worldSize, o.timeoutMs);
  }

  /**
   * Reduces `tensors` across ranks in place. Tensors of one dtype travel together in flat buckets
   * of at most `bucketBytes` (DistributedDataParallel's gradient buckets).
   */
  async allReduce(tensors: Tensor | readonly Tensor[], opts: { op?: ReduceOp; bucketBytes?: number } = {}): Promise<void> {
    const list = asList(tensors);
    if (list.length === 0) return;
    await wrap(native.distributed.allReduce(this.handle, list.map((t) => t.handle), opts.op ?? 'sum', bucketBytes(opts.bucketBytes)));
  }

  /** Overwrites `tensors` on every rank with rank `src`'s values (in buckets, like allReduce). */
  async broadcast(tensors: Tensor | readonly Tensor[], opts: { src?: number; bucketBytes?: number } = {}): Promise<void> {
    const list = asList(tensors);
    if (list.length === 0) return;
    await wrap(native.distributed.broadcast(this.handle, list.map((t) => t.handle), opts.src ?? 0, bucketBytes(opts.bucketBytes)));
  }

  /** Resolves once every rank has reached it. */
  async barrier(): Promise<void> {
    await wrap(native.distributed.barrier(this.handle));
  }

  /** Every rank's bytes (any length), in rank order. For small buffers: predictions, metadata. */
  async allGather(bytes: Uint8Array): Promise<Uint8Array[]> {
    const parts = await wrap(native.distributed.allGather(this.handle, bytes));
    return parts.map((p) => new Uint8Array(p));
  }

  /** allGather of a JSON-serialisable value (NaN and ±Infinity survive). */
  async allGatherJson<T>(value: T): Promise<T[]> {
    const parts = await this.allGather(encodeJson(value));
    return parts.map((p) => decodeJson<T>(p));
  }

  /**
   * Rank `src`'s value on every rank (a JSON exchange for small metadata: configs, positions,
   * errors); the other ranks' `value` is ignored.
   */
  async broadcastJson<T>(value: T, src = 0): Promise<T> {
    const parts = await this.allGather(this.rank === src ? encodeJson(value) : new Uint8Array(0));
    return decodeJson<T>(parts[src]!);
  }

  /** Leaves the group (rank 0's TCPStore closes with it). Idempotent. */
  async destroy(): Promise<void> {
    const h = this.#handle;
    if (h === null) return;
    this.#handle = null;
    await wrap(native.distributed.destroy(h));
  }

  get destroyed(): boolean {
    return this.#handle === null;
  }

  private get handle(): GroupHandle {
    if (this.#handle === null) throw new DistributedError(`rank ${this.rank}: the process group was destroyed`);
    return this.#handle;
  }
}

// JSON with the non-finite numbers JSON drops (a best score of -Infinity, a NaN metric).
function encodeJson(value: unknown): Uint8Array {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v));
  return new TextEncoder().encode(text ?? 'null');
}

function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes), (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && Object.keys(v).length === 1 && typeof (v as { $number?: unknown }).$number === 'string') return Number((v as { $number: string }).$number);
    return v;
  }) as T;
}

async function wrap<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new DistributedError((e as Error).message);
  }
}

function asList(t: Tensor | readonly Tensor[]): readonly Tensor[] {
  return t instanceof Tensor ? [t] : t;
}

function bucketBytes(b: number | undefined): number {
  const v = b ?? DEFAULT_BUCKET_BYTES;
  if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`bucketBytes must be a positive integer, got ${v}`);
  return v;
}

/** Validates init options; errors name the option and the accepted values. */
export function checkInitOptions(o: InitOptions): Required<Omit<InitOptions, 'masterAddr' | 'masterPort' | 'fileStore'>> & Pick<InitOptions, 'masterAddr' | 'masterPort' | 'fileStore'> {
  const backend = o.backend ?? 'gloo';
  if (backend !== 'gloo') throw new RangeError(`distributed backend '${String(backend)}' is not supported; this build has 'gloo' (CPU)`);
  if (!(Number.isInteger(o.worldSize) && o.worldSize >= 1)) throw new RangeError(`worldSize must be an integer >= 1, got ${o.worldSize}`);
  if (!(Number.isInteger(o.rank) && o.rank >= 0 && o.rank < o.worldSize)) throw new RangeError(`rank must be an integer in [0, ${o.worldSize}), got ${o.rank}`);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isInteger(timeoutMs) && timeoutMs >= 1)) throw new RangeError(`timeoutMs must be a positive integer, got ${timeoutMs}`);
  if (o.fileStore !== undefined) {
    if (o.fileStore === '') throw new RangeError('fileStore must be a path');
    if (o.masterAddr !== undefined || o.masterPort !== undefined) throw new RangeError('give either fileStore or masterAddr/masterPort, not both');
    return { backend, rank: o.rank, worldSize: o.worldSize, timeoutMs, fileStore: o.fileStore };
  }
  if (!o.masterAddr) throw new RangeError('masterAddr is required (the address of rank 0), or give a fileStore path');
  if (!(Number.isInteger(o.masterPort) && o.masterPort! >= 1 && o.masterPort! <= 65535)) {
    throw new RangeError(`masterPort must be an integer in [1, 65535], got ${o.masterPort}`);
  }
  return { backend, rank: o.rank, worldSize: o.worldSize, timeoutMs, masterAddr: o.masterAddr, masterPort: o.masterPort };
}
