// An 8-bit image in memory (grey or RGB, interleaved, row-major): what segmentation reads the
// pixels of (SLIC superpixels, the dense CRF's bilateral kernel) and what `segment` accepts.
import sharp from 'sharp';
import { expectInteger, expectOneOf, invalidType, outOfRange } from '../core/index.js';
import { rgbToNormalizedChw } from '../data/index.js';
import type { DenseCrfImage } from './denseCrf.js';

/** height × width × channels bytes, grey or RGB: the dense CRF's image type. */
export type RawImage = DenseCrfImage;

/** Throws, naming `where`, unless `image` is a well-formed RawImage. */
export function checkRawImage(where: string, image: RawImage): void {
  const { width, height, channels, data } = image;
  expectInteger(`the image width of ${where}`, width, { min: 1 });
  expectInteger(`the image height of ${where}`, height, { min: 1 });
  expectOneOf(`the image channels of ${where} (grey or RGB)`, channels, [1, 3] as const);
  if (!(data instanceof Uint8Array)) throw invalidType(`the image data of ${where}`, 'a Uint8Array', data);
  if (data.length !== width * height * channels) throw outOfRange(`the number of image bytes of ${where}`, `${width}×${height}×${channels} = ${width * height * channels}`, data.length);
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
