// An 8-bit image in memory (grey or RGB, interleaved, row-major): what segmentation reads the
// pixels of (SLIC superpixels, the dense CRF's bilateral kernel) and what `segment` accepts.
import sharp from 'sharp';
import { expectInteger, invalidType, outOfRange } from '../core/index.js';
import { rgbToNormalizedChw } from '../data/index.js';

/** An 8-bit image, height × width × channels bytes, row-major with interleaved channels. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** 3 for RGB, 1 for grey (the CRF's bilateral kernel and SLIC then compare intensities). */
  channels: 1 | 3;
}

/** Throws, naming `where`, unless `image` is a well-formed RawImage; returns its checked fields. */
export function checkRawImage(where: string, image: RawImage): RawImage {
  if (image === null || typeof image !== 'object') throw invalidType(`the image of ${where}`, 'an object { data, width, height, channels }', image);
  const width = expectInteger(`image.width of ${where}`, image.width, { min: 1 });
  const height = expectInteger(`image.height of ${where}`, image.height, { min: 1 });
  if (image.channels !== 1 && image.channels !== 3) {
    throw outOfRange(`image.channels of ${where}`, '1 (grey) or 3 (RGB)', image.channels, 'drop an alpha channel, replicate or average channels first');
  }
  const channels = image.channels;
  if (!(image.data instanceof Uint8Array)) throw invalidType(`image.data of ${where}`, 'a Uint8Array (8-bit pixels, height × width × channels)', image.data);
  if (image.data.length !== width * height * channels) {
    throw outOfRange(`the length of image.data of ${where}`, `width × height × channels = ${width} × ${height} × ${channels} = ${width * height * channels} bytes`, image.data.length);
  }
  return { data: image.data, width, height, channels };
}

/**
 * The network input of `image` at side × side: resized like the data pipeline does it (sharp,
 * lanczos3, aspect ratio not kept), grey replicated to RGB, ImageNet-normalized CHW.
 */
export async function rawImageInput(image: RawImage, side: number): Promise<Float32Array> {
  checkRawImage('rawImageInput()', image);
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(side, side, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return rgbToNormalizedChw(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height, undefined, undefined, info.channels);
}
