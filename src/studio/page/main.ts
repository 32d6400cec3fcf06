// The studio page (bundled by esbuild into dist/src/studio/assets/studio.js at `make build`):
// upload an image or open one of the dataset, see its class maps over it, and re-pool the maps
// in the browser while the pooling's settings move.
import './style.css';
import type { DatasetImageDetail, StudioInfo } from '../apiTypes.js';
import { poolClassMaps } from '../mapPooling.js';
import type { SpatialPooling } from '../../wsl/spatialPooling.js';
import { api, type PageMaps } from './api.js';
import { ClassList } from './classList.js';
import { DatasetBrowser } from './datasetBrowser.js';
import { h, replaceChildren } from './dom.js';
import { PoolingPanel } from './poolingPanel.js';
import { SegmentationPanel } from './segmentationPanel.js';
import { loadImageElement, Viewer, type ViewedImage } from './viewer.js';
import { ViewControls } from './viewControls.js';

class Studio {
  readonly #info: StudioInfo;
  readonly #status: HTMLElement;
  readonly #viewer = new Viewer();
  readonly #view: ViewControls;
  readonly #pooling: PoolingPanel;
  readonly #classes: ClassList;
  readonly #browser: DatasetBrowser | null;
  /** Shown when the server can segment (capabilities.segmentation). */
  readonly #segmentation: SegmentationPanel | null;
  #current: ViewedImage | null = null;
  #cls = 0;
  /** Each open request gets a number; an answer that arrives after a newer request is dropped. */
  #request = 0;
  #objectUrl: string | null = null;

  constructor(root: HTMLElement, info: StudioInfo) {
    this.#info = info;
    this.#status = h('p', { id: 'status', role: 'status' });
    this.#view = new ViewControls(() => this.#redraw());
    this.#pooling = new PoolingPanel(info, () => this.#redraw());
    this.#classes = new ClassList(info, (c) => {
      this.#cls = c;
      this.#redraw();
    });
    this.#segmentation = info.capabilities.segmentation && info.segmentation ? new SegmentationPanel(info.segmentation) : null;
    this.#browser = info.dataset ? new DatasetBrowser(info, (id, cls) => void this.openDataset(id, cls)) : null;
    const file = h('input', { type: 'file', id: 'file-input', accept: 'image/jpeg,image/png,image/webp', onchange: (e: Event) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      if (f) void this.openUpload(f);
    } });
    const limits = info.limits;
    const header = h('header', {},
      h('h1', {}, 'wildcat studio'),
      h('span', { class: 'run' }, `${info.run} · ${info.classNames.length} classes · ${info.poolingText} · M = ${info.maps} · ${info.inputSize}px input, ${info.grid.h}×${info.grid.w} maps`),
      h('label', { class: 'upload button' }, 'Upload image…', file),
      h('span', { class: 'muted' }, `JPEG, PNG or WebP, up to ${(limits.maxUploadBytes / 2 ** 20).toFixed(0)} MiB and ${(limits.maxPixels / 1e6).toFixed(0)} megapixels; or drop one on the picture`));
    const side = h('aside', { class: 'side' }, this.#pooling.el, this.#classes.el, this.#view.el);
    const left = this.#browser ? this.#browser.el : h('section', { class: 'panel browser muted' }, h('h2', {}, 'Dataset'), h('p', {}, 'Start the studio with --data voc:DIR [--split NAME] to browse a split and its errors.'));
    const centre = h('div', { class: 'centre' }, this.#viewer.el, this.#segmentation?.el);
    replaceChildren(root, header, this.#status, h('main', {}, left, centre, side));
    const stage = this.#viewer.stage;
    stage.addEventListener('dragover', (e) => e.preventDefault());
    stage.addEventListener('drop', (e) => {
      e.preventDefault();
      const f = e.dataTransfer?.files[0];
      if (f) void this.openUpload(f);
    });
    void this.#browser?.load();
  }

  #say(text: string, tone: 'info' | 'error' = 'info'): void {
    this.#status.textContent = text;
    this.#status.className = tone;
  }

  async openUpload(file: File): Promise<void> {
    const n = ++this.#request;
    if (file.size > this.#info.limits.maxUploadBytes) {
      this.#say(`${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MiB; the studio takes up to ${(this.#info.limits.maxUploadBytes / 2 ** 20).toFixed(0)} MiB`, 'error');
      return;
    }
    this.#say(`Running the network on ${file.name}…`);
    try {
      const maps = await api.predict(file);
      if (this.#objectUrl) URL.revokeObjectURL(this.#objectUrl);
      this.#objectUrl = URL.createObjectURL(file);
      const image = await loadImageElement(this.#objectUrl);
      if (n !== this.#request) return;
      this.#show({ source: 'upload', image, maps, detail: null, maskUrl: null }, null);
      this.#segmentation?.open({ source: 'upload', image, maskUrl: null, request: () => api.segment(file) });
      this.#say(`${file.name}: ${maps.meta.image.width}×${maps.meta.image.height}, network ${maps.meta.inferMs} ms (waited ${maps.meta.waitMs} ms)`);
    } catch (e) {
      if (n === this.#request) this.#say(`${file.name}: ${(e as Error).message}`, 'error');
    }
  }

  async openDataset(id: string, cls: number | null): Promise<void> {
    const n = ++this.#request;
    this.#say(`Opening ${id}…`);
    try {
      const [detail, maps, image] = await Promise.all([api.datasetImage(id), api.datasetMaps(id), loadImageElement(api.datasetImageUrl(id))]);
      if (n !== this.#request) return;
      const maskUrl = detail.hasMask ? api.datasetMaskUrl(id) : null;
      this.#show({ source: id, image, maps, detail, maskUrl }, cls);
      this.#segmentation?.open({ source: id, image, maskUrl, request: () => api.datasetSegmentation(id) });
      this.#say(`${id}: ${detail.width}×${detail.height}, network ${maps.meta.inferMs} ms`);
    } catch (e) {
      if (n === this.#request) this.#say(`${id}: ${(e as Error).message}`, 'error');
    }
  }

  /** Shows an image on class `cls`, or its best present class, or its top-scoring class. */
  #show(v: ViewedImage, cls: number | null): void {
    this.#current = v;
    this.#cls = cls ?? bestClass(v.maps, v.detail);
    document.body.dataset.source = v.source;
    this.#browser?.markCurrent(v.detail ? v.source : null);
    this.#redraw();
  }

  #redraw(): void {
    const v = this.#current;
    if (!v) return;
    const pooling: SpatialPooling = this.#pooling.pooling;
    const C = this.#info.classNames.length;
    let scores: Float64Array;
    try {
      scores = poolClassMaps(v.maps.classMaps, C, pooling);
    } catch (e) {
      this.#say((e as Error).message, 'error');
      return;
    }
    this.#classes.render(scores, v.maps.scores, this.#cls, v.detail);
    this.#viewer.draw(v, { ...this.#view.options, cls: this.#cls, pooling }, this.#info.classNames);
  }
}

function bestClass(maps: PageMaps, detail: DatasetImageDetail | null): number {
  const s = maps.scores;
  const candidates = detail && detail.present.length > 0 ? detail.present : Array.from(s, (_, c) => c);
  return candidates.reduce((best, c) => (s[c]! > s[best]! ? c : best), candidates[0]!);
}

async function boot(): Promise<void> {
  const root = document.getElementById('app')!;
  try {
    new Studio(root, await api.info());
  } catch (e) {
    replaceChildren(root, h('p', { class: 'error' }, `The studio could not start: ${(e as Error).message}`));
  }
}

void boot();
