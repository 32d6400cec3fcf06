// The binary answer carrying class maps (README "wildcat studio", API): float32 arrays with
// their shapes after a JSON header, so a browser reads 10 maps of 12×12 (or 20 of 64×64) without
// parsing numbers. Pure: the server encodes it and the page decodes it with this same file.
//
//   bytes 0–3    "WCM1"
//   bytes 4–7    H: length of the JSON header in bytes, uint32 little-endian
//   bytes 8…     the header, UTF-8 JSON, padded with spaces so that 8 + H is a multiple of 4:
//                { "meta": {...}, "arrays": [{ "name", "shape", "offset", "length" }, ...] }
//   then         each array's float32 values, little-endian, at its byte `offset` from the start
//                of the message (a multiple of 4), `length` = product of `shape` values

import { outOfRange } from '../core/errors.js';

/** Media type of a maps message. */
export const MAPS_MESSAGE_TYPE = 'application/vnd.wildcat.maps';
const MAGIC = [0x57, 0x43, 0x4d, 0x31]; // "WCM1"

/** A float32 array with its shape (row-major). */
export interface ShapedArray {
  shape: number[];
  data: Float32Array;
}

export interface MapsMessage<Meta> {
  meta: Meta;
  arrays: Record<string, ShapedArray>;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Encodes a message; arrays are written in the order given. */
export function encodeMapsMessage<Meta>(meta: Meta, arrays: Record<string, ShapedArray>): Uint8Array {
  const entries = Object.entries(arrays);
  for (const [name, a] of entries) {
    if (!a.shape.every((d) => Number.isInteger(d) && d >= 0) || size(a.shape) !== a.data.length) {
      throw outOfRange(`the values of array '${name}' of encodeMapsMessage()`, `${size(a.shape)} values (shape [${a.shape.join(', ')}])`, a.data.length);
    }
  }
  // Offsets depend on the header's length, which depends on the offsets' digits: lay out with
  // generous offset room first, then pad the real header to the planned length.
  const plan = (base: number) => {
    let offset = base;
    return entries.map(([name, a]) => {
      const e = { name, shape: a.shape, offset, length: a.data.length };
      offset += 4 * a.data.length;
      return e;
    });
  };
  const probe = new TextEncoder().encode(JSON.stringify({ meta, arrays: plan(1e12) }));
  const headerRoom = Math.ceil((8 + probe.length) / 4) * 4 - 8;
  const header = new TextEncoder().encode(JSON.stringify({ meta, arrays: plan(8 + headerRoom) }));
  if (header.length > headerRoom) throw new Error('encodeMapsMessage: header outgrew its planned room');
  const total = 8 + headerRoom + entries.reduce((s, [, a]) => s + 4 * a.data.length, 0);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, headerRoom, true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + headerRoom);
  const view = new DataView(out.buffer);
  let offset = 8 + headerRoom;
  for (const [, a] of entries) {
    for (let i = 0; i < a.data.length; i++) view.setFloat32(offset + 4 * i, a.data[i]!, true);
    offset += 4 * a.data.length;
  }
  return out;
}

/** Decodes a message, checking every length and offset; errors say what is wrong. */
export function decodeMapsMessage<Meta>(bytes: ArrayBuffer | Uint8Array): MapsMessage<Meta> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.length < 8 || MAGIC.some((b, i) => u8[i] !== b)) throw new Error('not a wildcat maps message (it does not start with "WCM1")');
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const h = view.getUint32(4, true);
  if (8 + h > u8.length) throw new Error(`maps message: header of ${h} bytes runs past the end of the ${u8.length}-byte message (truncated?)`);
  let header: { meta: Meta; arrays: { name: string; shape: number[]; offset: number; length: number }[] };
  try {
    header = JSON.parse(new TextDecoder().decode(u8.subarray(8, 8 + h)));
  } catch (e) {
    throw new Error(`maps message: the header is not JSON (${(e as Error).message})`);
  }
  if (!header || !Array.isArray(header.arrays)) throw new Error('maps message: the header has no "arrays" list');
  const arrays: Record<string, ShapedArray> = {};
  // Arrays never share bytes: entries claiming more floats than the message holds (the same
  // bytes listed again and again) would decode to far more memory than was sent.
  let floats = 0;
  for (const a of header.arrays) {
    const ok = a !== null && typeof a === 'object' && typeof a.name === 'string' && Array.isArray(a.shape) && a.shape.every((d) => Number.isInteger(d) && d >= 0) &&
      Number.isInteger(a.offset) && Number.isInteger(a.length) && a.length === size(a.shape) && a.offset >= 8 + h && a.offset % 4 === 0;
    if (!ok) throw new Error(`maps message: bad array entry ${JSON.stringify(a)}`);
    if (a.offset + 4 * a.length > u8.length) throw new Error(`maps message: array '${a.name}' runs past the end of the ${u8.length}-byte message (truncated?)`);
    floats += a.length;
    if (8 + h + 4 * floats > u8.length) throw new Error(`maps message: the arrays claim more values than the ${u8.length}-byte message holds (overlapping entries)`);
    const data = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) data[i] = view.getFloat32(a.offset + 4 * i, true);
    arrays[a.name] = { shape: a.shape, data };
  }
  return { meta: header.meta, arrays };
}

/** The same content as JSON (for clients that ask for application/json): arrays as number lists. */
export function mapsMessageJson<Meta>(meta: Meta, arrays: Record<string, ShapedArray>): { meta: Meta; arrays: Record<string, { shape: number[]; data: number[] }> } {
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [name, a] of Object.entries(arrays)) out[name] = { shape: a.shape, data: Array.from(a.data) };
  return { meta, arrays: out };
}
