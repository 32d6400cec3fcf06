import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { annotationSvg, pictureDataUri, NEGATIVE_COLOR, POSITIVE_COLOR } from '../../src/report/index.js';

const count = (s: string, sub: string): number => s.split(sub).length - 1;

test('selected cells: thin borders per cell, thick outline of their union', () => {
  // Two horizontally adjacent cells of a 2×2 grid over a 100×100 picture: the union outline has
  // 6 unit edges (top ×2, bottom ×2, left, right), the shared edge is not part of it.
  const svg = annotationSvg({ width: 100, height: 100, cells: { h: 2, w: 2, positive: [0, 1], negative: [3] } });
  const pos = /<g class="positive"[^>]*>(.*?)<\/g>/.exec(svg)![1]!;
  const paths = [...pos.matchAll(/d="([^"]*)"/g)].map((m) => m[1]!);
  assert.equal(count(paths[0]!, 'Z'), 2, 'one thin square per cell');
  assert.equal(count(paths[1]!, 'M'), 6, 'union outline: 6 edges');
  assert.ok(!/M50 0V50/.test(paths[1]!), 'the shared edge is not outlined');
  assert.ok(svg.includes(POSITIVE_COLOR) && svg.includes(NEGATIVE_COLOR));
  assert.equal(count(svg, 'class="negative"'), 1);
});

test('boxes and the peak marker', () => {
  const svg = annotationSvg({ width: 64, height: 48, boxes: [{ x0: 2, y0: 3, x1: 30, y1: 20 }, { x0: 0, y0: 0, x1: 10, y1: 10, dashed: true, color: '#f00' }], peak: { x: 12.5, y: 7.5 } });
  assert.equal(count(svg, '<g class="box">'), 2);
  assert.equal(count(svg, 'stroke-dasharray'), 2, 'the dashed box (outline and shadow)');
  assert.match(svg, /<circle cx="12.5" cy="7.5"/);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="64" height="48"/);
});

test('composited with sharp, lines land on the exact pixels', async () => {
  const black = { data: new Uint8Array(40 * 40 * 3), width: 40, height: 40 };
  // Box [10, 30) drawn inset by 1 px with a 2-px white stroke: columns 10..12 are white at mid-height.
  const uri = await pictureDataUri(black, { svg: annotationSvg({ width: 40, height: 40, boxes: [{ x0: 10, y0: 10, x1: 30, y1: 30 }] }), format: 'png' });
  assert.match(uri, /^data:image\/png;base64,/);
  const { data, info } = await sharp(Buffer.from(uri.split(',')[1]!, 'base64')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number): number => data[(y * info.width + x) * 3]!;
  assert.ok(at(11, 20) > 200, `edge pixel ${at(11, 20)}`);
  assert.ok(at(20, 20) < 10, 'inside stays black');
  assert.ok(at(3, 3) < 10, 'outside stays black');
});

test('annotationSvg: clear errors', () => {
  assert.throws(() => annotationSvg({ width: 10, height: 10, cells: { h: 2, w: 2, positive: [4] } }), /cell index 4 outside the 2×2 grid/);
  assert.throws(() => annotationSvg({ width: 0, height: 10 }), /width and height must be > 0/);
});
