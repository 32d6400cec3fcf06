/**
 * Minimal PNG codec for 8-bit palette ("indexed") images, the format of VOC segmentation masks.
 *
 * sharp cannot write chosen palette indices (it quantizes), and decoding a palette PNG through
 * sharp yields colours, not indices; masks need the exact indices, so this file encodes and decodes
 * them with node:zlib. The decoder also reads 1/2/4/8-bit palette and 8-bit gray PNGs (what
 * segmentation datasets use in practice); anything else (RGB, 16-bit, interlaced) returns null so the
 * caller can fall back to sharp.
 *
 * @example
 * const png = encodeIndexedPng({ width, height, indices, palette: vocColormap() });
 * const back = decodeIndexedPng(png, 'mask.png'); // back.indices equals indices
 */
import { crc32 } from '../io/zipArchive.js';
import { DataFileError } from '../core/errors.js';
import { checkLimit, inputLimits, type InputLimits } from '../io/inputLimits.js';
import { deflateSync, inflateSync } from 'node:zlib';

export interface IndexedImage {
  width: number;
  height: number;
  /** One palette index (or gray level) per pixel, row-major. */
  indices: Uint8Array;
  /** RGB triplets (up to 256·3 bytes); null for gray PNGs. */
  palette: Uint8Array | null;
}

const SIGNATURE = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);

function crc32Range(bytes: Uint8Array, start: number, end: number): number {
  return crc32(bytes.subarray(start, end));
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32Range(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

/**
 * Encodes an 8-bit palette PNG. `palette` holds RGB triplets (at most 256); every index must have a
 * palette entry. Rows use the 'Up' filter when it helps (it does for masks, which repeat rows).
 */
export function encodeIndexedPng(image: { width: number; height: number; indices: Uint8Array; palette: Uint8Array }): Buffer {
  const { width, height, indices, palette } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`encodeIndexedPng: bad size ${width}×${height}`);
  }
  if (indices.length !== width * height) {
    throw new RangeError(`encodeIndexedPng: ${indices.length} indices for a ${width}×${height} image (expected ${width * height})`);
  }
  if (palette.length % 3 !== 0 || palette.length === 0 || palette.length > 768) {
    throw new RangeError(`encodeIndexedPng: palette must hold 1..256 RGB triplets, got ${palette.length} bytes`);
  }
  const entries = palette.length / 3;
  for (let i = 0; i < indices.length; i++) {
    if (indices[i]! >= entries) {
      throw new RangeError(`encodeIndexedPng: index ${indices[i]} at pixel ${i} has no palette entry (palette has ${entries})`);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: palette
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) {
    const row = indices.subarray(y * width, (y + 1) * width);
    const o = y * (width + 1);
    let same = y > 0;
    if (same) {
      const prev = indices.subarray((y - 1) * width, y * width);
      for (let x = 0; x < width; x++) if (row[x] !== prev[x]) { same = false; break; }
    }
    if (same) {
      raw[o] = 2; // Up filter: the row is all zeros
    } else {
      raw[o] = 0;
      raw.set(row, o + 1);
    }
  }
  return Buffer.concat([
    Buffer.from(SIGNATURE),
    chunk('IHDR', ihdr),
    chunk('PLTE', palette),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Decodes palette PNGs (bit depth 1, 2, 4, 8) and 8-bit gray PNGs to indices, or returns null for
 * other PNG kinds. Throws, naming `file`, when the data is not a valid PNG.
 */
export function decodeIndexedPng(bytes: Uint8Array, file = 'PNG data', options: { limits?: Partial<InputLimits> } = {}): IndexedImage | null {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new DataFileError(file, 'not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colourType = -1;
  let interlace = 0;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let sawEnd = false;
  while (pos + 8 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    const start = pos + 8;
    const end = start + length;
    if (end + 4 > bytes.length) throw new DataFileError(file, `truncated PNG (chunk ${type} runs past the end)`);
    if (crc32Range(bytes, pos + 4, end) !== view.getUint32(end)) throw new DataFileError(file, `corrupt PNG (CRC mismatch in chunk ${type})`);
    const data = bytes.subarray(start, end);
    if (type === 'IHDR') {
      width = view.getUint32(start);
      height = view.getUint32(start + 4);
      bitDepth = data[8]!;
      colourType = data[9]!;
      interlace = data[12]!;
    } else if (type === 'PLTE') {
      palette = new Uint8Array(data);
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      sawEnd = true;
      break;
    }
    pos = end + 4;
  }
  if (colourType < 0) throw new DataFileError(file, 'corrupt PNG (no IHDR chunk)');
  // Pixels before inflating: a 2 MB PNG can declare 46000×46000.
  if (width === 0 || height === 0) throw new DataFileError(file, `corrupt PNG (image size ${width}×${height})`);
  checkLimit(inputLimits(options.limits), 'imagePixels', width * height, file, () => `an image of ${width}×${height} pixels`);
  if (!sawEnd) throw new DataFileError(file, 'truncated PNG (no IEND chunk)');
  const supported = interlace === 0 && ((colourType === 3 && [1, 2, 4, 8].includes(bitDepth)) || (colourType === 0 && bitDepth === 8));
  if (!supported) return null;
  if (colourType === 3 && !palette) throw new DataFileError(file, 'corrupt PNG (palette image without PLTE chunk)');
  const stride = Math.ceil((width * bitDepth) / 8);
  let raw: Buffer;
  try {
    // Never more than the image needs: a bomb stops here.
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: height * (stride + 1) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DataFileError(file, `corrupt PNG image data (more than the ${height * (stride + 1)} bytes a ${width}×${height} image needs)`);
    }
    throw new DataFileError(file, `corrupt PNG image data (${(e as Error).message})`);
  }
  if (raw.length < height * (stride + 1)) {
    throw new DataFileError(file, `truncated PNG image data (${raw.length} bytes, expected ${height * (stride + 1)})`);
  }
  // Unfilter (filter bytes-per-pixel is 1 for all supported kinds).
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x]!;
      const a = x > 0 ? rows[dst + x - 1]! : 0;
      const b = y > 0 ? rows[dst - stride + x]! : 0;
      const c = x > 0 && y > 0 ? rows[dst - stride + x - 1]! : 0;
      let out: number;
      switch (filter) {
        case 0: out = v; break;
        case 1: out = v + a; break;
        case 2: out = v + b; break;
        case 3: out = v + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          out = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new DataFileError(file, `corrupt PNG (unknown filter type ${filter} on row ${y})`);
      }
      rows[dst + x] = out & 0xff;
    }
  }
  let indices: Uint8Array;
  if (bitDepth === 8) {
    indices = rows;
  } else {
    indices = new Uint8Array(width * height);
    const perByte = 8 / bitDepth;
    const mask = (1 << bitDepth) - 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const byte = rows[y * stride + Math.floor(x / perByte)]!;
        const shift = 8 - bitDepth * ((x % perByte) + 1);
        indices[y * width + x] = (byte >> shift) & mask;
      }
    }
  }
  return { width, height, indices, palette: colourType === 3 ? palette : null };
}
