import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSize, placeLabels } from '../../src/report/index.js';

const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean =>
  !(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y);

test('labels go above their box, inside it at the top edge, and never cover each other', () => {
  const boxes = [
    { box: { x0: 20, y0: 60, x1: 120, y1: 150 }, text: 'boot' },
    { box: { x0: 25, y0: 62, x1: 100, y1: 110 }, text: 'sneaker' },
    { box: { x0: 150, y0: 0, x1: 220, y1: 50 }, text: 'bag' },
  ];
  const p = placeLabels(boxes, 224, 224);
  assert.deepEqual([p[0]!.x, p[0]!.y], [20, 60 - labelSize('boot').height], 'above the top-left corner');
  assert.ok(!overlap(p[0]!, p[1]!), 'the second label moved away from the first');
  assert.deepEqual([p[2]!.x, p[2]!.y], [150, 0], 'a box at the top edge gets its label inside');
  for (const l of p) assert.ok(l.x >= 0 && l.y >= 0 && l.x + l.width <= 224 && l.y + l.height <= 224);
});
