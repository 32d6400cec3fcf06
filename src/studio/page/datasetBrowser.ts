// The dataset browser: the split's images, filtered by kind of error (false positives, false
// negatives, localization misses) and class, sorted, in pages; a click opens an image on the
// class the filter is about.
import type { DatasetFilter, DatasetItem, DatasetPage, DatasetSort, StudioInfo } from '../apiTypes.js';
import { api } from './api.js';
import { fmt, h, replaceChildren } from './dom.js';

const FILTERS: [DatasetFilter, string][] = [
  ['all', 'all images'],
  ['present', 'images with the class'],
  ['errors', 'any error'],
  ['fp', 'false positives'],
  ['fn', 'false negatives (missed)'],
  ['loc', 'localization misses'],
];
const SORTS: [DatasetSort, string][] = [
  ['errors', 'errors'],
  ['score', 'score'],
  ['margin', 'margin (least sure first)'],
  ['id', 'id'],
];

export class DatasetBrowser {
  readonly el: HTMLElement;
  readonly #info: StudioInfo;
  readonly #open: (id: string, cls: number | null) => void;
  readonly #filter: HTMLSelectElement;
  readonly #cls: HTMLSelectElement;
  readonly #sort: HTMLSelectElement;
  readonly #list: HTMLElement;
  readonly #pager: HTMLElement;
  #offset = 0;
  readonly #limit = 40;
  /** The image on show, marked in the list. */
  #current: string | null = null;

  constructor(info: StudioInfo, open: (id: string, cls: number | null) => void) {
    this.#info = info;
    this.#open = open;
    const reload = () => {
      this.#offset = 0;
      void this.load();
    };
    this.#filter = h('select', { id: 'dataset-filter', onchange: reload }, ...FILTERS.map(([v, t]) => h('option', { value: v }, t)));
    this.#cls = h('select', { id: 'dataset-class', onchange: reload }, h('option', { value: '' }, 'any class'), ...info.classNames.map((n) => h('option', { value: n }, n)));
    this.#sort = h('select', { id: 'dataset-sort', onchange: reload }, ...SORTS.map(([v, t]) => h('option', { value: v }, t)));
    this.#list = h('ol', { id: 'dataset-list', class: 'items' });
    this.#pager = h('div', { class: 'pager', id: 'dataset-pager' });
    const ds = info.dataset!;
    this.el = h('section', { class: 'panel browser', id: 'browser' },
      h('h2', {}, 'Dataset'),
      h('p', { class: 'muted' }, `${ds.spec}, split ${ds.split}: ${ds.images} images`),
      h('label', { class: 'row' }, h('span', {}, 'show'), this.#filter),
      h('label', { class: 'row' }, h('span', {}, 'class'), this.#cls),
      h('label', { class: 'row' }, h('span', {}, 'sort by'), this.#sort),
      this.#pager,
      this.#list);
  }

  /** Marks the image on show (null: an upload). */
  markCurrent(id: string | null): void {
    this.#current = id;
    for (const li of this.#list.querySelectorAll('li[data-id]')) {
      if (li.getAttribute('data-id') === id) li.setAttribute('aria-current', 'true');
      else li.removeAttribute('aria-current');
    }
  }

  async load(): Promise<void> {
    const q = new URLSearchParams({ filter: this.#filter.value, sort: this.#sort.value, offset: String(this.#offset), limit: String(this.#limit) });
    if (this.#cls.value) q.set('class', this.#cls.value);
    let page: DatasetPage;
    try {
      page = await api.datasetPage(q);
    } catch (e) {
      replaceChildren(this.#list, h('li', { class: 'error' }, (e as Error).message));
      return;
    }
    replaceChildren(this.#list, ...page.items.map((it) => this.#item(it, page)));
    if (page.items.length === 0) replaceChildren(this.#list, h('li', { class: 'muted' }, 'No image matches.'));
    const from = page.total === 0 ? 0 : page.query.offset + 1;
    const to = page.query.offset + page.items.length;
    replaceChildren(this.#pager,
      h('button', { type: 'button', disabled: this.#offset === 0, onclick: () => this.#page(-1) }, '‹ prev'),
      h('span', { id: 'dataset-count' }, `${from}–${to} of ${page.total}`),
      h('button', { type: 'button', disabled: to >= page.total, onclick: () => this.#page(1) }, 'next ›'));
  }

  #page(dir: number): void {
    this.#offset = Math.max(0, this.#offset + dir * this.#limit);
    void this.load();
  }

  /** The class an item opens on: the one the filter is about, else its best present class. */
  #focus(it: DatasetItem, page: DatasetPage): number | null {
    const c = page.query.cls;
    const list = page.query.filter === 'fp' ? it.falsePositives : page.query.filter === 'fn' ? it.missed : page.query.filter === 'loc' ? it.mislocalized : null;
    if (list) return c !== null && list.includes(c) ? c : list[0] ?? null;
    if (c !== null) return c;
    return null;
  }

  #item(it: DatasetItem, page: DatasetPage): HTMLElement {
    const names = this.#info.classNames;
    const list = (label: string, cls: string, l: number[]) => (l.length ? h('span', { class: `tag ${cls}` }, `${label}: ${l.map((c) => names[c]).join(', ')}`) : null);
    const score = page.query.sort === 'score' && page.query.cls !== null ? ` · ${names[page.query.cls]} ${fmt(it.scores[page.query.cls]!, 3)}` : '';
    return h('li', { 'data-id': it.id, 'data-errors': it.errors, 'aria-current': it.id === this.#current ? 'true' : undefined },
      h('button', { type: 'button', class: 'item', onclick: () => this.#open(it.id, this.#focus(it, page)) },
        h('span', { class: 'id' }, it.id),
        h('span', { class: 'present' }, it.present.map((c) => names[c]).join(', ') || '(nothing)', score),
        list('FP', 'false-positive', it.falsePositives),
        list('FN', 'missed', it.missed),
        list('loc', 'mislocalized', it.mislocalized)));
  }
}
