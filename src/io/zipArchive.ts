/**
 * A minimal ZIP reader, enough for PyTorch checkpoints (which are ZIP64
 * archives of stored entries with data descriptors) and ordinary zips:
 * end of central directory (+ ZIP64 locator/record), central directory,
 * local headers; methods 0 (stored) and 8 (deflate). No encryption, no
 * multi-disk archives.
 *
 * Sizes and CRCs are taken from the central directory (PyTorch writes zeros
 * in the local headers and puts the real values in data descriptors).
 */
import * as zlib from 'node:zlib';
import { WeightFileError } from './weightFileError.js';
import { checkLimit, inputLimits, type InputLimits } from './inputLimits.js';

/** One file of the archive, as the central directory describes it. */
export interface ZipEntry {
  /** Path inside the archive, '/'-separated. */
  readonly name: string;
  /** 0 = stored, 8 = deflate. */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
  /** General-purpose flag bits. */
  readonly flags: number;
  /** Offset of the entry's local header in the archive. */
  readonly localHeaderOffset: number;
}

/** Options of {@link ZipArchive.read}. */
export interface ZipReadOptions {
  /** Check the entry's CRC-32 (default true). */
  verifyCrc?: boolean;
  /** Largest uncompressed size accepted for this entry (default: the `inflatedBytes` limit for deflated entries). */
  maxBytes?: number;
  /** The limit `maxBytes` stands for, named in the error (default 'inflatedBytes'). */
  limitName?: keyof InputLimits;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/** True if `bytes` start like a ZIP archive (a local file header or an empty archive's EOCD). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 4) return false;
  const sig = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  return sig === SIG_LOCAL || sig === SIG_EOCD;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (the ZIP/zlib polynomial) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  // node:zlib has a native crc32 from Node 20.15 / 22.2; fall back to a table otherwise.
  const native = (zlib as unknown as { crc32?: (data: Uint8Array) => number }).crc32;
  if (typeof native === 'function') return native(bytes) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.byteLength; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A parsed ZIP archive over an in-memory file. Opening reads only the
 * directory; {@link read} extracts one entry (stored entries are returned as
 * views into the archive bytes, without a copy).
 *
 * @example
 * const zip = ZipArchive.open(readFileSync('resnet18.pth'), 'resnet18.pth');
 * const pkl = zip.read(zip.names().find((n) => n.endsWith('/data.pkl'))!);
 */
export class ZipArchive {
  /** Entries by name, in central-directory order. */
  readonly entries: ReadonlyMap<string, ZipEntry>;

  private constructor(
    private readonly bytes: Uint8Array,
    readonly source: string,
    entries: Map<string, ZipEntry>,
    private readonly limits: InputLimits,
  ) {
    this.entries = entries;
  }

  /**
   * Read the directory of the archive in `bytes`. Throws a
   * {@link WeightFileError} naming `source` if it is not a ZIP archive, is
   * truncated, or uses features this reader does not support.
   */
  static open(bytes: Uint8Array, source = 'zip data', limits?: Partial<InputLimits>): ZipArchive {
    const fail = (problem: string): never => {
      throw new WeightFileError(source, problem);
    };
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const len = bytes.byteLength;
    const u64 = (at: number, what: string): number => {
      const v = view.getBigUint64(at, true);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`ZIP ${what} ${v} is too large`);
      return Number(v);
    };

    // End of central directory: the last 22+ bytes, followed only by its comment.
    let eocd = -1;
    for (let p = len - EOCD_SIZE; p >= 0 && p >= len - EOCD_SIZE - MAX_COMMENT; p--) {
      if (view.getUint32(p, true) === SIG_EOCD && p + EOCD_SIZE + view.getUint16(p + 20, true) <= len) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) {
      if (looksLikeZip(bytes)) fail('ZIP archive is truncated: its end-of-central-directory record is missing (incomplete download or copy?)');
      fail(len === 0 ? 'file is empty, expected a ZIP archive' : 'not a ZIP archive (no end-of-central-directory record)');
    }
    if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) fail('multi-disk (split) ZIP archives are not supported');
    let count = view.getUint16(eocd + 10, true);
    let cdSize = view.getUint32(eocd + 12, true);
    let cdOffset = view.getUint32(eocd + 16, true);

    // ZIP64: a locator right before the EOCD points at the ZIP64 EOCD record with 64-bit fields.
    const locator = eocd - 20;
    if (locator >= 0 && view.getUint32(locator, true) === SIG_ZIP64_LOCATOR) {
      const rec = u64(locator + 8, 'ZIP64 end-of-central-directory offset');
      if (rec + 56 > locator || view.getUint32(rec, true) !== SIG_ZIP64_EOCD) {
        fail(`ZIP64 end-of-central-directory record not found at offset ${rec} (corrupt or truncated archive)`);
      }
      count = u64(rec + 32, 'entry count');
      cdSize = u64(rec + 40, 'central directory size');
      cdOffset = u64(rec + 48, 'central directory offset');
    } else if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      fail('ZIP archive needs a ZIP64 end-of-central-directory record but has none (corrupt or truncated archive)');
    }
    if (cdOffset + cdSize > len) {
      fail(`ZIP central directory [${cdOffset}, ${cdOffset + cdSize}) lies beyond the ${len}-byte file (truncated archive)`);
    }

    const decoder = new TextDecoder('utf-8');
    const entries = new Map<string, ZipEntry>();
    let p = cdOffset;
    const cdEnd = cdOffset + cdSize;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cdEnd || view.getUint32(p, true) !== SIG_CENTRAL) fail(`ZIP central directory entry ${i} of ${count} is corrupt (bad signature at offset ${p})`);
      const flags = view.getUint16(p + 8, true);
      const method = view.getUint16(p + 10, true);
      const crc = view.getUint32(p + 16, true);
      let compressedSize = view.getUint32(p + 20, true);
      let uncompressedSize = view.getUint32(p + 24, true);
      const nameLen = view.getUint16(p + 28, true);
      const extraLen = view.getUint16(p + 30, true);
      const commentLen = view.getUint16(p + 32, true);
      let localHeaderOffset = view.getUint32(p + 42, true);
      const next = p + 46 + nameLen + extraLen + commentLen;
      if (next > cdEnd) fail(`ZIP central directory entry ${i} runs past the end of the directory`);
      const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
      // ZIP64 extended information: 64-bit values for the fields saturated above, in this order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = view.getUint16(e, true);
        const size = view.getUint16(e + 2, true);
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string): number => {
            if (q + 8 > e + 4 + size) fail(`ZIP entry '${name}': ZIP64 extra field lacks the ${what}`);
            const v = u64(q, what);
            q += 8;
            return v;
          };
          if (uncompressedSize === 0xffffffff) uncompressedSize = take('uncompressed size');
          if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('local header offset');
        }
        e += 4 + size;
      }
      if (flags & 0x1) fail(`ZIP entry '${name}' is encrypted, which is not supported`);
      if (entries.has(name)) fail(`ZIP archive has two entries named '${name}'`);
      entries.set(name, { name, method, compressedSize, uncompressedSize, crc32: crc, flags, localHeaderOffset });
      p = next;
    }
    return new ZipArchive(bytes, source, entries, inputLimits(limits));
  }

  /** Entry names in central-directory order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** True if the archive has an entry called `name`. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * The uncompressed bytes of entry `name`. Stored entries are views into the
   * archive's bytes. Throws a {@link WeightFileError} if the entry is
   * missing, truncated, corrupt (size/CRC mismatch) or uses an unsupported method,
   * and an InputLimitError if its declared size is over the limit (checked before inflating;
   * inflating never produces more than the declared size).
   */
  read(name: string, options: ZipReadOptions = {}): Uint8Array {
    const entry = this.entries.get(name);
    const fail = (problem: string): never => {
      throw new WeightFileError(this.source, problem);
    };
    if (!entry) return fail(`ZIP archive has no entry '${name}'`);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const at = entry.localHeaderOffset;
    if (at + 30 > this.bytes.byteLength || view.getUint32(at, true) !== SIG_LOCAL) {
      fail(`ZIP entry '${name}': no local header at offset ${at} (corrupt or truncated archive)`);
    }
    const nameLen = view.getUint16(at + 26, true);
    const extraLen = view.getUint16(at + 28, true);
    const start = at + 30 + nameLen + extraLen;
    const end = start + entry.compressedSize;
    if (end > this.bytes.byteLength) {
      fail(`ZIP entry '${name}': its ${entry.compressedSize} bytes at offset ${start} run past the end of the ${this.bytes.byteLength}-byte file (truncated archive)`);
    }
    const raw = this.bytes.subarray(start, end);
    const limitName = options.limitName ?? 'inflatedBytes';
    const maxBytes = options.maxBytes ?? (entry.method === 0 ? Infinity : this.limits[limitName]);
    if (entry.uncompressedSize > maxBytes) {
      checkLimit({ ...this.limits, [limitName]: maxBytes }, limitName, entry.uncompressedSize, this.source,
        () => `ZIP entry '${name}' of ${entry.uncompressedSize} bytes`);
    }
    let data: Uint8Array;
    if (entry.method === 0) {
      data = raw;
    } else if (entry.method === 8) {
      try {
        // One byte more than declared is enough to tell a lying size (or a bomb) from a good entry.
        data = zlib.inflateRawSync(raw, { maxOutputLength: entry.uncompressedSize + 1 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          return fail(`ZIP entry '${name}' inflates to more than its declared ${entry.uncompressedSize} bytes (corrupt archive)`);
        }
        return fail(`ZIP entry '${name}': deflate data is corrupt (${(e as Error).message})`);
      }
    } else {
      return fail(`ZIP entry '${name}' uses compression method ${entry.method}; only 0 (stored) and 8 (deflate) are supported`);
    }
    if (data.byteLength !== entry.uncompressedSize) {
      fail(`ZIP entry '${name}': expected ${entry.uncompressedSize} bytes, got ${data.byteLength} (corrupt archive)`);
    }
    if (options.verifyCrc !== false) {
      const actual = crc32(data);
      if (actual !== entry.crc32) {
        fail(`ZIP entry '${name}': CRC-32 mismatch (stored ${hex32(entry.crc32)}, computed ${hex32(actual)}): the file is corrupt`);
      }
    }
    return data;
  }
}

function hex32(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}
