/**
 * The common shape of image datasets on disk (VOC, CSV, folder per class): what `BatchLoader`
 * consumes. Labels use VOC's convention so multi-label and multi-class data look alike.
 */
export interface LabeledImageList {
  /** One id per image (VOC id, or the path relative to the dataset root). */
  readonly ids: readonly string[];
  readonly classNames: readonly string[];
  /** [N × C] row-major: 1 positive, -1 negative, 0 ignored (VOC 'difficult'). */
  readonly labels: Int8Array;
  /** Class index per image when the data is multi-class (exactly one class per image). */
  readonly classIndex?: Int32Array;
  /** Absolute (or cwd-relative) path of image i. */
  imagePath(i: number): string;
}

