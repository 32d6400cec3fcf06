// The checks an uploaded image passes before the network sees it, each a named function so they
// can be tested (and fuzzed) one by one: the body's size while it streams in (413), the file
// type from its first bytes (415), the pixel count from its header before anything is decoded
// (413); decoding errors (truncated, corrupt) become 415 where the image is decoded.
import type { IncomingMessage } from 'node:http';
import sharp from 'sharp';
import { HttpError } from './httpError.js';

/** Image types the studio accepts: what sharp decodes and a browser displays, nothing that runs code (no SVG). */
export type UploadFormat = 'jpeg' | 'png' | 'webp';

const MB = 1024 * 1024;
const megabytes = (n: number): string => `${(n / MB).toFixed(n % MB === 0 ? 0 : 1)} MiB`;

/**
 * Reads a request body into memory, refusing (413) as soon as it is larger than `maxBytes`:
 * by its Content-Length before reading anything, or while it streams in without one. After a
 * refusal the rest of the body is read and dropped (up to a bound, then the connection is cut),
 * so the client gets the 413 instead of a reset connection.
 */
export function readUploadBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (what: string) => new HttpError(413, `upload too large: ${what}; the limit is ${megabytes(maxBytes)} (start the studio with --max-upload-mb to change it)`);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) {
      discardRest(req, 0, maxBytes);
      reject(tooLarge(`${megabytes(Number(declared))} declared`));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        done = true;
        req.off('data', onData);
        chunks.length = 0;
        discardRest(req, received, maxBytes);
        reject(tooLarge(`more than ${megabytes(maxBytes)} sent`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!done) resolve(Buffer.concat(chunks, received));
    });
    req.once('error', (e) => {
      if (!done) reject(new HttpError(400, `upload interrupted: ${e.message}`));
      done = true;
    });
    req.once('aborted', () => {
      if (!done) reject(new HttpError(400, 'upload interrupted: the client closed the connection'));
      done = true;
    });
  });
}

/** Drops what is left of a refused body; past 4× the limit the connection is cut instead. */
function discardRest(req: IncomingMessage, already: number, maxBytes: number): void {
  let dropped = already;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > 4 * maxBytes + MB) req.socket.destroy();
  });
  req.resume();
}

/**
 * The image type from the file's first bytes (its signature), or null. Checked before sharp sees
 * the bytes, so nothing else (SVG, PDF, TIFF, HEIF …) reaches a decoder.
 */
export function sniffImageFormat(bytes: Uint8Array): UploadFormat | null {
  const at = (i: number, sig: number[]) => sig.every((b, k) => bytes[i + k] === b);
  if (bytes.length >= 3 && at(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (bytes.length >= 8 && at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (bytes.length >= 12 && at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'webp';
  return null;
}

/** A short description of what a refused file seems to be, for the 415 reason. */
function describeBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'the body is empty';
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (head.startsWith('GIF8')) return 'it is a GIF';
  if (/^\s*(<\?xml|<svg)/i.test(head)) return 'it is XML/SVG';
  if (head.startsWith('%PDF')) return 'it is a PDF';
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return 'it is a TIFF';
  if (head.startsWith('--') || /^\s*content-disposition/i.test(head)) return 'it looks like a multipart form; send the image bytes themselves as the body';
  const hex = Buffer.from(bytes.subarray(0, 8)).toString('hex').replace(/(..)/g, '$1 ').trim();
  return `its first bytes are ${hex}`;
}

/** What the header of an accepted upload says. */
export interface UploadHeader {
  format: UploadFormat;
  width: number;
  height: number;
}

/**
 * Checks an upload's type (415 unless JPEG, PNG or WebP, with what it is instead) and its pixel
 * count from the header alone (413 above `maxPixels`, before any decoding); a header sharp
 * cannot read is a 415 too.
 */
export async function checkUploadImage(bytes: Buffer, maxPixels: number): Promise<UploadHeader> {
  const format = sniffImageFormat(bytes);
  if (!format) throw new HttpError(415, `not a JPEG, PNG or WebP image: ${describeBytes(bytes)}`);
  let meta: sharp.Metadata;
  try {
    // metadata() parses the header only; it decodes no pixels.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new HttpError(415, `cannot read the ${format.toUpperCase()} header: ${(e as Error).message.replace(/\s+/g, ' ').trim()} (corrupt or truncated file)`);
  }
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  if (!(width > 0 && height > 0)) throw new HttpError(415, `the ${format.toUpperCase()} header gives no image size (corrupt file)`);
  if (width * height > maxPixels) {
    throw new HttpError(413, `image too large: ${width}×${height} = ${(width * height / 1e6).toFixed(1)} megapixels; the limit is ${(maxPixels / 1e6).toFixed(1)} megapixels (start the studio with --max-megapixels to change it)`);
  }
  return { format, width, height };
}
