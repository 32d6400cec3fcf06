// The JSON shapes of the studio's HTTP API (README "wildcat studio"), shared by the server and
// the page. Types only: nothing here runs.
import type { SpatialPooling } from '../wsl/spatialPooling.js';
import type { WslLoss } from '../train/wslConfig.js';

/** GET /api/info: the run, its pooling settings, the dataset (if any), the limits. */
export interface StudioInfo {
  /** The run folder's name (its last two path parts) and the checkpoint served. */
  run: string;
  checkpoint: 'best' | 'last';
  classNames: string[];
  /** M, maps per class. */
  maps: number;
  classWise: 'mean' | 'max';
  /** 'maps' (a): scores pool the class maps; 'features' (b): they pool the backbone features. */
  architecture: 'maps' | 'features';
  loss: WslLoss;
  /** The run's spatial pooling: what "original settings" restores. */
  pooling: SpatialPooling;
  /** A short name of it, e.g. "wildcat k+=0.2 k-=0.2 a=0.7". */
  poolingText: string;
  /** Network input side (every image is resized to inputSize × inputSize). */
  inputSize: number;
  /** Size of the class maps for that input. */
  grid: { h: number; w: number };
  limits: StudioLimits;
  dataset: { spec: string; split: string; images: number } | null;
  capabilities: { segmentation: boolean };
  /** How POST /api/segment and GET /api/dataset/images/ID/segmentation segment (null: not available). */
  segmentation: SegmentationInfo | null;
}

/** The segmentation settings the studio serves: the run's (README "Segmentation"). */
export interface SegmentationInfo {
  /** What the class evidence depends on, e.g. "scales 1, map-norm peak, prior weight, best checkpoint". */
  settings: string;
  smoothing: 'none' | 'crf' | 'slic';
  /** Where the background threshold comes from, e.g. "per-class δ_k tuned on val (200 images)". */
  background: string;
  /** Label i of a label map: 'background', then the class names. */
  labelNames: string[];
  /** Images with a longer side above this are segmented reduced to fit it. */
  maxSide: number;
}

/** POST /api/segment, GET /api/dataset/images/ID/segmentation. */
export interface ImageSegmentationAnswer {
  /** 'upload' or the dataset id. */
  source: string;
  /** The image's own size (after EXIF orientation). */
  image: { width: number; height: number };
  /** The label map's size: the image's, or reduced to fit SegmentationInfo.maxSide. */
  width: number;
  height: number;
  /** Pixels per label (index 0 background, k + 1 class k). */
  labelPixels: number[];
  /** [C] the fused image-level scores the segmentation used. */
  scores: number[];
  /** The label map as a PNG in VOC's palette (like `wildcat predict`'s masks), as a data: URL. */
  png: string;
  /** Dataset images with a ground-truth mask: its pixels per label (void not counted); else null. */
  truthPixels: number[] | null;
  /** Dataset images with a ground-truth mask: mean IoU over the labels in either map (void ignored); else null. */
  meanIoU: number | null;
  /** Milliseconds waiting in the queue and segmenting. */
  waitMs: number;
  segmentMs: number;
}

/** What the server refuses (README "Limits"). */
export interface StudioLimits {
  /** Largest upload body, bytes (larger: 413). */
  maxUploadBytes: number;
  /** Largest image, width × height read from its header (larger: 413). */
  maxPixels: number;
  /** Inference requests that may wait behind the running one (more: 503 with Retry-After). */
  queueCapacity: number;
}

/**
 * Which images the dataset browser lists: all, those where the class is present, those with any
 * error, or one kind of error (false positives, false negatives, localization misses).
 */
export type DatasetFilter = 'all' | 'present' | 'errors' | 'fp' | 'fn' | 'loc';
export type DatasetSort = 'errors' | 'score' | 'margin' | 'id';

/** GET /api/dataset query (see parseDatasetQuery). */
export interface DatasetQuery {
  filter: DatasetFilter;
  /** Class index: the filter's errors must be about that class ('present': the class is present; 'all': no restriction); 'score' sorts by it. */
  cls: number | null;
  sort: DatasetSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** One image of the split in a listing. Class indices refer to StudioInfo.classNames. */
export interface DatasetItem {
  id: string;
  /** Position in the split. */
  index: number;
  /** Classes present (label 1). */
  present: number[];
  /** Pooled scores of the run, per class. */
  scores: number[];
  /** Present classes ranked below an absent one (or probability < 0.5): false negatives. */
  missed: number[];
  /** Absent classes ranked above a present one (or probability > 0.5), highest first. */
  falsePositives: number[];
  /** Present classes whose peak missed every box of the class: localization misses. */
  mislocalized: number[];
  errors: number;
  /** Lowest present minus highest absent score (null when a side is empty). */
  margin: number | null;
}

/** GET /api/dataset answer. */
export interface DatasetPage {
  query: DatasetQuery;
  /** Images matching the filter (before paging). */
  total: number;
  items: DatasetItem[];
}

/** A ground-truth object, box in original pixels, half-open [x0, x1) × [y0, y1). */
export interface DatasetObject {
  /** Class index, -1 for a name outside the class list. */
  cls: number;
  name: string;
  box: { x0: number; y0: number; x1: number; y1: number };
  difficult: boolean;
}

/** GET /api/dataset/images/ID: everything known about one image but its maps. */
export interface DatasetImageDetail extends DatasetItem {
  width: number;
  height: number;
  /** Per class: 1 present, -1 absent, 0 ignored (difficult). */
  labels: number[];
  /** Per class: probability (sigmoid / softmax), null for the AP loss. */
  probs: number[] | null;
  /** Per class: [x, y] of the class map's peak in original pixels (as `wildcat predict`). */
  points: [number, number][];
  /** Per class: that peak fell in a box of the class. */
  peakHits: boolean[];
  objects: DatasetObject[];
  /** GET /api/dataset/images/ID/mask serves a ground-truth segmentation mask. */
  hasMask: boolean;
}

/** The `meta` of a maps message (POST /api/predict, GET /api/dataset/images/ID/maps). */
export interface ImageMapsMeta {
  /** 'upload' or the dataset id. */
  source: string;
  /** The image's own size (after EXIF orientation). */
  image: { width: number; height: number };
  inputSize: number;
  grid: { h: number; w: number };
  /** M: modalityMaps holds C·M maps, channel c·M + m. */
  maps: number;
  /** The run's pooling, which gave `scores`. */
  pooling: SpatialPooling;
  /** Milliseconds waiting in the queue and running the network. */
  waitMs: number;
  inferMs: number;
}

/** The arrays of a maps message: scores [C], classMaps [C, h, w], modalityMaps [C·M, h, w]. */
export const MAPS_ARRAYS = ['scores', 'classMaps', 'modalityMaps'] as const;

/** Error answers: { error } with the reason (and what to do). */
export interface ApiError {
  error: string;
}
