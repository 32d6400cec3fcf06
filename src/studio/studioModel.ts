// The run's network as the studio serves it: an image (upload bytes or a dataset file) → its
// scores, class maps and per-modality maps, through the same image pipeline as `wildcat predict`.
import { adaptThreads, noGrad, tensor, tidy, zeros } from '../core/index.js';
import { loadImage, loadImageBytes, type LoadedImage } from '../data/index.js';
import type { WslTrainConfig } from '../train/wslConfig.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { HttpError } from './httpError.js';

/** One image's network outputs as plain arrays. */
export interface ImageMaps {
  /** The image's own size (after EXIF orientation). */
  width: number;
  height: number;
  /** Class map size. */
  h: number;
  w: number;
  /** M, maps per class. */
  maps: number;
  /** [C] pooled scores (before sigmoid / softmax). */
  scores: Float32Array;
  /** [C, h, w]. */
  classMaps: Float32Array;
  /** [C·M, h, w], channel c·M + m. */
  modalityMaps: Float32Array;
}

/** A loaded run: the network in eval mode and its config. Owns the network (see dispose). */
export class StudioModel {
  /** Class map size for the run's input size. */
  readonly grid: { h: number; w: number };

  constructor(
    readonly net: WildcatNet,
    readonly config: WslTrainConfig,
  ) {
    net.eval();
    const s = config.imageSize;
    const shape = noGrad(() => tidy(() => net.forwardMaps(zeros([1, 3, s, s])).classMaps.shape));
    this.grid = { h: shape[2]!, w: shape[3]! };
  }

  get classNames(): readonly string[] {
    return this.config.classNames;
  }

  /**
   * Maps of an uploaded image. Decoding errors (truncated, corrupt) are the client's: 415 with
   * the decoder's reason. `maxPixels` is the decoder's pixel limit, a last guard (the header was
   * checked already).
   */
  async mapsOfUpload(bytes: Buffer, maxPixels: number): Promise<ImageMaps> {
    let img: LoadedImage;
    try {
      img = await loadImageBytes(bytes, { size: this.config.imageSize, limits: { imagePixels: maxPixels } }, 'upload');
    } catch (e) {
      throw new HttpError(415, (e as Error).message);
    }
    return this.#forward(img);
  }

  /** Maps of an image file (a dataset image), loaded exactly as `wildcat predict` loads it. */
  async mapsOfFile(path: string): Promise<ImageMaps> {
    return this.#forward(await loadImage(path, { size: this.config.imageSize }));
  }

  #forward(img: LoadedImage): ImageMaps {
    const s = this.config.imageSize;
    const { h, w } = this.grid;
    const C = this.net.numClasses;
    adaptThreads();
    return noGrad(() =>
      tidy(() => {
        const out = this.net.forwardMaps(tensor(img.data, { shape: [1, 3, s, s] }));
        const maps = out.modalityMaps.shape[1]! / C;
        return {
          width: img.originalWidth,
          height: img.originalHeight,
          h,
          w,
          maps,
          scores: out.scores.contiguous().toArray() as Float32Array,
          classMaps: out.classMaps.contiguous().toArray() as Float32Array,
          modalityMaps: out.modalityMaps.contiguous().toArray() as Float32Array,
        };
      }),
    );
  }

  dispose(): void {
    this.net.dispose();
  }
}
