import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxesFromHeatmap } from '../../src/eval/index.js';

// 5 wide × 4 high, two blobs:
//   row 0: 0   0   0   0   0.9
//   row 1: 0   1   0.6 0   0.8
//   row 2: 0   0.7 0   0   0
//   row 3: 0.5 0   0   0   0
// threshold 0.5·max = 0.5: cells (1,1) (2,1) (1,2) (0,3) form one 8-connected blob of 4 cells
// (only 3 cells when 4-connected: (0,3) touches (1,2) diagonally); (4,0) (4,1) form a second blob.
const W = 5;
const H = 4;
const map = [0, 0, 0, 0, 0.9, 0, 1, 0.6, 0, 0.8, 0, 0.7, 0, 0, 0, 0.5, 0, 0, 0, 0];

test('largest 8-connected component, in map coordinates by default', () => {
  const boxes = boxesFromHeatmap(map, { width: W, height: H, threshold: 0.5 });
  assert.equal(boxes.length, 1);
  assert.deepEqual(boxes[0], {
    x0: 0,
    y0: 1,
    x1: 3,
    y1: 4,
    score: 1,
    area: 4,
    cells: { x0: 0, y0: 1, x1: 3, y1: 4 },
  });
});

test('all components, sorted by area; 4-connectivity splits the diagonal', () => {
  const all8 = boxesFromHeatmap(map, { width: W, height: H, threshold: 0.5, mode: 'all' });
  assert.deepEqual(all8.map((b) => [b.area, b.score]), [[4, 1], [2, 0.9]]);
  assert.deepEqual(all8[1]!.cells, { x0: 4, y0: 0, x1: 5, y1: 2 });
  const all4 = boxesFromHeatmap(map, { width: W, height: H, threshold: 0.5, mode: 'all', connectivity: 4 });
  assert.deepEqual(all4.map((b) => [b.area, b.score]), [[3, 1], [2, 0.9], [1, 0.5]]);
});

test('map -> image scale: cell edges times pixels per cell', () => {
  const [b] = boxesFromHeatmap(map, { width: W, height: H, threshold: 0.5, scale: 32 });
  assert.deepEqual([b!.x0, b!.y0, b!.x1, b!.y1], [0, 32, 96, 128]);
  const [c] = boxesFromHeatmap(map, { width: W, height: H, threshold: 0.5, imageWidth: 500, imageHeight: 200 });
  assert.deepEqual([c!.x0, c!.y0, c!.x1, c!.y1], [0, 50, 300, 200]);
  const [d] = boxesFromHeatmap(map, { width: W, height: H, threshold: 0.5, scale: { x: 2, y: 3 } });
  assert.deepEqual([d!.x0, d!.y0, d!.x1, d!.y1], [0, 3, 6, 12]);
});

test('threshold: higher fraction shrinks the blob; ties in size go to the higher peak', () => {
  const [b] = boxesFromHeatmap(map, { width: W, height: H, threshold: 0.75 });
  // cells ≥ 0.75: (1,1)=1 alone and (4,0)=0.9,(4,1)=0.8 -> the 2-cell blob is the largest
  assert.deepEqual(b!.cells, { x0: 4, y0: 0, x1: 5, y1: 2 });
  // cut = 0.5·2 = 1: (0,0) = 1 and (2,0) = 2 are two 1-cell blobs; the higher peak wins the tie
  const [t] = boxesFromHeatmap([1, 0, 2, 0, 0, 0, 0, 0, 0], { width: 3, height: 3, threshold: 0.5 });
  assert.deepEqual(t!.cells, { x0: 2, y0: 0, x1: 3, y1: 1 });
  // equal area and peak: raster order of the first cell
  const [u] = boxesFromHeatmap([0, 0, 1, 1, 0, 0], { width: 3, height: 2, threshold: 0.5, connectivity: 4 });
  assert.deepEqual(u!.cells, { x0: 2, y0: 0, x1: 3, y1: 1 });
});

test('signed maps: relativeTo range; relativeTo max returns nothing when max ≤ 0', () => {
  const signed = [-5, -4, -1, -4, -5, -5];
  assert.deepEqual(boxesFromHeatmap(signed, { width: 3, height: 2 }), []);
  const [b] = boxesFromHeatmap(signed, { width: 3, height: 2, relativeTo: 'range', threshold: 0.5 });
  // min -5, max -1: cut -3 -> cell (2,0) only
  assert.deepEqual(b!.cells, { x0: 2, y0: 0, x1: 3, y1: 1 });
  // a constant map is one component covering everything
  const [flat] = boxesFromHeatmap([2, 2, 2, 2], { width: 2, height: 2, relativeTo: 'range' });
  assert.equal(flat!.area, 4);
});

test('bad input raises an Error naming the problem', () => {
  assert.throws(() => boxesFromHeatmap([1, 2, 3], { width: 2, height: 2 }), /map has 3 values but width × height = 2 × 2 = 4/);
  assert.throws(() => boxesFromHeatmap([1, NaN, 3, 4], { width: 2, height: 2 }), /map\[1\] \(row 0, col 1\) is NaN/);
  assert.throws(() => boxesFromHeatmap([1, 2, 3, 4], { width: 2, height: 2, threshold: 1.5 }), { name: 'RangeError', message: 'Expected a finite number in [0, 1] for option threshold of boxesFromHeatmap() but received 1.5' });
  assert.throws(() => boxesFromHeatmap([1, 2, 3, 4], { width: 2, height: 2, scale: 2, imageWidth: 4, imageHeight: 4 }), /not both/);
  assert.throws(() => boxesFromHeatmap([1, 2, 3, 4], { width: 2, height: 2, imageWidth: 4 }), /give both imageWidth and imageHeight/);
  assert.throws(() => boxesFromHeatmap([1, 2, 3, 4], { width: 2, height: 2, scale: 0 }), /scale is \(0, 0\)/);
  assert.throws(() => boxesFromHeatmap([1, 2, 3, 4], { width: 2, height: 2, connectivity: 6 as never }), { name: 'RangeError', message: 'Expected one of 4, 8 for option connectivity of boxesFromHeatmap() but received 6' });
});
