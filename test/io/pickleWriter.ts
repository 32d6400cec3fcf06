// Hand-made PyTorch checkpoints for tests and the fuzzing suite: a small protocol-2 pickle
// writer and the torch.save zip layout around it.
import { writeZip, type ZipWriteEntry } from './zipWriter.js';

export const u32 = (n: number): string => String.fromCharCode(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
export const P = {
  str: (s: string): string => `X${u32(s.length)}${s}`,
  int: (n: number): string => (n < 256 ? `K${String.fromCharCode(n)}` : `J${u32(n)}`),
  tuple: (...items: string[]): string => `(${items.join('')}t`,
  global: (module: string, name: string): string => `c${module}\n${name}\n`,
  call: (fn: string, ...args: string[]): string => `${fn}${P.tuple(...args)}R`,
  dict: (entries: [string, string][]): string => `}(${entries.map(([k, v]) => P.str(k) + v).join('')}u`,
  storage: (type: string, key: string, numel: number): string => `${P.tuple(P.str('storage'), P.global('torch', type), P.str(key), P.str('cpu'), P.int(numel))}Q`,
  hooks: (): string => `${P.global('collections', 'OrderedDict')})R`,
};
export function tensorV2(storage: string, offset: number, size: number[], stride: number[]): string {
  return P.call(P.global('torch._utils', '_rebuild_tensor_v2'), storage, P.int(offset), P.tuple(...size.map(P.int)), P.tuple(...stride.map(P.int)), '\x89', P.hooks());
}
export function checkpoint(pickle: string, storages: Record<string, Uint8Array>, extra: ZipWriteEntry[] = []): Uint8Array {
  return writeZip([
    { name: 'arch/data.pkl', data: new Uint8Array(Buffer.from(`\x80\x02${pickle}.`, 'latin1')) },
    ...Object.entries(storages).map(([k, data]) => ({ name: `arch/data/${k}`, data })),
    ...extra,
  ], { zip64: 'record' });
}
export const f32bytes = (values: number[]): Uint8Array => new Uint8Array(new Float32Array(values).buffer);
