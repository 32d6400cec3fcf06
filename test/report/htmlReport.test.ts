import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, renderReportHtml, type ReportModel, type ReportTile } from '../../src/report/index.js';

const PIXEL = 'data:image/png;base64,iVBORw0KGgo=';
const count = (s: string, sub: string): number => s.split(sub).length - 1;

function model(): ReportModel {
  const evil = '<script>alert("x")</script>';
  const tile = (title: string): ReportTile => ({ src: PIXEL, width: 10, height: 10, title, tag: { text: 'present', tone: 'good' }, lines: [`score 1 & ${title}`], labels: [{ x: 0.1, y: 0.2, text: title, color: '#4e79a7' }] });
  return {
    title: 'report <run>',
    subtitle: ['run "a" & b'],
    headline: [['mAP', '50.0']],
    config: [['pooling', 'wildcat k+=0.2'], ['data', 'voc:/x/<y>']],
    charts: ['<svg class="chart"></svg>'],
    metrics: { rows: [{ name: evil, clsAP: 0.5, locAP: Number.NaN, positives: 3 }], mAP: 0.5, locMAP: Number.NaN, mAP07: 0.4, images: 8, split: 'test' },
    legend: { gradient: 'linear-gradient(90deg, red, blue)', items: [{ swatch: 'positive', text: 'k+ <highest>' }], notes: ['a < b'] },
    gallery: [{ title: 'Best', cards: [{ id: `id"><img src=x onerror=alert(1)>`, summary: 'ok', tone: 'good', classes: [evil], tiles: [tile('ground truth'), tile(evil)], modalities: { title: `maps of ${evil}`, tiles: [tile('m1'), tile('m2')] } }] }],
  };
}

test('class names, ids and every other text are escaped', () => {
  const html = renderReportHtml(model());
  assert.equal(count(html, '<script'), 0, 'no script element, even from a class named <script>');
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
  assert.ok(html.includes('id&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!html.includes('onerror=alert(1)>'), 'the id cannot open a tag');
  assert.ok(html.includes('voc:/x/&lt;y&gt;'));
  assert.ok(html.includes('report &lt;run&gt;'));
});

test('one <img> per tile, all embedded; nothing external', () => {
  const html = renderReportHtml(model());
  assert.equal(count(html, '<img '), 4);
  const srcs = [...html.matchAll(/<img src="([^"]*)"/g)].map((m) => m[1]!);
  assert.ok(srcs.every((s) => s.startsWith('data:image/')));
  assert.ok(!/(src|href)="https?:/.test(html) && !/url\(/.test(html), 'no external asset');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.equal(count(html, '<svg class="chart">'), 1, 'charts are inlined as given');
  assert.ok(html.includes('n/a'), 'NaN AP shows as n/a');
});

test('escapeHtml', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(escapeHtml(42), '42');
});
