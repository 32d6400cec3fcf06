// The studio's HTTP API on a tiny trained run: info, uploads (good, oversized, truncated, not an
// image, too many pixels), dataset listing and ids (no traversal), segmentation (the run's tuned
// thresholds, the labels of `wildcat predict`'s masks), 20 concurrent uploads, the queue's 503, a
// failing request next to working ones, and no tensor left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memory, setNumThreads } from '../../src/core/index.js';
import { evidenceKey, saveThresholdTuning } from '../../src/segment/index.js';
// Through the package's studio subpath, as a script would use it.
import {
  decodeMapsMessage, MAPS_MESSAGE_TYPE, startStudio,
  type DatasetImageDetail, type DatasetPage, type ImageMapsMeta, type ImageSegmentationAnswer, type Studio, type StudioInfo,
} from '../../src/studio/index.js';
import { openVocSplit } from '../../src/train/datasetSpec.js';
import { runSegmentationSettings } from '../../src/train/runSegmentation.js';
import { completeWslConfig, type WslTrainConfig } from '../../src/train/wslConfig.js';
import { pngHeaderOnly } from './pngHeader.js';
import { cli, makeTinyRun, sceneJpeg } from './tinyRun.js';

let root: string;
let tiny: ReturnType<typeof makeTinyRun>;
let studio: Studio;
let tensorsBefore: number;
const errors: string[] = [];

before(async () => {
  setNumThreads(1);
  root = mkdtempSync(join(tmpdir(), 'wildcat-studio-api-'));
  tiny = makeTinyRun(root);
  // Tuned thresholds in the run (as \`wildcat tune-segmentation\` stores them), then the masks
  // \`wildcat predict\` writes with them: what the studio's segmentation must give.
  const config = completeWslConfig(JSON.parse(readFileSync(join(tiny.run, 'config.json'), 'utf8')) as WslTrainConfig);
  saveThresholdTuning(tiny.run, {
    key: evidenceKey(runSegmentationSettings(config), 'best'), data: tiny.data, split: 'val', images: 8, classNames: config.classNames,
    global: { threshold: 0.3, mIoU: 0 }, perClass: { thresholds: config.classNames.map((_, c) => 0.2 + 0.02 * c), mIoU: 0 }, untuned: { threshold: 0.5, mIoU: 0 },
    date: new Date().toISOString(),
  });
  cli('predict', '--run', tiny.run, '--data', tiny.data, '--split', 'test', '--out', join(root, 'pred'), '--threads', '1');
  tensorsBefore = memory().tensors;
  studio = await startStudio({ run: tiny.run, data: tiny.data, port: 0, logError: (l) => errors.push(l) });
});

after(async () => {
  await studio?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One raw HTTP request (the path is sent as written: no URL normalization on the way). */
function call(path: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer; chunks?: Buffer[]; port?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: opts.port ?? studio.port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    // A server that answers before reading the whole body may close early: the answer counts.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    if (opts.chunks) {
      for (const c of opts.chunks) req.write(c);
      req.end();
    } else req.end(opts.body);
  });
}

const json = <T>(a: Answer): T => JSON.parse(a.body.toString('utf8')) as T;
const upload = (body: Buffer, headers: Record<string, string> = {}, port?: number) => call('/api/predict', { method: 'POST', body, headers: { 'Content-Type': 'image/jpeg', ...headers }, port });
const testIds = () => readFileSync(join(tiny.scenes, 'VOC2007', 'ImageSets', 'Main', 'test.txt'), 'utf8').trim().split('\n');

function scoresOf(a: Answer): number[] {
  assert.equal(a.status, 200, a.body.toString());
  assert.equal(a.headers['content-type'], MAPS_MESSAGE_TYPE);
  return [...decodeMapsMessage<ImageMapsMeta>(a.body).arrays.scores!.data];
}

test('binds 127.0.0.1 by default; /api/info describes the run, its pooling and the limits', async () => {
  assert.equal(studio.host, '127.0.0.1');
  assert.match(studio.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const info = json<StudioInfo>(await call('/api/info'));
  assert.deepEqual(info.classNames, ['bag', 'boot', 'coat', 'dress', 'pullover', 'sandal', 'shirt', 'sneaker', 'trouser', 'tshirt']);
  assert.deepEqual(info.pooling, { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7, halve: false });
  assert.equal(info.maps, 2);
  assert.deepEqual(info.grid, { h: 4, w: 4 });
  assert.deepEqual(info.limits, { maxUploadBytes: 20 * 2 ** 20, maxPixels: 40e6, queueCapacity: 32 });
  assert.deepEqual(info.dataset, { spec: tiny.data, split: 'test', images: 8 });
  assert.equal(info.capabilities.segmentation, true);
  assert.equal(info.segmentation?.background, 'per-class δ_k tuned on val (8 images)');
  assert.deepEqual(info.segmentation?.labelNames, ['background', ...info.classNames]);
  const page = await call('/');
  assert.equal(page.status, 200);
  assert.match(page.body.toString(), /<script type="module" src="\/assets\/studio\.js"><\/script>/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
  const js = await call('/assets/studio.js');
  assert.equal(js.status, 200);
  assert.ok(js.body.length > 10_000, 'the page bundle is served');
  assert.equal((await call('/assets/../package.json')).status, 404);
  assert.equal((await call('/api/info', { headers: { Host: 'evil.example:80' } })).status, 403, 'DNS rebinding: foreign Host refused');
});

test('an upload: scores, class maps and modality maps with their shapes; JSON on request', async () => {
  const bytes = readFileSync(sceneJpeg(tiny.scenes, testIds()[0]!));
  const a = await upload(bytes);
  const m = decodeMapsMessage<ImageMapsMeta>(a.body);
  assert.deepEqual(m.meta.image, { width: 64, height: 64 });
  assert.deepEqual(m.meta.grid, { h: 4, w: 4 });
  assert.equal(m.meta.maps, 2);
  assert.deepEqual(m.arrays.scores!.shape, [10]);
  assert.deepEqual(m.arrays.classMaps!.shape, [10, 4, 4]);
  assert.deepEqual(m.arrays.modalityMaps!.shape, [20, 4, 4]);
  // The class maps are the mean of each class's two modality maps.
  const cm = m.arrays.classMaps!.data;
  const mm = m.arrays.modalityMaps!.data;
  for (let c = 0; c < 10; c++) for (let p = 0; p < 16; p++) assert.ok(Math.abs(cm[c * 16 + p]! - (mm[2 * c * 16 + p]! + mm[(2 * c + 1) * 16 + p]!) / 2) < 1e-6);
  const j = json<{ meta: ImageMapsMeta; arrays: Record<string, { shape: number[]; data: number[] }> }>(await upload(bytes, { Accept: 'application/json' }));
  assert.deepEqual(j.arrays.scores!.data, [...m.arrays.scores!.data]);
  // The content type is not trusted either way: the bytes decide (curl --data-binary sends a form type).
  assert.deepEqual(scoresOf(await upload(bytes, { 'Content-Type': 'application/x-www-form-urlencoded' })), [...m.arrays.scores!.data]);
});

test('oversized uploads: 413 by Content-Length before reading, and while streaming without one', async () => {
  const big = Buffer.alloc(20 * 2 ** 20 + 1, 0xff);
  const declared = await upload(big);
  assert.equal(declared.status, 413);
  assert.match(json<{ error: string }>(declared).error, /upload too large: 20\.0 MiB declared; the limit is 20 MiB/);
  const chunk = Buffer.alloc(2 ** 20, 0xd8);
  const streamed = await call('/api/predict', { method: 'POST', chunks: Array.from({ length: 21 }, () => chunk), headers: { 'Transfer-Encoding': 'chunked' } });
  assert.equal(streamed.status, 413);
  assert.match(json<{ error: string }>(streamed).error, /more than 20 MiB sent/);
  assert.equal((await call('/api/info')).status, 200, 'the server still answers');
});

test('truncated, non-image and huge-pixel uploads: 415 / 413 with the reason', async () => {
  const jpeg = readFileSync(sceneJpeg(tiny.scenes, testIds()[1]!));
  const cut = await upload(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  assert.equal(cut.status, 415, cut.body.toString());
  assert.match(json<{ error: string }>(cut).error, /^upload: cannot decode the image: .*(premature|truncated|damaged)/i);
  const png = await (await import('sharp')).default(jpeg).png().toBuffer();
  const cutPng = await upload(png.subarray(0, Math.floor(png.length * 0.5)), { 'Content-Type': 'image/png' });
  assert.equal(cutPng.status, 415, cutPng.body.toString());
  const text = await upload(Buffer.from('GET / HTTP/1.1 — not an image'), { 'Content-Type': 'text/plain' });
  assert.equal(text.status, 415);
  assert.match(json<{ error: string }>(text).error, /not a JPEG, PNG or WebP image/);
  const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'), { 'Content-Type': 'image/svg+xml' });
  assert.equal(svg.status, 415);
  assert.match(json<{ error: string }>(svg).error, /XML\/SVG/);
  const form = await upload(jpeg, { 'Content-Type': 'multipart/form-data; boundary=x' });
  assert.equal(form.status, 415);
  assert.match(json<{ error: string }>(form).error, /send the image file itself as the request body/);
  const huge = await upload(pngHeaderOnly(10000, 8000), { 'Content-Type': 'image/png' });
  assert.equal(huge.status, 413);
  assert.match(json<{ error: string }>(huge).error, /10000×8000 = 80\.0 megapixels; the limit is 40\.0 megapixels/);
  assert.equal((await upload(Buffer.alloc(0))).status, 415);
  assert.deepEqual(errors, [], 'client errors are not server failures');
});

test('dataset: pages, filters, one image, its picture, maps and mask', async () => {
  const all = json<DatasetPage>(await call('/api/dataset?sort=id&limit=5'));
  assert.equal(all.total, 8);
  assert.deepEqual(all.items.map((i) => i.id), testIds().slice(0, 5));
  const fp = json<DatasetPage>(await call('/api/dataset?filter=fp'));
  assert.ok(fp.items.every((i) => i.falsePositives.length > 0));
  assert.equal((await call('/api/dataset?filter=nope')).status, 400);
  const id = testIds()[2]!;
  const d = json<DatasetImageDetail>(await call(`/api/dataset/images/${id}`));
  assert.equal(d.id, id);
  assert.deepEqual([d.width, d.height], [64, 64]);
  assert.equal(d.labels.length, 10);
  assert.ok(d.objects.length >= 1 && d.objects.every((o) => o.cls >= 0 && o.box.x1 > o.box.x0));
  assert.deepEqual(d.present, d.labels.flatMap((l, c) => (l === 1 ? [c] : [])));
  assert.equal(d.hasMask, true);
  const pic = await call(`/api/dataset/images/${id}/image`);
  assert.equal(pic.headers['content-type'], 'image/jpeg');
  assert.ok(pic.body.equals(readFileSync(sceneJpeg(tiny.scenes, id))));
  assert.equal((await call(`/api/dataset/images/${id}/mask`)).headers['content-type'], 'image/png');
  // The maps of a dataset image are those of the same file uploaded.
  const maps = scoresOf(await call(`/api/dataset/images/${id}/maps`));
  assert.deepEqual(maps, scoresOf(await upload(pic.body)));
  d.scores.forEach((v, c) => assert.ok(Math.abs(v - maps[c]!) < 1e-5, `class ${c}: listing ${v}, maps ${maps[c]}`));
});

test('segmentation: the labels of `wildcat predict`\'s masks (tuned thresholds), for dataset images and uploads', async () => {
  for (const id of testIds().slice(0, 3)) {
    const a = json<ImageSegmentationAnswer>(await call(`/api/dataset/images/${id}/segmentation`));
    assert.deepEqual([a.source, a.width, a.height, a.image], [id, 64, 64, { width: 64, height: 64 }]);
    const png = Buffer.from(a.png.replace(/^data:image\/png;base64,/, ''), 'base64');
    assert.ok(png.equals(readFileSync(join(root, 'pred', 'segmentation', `${id}.png`))), `${id}: the mask of wildcat predict`);
    assert.equal(a.labelPixels.length, 11);
    assert.equal(a.labelPixels.reduce((x, y) => x + y), 64 * 64);
    assert.ok(a.meanIoU !== null && a.meanIoU >= 0 && a.meanIoU <= 1, 'scored against the ground-truth mask');
    assert.ok(a.truthPixels!.slice(1).some((n) => n > 0), 'the truth has objects');
    const up = json<ImageSegmentationAnswer>(await call('/api/segment', { method: 'POST', body: readFileSync(sceneJpeg(tiny.scenes, id)) }));
    assert.deepEqual([up.source, up.png, up.labelPixels, up.meanIoU, up.truthPixels], ['upload', a.png, a.labelPixels, null, null]);
  }
  const text = await call('/api/segment', { method: 'POST', body: Buffer.from('not an image') });
  assert.equal(text.status, 415);
  assert.match(json<{ error: string }>(text).error, /not a JPEG, PNG or WebP image/);
  assert.equal((await call('/api/segment', { method: 'POST', body: pngHeaderOnly(10000, 8000) })).status, 413);
  const jpeg = readFileSync(sceneJpeg(tiny.scenes, testIds()[0]!));
  const cut = await call('/api/segment', { method: 'POST', body: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)) });
  assert.equal(cut.status, 415, cut.body.toString());
  assert.match(json<{ error: string }>(cut).error, /^upload: cannot decode the image/);
  assert.equal((await call('/api/dataset/images/..%2F..%2Fetc%2Fpasswd/segmentation')).status, 400);
  assert.equal((await call('/api/segment')).status, 405);
});

test('dataset ids: ../ and absolute ids never reach a file', async () => {
  const paths = [
    '/api/dataset/images/..%2F..%2F..%2Fetc%2Fpasswd/image',
    '/api/dataset/images/%2Fetc%2Fpasswd/image',
    '/api/dataset/images/..%2FAnnotations%2F000033.xml/image',
    '/api/dataset/images/../../../../etc/passwd',
    '/api/dataset/images/%2e%2e/%2e%2e/image',
    '/api/dataset/images//etc/passwd/image',
    '/api/dataset/images/..%5C..%5Cwin.ini/image',
    '/api/dataset/images/%00/image',
    '/api/dataset/images/999999/image',
    '/../../etc/passwd',
    '//[/api/info',
  ];
  for (const p of paths) {
    const a = await call(p);
    assert.ok([400, 404].includes(a.status), `${p}: ${a.status}`);
    assert.match(a.headers['content-type'] as string, /^application\/json/, p);
    assert.doesNotMatch(a.body.toString(), /root:/, p);
  }
  assert.equal((await call('/api/dataset/images/..%2F..%2Fetc%2Fpasswd/image')).status, 400);
  assert.equal((await call('/api/dataset/images/%2Fetc%2Fpasswd')).status, 400);
});

test('20 concurrent uploads are all answered, each with its own image\'s scores', async () => {
  const files = [...testIds(), ...readFileSync(join(tiny.scenes, 'VOC2007', 'ImageSets', 'Main', 'train.txt'), 'utf8').trim().split('\n')].slice(0, 20).map((id) => readFileSync(sceneJpeg(tiny.scenes, id)));
  const expected: number[][] = [];
  for (const f of files) expected.push(scoresOf(await upload(f)));
  const answers = await Promise.all(files.map((f) => upload(f)));
  answers.forEach((a, i) => assert.deepEqual(scoresOf(a), expected[i], `upload ${i}`));
});

test('a full queue answers 503 with Retry-After; the others are served', async () => {
  const busy = await startStudio({ run: tiny.run, port: 0, limits: { queueCapacity: 0 } });
  try {
    const f = readFileSync(sceneJpeg(tiny.scenes, testIds()[0]!));
    const answers = await Promise.all(Array.from({ length: 20 }, () => upload(f, {}, busy.port)));
    const codes = answers.map((a) => a.status);
    assert.ok(codes.every((c) => c === 200 || c === 503), codes.join(','));
    assert.ok(codes.includes(503), `some request waited for a full queue: ${codes.join(',')}`);
    for (const a of answers.filter((x) => x.status === 503)) {
      assert.ok(Number(a.headers['retry-after']) >= 1);
      assert.match(json<{ error: string }>(a).error, /the server is busy/);
    }
    assert.ok(codes.includes(200));
  } finally {
    await busy.close();
  }
});

test('a request that fails inside the server gets a 500; the server keeps answering', async () => {
  const id = testIds()[3]!;
  const file = sceneJpeg(tiny.scenes, id);
  renameSync(file, `${file}.moved`);
  try {
    const a = await call(`/api/dataset/images/${id}/maps`);
    assert.equal(a.status, 500);
    assert.match(json<{ error: string }>(a).error, /image file not found/);
    assert.equal(errors.length, 1, 'the failure is logged');
  } finally {
    renameSync(`${file}.moved`, file);
  }
  assert.equal((await call(`/api/dataset/images/${id}/maps`)).status, 200);
  assert.equal((await call('/api/nothing')).status, 404);
  assert.equal((await call('/api/info', { method: 'DELETE' })).headers.allow, 'GET');
});

test('a COCO split is browsed the same way: listing, objects, masks painted from its instances', async () => {
  // The tiny test split as COCO: numeric ids, boxes as [x, y, w, h], each box also as a polygon.
  const voc = await openVocSplit(tiny.data, 'test');
  const images = [];
  const annotations = [];
  for (let i = 0; i < voc.size; i++) {
    const size = await voc.imageSize(i);
    images.push({ id: Number(voc.ids[i]), file_name: `${voc.ids[i]}.jpg`, width: size.width, height: size.height });
    for (const o of (await voc.annotation(i)).objects) {
      const { x0, y0, x1, y1 } = o.box;
      annotations.push({ id: annotations.length + 1, image_id: Number(voc.ids[i]), category_id: voc.classIndexOf(o.name) + 1, bbox: [x0, y0, x1 - x0, y1 - y0], area: (x1 - x0) * (y1 - y0), iscrowd: 0, segmentation: [[x0, y0, x1, y0, x1, y1, x0, y1]] });
    }
  }
  const instances = join(root, 'instances_test.json');
  writeFileSync(instances, JSON.stringify({ images, annotations, categories: voc.classNames.map((name, c) => ({ id: c + 1, name })) }));
  const coco = await startStudio({ run: tiny.run, data: `coco:${instances},${join(tiny.scenes, 'VOC2007', 'JPEGImages')}`, port: 0 });
  try {
    assert.equal(coco.info.dataset?.images, 8);
    const page = json<DatasetPage>(await call('/api/dataset?sort=id', { port: coco.port }));
    assert.deepEqual(page.items.map((it) => it.id).sort(), voc.ids.map((id) => String(Number(id))).sort());
    const vocPage = json<DatasetPage>(await call('/api/dataset?sort=id'));
    // Same images, same labels and boxes: the same verdicts as the VOC split.
    for (const it of page.items) {
      const twin = vocPage.items.find((v) => Number(v.id) === Number(it.id))!;
      assert.deepEqual([it.present, it.falsePositives, it.missed, it.mislocalized], [twin.present, twin.falsePositives, twin.missed, twin.mislocalized], it.id);
    }
    const id = page.items[0]!.id;
    const d = json<DatasetImageDetail>(await call(`/api/dataset/images/${id}`, { port: coco.port }));
    assert.equal(d.hasMask, true);
    assert.ok(d.objects.length > 0);
    const mask = await call(`/api/dataset/images/${id}/mask`, { port: coco.port });
    assert.equal(mask.headers['content-type'], 'image/png');
    const m = await (await import('sharp')).default(mask.body).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([m.info.width, m.info.height], [d.width, d.height]);
    assert.equal((await call(`/api/dataset/images/${id}/image`, { port: coco.port })).headers['content-type'], 'image/jpeg');
    // Segmented like its VOC twin, scored against the painted instances.
    const seg = json<ImageSegmentationAnswer>(await call(`/api/dataset/images/${id}/segmentation`, { port: coco.port }));
    const twinId = voc.ids.find((v) => Number(v) === Number(id))!;
    assert.equal(seg.png, json<ImageSegmentationAnswer>(await call(`/api/dataset/images/${twinId}/segmentation`)).png);
    assert.ok(seg.meanIoU !== null && seg.truthPixels!.slice(1).some((n) => n > 0));
  } finally {
    await coco.close();
  }
});

test('closing the studio releases every tensor', async () => {
  await studio.close();
  assert.equal(memory().tensors, tensorsBefore);
});
