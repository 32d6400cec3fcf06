// The class scores of one image as a small horizontal bar chart (inline SVG): highest first,
// present classes in green, absent classes that fire in red, the rest in grey.
import { escapeHtml } from './htmlEscape.js';

export interface ScoreBarsOptions {
  names: readonly string[];
  scores: ArrayLike<number>;
  /** Probabilities (bars span [0, 1], with a tick at 0.5); without them bars span the scores' range. */
  probs?: ArrayLike<number>;
  /** 1 present, -1 absent, 0 ignored ('difficult'). */
  labels: ArrayLike<number>;
  /** Classes counted as false positives (drawn red). */
  falsePositives?: readonly number[];
  /** Rows shown at most (the rest are summarised). Default 10. */
  maxRows?: number;
  width?: number;
}

export const SCORE_COLORS = { present: '#1f9d55', falsePositive: '#d63649', absent: '#b7bfcc', ignored: '#e0c36b' } as const;

/** One `<rect class="sbar">` per class shown, highest score first. */
export function scoreBarsSvg(o: ScoreBarsOptions): string {
  const C = o.scores.length;
  const W = o.width ?? 210;
  const rowH = 17;
  const labelW = 72;
  const valueW = 36;
  const barW = W - labelW - valueW - 8;
  const order = Array.from({ length: C }, (_, c) => c).sort((a, b) => o.scores[b]! - o.scores[a]! || a - b);
  const rows = order.slice(0, Math.max(1, o.maxRows ?? 10));
  const rest = C - rows.length;
  const fp = new Set(o.falsePositives ?? []);
  let lo = 0;
  let hi = 1;
  if (!o.probs) {
    lo = Math.min(0, ...Array.from(o.scores));
    hi = Math.max(lo + 1e-9, ...Array.from(o.scores));
  }
  const frac = (c: number): number => {
    const v = o.probs ? o.probs[c]! : o.scores[c]!;
    return Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
  };
  const H = rows.length * rowH + (rest > 0 ? rowH : 0) + 4;
  const r2 = (v: number): string => (Math.round(v * 10) / 10).toString();
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="scores" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`];
  rows.forEach((c, k) => {
    const y = k * rowH + 2;
    const label = o.labels[c];
    const color = label === 1 ? SCORE_COLORS.present : label === 0 ? SCORE_COLORS.ignored : fp.has(c) ? SCORE_COLORS.falsePositive : SCORE_COLORS.absent;
    const name = o.names[c] ?? `class ${c}`;
    const shown = name.length > 12 ? name.slice(0, 11) + '…' : name;
    const value = o.probs ? o.probs[c]!.toFixed(2) : o.scores[c]!.toFixed(2);
    parts.push(
      `<text x="${labelW - 5}" y="${y + 12}" text-anchor="end"${label === 1 ? ' font-weight="600"' : ''}>${escapeHtml(shown)}<title>${escapeHtml(name)}</title></text>` +
        `<rect class="sbar" x="${labelW}" y="${y + 2}" width="${r2(Math.max(1, frac(c) * barW))}" height="${rowH - 5}" rx="2" fill="${color}"/>` +
        `<text x="${r2(labelW + barW + 4)}" y="${y + 12}" class="v">${value}</text>`,
    );
  });
  if (o.probs) parts.push(`<line x1="${r2(labelW + barW / 2)}" x2="${r2(labelW + barW / 2)}" y1="1" y2="${rows.length * rowH + 2}" stroke="#7a8296" stroke-dasharray="2 2"/>`);
  if (rest > 0) parts.push(`<text x="${labelW}" y="${rows.length * rowH + 14}" class="v">… ${rest} more, lower</text>`);
  parts.push('</svg>');
  return parts.join('');
}
