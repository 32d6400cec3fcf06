// Line charts as inline SVG (training curves): axes with round ticks, one polyline and one
// marker per point per series, hover titles, no script.
import { escapeHtml } from './htmlEscape.js';
import { niceTicks } from './niceTicks.js';

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  name: string;
  /** CSS colour. */
  color: string;
  points: ChartPoint[];
  /** Index (into points) of a point to emphasise, e.g. the best epoch. */
  highlight?: number;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  series: ChartSeries[];
  width?: number;
  height?: number;
  /** Fixed y range (e.g. [0, 100] for percentages); default: the data's, widened to round ticks. */
  yRange?: [number, number];
  /** Tick and tooltip formatting of y values. */
  yFormat?: (v: number) => string;
  /** Integer x ticks only (epochs). Default true. */
  integerX?: boolean;
}

/**
 * An SVG line chart. Each finite point gets one `<circle>` (with a `<title>` tooltip); points
 * with a non-finite coordinate are left out.
 * @example lineChartSvg({ title: 'loss', xLabel: 'epoch', series: [{ name: 'train', color: '#c33', points: [{ x: 1, y: 0.7 }, { x: 2, y: 0.4 }] }] });
 */
export function lineChartSvg(opts: LineChartOptions): string {
  const W = opts.width ?? 460;
  const H = opts.height ?? 260;
  const fmtY = opts.yFormat ?? ((v: number) => formatNumber(v));
  const integerX = opts.integerX ?? true;
  const finite = (p: ChartPoint): boolean => Number.isFinite(p.x) && Number.isFinite(p.y);
  // The highlight index refers to the given points; re-aim it past the dropped ones.
  const series = opts.series.map((s) => {
    const hp = s.highlight !== undefined ? s.points[s.highlight] : undefined;
    const points = s.points.filter(finite);
    return { ...s, points, highlight: hp !== undefined && finite(hp) ? points.indexOf(hp) : undefined };
  });
  const all = series.flatMap((s) => s.points);
  const m = { left: 54, right: 16, top: 34, bottom: 42 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(opts.title)}">`);
  out.push(`<text x="${m.left}" y="20" class="chart-title">${escapeHtml(opts.title)}</text>`);
  if (all.length === 0) {
    out.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="chart-empty">no data</text></svg>`);
    return out.join('');
  }
  const xs = all.map((p) => p.x);
  let xt = niceTicks(Math.min(...xs), Math.max(...xs), Math.min(8, Math.max(2, xs.length)));
  if (integerX) {
    // Epochs count from 1: start the axis one step before the first point (at 0 for epoch 1),
    // so no point sits on the y axis and a single epoch is centred.
    const lo = Math.floor(Math.min(...xs)) - 1;
    const hi = Math.max(lo + 2, Math.ceil(Math.max(...xs)));
    const step = Math.max(1, Math.ceil((hi - lo) / 8));
    const ticks: number[] = [];
    for (let v = lo; v <= hi; v += step) ticks.push(v);
    if (ticks[ticks.length - 1]! < hi) ticks.push(ticks[ticks.length - 1]! + step);
    xt = { ticks, lo: ticks[0]!, hi: ticks[ticks.length - 1]!, step };
  }
  const ys = all.map((p) => p.y);
  const yt = opts.yRange ? { ...niceTicks(opts.yRange[0], opts.yRange[1], 5), lo: opts.yRange[0], hi: opts.yRange[1] } : niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const sx = (x: number): number => m.left + ((x - xt.lo) / (xt.hi - xt.lo)) * pw;
  const sy = (y: number): number => m.top + ph - ((y - yt.lo) / (yt.hi - yt.lo)) * ph;
  const r2 = (v: number): string => (Math.round(v * 100) / 100).toString();

  // Grid and axes.
  out.push('<g class="grid">');
  for (const t of yt.ticks) {
    if (t < yt.lo - 1e-12 || t > yt.hi + 1e-12) continue;
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${r2(sy(t))}" y2="${r2(sy(t))}"/>`);
  }
  out.push('</g><g class="axis">');
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}"/><line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}"/>`);
  for (const t of yt.ticks) {
    if (t < yt.lo - 1e-12 || t > yt.hi + 1e-12) continue;
    out.push(`<text x="${m.left - 6}" y="${r2(sy(t) + 4)}" text-anchor="end">${escapeHtml(fmtY(t))}</text>`);
  }
  for (const t of xt.ticks) {
    out.push(`<line x1="${r2(sx(t))}" x2="${r2(sx(t))}" y1="${m.top + ph}" y2="${m.top + ph + 4}"/>`);
    out.push(`<text x="${r2(sx(t))}" y="${m.top + ph + 17}" text-anchor="middle">${escapeHtml(formatNumber(t))}</text>`);
  }
  out.push(`<text x="${m.left + pw / 2}" y="${H - 6}" text-anchor="middle" class="axis-label">${escapeHtml(opts.xLabel)}</text>`);
  out.push('</g>');

  // Series.
  for (const s of series) {
    const color = escapeHtml(s.color);
    out.push(`<g class="series" data-name="${escapeHtml(s.name)}">`);
    if (s.points.length > 1) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.points.map((p) => `${r2(sx(p.x))},${r2(sy(p.y))}`).join(' ')}"/>`);
    }
    s.points.forEach((p, i) => {
      const hi = s.highlight === i;
      out.push(
        `<circle cx="${r2(sx(p.x))}" cy="${r2(sy(p.y))}" r="${hi ? 5.5 : 3.2}" fill="${hi ? '#fff' : color}" stroke="${color}" stroke-width="${hi ? 2.5 : 1}">` +
          `<title>${escapeHtml(`${s.name}, ${opts.xLabel} ${formatNumber(p.x)}: ${fmtY(p.y)}${hi ? ' (best)' : ''}`)}</title></circle>`,
      );
    });
    out.push('</g>');
  }
  // Legend (top right), one entry per series.
  let lx = W - m.right;
  for (let i = series.length - 1; i >= 0; i--) {
    const s = series[i]!;
    const label = s.name + (s.highlight !== undefined ? ' (○ best)' : '');
    const w = 18 + 6.4 * label.length;
    lx -= w;
    out.push(`<g class="legend"><line x1="${r2(lx)}" x2="${r2(lx + 12)}" y1="16" y2="16" stroke="${escapeHtml(s.color)}" stroke-width="3"/><text x="${r2(lx + 16)}" y="20">${escapeHtml(label)}</text></g>`);
    lx -= 8;
  }
  out.push('</svg>');
  return out.join('');
}

/** Short numbers for ticks and tooltips: up to 4 significant digits, no trailing zeros. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}
