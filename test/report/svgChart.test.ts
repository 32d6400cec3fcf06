import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, lineChartSvg, niceTicks } from '../../src/report/index.js';

const count = (s: string, sub: string): number => s.split(sub).length - 1;

test('one circle per finite point, one polyline per series with 2+ points', () => {
  const svg = lineChartSvg({
    title: 'loss',
    xLabel: 'epoch',
    series: [
      { name: 'train', color: '#c33', points: [1, 2, 3, 4, 5].map((x) => ({ x, y: 1 / x })) },
      { name: 'val', color: '#33c', points: [{ x: 1, y: 0.9 }, { x: 2, y: Number.NaN }, { x: 3, y: 0.5 }], highlight: 2 },
    ],
  });
  assert.equal(count(svg, '<circle'), 7);
  assert.equal(count(svg, '<polyline'), 2);
  assert.equal(count(svg, '(best)'), 1, 'the highlighted point says so in its tooltip');
  assert.match(svg, /^<svg [^>]*class="chart"/);
  assert.ok(svg.endsWith('</svg>'));
});

test('a single point, and no point at all', () => {
  const one = lineChartSvg({ title: 't', xLabel: 'epoch', series: [{ name: 's', color: '#000', points: [{ x: 1, y: 0.42 }] }] });
  assert.equal(count(one, '<circle'), 1);
  assert.equal(count(one, '<polyline'), 0);
  assert.ok(!one.includes('NaN'));
  const none = lineChartSvg({ title: 't', xLabel: 'epoch', series: [] });
  assert.equal(count(none, '<circle'), 0);
  assert.match(none, /no data/);
});

test('chart text is escaped', () => {
  const svg = lineChartSvg({ title: '<b>&', xLabel: 'x"', series: [{ name: '<i>', color: '#000', points: [{ x: 1, y: 1 }] }] });
  assert.ok(!svg.includes('<b>') && !svg.includes('<i>'));
  assert.match(svg, /&lt;b&gt;&amp;/);
});

test('niceTicks and formatNumber', () => {
  assert.deepEqual(niceTicks(0.03, 0.71, 5), { ticks: [0, 0.2, 0.4, 0.6, 0.8], lo: 0, hi: 0.8, step: 0.2 });
  const flat = niceTicks(2, 2);
  assert.ok(flat.lo < 2 && flat.hi > 2);
  assert.equal(formatNumber(0.123456), '0.1235');
  assert.equal(formatNumber(42), '42');
});
