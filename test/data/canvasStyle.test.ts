import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas, fillCanvas, type RgbCanvas } from '../../src/data/canvas.js';
import {
  BACKGROUND_FAMILIES, DEFAULT_STYLE_RANGES, HELD_OUT_STYLES, PRETRAIN_STYLES, TINT_RULES, sampleCanvasStyle, sampleItemPaint,
  type BackgroundFamily, type CanvasStyle, type StyleFamilies,
} from '../../src/data/canvasStyle.js';
import { degradeCanvas } from '../../src/data/cameraDegradation.js';
import { gaussianBlur } from '../../src/data/gaussianBlur.js';
import { jpegArtefacts, jpegQuantTable } from '../../src/data/jpegArtefacts.js';
import { Rng } from '../../src/data/random.js';
import { SceneGenerator } from '../../src/data/scenes.js';
import { SingleItemGenerator } from '../../src/data/singleItems.js';
import { drawBackground } from '../../src/data/styledBackground.js';
import { pasteTintedItem, resampleItem } from '../../src/data/tintedItem.js';
import { valueNoise } from '../../src/data/valueNoise.js';
import { syntheticItems } from './fixtures.js';

const ALL: StyleFamilies = { backgrounds: BACKGROUND_FAMILIES, tints: TINT_RULES };

function distinctColours(c: RgbCanvas): number {
  const n = c.width * c.height;
  const seen = new Set<string>();
  for (let p = 0; p < n; p++) seen.add(`${c.data[p]},${c.data[n + p]},${c.data[2 * n + p]}`);
  return seen.size;
}

/** Largest absolute difference between horizontally or vertically adjacent values. */
function maxStep(c: RgbCanvas): number {
  const { width: W, height: H, data: d } = c;
  let m = 0;
  for (let ch = 0; ch < 3; ch++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = ch * W * H + y * W + x;
        if (x + 1 < W) m = Math.max(m, Math.abs(d[p + 1]! - d[p]!));
        if (y + 1 < H) m = Math.max(m, Math.abs(d[p + W]! - d[p]!));
      }
    }
  }
  return m;
}

test('styled single items and scenes are deterministic per seed and differ across seeds', () => {
  const items = syntheticItems(4, 5);
  const a = new SingleItemGenerator(items, { seed: 3, styles: ALL });
  const b = new SingleItemGenerator(items, { seed: 3, styles: ALL });
  const c = new SingleItemGenerator(items, { seed: 4, styles: ALL });
  const ba = a.batchAt(2, 12);
  assert.deepEqual(b.batchAt(2, 12).images, ba.images);
  assert.deepEqual(b.batchAt(2, 12).labels, ba.labels);
  assert.notDeepEqual(c.batchAt(2, 12).images, ba.images);
  assert.notDeepEqual(a.batchAt(3, 12).images, ba.images);
  for (const k of [0, 7]) {
    assert.deepEqual(a.sample(new Rng(k)), b.sample(new Rng(k)), 'same style, frame and pixels from the same rng');
  }
  const sa = new SceneGenerator(items, { seed: 9, size: 128, maxItemSize: 80, styles: HELD_OUT_STYLES });
  const sb = new SceneGenerator(items, { seed: 9, size: 128, maxItemSize: 80, styles: HELD_OUT_STYLES });
  const sc = new SceneGenerator(items, { seed: 10, size: 128, maxItemSize: 80, styles: HELD_OUT_STYLES });
  for (const k of [0, 5]) {
    const x = sa.sceneAt(k);
    assert.deepEqual(sb.sceneAt(k), x);
    assert.equal(x.style?.background, 'mosaic');
    assert.equal(x.style?.tint, 'twoTone');
  }
  assert.notDeepEqual(sc.sceneAt(0).rgb, sa.sceneAt(0).rgb);
  // The classic look is untouched by the style machinery: no style, no style field.
  assert.equal(new SceneGenerator(items, { seed: 9, size: 128, maxItemSize: 80 }).sceneAt(0).style, undefined);
});

test('every family is drawn, and pre-training never draws the held-out ones', () => {
  const rng = new Rng(1);
  const seen = { backgrounds: new Set<string>(), tints: new Set<string>() };
  for (let i = 0; i < 400; i++) {
    const s = sampleCanvasStyle(rng, ALL);
    seen.backgrounds.add(s.background);
    seen.tints.add(s.tint);
  }
  assert.deepEqual([...seen.backgrounds].sort(), [...BACKGROUND_FAMILIES].sort());
  assert.deepEqual([...seen.tints].sort(), [...TINT_RULES].sort());
  for (const b of HELD_OUT_STYLES.backgrounds) assert.ok(!PRETRAIN_STYLES.backgrounds.includes(b), `${b} is held out`);
  for (const t of HELD_OUT_STYLES.tints) assert.ok(!PRETRAIN_STYLES.tints.includes(t), `${t} is held out`);
  const gen = new SingleItemGenerator(syntheticItems(), { seed: 2, styles: PRETRAIN_STYLES });
  const drawn = { backgrounds: new Set<string>(), tints: new Set<string>() };
  let blurred = 0;
  let jpeg = 0;
  for (let k = 0; k < 300; k++) {
    const s = gen.sample(new Rng(k)).style!;
    drawn.backgrounds.add(s.background);
    drawn.tints.add(s.tint);
    if (s.blurSigma > 0) blurred++;
    if (s.jpegQuality > 0) jpeg++;
    assert.ok(s.noise >= DEFAULT_STYLE_RANGES.noise[0] && s.noise <= DEFAULT_STYLE_RANGES.noise[1]);
  }
  assert.deepEqual([...drawn.backgrounds].sort(), [...PRETRAIN_STYLES.backgrounds].sort());
  assert.deepEqual([...drawn.tints].sort(), [...PRETRAIN_STYLES.tints].sort());
  assert.ok(blurred > 50 && blurred < 150, `blur drawn ${blurred}/300 times (p = 0.3)`);
  assert.ok(jpeg > 100 && jpeg < 200, `JPEG drawn ${jpeg}/300 times (p = 0.5)`);
  assert.throws(() => new SingleItemGenerator(syntheticItems(), { styles: { backgrounds: ['plaid' as BackgroundFamily], tints: ['flat'] } }), /unknown background family 'plaid'/);
  assert.throws(() => new SceneGenerator(syntheticItems(), { styles: { backgrounds: [], tints: ['flat'] } }), /at least one background/);
});

test('each background family has its own character', () => {
  const items = syntheticItems(4, 5);
  const stats = (family: BackgroundFamily, seed: number) => {
    const c = createCanvas(64, 64);
    drawBackground(c, new Rng(seed), family, items);
    for (const v of c.data) assert.ok(Number.isFinite(v));
    return { distinct: distinctColours(c), step: maxStep(c) };
  };
  for (let seed = 0; seed < 12; seed++) {
    assert.equal(stats('flat', seed).distinct, 1, 'flat: one colour');
    const m = stats('mosaic', seed);
    assert.ok(m.distinct >= 2 && m.distinct <= 40, `mosaic: a few flat cells (${m.distinct} colours)`);
    const g = stats('gradient', seed);
    assert.ok(g.distinct > 16 && g.step < 0.08, `gradient: smooth and varied (${g.distinct} colours, step ${g.step})`);
    const n = stats('noise', seed);
    assert.ok(n.distinct > 64 && n.step < 0.25, `noise: varied and continuous (${n.distinct} colours, step ${n.step})`);
    assert.ok(stats('texture', seed).distinct > 8, 'texture: an item texture, not a flat fill');
    assert.ok(stats('clutter', seed).distinct > 64, 'clutter: blotches and gratings');
  }
  const noise = valueNoise(new Rng(5), 50, 30, { cells: 3, octaves: 4, persistence: 0.5 });
  assert.equal(Math.min(...noise), 0);
  assert.equal(Math.max(...noise), 1);
});

test('tint rules: shaded, flat and two-tone items, with the requested contrast', () => {
  const items = syntheticItems(4, 5);
  const style = (tint: CanvasStyle['tint'], brightItems: boolean): CanvasStyle => ({
    background: 'flat', tint, contrast: 0.4, brightItems, fragments: 0, blurSigma: 0, noise: 0, jpegQuality: 0,
  });
  const rng = new Rng(3);
  for (let i = 0; i < 50; i++) {
    const bg = rng.next();
    for (const rule of TINT_RULES) {
      const p = sampleItemPaint(rng, style(rule, rng.bool()), bg);
      const v = Math.max(...p.tint);
      // Contrast holds whenever one side has room for it (0.12 is the darkest item value).
      if (bg + 0.4 <= 1 || bg - 0.4 >= 0.12) assert.ok(Math.abs(v - bg) >= 0.4 - 1e-9, `value ${v} on background ${bg}`);
      if (rule === 'flat') assert.ok(p.shading <= 0.15);
      if (rule === 'shaded') assert.ok(p.shading >= 0.4);
      assert.equal(p.tint2 !== undefined, rule === 'twoTone');
    }
  }
  // Dark items on a bright background when asked and possible.
  assert.ok(Math.max(...sampleItemPaint(new Rng(1), style('flat', false), 0.9).tint) <= 0.5);

  const raster = resampleItem(items, 3, 40, 40); // a wide item (class 3 of the synthetic set)
  const paintOn = (paint: Parameters<typeof pasteTintedItem>[4]) => {
    const c = createCanvas(40, 40);
    pasteTintedItem(c, raster, 0, 0, paint);
    const opaque: number[] = [];
    for (let p = 0; p < 1600; p++) if (raster.gray[p]! >= 0.12) opaque.push(p);
    return { c, opaque };
  };
  const flat = paintOn({ tint: [0.2, 0.6, 0.9], shading: 0 });
  for (const p of flat.opaque) assert.ok(Math.abs(flat.c.data[p]! - 0.2) < 1e-6 && Math.abs(flat.c.data[3200 + p]! - 0.9) < 1e-6, 'flat fill');
  const shaded = paintOn({ tint: [0.2, 0.6, 0.9], shading: 0.6 });
  assert.ok(new Set(shaded.opaque.map((p) => shaded.c.data[p])).size > 2, 'shading shows the texture');
  const two = paintOn({ tint: [1, 0, 0], tint2: [0, 0, 1], angle: 0, shading: 0 });
  const left = two.opaque.filter((p) => p % 40 < 14);
  const right = two.opaque.filter((p) => p % 40 >= 26);
  assert.ok(left.length > 0 && right.length > 0);
  for (const p of left) assert.ok(two.c.data[p]! > two.c.data[3200 + p]!, 'red side');
  for (const p of right) assert.ok(two.c.data[p]! < two.c.data[3200 + p]!, 'blue side');
});

test('camera degradations: blur, JPEG artefacts, noise', () => {
  const rng = new Rng(8);
  const noisy = createCanvas(32, 32);
  for (let i = 0; i < noisy.data.length; i++) noisy.data[i] = rng.next();
  const variance = (c: RgbCanvas) => {
    const m = c.data.reduce((a, b) => a + b, 0) / c.data.length;
    return c.data.reduce((a, b) => a + (b - m) * (b - m), 0) / c.data.length;
  };
  const blurred = { ...noisy, data: noisy.data.slice() };
  gaussianBlur(blurred, 1.2);
  assert.ok(variance(blurred) < 0.2 * variance(noisy), 'blur removes most of the fine variance');
  assert.ok(Math.abs(blurred.data.reduce((a, b) => a + b, 0) - noisy.data.reduce((a, b) => a + b, 0)) < 0.05 * noisy.data.length, 'and keeps the mean');

  // A flat colour stays flat through JPEG (its DC term moves by at most half a quantization step:
  // a few levels at quality 20); noise loses its high frequencies at low quality.
  const flat = createCanvas(24, 24);
  fillCanvas(flat, [0.3, 0.5, 0.7]);
  jpegArtefacts(flat, 20);
  assert.equal(distinctColours(flat), 1);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(flat.data[c * 576]! - [0.3, 0.5, 0.7][c]!) < 8 / 255);
  const gray = createCanvas(32, 32); // gray noise: no chroma, so only the luma quantization differs
  for (let p = 0; p < 1024; p++) gray.data[p] = gray.data[1024 + p] = gray.data[2048 + p] = rng.next();
  const low = { ...gray, data: gray.data.slice() };
  jpegArtefacts(low, 10);
  const high = { ...gray, data: gray.data.slice() };
  jpegArtefacts(high, 95);
  const err = (c: RgbCanvas) => c.data.reduce((a, v, i) => a + Math.abs(v - gray.data[i]!), 0) / c.data.length;
  assert.ok(err(low) > 2 * err(high), `quality 10 loses more than quality 95 (${err(low)} vs ${err(high)})`);
  for (const v of low.data) assert.ok(v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-3, `ends 8-bit in [0, 1]: ${v}`);
  assert.deepEqual(Array.from(jpegQuantTable([16, 11], 50)), [16, 11], 'quality 50 is the Annex K table');
  assert.deepEqual(Array.from(jpegQuantTable([16, 200], 100)), [1, 1]);

  const style: CanvasStyle = { background: 'flat', tint: 'flat', contrast: 0.3, brightItems: true, fragments: 0, blurSigma: 0, noise: 0.05, jpegQuality: 0 };
  const c1 = createCanvas(16, 16);
  fillCanvas(c1, [0.5, 0.5, 0.5]);
  degradeCanvas(c1, new Rng(2), style);
  for (const v of c1.data) assert.ok(Math.abs(v - 0.5) <= 0.05 + 1e-6);
  assert.ok(distinctColours(c1) > 100, 'pixel noise varies per pixel');
});
