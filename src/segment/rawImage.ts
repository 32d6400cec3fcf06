// An 8-bit image in memory (grey or RGB, interleaved, row-major): what segmentation reads the
// pixels of (SLIC superpixels, the dense CRF's bilateral kernel) and what `segment` accepts.
import sharp from 'sharp';
import { rgbToNormalizedChw } from '../data/index.js';

export interface RawImage {
  /** height × width × channels bytes. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** Throws, naming `where`, unless `image` is a well-formed RawImage. */
export function checkRawImage(where: string, image: RawImage): void {
  const { width, height, channels, data } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) throw new RangeError(`${where}: bad image size ${width}×${height}`);
  if (channels !== 1 && channels !== 3) throw new RangeError(`${where}: images must have 1 (grey) or 3 (RGB) channels, got ${String(channels)}`);
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    throw new RangeError(`${where}: image data has ${data?.length} bytes, expected ${width}×${height}×${channels} = ${width * height * channels}`);
  }
}

/**
 * The network input of `image` at side × side: resized like the data pipeline does it (sharp,
 * lanczos3, aspect ratio not kept), grey replicated to RGB, ImageNet-normalized CHW.
 */
export async function rawImageInput(image: RawImage, side: number): Promise<Float32Array> {
  checkRawImage('rawImageInput', image);
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(side, side, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return rgbToNormalizedChw(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height, undefined, undefined, info.channels);
}
