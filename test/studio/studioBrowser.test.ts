// The studio page in a real headless browser (Debian's chromium driven by playwright-core, no
// browser download), on a tiny run trained here: upload a scene and check the overlay and the
// scores against `wildcat predict`; move α and check the re-pooled score against the engine's
// wildcatPool; open a false positive from the dataset browser and segment it. A screenshot is
// left in dist/test-artifacts/ for people to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { setNumThreads, tensor, tidy } from '../../src/core/index.js';
import type { DatasetImageDetail, ImageMapsMeta, ImageSegmentationAnswer } from '../../src/studio/apiTypes.js';
import { decodeMapsMessage } from '../../src/studio/mapsMessage.js';
import { startStudio, type Studio } from '../../src/studio/studioServer.js';
import { lsePool, wildcatPool } from '../../src/wsl/index.js';
import { withLeakCheck } from '../helpers/leak.js';
import { cli, makeTinyRun, sceneJpeg } from './tinyRun.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (make test installs Debian's chromium)`;

let root: string;
let tiny: ReturnType<typeof makeTinyRun>;
let studio: Studio;
let context: BrowserContext;
let page: Page;
/** `wildcat predict` scores: id → class name → score. */
const predicted = new Map<string, Map<string, number>>();
const pageErrors: string[] = [];
const foreignRequests: string[] = [];

before(async () => {
  if (skip) return;
  setNumThreads(1);
  root = mkdtempSync(join(tmpdir(), 'wildcat-studio-browser-'));
  tiny = makeTinyRun(root);
  cli('predict', '--run', tiny.run, '--data', tiny.data, '--split', 'test', '--out', join(root, 'pred'), '--threads', '1');
  const [head, ...rows] = readFileSync(join(root, 'pred', 'classification.csv'), 'utf8').trim().split('\n');
  const names = head!.split(',').slice(1);
  for (const r of rows) {
    const [id, ...v] = r.split(',');
    predicted.set(id!, new Map(names.map((n, c) => [n, Number(v[c])])));
  }
  studio = await startStudio({ run: tiny.run, data: tiny.data, port: 0 });
  context = await chromium.launchPersistentContext(join(root, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 950 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => (m.type() === 'error' ? pageErrors.push(m.text()) : undefined));
  page.on('request', (r) => (r.url().startsWith(studio.url) || /^(blob|data):/.test(r.url()) ? undefined : foreignRequests.push(r.url())));
  await page.goto(studio.url);
  await page.waitForSelector('#dataset-list li[data-id]');
});

after(async () => {
  await context?.close();
  await studio?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The class list as the page shows it: name → displayed text, re-pooled score, the run's score. */
async function shownScores(): Promise<Map<string, { text: string; score: number; run: number }>> {
  const rows = await page.$$eval('#scores tbody tr', (trs) =>
    trs.map((tr) => ({ name: tr.getAttribute('data-class')!, text: tr.children[1]!.textContent!, score: Number(tr.getAttribute('data-score')), run: Number(tr.getAttribute('data-run-score')) })));
  return new Map(rows.map((r) => [r.name, r]));
}

const draws = () => page.$eval('#overlay', (c) => Number((c as HTMLCanvasElement).dataset.draws));

/** Waits until the overlay has been drawn again after `n` draws. */
async function drawnAfter(n: number): Promise<void> {
  await page.waitForFunction((k) => Number((document.querySelector('#overlay') as HTMLCanvasElement).dataset.draws) > k, n);
}

/** Mean absolute difference between the overlay canvas and the bare image drawn at its size. */
function overlayVsImage(): Promise<number> {
  return page.$eval('#overlay', async (el) => {
    const c = el as HTMLCanvasElement;
    const img = new Image();
    // The uploaded picture, drawn again from the file input at the canvas's size.
    const file = (document.querySelector('#file-input') as HTMLInputElement).files![0]!;
    img.src = URL.createObjectURL(file);
    await img.decode();
    const ref = document.createElement('canvas');
    ref.width = c.width;
    ref.height = c.height;
    const rctx = ref.getContext('2d')!;
    rctx.drawImage(img, 0, 0, c.width, c.height);
    const a = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const b = rctx.getImageData(0, 0, c.width, c.height).data;
    let d = 0;
    for (let i = 0; i < a.length; i += 4) d += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
    return d / ((a.length / 4) * 3);
  });
}

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol + tol * Math.abs(b);

test('upload a scene: the overlay is drawn and the scores are those of `wildcat predict`', { skip }, async () => {
  const id = [...predicted.keys()][1]!;
  const before = await draws().catch(() => 0);
  await page.setInputFiles('#file-input', sceneJpeg(tiny.scenes, id));
  await drawnAfter(before || 0);
  assert.equal(await page.$eval('#overlay', (c) => (c as HTMLCanvasElement).dataset.source), 'upload');
  // The heatmap changes the picture; at opacity 0 the canvas is the image itself.
  const withMap = await overlayVsImage();
  assert.ok(withMap > 10, `heatmap blended over the image (mean difference ${withMap.toFixed(1)})`);
  let n = await draws();
  await page.fill('#opacity', '0');
  await drawnAfter(n);
  const bare = await overlayVsImage();
  assert.ok(bare < 2, `opacity 0 shows the image (mean difference ${bare.toFixed(2)})`);
  n = await draws();
  await page.fill('#opacity', '0.5');
  await drawnAfter(n);
  assert.ok(Number(await page.$eval('#annotations', (e) => (e as HTMLElement).dataset.top)) >= 1, 'k+ regions drawn');
  assert.equal(await page.locator('#modalities canvas.modality').count(), 2, 'M = 2 modality maps');

  const shown = await shownScores();
  const expected = predicted.get(id)!;
  assert.equal(shown.size, 10);
  for (const [name, v] of expected) {
    const s = shown.get(name)!;
    assert.ok(close(s.run, v), `${name}: the run's score ${s.run} vs wildcat predict ${v}`);
    assert.ok(close(s.score, v), `${name}: re-pooled with the run's settings ${s.score} vs wildcat predict ${v}`);
    assert.equal(s.text, s.score.toFixed(4));
  }
});

test('move α: the displayed scores are the engine\'s wildcatPool with that α; "Run settings" restores them', { skip }, async () => {
  const id = [...predicted.keys()][1]!;
  const res = await fetch(new URL('/api/predict', studio.url), { method: 'POST', body: readFileSync(sceneJpeg(tiny.scenes, id)) });
  const m = decodeMapsMessage<ImageMapsMeta>(new Uint8Array(await res.arrayBuffer()));
  const { h, w } = m.meta.grid;
  let engine: number[] = [];
  let lse: number[] = [];
  await withLeakCheck(() => {
    tidy(() => {
      const maps = tensor(m.arrays.classMaps!.data, { shape: [1, 10, h, w] });
      engine = wildcatPool(maps, { kmax: 0.2, kmin: 0.2, alpha: 0.35 }).toNumbers();
      lse = lsePool(maps, { r: 5 }).toNumbers();
    });
  });
  const original = await shownScores();
  let n = await draws();
  await page.fill('#alpha', '0.35');
  await drawnAfter(n);
  assert.equal(await page.textContent('#alpha-value'), '0.35');
  const moved = await shownScores();
  const names = [...original.keys()];
  let changed = 0;
  for (const name of names) {
    const c = studio.info.classNames.indexOf(name);
    const s = moved.get(name)!;
    assert.ok(close(s.score, engine[c]!), `${name}: page ${s.score} vs wildcatPool α = 0.35 ${engine[c]}`);
    assert.ok(Math.abs(Number(s.text) - engine[c]!) <= 5.1e-5, `${name}: shown ${s.text} vs ${engine[c]}`);
    if (Math.abs(s.score - original.get(name)!.score) > 1e-6) changed++;
  }
  assert.ok(changed >= 5, 'α moves the scores');
  assert.match(await page.textContent('#pooling-note') ?? '', /re-pooled in the browser with these settings/);

  n = await draws();
  await page.selectOption('#pooling-kind', 'lse');
  await drawnAfter(n);
  const pooledLse = await shownScores();
  studio.info.classNames.forEach((name, c) =>
    assert.ok(close(pooledLse.get(name)!.score, lse[c]!), `${name}: LSE r = 5 ${pooledLse.get(name)!.score} vs lsePool ${lse[c]}`));
  assert.equal(await page.$eval('#annotations', (e) => (e as HTMLElement).dataset.top), '0', 'LSE selects no regions');

  n = await draws();
  await page.click('#reset-pooling');
  await drawnAfter(n);
  const restored = await shownScores();
  for (const name of names) assert.equal(restored.get(name)!.score, original.get(name)!.score, name);
  assert.equal(await page.inputValue('#alpha'), '0.7');
  assert.equal(await page.textContent('#pooling-note'), '');
});

test('open a false positive from the dataset browser', { skip }, async () => {
  await page.selectOption('#dataset-filter', 'fp');
  await page.waitForFunction(() => {
    const items = document.querySelectorAll('#dataset-list li[data-id]');
    return items.length > 0 && [...items].every((li) => li.querySelector('.tag.false-positive'));
  });
  const id = (await page.getAttribute('#dataset-list li[data-id]', 'data-id'))!;
  const n = await draws();
  await page.click(`#dataset-list li[data-id="${id}"] button`);
  await drawnAfter(n);
  assert.equal(await page.$eval('#overlay', (c) => (c as HTMLCanvasElement).dataset.source), id);
  const detail = (await (await fetch(new URL(`/api/dataset/images/${id}`, studio.url))).json()) as DatasetImageDetail;
  assert.ok(detail.falsePositives.length > 0);
  const fpName = studio.info.classNames[detail.falsePositives[0]!]!;
  // The image opens on its false positive: that class's map, marked in the class list.
  assert.equal(await page.$eval('#overlay', (c) => (c as HTMLCanvasElement).dataset.cls), fpName);
  const row = page.locator('#scores tr.selected');
  assert.equal(await row.getAttribute('data-class'), fpName);
  assert.match((await row.getAttribute('class'))!, /\bfp\b/);
  assert.equal(detail.labels[detail.falsePositives[0]!], -1, 'the class is absent from the image');
  assert.match(await page.textContent('#caption') ?? '', new RegExp(`dataset image ${id}`));
  assert.equal(await page.getAttribute('#dataset-list li[aria-current]', 'data-id'), id, 'the open image is marked in the list');
});

test('segment the open image: its labels over it, the ground truth beside, the legend', { skip }, async () => {
  const id = (await page.getAttribute('#dataset-list li[aria-current]', 'data-id'))!;
  await page.click('#segment');
  await page.waitForSelector(`canvas#segmentation[data-source="${id}"]`);
  const seg = (await (await fetch(new URL(`/api/dataset/images/${id}/segmentation`, studio.url))).json()) as ImageSegmentationAnswer;
  const legend = await page.$$eval('#segmentation-legend li[data-label]', (lis) => lis.map((li) => [li.getAttribute('data-label'), Number(li.getAttribute('data-pixels'))]));
  const names = ['background', ...studio.info.classNames];
  assert.deepEqual(legend, seg.labelPixels.flatMap((n, l) => (n > 0 || seg.truthPixels![l]! > 0 ? [[names[l], n]] : [])), 'the legend: the labels of the segmentation and the truth');
  // Each picture is the image with the label colours blended in (background darkened): not the bare image.
  const pictures = await page.$$eval('#segmentation-figures canvas', async (cs, src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    return cs.map((c) => {
      const cv = c as HTMLCanvasElement;
      const ref = document.createElement('canvas');
      ref.width = cv.width;
      ref.height = cv.height;
      ref.getContext('2d')!.drawImage(img, 0, 0, cv.width, cv.height);
      const a = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      const b = ref.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      let d = 0;
      for (let i = 0; i < a.length; i += 4) d += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
      return { id: cv.id, w: cv.width, h: cv.height, diff: d / ((a.length / 4) * 3) };
    });
  }, `/api/dataset/images/${id}/image`);
  assert.deepEqual(pictures.map((p) => [p.id, p.w, p.h]), [['segmentation', 300, 300], ['segmentation-truth', 300, 300]]);
  for (const p of pictures) assert.ok(p.diff > 10, `${p.id}: labels blended over the image (mean difference ${p.diff.toFixed(1)})`);
  assert.match(await page.textContent('#segmentation-caption') ?? '', new RegExp(`dataset image ${id} · mean IoU with the ground truth ${seg.meanIoU!.toFixed(3)}`));

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'studio-browser.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(readFileSync(shot).length > 10_000);
  assert.deepEqual(pageErrors, [], 'no error in the page');
  assert.deepEqual(foreignRequests, [], 'nothing is fetched from anywhere but the studio');
});
