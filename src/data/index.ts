/**
 * The data layer: embedded Fashion-MNIST data (single items for pre-training, cluttered scenes in
 * VOC layout for weakly supervised learning), readers of VOC / CSV / folder datasets, the image
 * pipeline with augmentations, and the prefetching batch loader. Works on plain typed arrays
 * (Float32Array CHW images, Uint8Array masks); it does not depend on the tensor engine.
 */
export { Rng, mixSeed } from './random.js';
export {
  FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadFashionMnist, parseIdx, readIdxFile,
  type FashionMnistOptions, type FashionMnistSplit, type GrayItemSet, type IdxArray,
} from './fashionMnist.js';
export { fromVocBndbox, maskBox, toVocBndbox, type PixelBox, type VocBndbox } from './box.js';
export {
  IMAGENET_MEAN, IMAGENET_STD, canvasToNormalized, canvasToRgbBytes, createCanvas, fillCanvas, hsvToRgb,
  type Rgb, type RgbCanvas,
} from './canvas.js';
export { DEFAULT_CLUTTER, addPixelNoise, drawClutter, type ClutterOptions, type Range } from './clutter.js';
export {
  ITEM_MASK_GRAY, itemAlpha, pasteTintedItem, randomItemTint, resampleItem, type ItemPaint, type ItemRaster, type ResampleOptions,
} from './tintedItem.js';
export {
  SingleItemGenerator, type ItemBatch, type SingleItemOptions, type SingleItemSample,
} from './singleItems.js';
export { SceneGenerator, type Scene, type SceneObject, type SceneOptions } from './scenes.js';
export { decodeIndexedPng, encodeIndexedPng, type IndexedImage } from './indexedPng.js';
export { vocColormap, vocColourToIndex } from './vocPalette.js';
export { child, childText, children, escapeXml, parseXml, type XmlElement } from './xml.js';
export {
  formatVocAnnotation, parseVocAnnotation, type VocAnnotation, type VocAnnotationToWrite, type VocObject,
} from './vocAnnotation.js';
export {
  VOC_CLASSES, VocDataset, openVocDataset, readVocAnnotation, readVocSegmentation,
  type SegmentationMask, type UnknownClassPolicy, type VocDatasetOptions, type VocTask,
} from './vocDataset.js';
export { writeVocScenes, type SceneSplit, type VocScenesSummary, type WriteVocScenesOptions } from './vocSceneWriter.js';
export type { LabeledImageList } from './imageList.js';
export { shardRange, sliceImageList } from './imageListShard.js';
export {
  flipHorizontalChw, sampleAugmentation, sampleRandomResizedCrop, sampleScaleJitterCrop,
  type AugmentOptions, type AugmentParams, type CropRegion,
} from './augment.js';
export { findBadImages, describeBadImages, withoutImages, type BadImage } from './badImages.js';
export {
  checkImageFile, decodeImage, decodeImageBytes, loadImage, loadImageBytes, readImageSize, rgbToNormalizedChw,
  type DecodedImage, type ImageLoadOptions, type LoadedImage, type ResizeMode,
} from './imagePipeline.js';
export { BatchLoader, type Batch, type BatchLoaderOptions } from './batchLoader.js';
export { CsvDataset, parseCsvDataset, readCsvDataset, type CsvDatasetOptions } from './csvDataset.js';
export { FolderDataset, IMAGE_EXTENSIONS, readFolderDataset, type FolderDatasetOptions } from './folderDataset.js';
export { mapLimit } from './mapLimit.js';
export {
  BACKGROUND_FAMILIES, DEFAULT_STYLE_RANGES, HELD_OUT_STYLES, PRETRAIN_STYLES, TINT_RULES, checkStyleFamilies,
  sampleCanvasStyle, sampleItemPaint,
  type BackgroundFamily, type CanvasStyle, type StyleFamilies, type StyleRanges, type TintRule,
} from './canvasStyle.js';
export { drawBackground, drawStyledBackground, regionValue } from './styledBackground.js';
export { degradeCanvas } from './cameraDegradation.js';
export { gaussianBlur } from './gaussianBlur.js';
export { jpegArtefacts, jpegQuantTable } from './jpegArtefacts.js';
export { valueNoise, type ValueNoiseOptions } from './valueNoise.js';
export {
  decodeRleCounts, encodeRleCounts, checkRleCounts, maskToRleCounts, rasterizePolygons, rleToMask,
} from './cocoMasks.js';
export {
  COCO_LIMITS, parseCocoInstances, readCocoInstances,
  type CocoCategory, type CocoImage, type CocoInstance, type CocoInstances, type CocoReadOptions, type CocoSegmentation,
} from './cocoInstances.js';
export { CocoDataset, openCocoDataset } from './cocoDataset.js';
