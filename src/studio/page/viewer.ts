// The picture: the image with one class map over it (the report's overlay: bilinear upsampling
// as the localization points use it, a colormap, alpha blending), the regions the pooling
// selects (k⁺ highest green, k⁻ lowest red, drawn on the map's cell grid), the ground-truth boxes
// and mask of a dataset image, the class map's peak; and the per-modality maps when M > 1.
import type { DatasetImageDetail } from '../apiTypes.js';
import { poolingEvidence } from '../mapPooling.js';
import type { SpatialPooling } from '../../wsl/spatialPooling.js';
import { annotationSvg, type DrawBox } from '../../report/annotationSvg.js';
import { classColor } from '../../report/classColor.js';
import { colormapByName } from '../../report/colormap.js';
import { mapRange, overlayHeatmap } from '../../report/heatmapOverlay.js';
import { resizeBilinear } from '../../report/resizeBilinear.js';
import type { PageMaps } from './api.js';
import { h, replaceChildren } from './dom.js';
import type { ViewOptions } from './viewControls.js';

/** How the picture is drawn: the view options, the class shown and the pooling whose regions are drawn. */
export interface ViewSettings extends ViewOptions {
  cls: number;
  pooling: SpatialPooling;
}

/** What is on show. */
export interface ViewedImage {
  /** 'upload' or the dataset id. */
  source: string;
  image: HTMLImageElement;
  maps: PageMaps;
  detail: DatasetImageDetail | null;
  maskUrl: string | null;
}

/** Longest side of the picture on the page, CSS pixels. */
const STAGE_SIDE = 560;
const THUMB_SIDE = 112;

/** Loads an image URL into an element (rejects with the URL when the browser cannot show it). */
export function loadImageElement(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`the browser cannot display ${url}`));
    img.src = url;
  });
}

/** Draws `map` (h × w) over the image on a canvas of W × H pixels; returns the upsampled map. */
function drawOverlay(canvas: HTMLCanvasElement, image: HTMLImageElement, map: Float32Array, h: number, w: number, W: number, H: number, range: [number, number], s: ViewSettings): void {
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(image, 0, 0, W, H);
  const rgba = ctx.getImageData(0, 0, W, H);
  const rgb = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = rgba.data[4 * p + c]!;
  const out = overlayHeatmap({ data: rgb, width: W, height: H }, { data: map, h, w }, { alpha: s.opacity, range, colormap: colormapByName(s.colormap) });
  for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) rgba.data[4 * p + c] = out.data[3 * p + c]!;
  ctx.putImageData(rgba, 0, 0);
}

export class Viewer {
  readonly el: HTMLElement;
  readonly #canvas: HTMLCanvasElement;
  readonly #svg: HTMLElement;
  readonly #mask: HTMLImageElement;
  readonly #caption: HTMLElement;
  readonly #modalities: HTMLElement;
  #draws = 0;

  constructor() {
    this.#canvas = h('canvas', { id: 'overlay', width: STAGE_SIDE, height: STAGE_SIDE * 0.75 });
    this.#mask = h('img', { id: 'mask', alt: 'ground-truth mask', hidden: true });
    this.#svg = h('div', { id: 'annotations', class: 'annotations' });
    this.#caption = h('p', { id: 'caption', class: 'caption' }, 'Upload an image, or open one from the dataset.');
    this.#modalities = h('div', { id: 'modalities', class: 'modalities' });
    this.el = h('section', { class: 'viewer' },
      h('div', { class: 'stage', id: 'stage' }, this.#canvas, this.#mask, this.#svg),
      this.#caption,
      this.#modalities);
  }

  /** The element files can be dropped on. */
  get stage(): HTMLElement {
    return this.el.querySelector('#stage')!;
  }

  draw(v: ViewedImage, s: ViewSettings, classNames: readonly string[]): void {
    const { maps } = v;
    const { h: mh, w: mw } = maps.meta.grid;
    const n = mh * mw;
    const c = s.cls;
    const nat = { w: v.image.naturalWidth, h: v.image.naturalHeight };
    const scale = STAGE_SIDE / Math.max(nat.w, nat.h);
    const W = Math.max(1, Math.round(nat.w * scale));
    const H = Math.max(1, Math.round(nat.h * scale));
    const map = maps.classMaps.subarray(c * n, (c + 1) * n);
    const range = s.normalize === 'image' ? mapRange(maps.classMaps) : mapRange(map);
    drawOverlay(this.#canvas, v.image, map, mh, mw, W, H, range, s);
    this.#draws++;
    Object.assign(this.#canvas.dataset, { source: v.source, cls: classNames[c] ?? '', draws: String(this.#draws) });

    // Vector annotations over the picture.
    const evidence = s.regions ? poolingEvidence(map, s.pooling) : null;
    const boxes: DrawBox[] = [];
    const d = v.detail;
    if (d && s.boxes) {
      const sx = W / d.width;
      const sy = H / d.height;
      for (const o of d.objects) {
        if (o.cls !== c) continue;
        boxes.push({ x0: o.box.x0 * sx, y0: o.box.y0 * sy, x1: o.box.x1 * sx, y1: o.box.y1 * sy, color: classColor(o.cls), dashed: o.difficult });
      }
    }
    let peak: { x: number; y: number } | undefined;
    if (s.peak) {
      if (d) {
        const [px, py] = d.points[c]!;
        peak = { x: ((px + 0.5) * W) / d.width, y: ((py + 0.5) * H) / d.height };
      } else {
        // An upload's peak at display resolution (`wildcat predict` takes it at full resolution).
        const up = resizeBilinear(map, mh, mw, H, W);
        let best = 0;
        for (let p = 1; p < up.length; p++) if (up[p]! > up[best]!) best = p;
        peak = { x: (best % W) + 0.5, y: Math.floor(best / W) + 0.5 };
      }
    }
    this.#svg.innerHTML = annotationSvg({
      width: W,
      height: H,
      boxes,
      cells: evidence ? { h: mh, w: mw, positive: evidence.top, negative: evidence.bottom } : undefined,
      peak,
    });
    this.#svg.dataset.top = evidence ? String(evidence.top.length) : '0';
    this.#svg.dataset.bottom = evidence ? String(evidence.bottom.length) : '0';
    const stage = this.stage;
    stage.style.width = `${W}px`;
    stage.style.height = `${H}px`;
    if (v.maskUrl && s.mask) {
      if (this.#mask.getAttribute('src') !== v.maskUrl) this.#mask.src = v.maskUrl;
      this.#mask.hidden = false;
    } else {
      this.#mask.hidden = true;
    }
    const where = v.source === 'upload' ? 'uploaded image' : `dataset image ${v.source}`;
    const ev = evidence ? ` · ${evidence.top.length} highest (green)${evidence.bottom.length ? ` and ${evidence.bottom.length} lowest (red)` : ''} of ${n} regions` : '';
    this.#caption.textContent = `${where}, ${maps.meta.image.width}×${maps.meta.image.height} · class map of ${classNames[c]} (${mh}×${mw}), colours span ${range[0].toFixed(3)} … ${range[1].toFixed(3)}${ev}`;

    // Per-modality maps of the class (M > 1).
    const M = maps.meta.maps;
    if (M > 1) {
      const tiles: HTMLElement[] = [];
      const tw = Math.max(1, Math.round((nat.w * THUMB_SIDE) / Math.max(nat.w, nat.h)));
      const th = Math.max(1, Math.round((nat.h * THUMB_SIDE) / Math.max(nat.w, nat.h)));
      for (let m = 0; m < M; m++) {
        const mm = maps.modalityMaps.subarray((c * M + m) * n, (c * M + m + 1) * n);
        const cv = h('canvas', { class: 'modality', 'data-modality': m });
        drawOverlay(cv, v.image, mm, mh, mw, tw, th, mapRange(mm), { ...s, opacity: Math.max(s.opacity, 0.5) });
        tiles.push(h('figure', {}, cv, h('figcaption', {}, `modality ${m + 1}`)));
      }
      replaceChildren(this.#modalities, h('h3', {}, `${classNames[c]}: its ${M} modality maps, combined into the class map`), ...tiles);
    } else {
      replaceChildren(this.#modalities);
    }
  }
}
