/**
 * The safetensors format (https://github.com/huggingface/safetensors):
 *
 *   [8 bytes: N, u64 little-endian][N bytes: UTF-8 JSON header][data section]
 *
 * The header maps each tensor name to `{dtype, shape, data_offsets: [begin, end]}`
 * (offsets relative to the data section) plus an optional `__metadata__`
 * object of string → string. The tensors' byte ranges must tile the data
 * section exactly: no gap, no overlap, nothing left over.
 */
import { checkRawTensor, dtypeByteSize, shapeNumel, type RawDType, type RawStateDict, type RawTensor } from './rawTensor.js';
import { WeightFileError } from './weightFileError.js';
import { checkLimit, DEFAULT_INPUT_LIMITS, inputLimits, type InputLimits } from './inputLimits.js';
import { JsonDepthMeter } from './jsonDepth.js';

/** What {@link parseSafetensors} returns. */
export interface SafetensorsContents {
  /** Tensors in data-section order (the order they were written). `data` views the input bytes. */
  tensors: RawStateDict;
  /** The `__metadata__` entries ({} when absent). */
  metadata: Record<string, string>;
}

const CODE_OF: Readonly<Record<RawDType, string>> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16',
  int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const DTYPE_OF: ReadonlyMap<string, RawDType> = new Map(Object.entries(CODE_OF).map(([d, c]) => [c, d as RawDType]));
/** Codes the format defines that we do not carry (named in errors rather than called "unknown"). */
const UNSUPPORTED_CODES = new Set(['U16', 'U32', 'U64', 'C64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4', 'E8M0']);

/** The default limit on header bytes (the reference implementation's; see {@link InputLimits.headerBytes}). */
export const SAFETENSORS_MAX_HEADER_BYTES = DEFAULT_INPUT_LIMITS.headerBytes;

/** Options of {@link parseSafetensors}. */
export interface SafetensorsOptions {
  /** Limits on header size and nesting (default: {@link inputLimits}()). */
  limits?: Partial<InputLimits>;
}

/** The safetensors dtype code of a dtype (`'float32'` → `'F32'`). */
export function safetensorsDtypeCode(dtype: RawDType): string {
  const code = CODE_OF[dtype];
  if (code === undefined) throw new TypeError(`no safetensors code for dtype '${String(dtype)}'`);
  return code;
}

interface HeaderEntry {
  name: string;
  dtype: RawDType;
  shape: number[];
  begin: number;
  end: number;
}

function describeJson(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Parse a `.safetensors` file. Every structural property is checked; a
 * violation throws a {@link WeightFileError} naming `source` and the problem.
 *
 * @param bytes the whole file
 * @param source file name used in error messages
 * @example
 * const { tensors, metadata } = parseSafetensors(readFileSync(p), p);
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors data', options: SafetensorsOptions = {}): SafetensorsContents {
  const limits = inputLimits(options.limits);
  const fail = (problem: string): never => {
    throw new WeightFileError(source, `invalid safetensors file: ${problem}`);
  };
  if (bytes.byteLength < 8) fail(`file has ${bytes.byteLength} bytes, fewer than the 8-byte header length prefix (empty or truncated file)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen64 = view.getBigUint64(0, true);
  if (headerLen64 > BigInt(bytes.byteLength - 8)) {
    fail(`header length ${headerLen64} exceeds the ${bytes.byteLength - 8} bytes after the length prefix (truncated file, or not a safetensors file)`);
  }
  const headerLen = Number(headerLen64);
  checkLimit(limits, 'headerBytes', headerLen, source, () => `a safetensors header of ${headerLen} bytes`);
  if (headerLen < 2) fail(`header length ${headerLen} is too small to hold a JSON object`);
  const headerBytes = bytes.subarray(8, 8 + headerLen);
  if (headerBytes[0] !== 0x7b /* { */) fail(`header does not start with '{' (byte 0x${headerBytes[0]!.toString(16).padStart(2, '0')}); not a safetensors file`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    return fail('header is not valid UTF-8');
  }
  // The header is 3 levels deep ({name: {shape: [...]}}); deeper JSON is no header, and would
  // only cost stack further on (messages quote parts of it).
  const depth = new JsonDepthMeter().feed(text);
  checkLimit(limits, 'nestingDepth', depth, source, () => `safetensors header nesting (${depth} levels)`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header JSON is not an object');

  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`__metadata__ must be an object of strings, got ${describeJson(raw)}`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ value of '${k}' must be a string, got ${describeJson(v)}`);
        // defineProperty: a key '__proto__' stays a plain entry.
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${where}: entry must be an object {dtype, shape, data_offsets}, got ${describeJson(raw)}`);
    const info = raw as Record<string, unknown>;
    const code = info['dtype'];
    if (typeof code !== 'string') fail(`${where}: missing or non-string dtype (${describeJson(code)})`);
    const dtype = DTYPE_OF.get(code as string);
    if (dtype === undefined) {
      const supported = [...DTYPE_OF.keys()].join(', ');
      fail(UNSUPPORTED_CODES.has(code as string)
        ? `${where}: dtype ${code as string} is not supported (supported: ${supported})`
        : `${where}: unknown dtype '${code as string}' (supported: ${supported})`);
    }
    const shape = info['shape'];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      fail(`${where}: shape must be an array of non-negative integers, got ${describeJson(shape)}`);
    }
    const offsets = info['data_offsets'];
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
      fail(`${where}: data_offsets must be [begin, end] with non-negative integers, got ${describeJson(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the ${dataLen}-byte data section (truncated file?)`);
    let numel: number;
    try {
      numel = shapeNumel(shape as number[]);
    } catch (e) {
      return fail(`${where}: ${(e as Error).message}`);
    }
    const expected = numel * dtypeByteSize(dtype!);
    if (end - begin !== expected) {
      fail(`${where}: ${code as string} shape [${(shape as number[]).join(', ')}] needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    entries.push({ name, dtype: dtype!, shape: [...(shape as number[])], begin, end });
  }

  // The byte ranges must tile [0, dataLen): sort by offset, each begins where the previous ended.
  const order = entries.map((e, i) => i).sort((a, b) => entries[a]!.begin - entries[b]!.begin || entries[a]!.end - entries[b]!.end || a - b);
  let cursor = 0;
  let previous: HeaderEntry | undefined;
  for (const i of order) {
    const e = entries[i]!;
    if (e.begin < cursor) {
      fail(`tensor '${e.name}' data_offsets [${e.begin}, ${e.end}] overlap tensor '${previous!.name}' [${previous!.begin}, ${previous!.end}]`);
    }
    if (e.begin > cursor) {
      fail(`${e.begin - cursor} bytes at data offset ${cursor} belong to no tensor (gap before tensor '${e.name}' [${e.begin}, ${e.end}])`);
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLen) {
    fail(`data section has ${dataLen} bytes but the tensors cover ${cursor} (${dataLen - cursor} trailing bytes belong to no tensor)`);
  }

  const tensors: RawStateDict = new Map();
  for (const i of order) {
    const e = entries[i]!;
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: bytes.subarray(dataStart + e.begin, dataStart + e.end) });
  }
  return { tensors, metadata };
}

/**
 * Serialise tensors (in map order) and optional string metadata to the
 * safetensors format. The header is padded with spaces to a multiple of 8
 * bytes, so the data section starts 8-byte aligned.
 *
 * @example
 * writeFileSync('w.safetensors', serializeSafetensors(dict, { format: 'pt' }));
 */
export function serializeSafetensors(dict: ReadonlyMap<string, RawTensor>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  // Null prototype: a tensor named '__proto__' must become a key, not a prototype.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`serializeSafetensors: metadata value of '${k}' must be a string, got ${typeof v}`);
    }
    header['__metadata__'] = { ...metadata };
  }
  let offset = 0;
  for (const [name, t] of dict) {
    if (name === '__metadata__') throw new TypeError(`serializeSafetensors: '__metadata__' is reserved and cannot name a tensor`);
    checkRawTensor(t, `serializeSafetensors: tensor '${name}'`);
    header[name] = { dtype: safetensorsDtypeCode(t.dtype), shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const t of dict.values()) {
    out.set(t.data, pos);
    pos += t.data.byteLength;
  }
  return out;
}
