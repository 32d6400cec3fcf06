// Pictures for the report: image files decoded at display size, and RGB buffers (with vector
// annotations composited over them) encoded as data: URIs.
import sharp from 'sharp';
import type { RgbImage } from './heatmapOverlay.js';

export interface Picture extends RgbImage {
  /** Size of the image file (after EXIF orientation). */
  originalWidth: number;
  originalHeight: number;
}

/**
 * Decodes an image file and resizes it so that its longer side is `side` pixels (small images
 * are enlarged too, so every tile of a report has the same scale), keeping the aspect ratio.
 */
export async function loadPicture(path: string, side: number): Promise<Picture> {
  if (!(Number.isInteger(side) && side >= 8)) throw new RangeError(`loadPicture: side must be an integer ≥ 8, got ${side}`);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(path).metadata();
  } catch (e) {
    throw new Error(`cannot read image ${path}: ${(e as Error).message}`);
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const ow = (swap ? meta.height : meta.width) ?? 0;
  const oh = (swap ? meta.width : meta.height) ?? 0;
  if (!(ow > 0 && oh > 0)) throw new Error(`cannot read the size of image ${path}`);
  const scale = side / Math.max(ow, oh);
  const width = Math.max(1, Math.round(ow * scale));
  const height = Math.max(1, Math.round(oh * scale));
  const { data, info } = await sharp(path, { autoOrient: true })
    .resize(width, height, { fit: 'fill', kernel: scale > 1 ? 'cubic' : 'lanczos3' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${path}: decoded to ${info.channels} channels, expected RGB`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, originalWidth: ow, originalHeight: oh };
}

export interface EncodeOptions {
  /** An SVG document of the picture's size drawn over it. */
  svg?: string;
  format?: 'jpeg' | 'png';
  /** JPEG quality, default 88. */
  quality?: number;
}

/** Encodes an RGB picture (with an optional SVG overlay) as a base64 data: URI. */
export async function pictureDataUri(img: RgbImage, opts: EncodeOptions = {}): Promise<string> {
  let s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 3 } });
  if (opts.svg) s = s.composite([{ input: Buffer.from(opts.svg), left: 0, top: 0 }]);
  const format = opts.format ?? 'jpeg';
  const buf = format === 'png' ? await s.png({ compressionLevel: 9 }).toBuffer() : await s.jpeg({ quality: opts.quality ?? 88, chromaSubsampling: '4:4:4' }).toBuffer();
  return `data:image/${format};base64,${buf.toString('base64')}`;
}
