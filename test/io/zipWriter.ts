/**
 * A small ZIP writer for tests: builds archives the reader must accept
 * (stored/deflated entries, ZIP64 records, saturated 32-bit fields) and
 * lets tests rebuild PyTorch checkpoints with changed records.
 */
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../src/io/index.js';

export interface ZipWriteEntry {
  name: string;
  data: Uint8Array;
  /** 0 stored (default) or 8 deflate. */
  method?: 0 | 8;
}

export interface ZipWriteOptions {
  /** 'none': classic records; 'record': add ZIP64 EOCD + locator (as PyTorch does); 'saturated': also put 0xFFFF.. in all 32-bit fields and the real values in ZIP64 extra fields. */
  zip64?: 'none' | 'record' | 'saturated';
  comment?: string;
}

export function writeZip(entries: ZipWriteEntry[], options: ZipWriteOptions = {}): Uint8Array {
  const zip64 = options.zip64 ?? 'none';
  const sat = zip64 === 'saturated';
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const emit = (b: Uint8Array): void => {
    chunks.push(b);
    offset += b.byteLength;
  };
  const central: Uint8Array[] = [];
  for (const e of entries) {
    const method = e.method ?? 0;
    const payload = method === 8 ? new Uint8Array(deflateRawSync(e.data)) : e.data;
    const name = new TextEncoder().encode(e.name);
    const crc = crc32(e.data);
    const localOffset = offset;
    const localExtra = sat ? extra64([e.data.byteLength, payload.byteLength]) : new Uint8Array(0);
    const lh = new DataView(new ArrayBuffer(30));
    lh.setUint32(0, 0x04034b50, true);
    lh.setUint16(4, sat ? 45 : 20, true);
    lh.setUint16(6, 0x0800, true);
    lh.setUint16(8, method, true);
    lh.setUint32(14, crc, true);
    lh.setUint32(18, sat ? 0xffffffff : payload.byteLength, true);
    lh.setUint32(22, sat ? 0xffffffff : e.data.byteLength, true);
    lh.setUint16(26, name.byteLength, true);
    lh.setUint16(28, localExtra.byteLength, true);
    emit(new Uint8Array(lh.buffer));
    emit(name);
    emit(localExtra);
    emit(payload);
    const centralExtra = sat ? extra64([e.data.byteLength, payload.byteLength, localOffset]) : new Uint8Array(0);
    const ch = new DataView(new ArrayBuffer(46));
    ch.setUint32(0, 0x02014b50, true);
    ch.setUint16(4, 45, true);
    ch.setUint16(6, sat ? 45 : 20, true);
    ch.setUint16(8, 0x0800, true);
    ch.setUint16(10, method, true);
    ch.setUint32(16, crc, true);
    ch.setUint32(20, sat ? 0xffffffff : payload.byteLength, true);
    ch.setUint32(24, sat ? 0xffffffff : e.data.byteLength, true);
    ch.setUint16(28, name.byteLength, true);
    ch.setUint16(30, centralExtra.byteLength, true);
    ch.setUint32(42, sat ? 0xffffffff : localOffset, true);
    central.push(new Uint8Array(ch.buffer), name, centralExtra);
  }
  const cdOffset = offset;
  for (const c of central) emit(c);
  const cdSize = offset - cdOffset;
  if (zip64 !== 'none') {
    const recOffset = offset;
    const rec = new DataView(new ArrayBuffer(56));
    rec.setUint32(0, 0x06064b50, true);
    rec.setBigUint64(4, 44n, true);
    rec.setUint16(12, 45, true);
    rec.setUint16(14, 45, true);
    rec.setBigUint64(24, BigInt(entries.length), true);
    rec.setBigUint64(32, BigInt(entries.length), true);
    rec.setBigUint64(40, BigInt(cdSize), true);
    rec.setBigUint64(48, BigInt(cdOffset), true);
    emit(new Uint8Array(rec.buffer));
    const loc = new DataView(new ArrayBuffer(20));
    loc.setUint32(0, 0x07064b50, true);
    loc.setBigUint64(8, BigInt(recOffset), true);
    loc.setUint32(16, 1, true);
    emit(new Uint8Array(loc.buffer));
  }
  const comment = new TextEncoder().encode(options.comment ?? '');
  const eocd = new DataView(new ArrayBuffer(22));
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(8, sat ? 0xffff : entries.length, true);
  eocd.setUint16(10, sat ? 0xffff : entries.length, true);
  eocd.setUint32(12, sat ? 0xffffffff : cdSize, true);
  eocd.setUint32(16, sat ? 0xffffffff : cdOffset, true);
  eocd.setUint16(20, comment.byteLength, true);
  emit(new Uint8Array(eocd.buffer));
  emit(comment);
  const out = new Uint8Array(offset);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.byteLength;
  }
  return out;
}

function extra64(values: number[]): Uint8Array {
  const v = new DataView(new ArrayBuffer(4 + 8 * values.length));
  v.setUint16(0, 0x0001, true);
  v.setUint16(2, 8 * values.length, true);
  values.forEach((x, i) => v.setBigUint64(4 + 8 * i, BigInt(x), true));
  return new Uint8Array(v.buffer);
}
