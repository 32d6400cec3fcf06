import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskBox } from '../../src/data/box.js';
import { Rng } from '../../src/data/random.js';
import { SceneGenerator } from '../../src/data/scenes.js';
import { syntheticItems } from './fixtures.js';

test('scenes are deterministic given the seed (same bytes) and differ across seeds', () => {
  const items = syntheticItems();
  const a = new SceneGenerator(items, { seed: 5, size: 128, maxItemSize: 80 });
  const b = new SceneGenerator(items, { seed: 5, size: 128, maxItemSize: 80 });
  const c = new SceneGenerator(items, { seed: 6, size: 128, maxItemSize: 80 });
  for (const k of [0, 3, 17]) {
    const sa = a.sceneAt(k);
    const sb = b.sceneAt(k);
    assert.deepEqual(sa.rgb, sb.rgb);
    assert.deepEqual(sa.classMask, sb.classMask);
    assert.deepEqual(sa.objects, sb.objects);
  }
  // Order independence: scene 3 is the same whether or not scene 0..2 were generated first.
  assert.deepEqual(new SceneGenerator(items, { seed: 5, size: 128, maxItemSize: 80 }).sceneAt(3).rgb, a.sceneAt(3).rgb);
  assert.notDeepEqual(a.sceneAt(0).rgb, c.sceneAt(0).rgb);
});

test('labels, boxes and masks of scenes agree', () => {
  const items = syntheticItems();
  const gen = new SceneGenerator(items, { seed: 11 });
  assert.deepEqual(gen.classNames, ['alpha', 'beta', 'mu', 'zeta'], 'alphabetical class order');
  let multi = 0;
  for (let k = 0; k < 40; k++) {
    const s = gen.sceneAt(k);
    assert.equal(s.rgb.length, 192 * 192 * 3);
    assert.ok(s.objects.length >= 1 && s.objects.length <= 4);
    if (s.objects.length > 1) multi++;
    const present = new Set<number>();
    for (const v of s.classMask) if (v !== 0) present.add(v - 1);
    assert.deepEqual([...present].sort((x, y) => x - y), s.classes, 'mask classes = image labels');
    const labels = gen.labelsOf(s);
    for (let c = 0; c < gen.numClasses; c++) assert.equal(labels[c], s.classes.includes(c) ? 1 : -1);
    s.objects.forEach((o, j) => {
      assert.equal(gen.classNames[o.classIndex], o.className);
      assert.equal(items.classNames[items.labels[o.itemIndex]!], o.className, 'class follows the source item');
      assert.deepEqual(maskBox(s.instanceMask, s.width, s.height, j + 1), o.box, 'box = tight box of the instance');
      assert.ok(o.box.x0 >= o.frame.x0 && o.box.x1 <= o.frame.x1 && o.box.y0 >= o.frame.y0 && o.box.y1 <= o.frame.y1);
      assert.ok(o.frame.x0 >= 0 && o.frame.x1 <= 192 && o.frame.y0 >= 0 && o.frame.y1 <= 192, 'never truncated');
      assert.ok(o.visibleArea >= 0.75 * o.fullArea, 'mostly visible');
      let area = 0;
      for (let p = 0; p < s.instanceMask.length; p++) {
        if (s.instanceMask[p] === j + 1) {
          area++;
          assert.equal(s.classMask[p], o.classIndex + 1);
        }
      }
      assert.equal(area, o.visibleArea);
    });
  }
  assert.ok(multi > 10, `expected many multi-item scenes, got ${multi}/40`);
});

test('void borders mark pixels next to another label', () => {
  const gen = new SceneGenerator(syntheticItems(), { seed: 2, size: 96, maxItemSize: 60, minItemSize: 30, voidBorder: 1 });
  const s = gen.sceneAt(0);
  let voids = 0;
  for (let y = 1; y < s.height - 1; y++) {
    for (let x = 1; x < s.width - 1; x++) {
      const v = s.classMask[y * s.width + x]!;
      if (v === 255) { voids++; continue; }
      // A non-void pixel has no differently-labelled (non-void) 8-neighbour.
      for (const [dx, dy] of [[1, 0], [0, 1], [1, 1], [-1, 1]] as const) {
        const u = s.classMask[(y + dy) * s.width + x + dx]!;
        if (u !== 255) assert.equal(u, v, `pixel ${x},${y}`);
      }
    }
  }
  assert.ok(voids > 0);
  assert.ok(s.objects.every((o) => o.box.x1 > o.box.x0));
});

test('scene options are validated with clear messages', () => {
  const items = syntheticItems();
  assert.throws(() => new SceneGenerator(items, { size: 64 }), /do not fit a 64×64 image/);
  assert.throws(() => new SceneGenerator(items, { minItems: 3, maxItems: 2 }), /minItems <= maxItems/);
  assert.throws(() => new SceneGenerator(items, { classNames: ['alpha'] }), /item class 'zeta' is missing/);
  const r = new SceneGenerator(items, { seed: 1 }).render(new Rng(3));
  assert.ok(r.objects.length >= 1);
});
