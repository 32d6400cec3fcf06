// How the picture is drawn: heatmap opacity, colormap, colour scale, and which annotations show.
import type { ColormapName } from '../../report/colormap.js';
import { h } from './dom.js';

/** How the picture is drawn, as the view panel sets it. */
export interface ViewOptions {
  /** Heatmap opacity in [0, 1]. */
  opacity: number;
  colormap: ColormapName;
  /** Colour scale: the class map's own range, or the range of all class maps of the image. */
  normalize: 'map' | 'image';
  /** Draw the pooling's k⁺ / k⁻ regions, the class's ground-truth boxes, the map's peak, the ground-truth mask. */
  regions: boolean;
  boxes: boolean;
  peak: boolean;
  mask: boolean;
}

export const DEFAULT_VIEW: ViewOptions = { opacity: 0.5, colormap: 'turbo', normalize: 'map', regions: true, boxes: true, peak: true, mask: false };

export class ViewControls {
  readonly el: HTMLElement;
  #v: ViewOptions = { ...DEFAULT_VIEW };

  constructor(onChange: (v: ViewOptions) => void) {
    const set = (patch: Partial<ViewOptions>) => {
      this.#v = { ...this.#v, ...patch };
      opacityOut.textContent = this.#v.opacity.toFixed(2);
      onChange(this.#v);
    };
    const opacityOut = h('output', { id: 'opacity-value' }, this.#v.opacity.toFixed(2));
    const check = (key: 'regions' | 'boxes' | 'peak' | 'mask', text: string) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', id: `show-${key}`, checked: this.#v[key], onchange: (e: Event) => set({ [key]: (e.target as HTMLInputElement).checked }) }), ` ${text}`);
    this.el = h('section', { class: 'panel view' },
      h('h2', {}, 'View'),
      h('div', { class: 'row' }, h('span', { class: 'name' }, 'opacity'),
        h('input', { type: 'range', id: 'opacity', min: 0, max: 1, step: 0.05, value: String(this.#v.opacity), oninput: (e: Event) => set({ opacity: Number((e.target as HTMLInputElement).value) }) }),
        opacityOut),
      h('label', { class: 'row' }, h('span', { class: 'name' }, 'colormap'),
        h('select', { id: 'colormap', onchange: (e: Event) => set({ colormap: (e.target as HTMLSelectElement).value as ColormapName }) },
          h('option', { value: 'turbo' }, 'turbo'), h('option', { value: 'jet' }, 'jet'))),
      h('label', { class: 'row' }, h('span', { class: 'name' }, 'scale'),
        h('select', { id: 'normalize', onchange: (e: Event) => set({ normalize: (e.target as HTMLSelectElement).value as 'map' | 'image' }) },
          h('option', { value: 'map' }, 'each map its own range'), h('option', { value: 'image' }, 'shared by the image\'s maps'))),
      h('div', { class: 'row checks' }, check('regions', 'k⁺ / k⁻ regions'), check('boxes', 'boxes'), check('peak', 'peak'), check('mask', 'mask')));
  }

  get options(): ViewOptions {
    return this.#v;
  }
}
