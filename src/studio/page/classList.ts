// The class list: per class the score re-pooled in the browser with the panel's settings, its
// probability (as the run's loss defines it), the run's own score, and for dataset images the
// ground truth and the errors those scores make. Click a class to show its map.
import type { DatasetImageDetail, StudioInfo } from '../apiTypes.js';
import { imageVerdict } from '../../report/imageVerdict.js';
import { scoreProbabilities } from '../../report/scoreProbabilities.js';
import { fmt, h, replaceChildren } from './dom.js';

export class ClassList {
  readonly el: HTMLElement;
  readonly #body: HTMLTableSectionElement;
  readonly #summary: HTMLElement;
  readonly #info: StudioInfo;
  readonly #onSelect: (cls: number) => void;

  constructor(info: StudioInfo, onSelect: (cls: number) => void) {
    this.#info = info;
    this.#onSelect = onSelect;
    this.#body = h('tbody');
    this.#summary = h('p', { id: 'verdict', class: 'muted' });
    const probHead = info.loss === 'ap' ? 'prob.' : info.loss === 'softmax' ? 'softmax' : 'sigmoid';
    this.el = h('section', { class: 'panel classes' },
      h('h2', {}, 'Classes'),
      h('table', { id: 'scores' },
        h('thead', {}, h('tr', {},
          h('th', {}, 'class'),
          h('th', { title: 'pooled in the browser with the settings above' }, 'score'),
          h('th', { title: info.loss === 'ap' ? 'the AP loss only ranks: no probability' : `${probHead} of the score` }, probHead),
          h('th', { title: 'the run\'s own score, computed by the server' }, 'run'))),
        this.#body),
      this.#summary);
  }

  /** Shows the scores; rows sorted by score, the selected class highlighted. */
  render(scores: Float64Array, runScores: Float32Array, selected: number, detail: DatasetImageDetail | null): void {
    const names = this.#info.classNames;
    const probs = scoreProbabilities(scores, this.#info.loss);
    const order = Array.from(names, (_, c) => c).sort((a, b) => scores[b]! - scores[a]! || a - b);
    const verdict = detail
      ? imageVerdict({ scores, probs, labels: detail.labels, peakHits: detail.peakHits })
      : null;
    const fp = new Set(verdict?.falsePositives ?? []);
    const missed = new Set(verdict?.missed ?? []);
    const rows = order.map((c) => {
      const label = detail?.labels[c];
      const tags: string[] = [];
      if (label === 1) tags.push('present');
      if (label === 0) tags.push('difficult');
      if (fp.has(c)) tags.push('false positive');
      if (missed.has(c)) tags.push('missed');
      if (label === 1 && detail && !detail.peakHits[c]) tags.push('peak off its boxes');
      const cls = ['cls', c === selected ? 'selected' : '', label === 1 ? 'present' : '', fp.has(c) ? 'fp' : '', missed.has(c) ? 'fn' : ''].filter(Boolean).join(' ');
      return h('tr', {
        class: cls,
        'data-class': names[c]!,
        'data-index': c,
        'data-score': String(scores[c]),
        'data-run-score': String(runScores[c]),
        'data-prob': probs ? String(probs[c]) : '',
        title: tags.join(', '),
        onclick: () => this.#onSelect(c),
      },
      h('td', {}, h('span', { class: 'name' }, names[c]!), ...tags.map((t) => h('span', { class: `tag ${t.replace(/ /g, '-')}` }, t))),
      h('td', { class: 'num' }, fmt(scores[c]!)),
      h('td', { class: 'num' }, probs ? fmt(probs[c]!, 3) : '—'),
      h('td', { class: 'num muted' }, fmt(runScores[c]!)));
    });
    replaceChildren(this.#body, ...rows);
    this.#summary.textContent = verdict
      ? `With these scores: ${verdict.falsePositives.length} false positive(s), ${verdict.missed.length} missed class(es); ${verdict.mislocalized.length} present class(es) whose peak misses its boxes.`
      : '';
  }
}
