// One gallery card: an image with its ground truth, the heatmaps of its top classes with the
// pooling's evidence and the predicted peak, and the per-modality maps of its top class.
import type { PixelBox } from '../data/box.js';
import { annotationSvg, type DrawBox } from './annotationSvg.js';
import { classColor } from './classColor.js';
import { turbo, type Colormap } from './colormap.js';
import { mapRange, overlayHeatmap } from './heatmapOverlay.js';
import type { ImageVerdict } from './imageVerdict.js';
import type { PictureLabel, ReportCard, ReportTile } from './htmlReport.js';
import { loadPicture, pictureDataUri, type Picture } from './pictures.js';
import { scoreBarsSvg } from './scoreBars.js';
import { placeLabels } from './labelPlacement.js';
import { imageMeanIoU, overlaySegmentation } from './segmentationOverlay.js';

export { classColor } from './classColor.js';

/** A ground-truth object in original-image pixels (half-open box). */
export interface CardObject {
  /** Class index, or -1 for a name outside the class list. */
  cls: number;
  name: string;
  box: PixelBox;
  difficult: boolean;
}

/** Network outputs for one image (plain arrays, no tensors). */
export interface CardMaps {
  /** [C, h, w] class maps. */
  classMaps: Float32Array;
  /** [C·M, h, w] per-modality maps, channel c·M + m. */
  modalityMaps: Float32Array;
  h: number;
  w: number;
  /** M, maps per class. */
  maps: number;
  /** [C, k⁺] flat indices of the k⁺ highest regions of each class map (k⁺ = 0: none). */
  top?: Int32Array;
  kTop?: number;
  /** [C, k⁻] flat indices of the k⁻ lowest regions. */
  bottom?: Int32Array;
  kBottom?: number;
}

export interface CardInput {
  id: string;
  imagePath: string;
  classNames: readonly string[];
  scores: ArrayLike<number>;
  probs?: ArrayLike<number>;
  labels: ArrayLike<number>;
  verdict: ImageVerdict;
  peakHits: ArrayLike<boolean>;
  objects: CardObject[];
  /** [C, 2] peak of each class map in original pixels (pixel indices). */
  points: ArrayLike<number>;
  /** The image size the points and boxes refer to. */
  size: { width: number; height: number };
  maps: CardMaps;
  /** The predicted segmentation (and the ground-truth mask when the image has one), at the image size. */
  segmentation?: CardSegmentation;
}

/** Label maps of one image (0 background, k + 1 class k, 255 void), row-major at `size`. */
export interface CardSegmentation {
  predicted: Uint8Array;
  groundTruth?: Uint8Array;
  /** How the prediction was made, e.g. 'SLIC-smoothed'. */
  caption: string;
}

export interface CardOptions {
  /** Longer side of the main pictures in pixels. Default 200 (six fit in a row). */
  tileSize?: number;
  /** Longer side of the modality thumbnails. Default 88. */
  thumbSize?: number;
  /** Present classes shown at most (the top false positive comes on top of these). Default 4. */
  maxClasses?: number;
  /** Colour scale of a class heatmap: its own min..max ('map'), or shared by the classes shown ('image'). Default 'map'. */
  normalize?: 'map' | 'image';
  /** Heatmap opacity. Default 0.5. */
  alpha?: number;
  colormap?: Colormap;
  /** Per-modality thumbnails of the top class (when M > 1). Default true. */
  modalities?: boolean;
  format?: 'jpeg' | 'png';
  classWise?: 'mean' | 'max';
}

/** The classes a card shows: present ones by score (at most maxClasses), then the top false positive; the top-scoring class when neither exists. */
export function classesToShow(input: Pick<CardInput, 'scores' | 'verdict'>, maxClasses: number): { cls: number; role: 'present' | 'false positive' | 'top' }[] {
  const s = input.scores;
  const present = [...input.verdict.present].sort((a, b) => s[b]! - s[a]! || a - b).slice(0, Math.max(1, maxClasses));
  const out: { cls: number; role: 'present' | 'false positive' | 'top' }[] = present.map((cls) => ({ cls, role: 'present' }));
  const fp = input.verdict.falsePositives[0];
  if (fp !== undefined) out.push({ cls: fp, role: 'false positive' });
  if (out.length === 0) {
    let best = 0;
    for (let c = 1; c < s.length; c++) if (s[c]! > s[best]!) best = c;
    out.push({ cls: best, role: 'top' });
  }
  return out;
}

/** Renders the card's pictures (sharp) and returns it with the number of pictures made. */
export async function renderGalleryCard(input: CardInput, opts: CardOptions = {}): Promise<{ card: ReportCard; pictures: number }> {
  const tileSize = opts.tileSize ?? 200;
  const cmap = opts.colormap ?? turbo;
  const alpha = opts.alpha ?? 0.5;
  const format = opts.format ?? 'jpeg';
  const { maps, classNames } = input;
  const { h, w, maps: M } = maps;
  const hw = h * w;
  const pic = await loadPicture(input.imagePath, tileSize);
  const sx = pic.width / input.size.width;
  const sy = pic.height / input.size.height;
  const toTile = (b: CardObject['box']): Omit<DrawBox, 'color'> => ({ x0: b.x0 * sx, y0: b.y0 * sy, x1: b.x1 * sx, y1: b.y1 * sy });
  const tiles: ReportTile[] = [];

  // Ground truth.
  const texts = input.objects.map((o) => o.name + (o.difficult ? ' (difficult)' : ''));
  const spots = placeLabels(input.objects.map((o, k) => ({ box: toTile(o.box), text: texts[k]! })), pic.width, pic.height);
  const labels: PictureLabel[] = input.objects.map((o, k) => ({ x: spots[k]!.x / pic.width, y: spots[k]!.y / pic.height, text: texts[k]!, color: classColor(o.cls) }));
  tiles.push({
    src: await pictureDataUri(pic, { svg: annotationSvg({ width: pic.width, height: pic.height, boxes: input.objects.map((o) => ({ ...toTile(o.box), color: classColor(o.cls), dashed: o.difficult })) }), format }),
    width: pic.width,
    height: pic.height,
    title: 'image and ground truth',
    lines: [`${input.size.width}×${input.size.height} px, ${input.objects.length} object${input.objects.length === 1 ? '' : 's'}`],
    labels,
  });

  // Ground-truth mask and predicted segmentation.
  const seg = input.segmentation;
  if (seg) {
    const { width: W, height: H } = input.size;
    if (seg.groundTruth) {
      tiles.push({ src: await pictureDataUri(overlaySegmentation(pic, seg.groundTruth, W, H), { format }), width: pic.width, height: pic.height, title: 'ground-truth mask' });
    }
    const present = [...new Set(seg.predicted)].filter((l) => l > 0).sort((a, b) => a - b).map((l) => classNames[l - 1] ?? `class ${l - 1}`);
    const lines = [seg.caption, present.length > 0 ? present.join(', ') : 'all background'];
    if (seg.groundTruth) lines.push(`image mIoU ${(100 * imageMeanIoU(seg.predicted, seg.groundTruth)).toFixed(1)}%`);
    tiles.push({ src: await pictureDataUri(overlaySegmentation(pic, seg.predicted, W, H), { format }), width: pic.width, height: pic.height, title: 'segmentation', lines });
  }

  // Class heatmaps.
  const shown = classesToShow(input, opts.maxClasses ?? 4);
  const classMap = (c: number): Float32Array => maps.classMaps.subarray(c * hw, (c + 1) * hw);
  const shared = opts.normalize === 'image' ? mapRange(...shown.map((s) => classMap(s.cls))) : undefined;
  for (const { cls, role } of shown) {
    const m = classMap(cls);
    const range = shared ?? mapRange(m);
    const heat = overlayHeatmap(pic, { data: m, h, w }, { range, alpha, colormap: cmap });
    const boxes = input.objects.filter((o) => o.cls === cls).map((o) => ({ ...toTile(o.box), color: '#ffffff', dashed: o.difficult }));
    const svg = annotationSvg({
      width: pic.width,
      height: pic.height,
      boxes,
      cells: {
        h,
        w,
        positive: maps.top && maps.kTop ? maps.top.subarray(cls * maps.kTop, (cls + 1) * maps.kTop) : undefined,
        negative: maps.bottom && maps.kBottom ? maps.bottom.subarray(cls * maps.kBottom, (cls + 1) * maps.kBottom) : undefined,
      },
      peak: { x: (input.points[2 * cls]! + 0.5) * sx, y: (input.points[2 * cls + 1]! + 0.5) * sy },
    });
    const score = input.scores[cls]!;
    const p = input.probs?.[cls];
    const lines = [`score ${score.toFixed(2)}${p !== undefined ? ` · p ${p.toFixed(2)}` : ''}`];
    let tag: ReportTile['tag'];
    if (role === 'present') {
      const found = !input.verdict.missed.includes(cls);
      const hit = Boolean(input.peakHits[cls]);
      tag = found && hit ? { text: 'present ✓', tone: 'good' } : { text: 'present', tone: 'bad' };
      lines.push(`${found ? 'ranked above absent classes' : 'missed (ranked low)'}`);
      lines.push(hit ? 'peak in a box ✓' : 'peak outside its boxes ✗');
    } else if (role === 'false positive') {
      tag = { text: 'false positive', tone: 'bad' };
      lines.push(p !== undefined && p > 0.5 ? 'absent, yet p > 0.5' : 'absent, ranked above a present class');
    } else {
      tag = { text: 'top class', tone: 'neutral' };
    }
    lines.push(`colour scale ${range[0].toFixed(2)} … ${range[1].toFixed(2)}`);
    tiles.push({ src: await pictureDataUri(heat, { svg, format }), width: pic.width, height: pic.height, title: classNames[cls] ?? `class ${cls}`, tag, lines });
  }

  // Per-modality maps of the top class.
  let modalities: ReportCard['modalities'];
  if ((opts.modalities ?? true) && M > 1) {
    const top = shown[0]!.cls;
    const thumb = await thumbnailOf(input.imagePath, pic, opts.thumbSize ?? 88);
    const mm = Array.from({ length: M }, (_, k) => maps.modalityMaps.subarray((top * M + k) * hw, (top * M + k + 1) * hw));
    const range = mapRange(...mm);
    const mtiles: ReportTile[] = [];
    for (let k = 0; k < M; k++) {
      const peak = argmax(mm[k]!);
      const svg = annotationSvg({ width: thumb.width, height: thumb.height, peak: { x: ((peak % w) + 0.5) * (thumb.width / w), y: (Math.floor(peak / w) + 0.5) * (thumb.height / h) } });
      mtiles.push({
        src: await pictureDataUri(overlayHeatmap(thumb, { data: mm[k]!, h, w }, { range, alpha: Math.max(alpha, 0.6), colormap: cmap }), { svg, format }),
        width: thumb.width,
        height: thumb.height,
        title: `modality ${k + 1}`,
        lines: [`max ${mm[k]![peak]!.toFixed(2)}`],
        small: true,
      });
    }
    modalities = {
      title: `The ${M} modality maps of ${classNames[top] ?? top} (one colour scale; the class map is their ${opts.classWise ?? 'mean'}; marker: each map's highest cell)`,
      tiles: mtiles,
    };
  }

  const v = input.verdict;
  const P = v.present.length;
  const name = (c: number): string => classNames[c] ?? `class ${c}`;
  const parts = [`${P - v.missed.length}/${P} classes found`, `${P - v.mislocalized.length}/${P} peaks in a box`];
  const list = (cs: number[]): string => cs.slice(0, 3).map(name).join(', ') + (cs.length > 3 ? ` +${cs.length - 3} more` : '');
  if (v.falsePositives.length > 0) parts.push(`false positive${v.falsePositives.length > 1 ? 's' : ''}: ${list(v.falsePositives)}`);
  if (v.missed.length > 0) parts.push(`missed: ${list(v.missed)}`);
  const card: ReportCard = {
    id: input.id,
    summary: (v.errors === 0 ? '✓ ' : '✗ ') + parts.join(' · '),
    tone: v.errors === 0 ? 'good' : 'bad',
    classes: v.present.map(name),
    tiles,
    scores: {
      svg: scoreBarsSvg({ names: classNames, scores: input.scores, probs: input.probs, labels: input.labels, falsePositives: v.falsePositives, maxRows: 10 }),
      caption: input.probs ? 'class probabilities (dashed: 0.5); green present, red false positive' : 'class scores; green present, red false positive',
    },
    modalities,
  };
  return { card, pictures: tiles.length + (modalities?.tiles.length ?? 0) };
}

async function thumbnailOf(path: string, pic: Picture, side: number): Promise<Picture> {
  return side === Math.max(pic.width, pic.height) ? pic : loadPicture(path, side);
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}
