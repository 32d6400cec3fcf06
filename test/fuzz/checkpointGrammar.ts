// Generated torch.save checkpoints for the fuzzer: well-formed zips and pickles whose tensors
// claim arbitrary storages, dtypes, offsets, sizes and strides. Byte mutations of a real
// checkpoint mostly stop at the first broken opcode; these reach the checks that keep a view
// inside its storage, the dtype table, persistent ids and the allow-list, where a missed case
// would read out of bounds rather than fail.
import type { FuzzRng } from './mutate.js';
import { P, checkpoint, u32 } from '../io/pickleWriter.js';

/** Values that sit on the edges of the checks: zero, one, small, int32 and uint32 limits, negatives. */
const EDGES = [0, 1, 2, 3, 4, 7, 16, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, -1, -2, -(2 ** 31)];

const STORAGE_TYPES = ['FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ShortStorage',
  'CharStorage', 'ByteStorage', 'BoolStorage', 'UntypedStorage', 'ComplexFloatStorage', 'QInt8Storage', 'NotAStorage'];

/** A pickled integer of any sign and size: BININT1 / BININT (int32) / LONG1 (any, little-endian two's complement). */
function int(n: number): string {
  if (n >= 0 && n < 256) return `K${String.fromCharCode(n)}`;
  if (n >= -(2 ** 31) && n < 2 ** 31) return `J${u32(n)}`;
  let v = BigInt(n);
  const bytes: number[] = [];
  for (let i = 0; i < 8; i++) {
    bytes.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return `\x8a${String.fromCharCode(bytes.length, ...bytes)}`;
}

const ITEM_BYTES: Record<string, number> = { FloatStorage: 4, DoubleStorage: 8, HalfStorage: 2, BFloat16Storage: 2, LongStorage: 8, IntStorage: 4,
  ShortStorage: 2, CharStorage: 1, ByteStorage: 1, BoolStorage: 1, UntypedStorage: 1 };

/** A storage record as torch.save writes one: its type, key and element count (and, mostly, bytes to match). */
interface Storage {
  type: string;
  key: string;
  numel: number;
}

/** One `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)` call, arguments drawn at random. */
function tensorCall(rng: FuzzRng, storages: readonly Storage[]): string {
  const rank = rng.int(5);
  const s = rng.pick(storages);
  // Mostly the storage as recorded; now and then a lie about its type, key, device or size.
  const lie = rng.int(6) === 0;
  const type = lie && rng.int(2) === 0 ? rng.pick(STORAGE_TYPES) : s.type;
  const key = lie && rng.int(2) === 0 ? rng.pick(['missing', '../0', `${s.key}/x`]) : s.key;
  const numel = lie && rng.int(2) === 0 ? value(rng, 64) : s.numel;
  const storage = `${P.tuple(P.str('storage'), P.global('torch', type), P.str(key), P.str(lie && rng.int(4) === 0 ? 'cuda:0' : 'cpu'), int(numel))}Q`;
  const args = [storage, int(value(rng, 8)), tuple(rng, rank, 6), tuple(rng, rng.int(8) === 0 ? rng.int(5) : rank, 6), rng.int(2) === 0 ? '\x89' : '\x88', P.hooks()];
  // Now and then an argument goes missing or the callable is not the allowed one.
  if (rng.int(16) === 0) args.splice(rng.int(args.length), 1);
  const fn = rng.int(16) === 0 ? P.global(rng.pick(['torch._utils', 'os', 'builtins']), rng.pick(['_rebuild_tensor', 'system', 'eval'])) : P.global('torch._utils', '_rebuild_tensor_v2');
  return P.call(fn, ...args);
}

function value(rng: FuzzRng, small: number): number {
  return rng.int(5) === 0 ? rng.pick(EDGES) : rng.int(small + 1);
}

function tuple(rng: FuzzRng, rank: number, small: number): string {
  return P.tuple(...Array.from({ length: rank }, () => int(value(rng, small))));
}

/** A whole checkpoint: 1–4 storage records and an OrderedDict of 1–5 generated tensors viewing them. */
export function generateCheckpoint(rng: FuzzRng): Uint8Array {
  const storages: Storage[] = [];
  const records: Record<string, Uint8Array> = {};
  for (let i = 0, n = 1 + rng.int(4); i < n; i++) {
    const type = rng.pick(Object.keys(ITEM_BYTES));
    const numel = rng.int(4) === 0 ? rng.pick([0, 1, 3]) : rng.int(65);
    storages.push({ type, key: String(i), numel });
    // The record holds numel elements, or (sometimes) a byte more or less.
    const bytes = numel * ITEM_BYTES[type]! + (rng.int(8) === 0 ? rng.pick([-1, 1]) : 0);
    records[String(i)] = new Uint8Array(Math.max(0, bytes));
  }
  const entries = Array.from({ length: 1 + rng.int(4) }, (_, i): [string, string] => [`t${i}`, tensorCall(rng, storages)]);
  return checkpoint(P.dict(entries), records);
}
