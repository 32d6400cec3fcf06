import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreBarsSvg, SCORE_COLORS } from '../../src/report/index.js';

const count = (s: string, sub: string): number => s.split(sub).length - 1;

test('one bar per class, highest first, coloured by label; long lists summarised', () => {
  const svg = scoreBarsSvg({ names: ['a', 'b', '<c>'], scores: [0.1, 2, 1], probs: [0.52, 0.88, 0.73], labels: [-1, 1, -1], falsePositives: [2] });
  assert.equal(count(svg, '<rect class="sbar"'), 3);
  const order = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]);
  assert.deepEqual(order, ['b', '&lt;c&gt;', 'a']);
  const fills = [...svg.matchAll(/class="sbar"[^>]*fill="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(fills, [SCORE_COLORS.present, SCORE_COLORS.falsePositive, SCORE_COLORS.absent]);
  assert.ok(!svg.includes('<c>'), 'names are escaped');
  const many = scoreBarsSvg({ names: Array.from({ length: 20 }, (_, i) => `c${i}`), scores: Array.from({ length: 20 }, (_, i) => i), labels: new Array(20).fill(-1), maxRows: 10 });
  assert.equal(count(many, '<rect class="sbar"'), 10);
  assert.match(many, /… 10 more, lower/);
});
