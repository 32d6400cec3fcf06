// The report page: a plain data model rendered to ONE self-contained HTML document (inline CSS,
// inline SVG, images as data URIs; no script, no external asset). Every text that comes from a
// run or a dataset (class names, ids, paths) is escaped here.
import { escapeHtml as e } from './htmlEscape.js';

/** A label drawn over a picture, at a position given in fractions of its size. */
export interface PictureLabel {
  /** Left and top edge of the label, in [0, 1] of the picture's width / height. */
  x: number;
  y: number;
  text: string;
  /** CSS colour of the label's background. */
  color: string;
}

/** One picture of the gallery with its caption. */
export interface ReportTile {
  /** A data: URI (image/png or image/jpeg). */
  src: string;
  width: number;
  height: number;
  /** Caption title (e.g. the class name). */
  title: string;
  /** Short tag after the title, e.g. 'present', 'false positive'. */
  tag?: { text: string; tone: 'good' | 'bad' | 'neutral' };
  /** Caption lines under the title. */
  lines?: string[];
  labels?: PictureLabel[];
  /** Smaller rendering (modality thumbnails). */
  small?: boolean;
}

/** One gallery image: its pictures and a verdict. */
export interface ReportCard {
  id: string;
  /** One-line summary, e.g. '2/2 classes ranked first · 2/2 peaks in a box'. */
  summary: string;
  tone: 'good' | 'bad' | 'neutral';
  /** Ground-truth classes, for the header. */
  classes: string[];
  tiles: ReportTile[];
  /** Inline SVG of the image's class scores (built by scoreBarsSvg, which escapes its text), shown after the tiles. */
  scores?: { svg: string; caption: string };
  /** Optional second row (per-modality maps of the top class). */
  modalities?: { title: string; tiles: ReportTile[] };
}

export interface ReportSection {
  title: string;
  note?: string;
  cards: ReportCard[];
}

export interface MetricsRow {
  name: string;
  /** Classification AP in [0, 1] (NaN when undefined). */
  clsAP: number;
  /** Pointwise localization AP in [0, 1] (NaN when undefined). */
  locAP: number;
  /** Images containing the class. */
  positives: number;
}

export interface ReportMetrics {
  rows: MetricsRow[];
  mAP: number;
  locMAP: number;
  mAP07: number;
  images: number;
  split: string;
}

export interface ReportModel {
  title: string;
  /** Lines under the title (run folder, data, split, checkpoint). */
  subtitle: string[];
  /** Headline numbers, e.g. ['classification mAP', '87.3'] . */
  headline: Array<[string, string]>;
  /** The run's configuration, as rows. */
  config: Array<[string, string]>;
  /** Inline SVG charts (built by lineChartSvg, which escapes its text). */
  charts: string[];
  metrics: ReportMetrics | null;
  /** How to read the pictures. */
  legend: { gradient: string; items: Array<{ swatch: 'positive' | 'negative' | 'peak' | 'box'; text: string }>; notes: string[] };
  gallery: ReportSection[];
  footer?: string;
}

/** Legend symbols drawn like the annotations in the pictures (annotationSvg). */
const SWATCHES: Record<'positive' | 'negative' | 'peak' | 'box', string> = {
  positive: '<svg width="22" height="16" viewBox="0 0 22 16"><rect x="2" y="2" width="18" height="12" fill="#5a8fd0" stroke="#000" stroke-opacity=".5" stroke-width="4"/><rect x="2" y="2" width="18" height="12" fill="none" stroke="#00e25b" stroke-width="2.2"/></svg>',
  negative: '<svg width="22" height="16" viewBox="0 0 22 16"><rect x="2" y="2" width="18" height="12" fill="#5a8fd0" stroke="#000" stroke-opacity=".5" stroke-width="4"/><rect x="2" y="2" width="18" height="12" fill="none" stroke="#ff2d55" stroke-width="2.2"/></svg>',
  peak: '<svg width="22" height="22" viewBox="0 0 22 22"><rect width="22" height="22" rx="3" fill="#5a8fd0"/><path d="M1 11h20M11 1v20" stroke="#000" stroke-width="4"/><circle cx="11" cy="11" r="5.5" fill="none" stroke="#000" stroke-width="4.5"/><path d="M1 11h20M11 1v20" stroke="#fff" stroke-width="2"/><circle cx="11" cy="11" r="5.5" fill="none" stroke="#fff" stroke-width="2.2"/></svg>',
  box: '<svg width="22" height="16" viewBox="0 0 22 16"><rect width="22" height="16" rx="2" fill="#5a8fd0"/><rect x="3" y="3" width="16" height="10" fill="none" stroke="#000" stroke-opacity=".6" stroke-width="4"/><rect x="3" y="3" width="16" height="10" fill="none" stroke="#fff" stroke-width="2"/></svg>',
};

const pct = (v: number): string => (Number.isFinite(v) ? (100 * v).toFixed(1) : 'n/a');

/** Renders the report. The output has no <script> and references nothing outside itself. */
export function renderReportHtml(m: ReportModel): string {
  const out: string[] = [];
  out.push('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${e(m.title)}</title><style>${CSS}</style></head><body><main>`);
  out.push(`<header><h1>${e(m.title)}</h1>${m.subtitle.map((s) => `<p class="sub">${e(s)}</p>`).join('')}`);
  if (m.headline.length > 0) {
    out.push(`<div class="headline">${m.headline.map(([k, v]) => `<div><span class="big">${e(v)}</span><span class="lbl">${e(k)}</span></div>`).join('')}</div>`);
  }
  out.push('</header>');

  out.push('<section class="top"><div class="panel config"><h2>Run</h2><table class="kv">');
  for (const [k, v] of m.config) out.push(`<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`);
  out.push('</table></div>');
  out.push('<div class="right">');
  out.push(m.metrics ? metricsHtml(m.metrics) : '<div class="panel metrics"><h2>Metrics</h2><p class="muted">not computed</p></div>');
  out.push(`<div class="panel curves"><h2>Training</h2>${m.charts.length > 0 ? `<div class="charts">${m.charts.join('')}</div>` : '<p class="muted">no epoch in log.jsonl</p>'}</div>`);
  out.push('</div></section>');

  out.push('<section class="panel legend"><h2>How to read the pictures</h2><div class="legend-row">');
  out.push(`<div class="cbar"><span>low</span><span class="grad" style="background:${e(m.legend.gradient)}"></span><span>high</span></div>`);
  for (const it of m.legend.items) out.push(`<div class="li">${SWATCHES[it.swatch]}${e(it.text)}</div>`);
  out.push('</div>');
  for (const n of m.legend.notes) out.push(`<p class="muted">${e(n)}</p>`);
  out.push('</section>');

  for (const s of m.gallery) {
    out.push(`<section class="gallery"><h2>${e(s.title)}</h2>${s.note ? `<p class="muted">${e(s.note)}</p>` : ''}`);
    for (const c of s.cards) out.push(cardHtml(c));
    out.push('</section>');
  }
  if (m.footer) out.push(`<footer>${e(m.footer)}</footer>`);
  out.push('</main></body></html>\n');
  return out.join('');
}

function metricsHtml(m: ReportMetrics): string {
  const bar = (v: number, cls: string): string =>
    `<td class="num"><span class="bar ${cls}" style="width:${Number.isFinite(v) ? Math.max(0, Math.min(100, 100 * v)).toFixed(1) : 0}%"></span><span class="val">${pct(v)}</span></td>`;
  const rows = m.rows.map((r) => `<tr><th>${e(r.name)}</th>${bar(r.clsAP, 'cls')}${bar(r.locAP, 'loc')}<td class="num n">${r.positives}</td></tr>`);
  return (
    `<div class="panel metrics"><h2>Metrics on ${e(m.split)} <span class="muted">(${m.images} images)</span></h2>` +
    '<table class="mt"><thead><tr><th>class</th><th>classification AP</th><th>pointwise localization AP</th><th>images with class</th></tr></thead><tbody>' +
    rows.join('') +
    `</tbody><tfoot><tr><th>mean</th>${bar(m.mAP, 'cls')}${bar(m.locMAP, 'loc')}<td></td></tr></tfoot></table>` +
    `<p class="muted">AP in %: VOC 2010+ (area under the interpolated precision–recall curve), difficult objects ignored; VOC 2007 11-point classification mAP ${pct(m.mAP07)}. ` +
    'Pointwise localization (Oquab et al. 2015): per class, the peak of the class map with the class score, a hit when the image has the class and the peak falls in one of its boxes enlarged by 18 px at VOC scale.</p></div>'
  );
}

function tileHtml(t: ReportTile): string {
  const tag = t.tag ? ` <span class="tag ${t.tag.tone}">${e(t.tag.text)}</span>` : '';
  const labels = (t.labels ?? [])
    .map((l) => `<span class="plabel" style="left:${(100 * l.x).toFixed(2)}%;top:${(100 * l.y).toFixed(2)}%;background:${e(l.color)}">${e(l.text)}</span>`)
    .join('');
  return (
    `<figure class="tile${t.small ? ' small' : ''}"><div class="pic"><img src="${e(t.src)}" width="${t.width}" height="${t.height}" alt="${e(t.title)}">${labels}</div>` +
    `<figcaption><b>${e(t.title)}</b>${tag}${(t.lines ?? []).map((l) => `<br>${e(l)}`).join('')}</figcaption></figure>`
  );
}

function cardHtml(c: ReportCard): string {
  const scores = c.scores ? `<figure class="scorefig">${c.scores.svg}<figcaption>${e(c.scores.caption)}</figcaption></figure>` : '';
  const mods = c.modalities
    ? `<div class="mods"><div class="mods-title">${e(c.modalities.title)}</div><div class="tiles">${c.modalities.tiles.map(tileHtml).join('')}</div></div>`
    : '';
  return (
    `<article class="card ${c.tone}"><div class="card-h"><span class="id">${e(c.id)}</span><span class="sum">${e(c.summary)}</span>` +
    `<span class="gt">${c.classes.length > 0 ? 'contains: ' + c.classes.map((x) => `<b>${e(x)}</b>`).join(', ') : 'no labelled object'}</span></div>` +
    `<div class="tiles">${c.tiles.map(tileHtml).join('')}${scores}${mods}</div></article>`
  );
}

const CSS = `
:root{--fg:#1d2230;--muted:#687086;--line:#e3e6ee;--bg:#f5f6fa;--panel:#fff;--good:#14804a;--bad:#c62839;--cls:#3867d6;--loc:#e58e26}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1360px;margin:0 auto;padding:24px 28px 40px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:17px;margin:0 0 10px}
.sub{margin:0;color:var(--muted);font-size:13px;overflow-wrap:anywhere}
.muted{color:var(--muted);font-size:12.5px;margin:8px 0 0}
header{margin-bottom:18px}
.headline{display:flex;gap:14px;margin-top:14px;flex-wrap:wrap}
.headline div{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:10px 18px;min-width:150px}
.big{display:block;font-size:26px;font-weight:650;letter-spacing:-.5px}
.lbl{color:var(--muted);font-size:12px}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin-bottom:18px}
.top{display:grid;grid-template-columns:minmax(320px,400px) 1fr;gap:18px;align-items:start}
.top>.panel{margin-bottom:0}
.right{display:flex;flex-direction:column;gap:18px}
.right .panel{margin-bottom:0}
.top{margin-bottom:18px}
table.kv{border-collapse:collapse;width:100%;font-size:13px}
.kv th{text-align:left;font-weight:500;color:var(--muted);padding:3px 12px 3px 0;white-space:nowrap;vertical-align:top}
.kv td{padding:3px 0;overflow-wrap:anywhere}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:10px 28px}
.chart{background:#fff;width:100%;height:auto;max-height:300px}
.chart text{font-size:11px;fill:#50586c}
.chart .chart-title{font-size:13px;font-weight:600;fill:var(--fg)}
.chart .axis-label{font-size:11.5px}
.chart .grid line{stroke:#edf0f5}
.chart .axis line{stroke:#9aa2b5}
table.mt{border-collapse:collapse;width:100%;font-size:13px}
.mt th,.mt td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left}
.mt thead th{color:var(--muted);font-weight:500;font-size:12px}
.mt td.num{position:relative;width:30%}
.mt td.n{width:12%;text-align:right;color:var(--muted)}
.mt tfoot th,.mt tfoot td{font-weight:650;border-bottom:0;border-top:2px solid var(--line)}
.bar{position:absolute;left:10px;top:6px;bottom:6px;border-radius:3px;opacity:.22;max-width:calc(100% - 20px)}
.bar.cls{background:var(--cls)}.bar.loc{background:var(--loc)}
.val{position:relative;font-variant-numeric:tabular-nums}
.legend-row{display:flex;flex-wrap:wrap;gap:10px 26px;align-items:center}
.cbar{display:flex;align-items:center;gap:6px;font-size:12px;color:var(--muted)}
.grad{display:inline-block;width:180px;height:14px;border-radius:3px}
.li{display:flex;align-items:center;gap:7px;font-size:13px}
.gallery>h2{margin-top:26px}
.card{background:var(--panel);border:1px solid var(--line);border-left:5px solid var(--line);border-radius:10px;padding:12px 14px 8px;margin:12px 0}
.card.good{border-left-color:var(--good)}.card.bad{border-left-color:var(--bad)}
.card-h{display:flex;flex-wrap:wrap;gap:6px 16px;align-items:baseline;margin-bottom:8px}
.card-h .id{font-weight:650;font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.card.good .sum{color:var(--good)}.card.bad .sum{color:var(--bad)}
.card-h .gt{color:var(--muted);font-size:13px}
.tiles{display:flex;flex-wrap:wrap;gap:14px 10px;align-items:flex-start}
.tile{margin:0;width:min-content}
.pic{position:relative;line-height:0}
.pic img{display:block;border-radius:4px;image-rendering:auto}
.tile.small figcaption{font-size:11.5px}
figcaption{font-size:12.5px;margin-top:4px;line-height:1.35;max-width:240px}
.tag{font-size:11px;padding:0 6px;border-radius:8px;white-space:nowrap}
.tag.good{background:#dff3e8;color:var(--good)}.tag.bad{background:#fbe1e4;color:var(--bad)}.tag.neutral{background:#eceff4;color:#505a70}
.plabel{position:absolute;font:600 10.5px/16px system-ui,"DejaVu Sans",sans-serif;color:#fff;padding:0 4px;border-radius:2px;white-space:nowrap;text-shadow:0 0 2px #0008;height:16px}
.scores text{font-size:11px;fill:#3a4256}.scores text.v{fill:#687086;font-variant-numeric:tabular-nums}
.scorefig{margin:0 0 0 10px;width:min-content}
.scorefig figcaption{color:var(--muted);font-size:11.5px}
.mods{width:min-content;margin-left:10px}
.mods .tiles{flex-wrap:nowrap}
.mods-title{font-size:12px;color:var(--muted);margin-bottom:4px;line-height:1.3}
footer{color:var(--muted);font-size:12px;margin-top:30px}
@media (max-width:900px){.top{grid-template-columns:1fr}}
`;
