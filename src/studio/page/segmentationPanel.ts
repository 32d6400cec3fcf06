// The segmentation panel: the open image segmented on the server with the run's segmentation
// settings, its label map drawn over the image in VOC's colours (as the report draws it: each
// pixel blended with its label's colour, background darkened towards black), the ground-truth
// mask beside it for dataset images, and a legend of the labels with their share of the pixels.
import type { ImageSegmentationAnswer, SegmentationInfo } from '../apiTypes.js';
import { vocColormap } from '../../data/vocPalette.js';
import { h, replaceChildren } from './dom.js';
import { loadImageElement } from './viewer.js';

/** What can be segmented: the image on show and how to ask the server for its segmentation. */
export interface SegmentationTarget {
  source: string;
  image: HTMLImageElement;
  /** The ground-truth mask (dataset images that have one). */
  maskUrl: string | null;
  request: () => Promise<ImageSegmentationAnswer>;
}

/** Longest side of each picture of the panel, CSS pixels. */
const SIDE = 300;
/** Weight of the label colour, as the report's segmentation overlay. */
const ALPHA = 0.6;

/** A legend swatch in the colour of `label` (set through the CSSOM: the page's CSP forbids style attributes). */
function swatch(label: number): HTMLElement {
  const p = vocColormap();
  const el = h('span', { class: 'swatch' });
  el.style.background = `rgb(${p[3 * label]}, ${p[3 * label + 1]}, ${p[3 * label + 2]})`;
  return el;
}

/** Draws `mask` (a VOC palette PNG) over `image` on `canvas`, W × H pixels (nearest neighbour: labels are categories). */
function drawLabels(canvas: HTMLCanvasElement, image: HTMLImageElement, mask: HTMLImageElement, W: number, H: number): void {
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(image, 0, 0, W, H);
  ctx.imageSmoothingEnabled = false;
  ctx.globalAlpha = ALPHA;
  ctx.drawImage(mask, 0, 0, W, H);
  ctx.globalAlpha = 1;
}

export class SegmentationPanel {
  readonly el: HTMLElement;
  readonly #info: SegmentationInfo;
  readonly #button: HTMLButtonElement;
  readonly #auto: HTMLInputElement;
  readonly #figures: HTMLElement;
  readonly #legend: HTMLElement;
  readonly #caption: HTMLElement;
  #target: SegmentationTarget | null = null;
  /** Each request gets a number; an answer for an image no longer on show is dropped. */
  #request = 0;

  constructor(info: SegmentationInfo) {
    this.#info = info;
    this.#button = h('button', { id: 'segment', type: 'button', disabled: true, onclick: () => void this.segment() }, 'Segment');
    this.#auto = h('input', { type: 'checkbox', id: 'segment-auto', onchange: () => (this.#auto.checked && this.#target ? void this.segment() : undefined) });
    this.#figures = h('div', { class: 'seg-figures', id: 'segmentation-figures' });
    this.#legend = h('ul', { class: 'seg-legend', id: 'segmentation-legend' });
    this.#caption = h('p', { class: 'caption', id: 'segmentation-caption' }, 'Open an image, then segment it.');
    this.el = h('section', { class: 'panel segmentation', id: 'segmentation-panel' },
      h('h2', {}, 'Segmentation'),
      h('p', { class: 'muted seg-settings' }, `${info.smoothing === 'none' ? 'no smoothing' : `${info.smoothing} smoothing`} · ${info.settings} · background: ${info.background}`),
      h('div', { class: 'row' }, this.#button, h('label', { class: 'check' }, this.#auto, ' segment every image I open')),
      this.#figures, this.#legend, this.#caption);
  }

  /** A new image is on show: the previous segmentation goes; with "every image" this one is segmented. */
  open(target: SegmentationTarget): void {
    this.#target = target;
    this.#request++;
    this.#button.disabled = false;
    replaceChildren(this.#figures);
    replaceChildren(this.#legend);
    this.#caption.textContent = `Segment ${target.source === 'upload' ? 'the uploaded image' : `dataset image ${target.source}`} with the run's settings.`;
    if (this.#auto.checked) void this.segment();
  }

  async segment(): Promise<void> {
    const t = this.#target;
    if (!t) return;
    const n = ++this.#request;
    this.#button.disabled = true;
    this.#caption.className = 'caption';
    this.#caption.textContent = 'Segmenting…';
    try {
      const seg = await t.request();
      const [mask, truth] = await Promise.all([loadImageElement(seg.png), t.maskUrl ? loadImageElement(t.maskUrl) : null]);
      if (n !== this.#request) return;
      this.#show(t, seg, mask, truth);
    } catch (e) {
      if (n !== this.#request) return;
      this.#caption.className = 'caption error';
      this.#caption.textContent = `Segmentation failed: ${(e as Error).message}`;
    } finally {
      if (n === this.#request) this.#button.disabled = false;
    }
  }

  #show(t: SegmentationTarget, seg: ImageSegmentationAnswer, mask: HTMLImageElement, truth: HTMLImageElement | null): void {
    const { naturalWidth: w, naturalHeight: hh } = t.image;
    const scale = SIDE / Math.max(w, hh);
    const W = Math.max(1, Math.round(w * scale));
    const H = Math.max(1, Math.round(hh * scale));
    const predicted = h('canvas', { id: 'segmentation', 'data-source': seg.source });
    drawLabels(predicted, t.image, mask, W, H);
    const figures = [h('figure', {}, predicted, h('figcaption', {}, 'segmentation'))];
    if (truth) {
      const gt = h('canvas', { id: 'segmentation-truth' });
      drawLabels(gt, t.image, truth, W, H);
      figures.push(h('figure', {}, gt, h('figcaption', {}, 'ground truth')));
    }
    replaceChildren(this.#figures, ...figures);

    const names = this.#info.labelNames;
    const share = (n: number, of: number[]) => `${((100 * n) / Math.max(1, of.reduce((a, b) => a + b, 0))).toFixed(1)} %`;
    const gt = seg.truthPixels;
    // The labels of the segmentation or of the ground truth, with their share of each.
    const rows = seg.labelPixels.flatMap((px, l) => (px > 0 || (gt?.[l] ?? 0) > 0 ? [
      h('li', { 'data-label': names[l]!, 'data-pixels': px },
        swatch(l), ` ${names[l]} `, h('span', { class: 'muted' }, gt ? `${share(px, seg.labelPixels)} · truth ${share(gt[l]!, gt)}` : share(px, seg.labelPixels))),
    ] : []));
    if (truth) rows.push(h('li', { class: 'muted' }, swatch(255), ' void (ground truth: not scored)'));
    replaceChildren(this.#legend, ...rows);
    const reduced = seg.width !== seg.image.width || seg.height !== seg.image.height ? ` (segmented at ${seg.width}×${seg.height})` : '';
    const iou = seg.meanIoU !== null ? ` · mean IoU with the ground truth ${seg.meanIoU.toFixed(3)}` : '';
    this.#caption.textContent = `${seg.source === 'upload' ? 'uploaded image' : `dataset image ${seg.source}`}${reduced}${iou} · ${seg.segmentMs} ms (waited ${seg.waitMs} ms)`;
  }
}
