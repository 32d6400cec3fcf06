// A label map drawn over its image in the VOC colours (the colours of the PNG masks), so a
// predicted segmentation and the ground-truth mask read like VOC's own pictures.
import { outOfRange } from '../core/index.js';
import { vocColormap } from '../data/index.js';
import type { RgbImage } from './heatmapOverlay.js';

/**
 * Blends `labels` (row-major, `width` × `height`, 0 background, k + 1 class k, 255 void) onto
 * `image`, resampled to the image's size by nearest neighbour (labels are categories): object
 * pixels take (1 − alpha)·image + alpha·colour, background pixels are darkened by the same
 * alpha towards black (VOC's background colour), void is drawn in VOC's cream.
 * @example overlaySegmentation(picture, seg.labels, 500, 375, 0.6)
 */
export function overlaySegmentation(image: RgbImage, labels: Uint8Array, width: number, height: number, alpha = 0.6): RgbImage {
  if (labels.length !== width * height) throw outOfRange('the number of labels of overlaySegmentation()', `${width}×${height} = ${width * height}`, labels.length);
  if (!(alpha >= 0 && alpha <= 1)) throw outOfRange('alpha of overlaySegmentation()', 'a number in [0, 1]', alpha);
  const palette = vocColormap();
  const { width: W, height: H } = image;
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / H));
    for (let x = 0; x < W; x++) {
      const sx = Math.min(width - 1, Math.floor(((x + 0.5) * width) / W));
      const l = labels[sy * width + sx]!;
      const p = 3 * (y * W + x);
      for (let c = 0; c < 3; c++) out[p + c] = Math.round((1 - alpha) * image.data[p + c]! + alpha * palette[3 * l + c]!);
    }
  }
  return { data: out, width: W, height: H };
}

/** Mean IoU over the labels present in the ground truth or the prediction of one image (void ignored), for a caption. */
export function imageMeanIoU(prediction: Uint8Array, groundTruth: Uint8Array): number {
  const inter = new Float64Array(256);
  const union = new Float64Array(256);
  for (let p = 0; p < groundTruth.length; p++) {
    const g = groundTruth[p]!;
    if (g === 255) continue;
    const q = prediction[p]!;
    if (q === g) {
      inter[g]! += 1;
      union[g]! += 1;
    } else {
      union[g]! += 1;
      union[q]! += 1;
    }
  }
  let sum = 0;
  let n = 0;
  for (let l = 0; l < 256; l++) {
    if (union[l]! > 0) {
      sum += inter[l]! / union[l]!;
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}
