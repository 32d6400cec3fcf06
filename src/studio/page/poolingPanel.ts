// The pooling controls: kind (WILDCAT, global max, GAP, LSE, generalized), k⁺ and k⁻ as a count
// or a fraction of the regions, α, the halving convention, LSE's r, generalized pooling's β⁺ β⁻;
// and the run's own settings one click away. The panel keeps exact values: a slider shows a
// rounded position, and only moving it replaces a value (so "run settings" restores 1/3 exactly).
import type { StudioInfo } from '../apiTypes.js';
import type { SpatialPooling } from '../../wsl/spatialPooling.js';
import { resolveK } from '../../wsl/resolveK.js';
import { withWildcatDefaults } from '../../wsl/resolveWildcat.js';
import { GENERALIZED_DEFAULTS, LSE_DEFAULTS } from '../../wsl/softPoolingDefaults.js';
import { h, replaceChildren } from './dom.js';

type Kind = SpatialPooling['kind'];
type KMode = 'count' | 'fraction';

interface PanelState {
  kind: Kind;
  kmax: number;
  kmaxMode: KMode;
  kmin: number;
  kminMode: KMode;
  alpha: number;
  halve: boolean;
  r: number;
  betaPos: number;
  betaNeg: number;
}

const KIND_LABELS: Record<Kind, string> = {
  wildcat: 'WILDCAT (k⁺ highest + α · k⁻ lowest)',
  max: 'global max pooling',
  gap: 'global average pooling (GAP)',
  lse: 'log-sum-exp (LSE)',
  generalized: 'generalized max+min (TPAMI eq. 8)',
};

/**
 * The panel's state for a pooling: its own settings, with the engine's defaults for whatever it
 * leaves out and for the other kinds (offered when the kind changes).
 */
function stateOf(p: SpatialPooling): PanelState {
  const w = withWildcatDefaults(p.kind === 'wildcat' ? p : {});
  const g = { ...GENERALIZED_DEFAULTS, ...(p.kind === 'generalized' ? p : {}) };
  return {
    kind: p.kind,
    kmax: w.kmax,
    kmaxMode: w.kmax < 1 ? 'fraction' : 'count',
    kmin: w.kmin,
    kminMode: w.kmin < 1 ? 'fraction' : 'count',
    alpha: p.kind === 'generalized' ? g.alpha : w.alpha,
    halve: w.halve,
    r: p.kind === 'lse' ? p.r ?? LSE_DEFAULTS.r : LSE_DEFAULTS.r,
    betaPos: g.betaPos,
    betaNeg: g.betaNeg,
  };
}

function poolingOf(s: PanelState): SpatialPooling {
  switch (s.kind) {
    case 'wildcat':
      return { kind: 'wildcat', kmax: s.kmax, kmin: s.kmin, alpha: s.alpha, halve: s.halve };
    case 'lse':
      return { kind: 'lse', r: s.r };
    case 'generalized':
      return { kind: 'generalized', betaPos: s.betaPos, betaNeg: s.betaNeg, alpha: s.alpha };
    default:
      return { kind: s.kind };
  }
}

/** Same settings (what matters for the scores of this kind). */
function samePooling(a: SpatialPooling, b: SpatialPooling): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class PoolingPanel {
  readonly el: HTMLElement;
  readonly #info: StudioInfo;
  readonly #n: number;
  readonly #onChange: (p: SpatialPooling) => void;
  readonly #original: PanelState;
  #s: PanelState;
  readonly #body: HTMLElement;
  readonly #kind: HTMLSelectElement;
  readonly #note: HTMLElement;
  /** Updates the value read-outs without rebuilding the sliders (a rebuilt slider drops the drag). */
  #refresh: (() => void)[] = [];
  #layout = '';

  constructor(info: StudioInfo, onChange: (p: SpatialPooling) => void) {
    this.#info = info;
    this.#n = info.grid.h * info.grid.w;
    this.#onChange = onChange;
    this.#original = stateOf(info.pooling);
    this.#s = { ...this.#original };
    this.#kind = h('select', { id: 'pooling-kind', onchange: () => this.#set({ kind: this.#kind.value as Kind }) },
      ...(Object.keys(KIND_LABELS) as Kind[]).map((k) => h('option', { value: k }, KIND_LABELS[k])));
    this.#body = h('div', { class: 'controls' });
    this.#note = h('p', { class: 'note', id: 'pooling-note' });
    this.el = h('section', { class: 'panel pooling', id: 'pooling' },
      h('h2', {}, 'Pooling'),
      h('label', { class: 'row' }, h('span', {}, 'kind'), this.#kind),
      this.#body,
      h('div', { class: 'row buttons' },
        h('button', { id: 'reset-pooling', type: 'button', onclick: () => this.reset() }, 'Run settings'),
        h('span', { class: 'muted' }, info.poolingText)),
      this.#note);
    this.#render();
  }

  /** The settings shown. */
  get pooling(): SpatialPooling {
    return poolingOf(this.#s);
  }

  /** Back to the run's own settings. */
  reset(): void {
    this.#s = { ...this.#original };
    this.#changed();
  }

  #set(patch: Partial<PanelState>): void {
    this.#s = { ...this.#s, ...patch };
    this.#changed(false);
  }

  #changed(rebuild = true): void {
    this.#render(rebuild);
    this.#onChange(this.pooling);
  }

  #render(rebuild = true): void {
    const s = this.#s;
    const layout = `${s.kind} ${s.kmaxMode} ${s.kminMode}`;
    if (rebuild || layout !== this.#layout) this.#build();
    this.#layout = layout;
    for (const f of this.#refresh) f();
    const notes: string[] = [];
    if (!samePooling(this.pooling, poolingOf(this.#original))) notes.push('Scores are re-pooled in the browser with these settings, not the run\'s.');
    if (this.#info.architecture === 'features') notes.push('This run uses architecture (b): its own scores pool the backbone features, so re-pooled class maps differ from them even with the run\'s settings.');
    this.#note.textContent = notes.join(' ');
  }

  /** Builds the rows of the current kind and k modes. */
  #build(): void {
    const s = this.#s;
    this.#kind.value = s.kind;
    this.#refresh = [];
    const rows: HTMLElement[] = [];
    if (s.kind === 'wildcat') {
      rows.push(this.#kRow('kmax', 'k⁺', 'highest regions'));
      rows.push(this.#kRow('kmin', 'k⁻', 'lowest regions, 0: off'));
      rows.push(this.#slider('alpha', 'α', s.alpha, Math.min(0, s.alpha), Math.max(1.5, s.alpha), 0.01, (v) => this.#set({ alpha: v }), 'weight of the lowest regions', () => this.#s.alpha));
      rows.push(h('label', { class: 'row check' },
        h('input', { type: 'checkbox', id: 'halve', checked: s.halve, onchange: (e: Event) => this.#set({ halve: (e.target as HTMLInputElement).checked }) }),
        h('span', {}, 'halve: (top + α·bottom) / 2, the official code\'s scale')));
    } else if (s.kind === 'lse') {
      rows.push(this.#slider('r', 'r', s.r, 0, Math.max(40, s.r), 0.1, (v) => this.#set({ r: v }), '0 is GAP, large r approaches max pooling', () => this.#s.r));
    } else if (s.kind === 'generalized') {
      rows.push(this.#slider('beta-pos', 'β⁺', s.betaPos, Math.min(0, s.betaPos), Math.max(50, s.betaPos), 0.5, (v) => this.#set({ betaPos: v }), 'soft maximum', () => this.#s.betaPos));
      rows.push(this.#slider('beta-neg', 'β⁻', s.betaNeg, Math.min(-50, s.betaNeg), Math.max(0, s.betaNeg), 0.5, (v) => this.#set({ betaNeg: v }), 'soft minimum', () => this.#s.betaNeg));
      rows.push(this.#slider('alpha', 'α', s.alpha, Math.min(0, s.alpha), Math.max(1.5, s.alpha), 0.01, (v) => this.#set({ alpha: v }), 'weight of the soft minimum', () => this.#s.alpha));
    } else {
      rows.push(h('p', { class: 'muted' }, s.kind === 'max' ? 'The single highest region (k⁺ = 1, no k⁻).' : 'The mean of every region (k⁺ = all, no k⁻).'));
    }
    replaceChildren(this.#body, ...rows);
  }

  /** A k⁺ / k⁻ row: count or fraction, slider, and how many regions that resolves to. */
  #kRow(key: 'kmax' | 'kmin', label: string, what: string): HTMLElement {
    const s = this.#s;
    const n = this.#n;
    const modeKey = key === 'kmax' ? 'kmaxMode' : 'kminMode';
    const mode = s[modeKey];
    const lowest = key === 'kmax' ? 1 : 0;
    const switchMode = (m: KMode) => {
      if (m === mode) return;
      const resolved = resolveK(this.#s[key], n);
      // Keep the same number of regions across the switch, as near as the new scale allows.
      const v = m === 'count' ? Math.max(lowest, resolved) : Math.min(0.99, Math.max(lowest / 100, Math.round((100 * resolved) / n) / 100));
      this.#set({ [key]: v, [modeKey]: m } as Partial<PanelState>);
    };
    const k = s[key];
    const slider = mode === 'count'
      ? h('input', { type: 'range', id: key, min: lowest, max: n, step: 1, value: String(Math.min(n, Math.floor(k))), oninput: (e: Event) => this.#set({ [key]: Number((e.target as HTMLInputElement).value) } as Partial<PanelState>) })
      : h('input', { type: 'range', id: key, min: lowest, max: 99, step: 1, value: String(Math.round(100 * k)), oninput: (e: Event) => this.#set({ [key]: Number((e.target as HTMLInputElement).value) / 100 } as Partial<PanelState>) });
    const out = h('output', { id: `${key}-value` });
    this.#refresh.push(() => {
      const v = this.#s[key];
      const resolved = resolveK(v, n);
      out.dataset.resolved = String(resolved);
      out.textContent = `${mode === 'count' ? String(Math.floor(v)) : String(Number(v.toFixed(4)))} → ${resolved} of ${n}`;
    });
    return h('div', { class: 'krow' },
      h('div', { class: 'row' },
        h('span', { class: 'name', title: what }, label),
        slider,
        out),
      h('div', { class: 'row modes' },
        h('label', {}, h('input', { type: 'radio', name: `${key}-mode`, value: 'count', checked: mode === 'count', onchange: () => switchMode('count') }), ' count'),
        h('label', {}, h('input', { type: 'radio', name: `${key}-mode`, value: 'fraction', checked: mode === 'fraction', onchange: () => switchMode('fraction') }), ' fraction'),
        h('span', { class: 'muted' }, what)));
  }

  #slider(id: string, label: string, value: number, min: number, max: number, step: number, set: (v: number) => void, what: string, read: () => number): HTMLElement {
    const out = h('output', { id: `${id}-value` });
    this.#refresh.push(() => {
      out.textContent = String(Number(read().toFixed(4)));
    });
    return h('div', { class: 'row' },
      h('span', { class: 'name', title: what }, label),
      h('input', { type: 'range', id, min, max, step, value: String(value), oninput: (e: Event) => set(Number((e.target as HTMLInputElement).value)) }),
      out);
  }
}
