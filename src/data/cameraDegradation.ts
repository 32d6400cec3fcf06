/**
 * What a camera and its encoder do to a finished synthetic image, as one style draw says: Gaussian
 * blur, then sensor-like pixel noise, then JPEG compression artefacts (in that order, as light goes
 * through lens, sensor and encoder).
 */
import type { RgbCanvas } from './canvas.js';
import type { CanvasStyle } from './canvasStyle.js';
import { addPixelNoise } from './clutter.js';
import { gaussianBlur } from './gaussianBlur.js';
import { jpegArtefacts } from './jpegArtefacts.js';
import type { Rng } from './random.js';

/** Applies the style's blur, pixel noise and JPEG artefacts to the canvas in place. */
export function degradeCanvas(canvas: RgbCanvas, rng: Rng, style: CanvasStyle): void {
  gaussianBlur(canvas, style.blurSigma);
  addPixelNoise(canvas, rng, style.noise);
  if (style.jpegQuality > 0) jpegArtefacts(canvas, style.jpegQuality);
}
