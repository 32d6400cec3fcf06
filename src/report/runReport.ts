// The report of a trained run on a VOC-layout split: run config, training curves, metrics and
// a gallery of heatmaps with the pooling's evidence, as one self-contained HTML file.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { noGrad, tensor, tidy } from '../core/index.js';
import { BatchLoader } from '../data/index.js';
import { pointInBox, scaledTolerance } from '../eval/index.js';
import { writeFileAtomic } from '../io/index.js';
import { loadRun } from '../train/loadRun.js';
import { openVocSplit, type AnnotatedDataset } from '../train/datasetSpec.js';
import type { WslMetrics } from '../train/evaluatePredictions.js';
import { evaluateSplit, runSegmentationSettings, runSegmentationStages } from '../train/runSegmentation.js';
import {
  groundTruthMasks, imageListInputs, multiScaleClassMaps, segmentClassMaps, type RawImage, type SegmentationOverrides, type SegmentationSettings,
} from '../segment/index.js';
import { decodeImage } from '../data/index.js';
import { RunLog } from '../train/runLog.js';
import { RUN_FILES } from '../train/wslTrainer.js';
import type { WslTrainConfig } from '../train/wslConfig.js';
import { wildcatRegions, withWildcatDefaults } from '../wsl/wildcatPool.js';
import { describeSpatialPooling } from '../wsl/spatialPooling.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { colormapByName, turbo, type ColormapName } from './colormap.js';
import { evidenceCounts, evidencePlan } from './evidenceRegions.js';
import { renderGalleryCard, type CardMaps, type CardObject, type CardSegmentation } from './galleryCard.js';
import { renderReportHtml, type ReportCard, type ReportModel, type ReportSection } from './htmlReport.js';
import { imageVerdict, selectGallery, type ImageVerdict } from './imageVerdict.js';
import { scoreProbabilities } from './scoreProbabilities.js';
import { formatNumber, lineChartSvg } from './svgChart.js';
import { bestEpochIndex, epochRecords } from './trainingCurves.js';
import { NEGATIVE_COLOR, POSITIVE_COLOR } from './annotationSvg.js';

export interface RunReportOptions {
  /** Run folder (config.json, best.safetensors / last.ckpt.safetensors, log.jsonl). */
  run: string;
  /** Dataset spec `voc:DIR`; default the run's training data. */
  data?: string;
  /** Default 'test'. */
  split?: string;
  checkpoint?: 'best' | 'last';
  /** Gallery size. Default 12. */
  images?: number;
  /** Longer side of the gallery pictures. Default 200. */
  tileSize?: number;
  /** Present classes shown per image (plus the top false positive). Default 4. */
  maxClasses?: number;
  normalize?: 'map' | 'image';
  colormap?: ColormapName;
  /** Heatmap opacity. Default 0.5. */
  alpha?: number;
  batchSize?: number;
  /** Test scales and segmentation settings given explicitly (the rest: the run's test scales, its tuned thresholds, the defaults). */
  segmentation?: SegmentationOverrides;
  /** Progress of the prediction pass over the split. */
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface RunReport {
  html: string;
  metrics: WslMetrics;
  /** The gallery, in page order, with the classes shown per image and the number of pictures. */
  gallery: Array<{ id: string; index: number; good: boolean; pictures: number; classes: string[] }>;
  /** Number of <img> elements in the page. */
  pictures: number;
}

/**
 * Builds the report of `opts.run` (see the module comment). Loads the network, predicts the
 * whole split (scores and peaks, as `wildcat eval`), scores it, picks the gallery (best and
 * worst images by {@link imageVerdict}) and renders it. Tensor-leak free; the network is
 * disposed before returning.
 * @example const { html } = await buildRunReport({ run: 'runs/demo/wildcat', data: 'voc:.cache/scenes', split: 'test' });
 */
export async function buildRunReport(opts: RunReportOptions): Promise<RunReport> {
  const which = opts.checkpoint ?? 'best';
  const split = opts.split ?? 'test';
  const { net, config } = loadRun(opts.run, which);
  try {
    const data = opts.data ?? config.data;
    if (!data) throw new Error(`${opts.run}: the run's config names no dataset; pass one (e.g. --data voc:DIR)`);
    const ds = await openVocSplit(data, split, config.classNames);
    if (ds.classNames.length !== net.numClasses) {
      throw new Error(`${data} (${split}) has ${ds.classNames.length} classes [${ds.classNames.join(', ')}] but the network of ${opts.run} has ${net.numClasses}; pass the dataset the run was trained on`);
    }
    return await reportOf(net, config, ds, { ...opts, data, split, checkpoint: which });
  } finally {
    net.dispose();
  }
}

/** Builds the report and writes it to `out` (atomically); returns what buildRunReport returns. */
export async function writeRunReport(opts: RunReportOptions, out: string): Promise<RunReport> {
  const r = await buildRunReport(opts);
  writeFileAtomic(out, r.html);
  return r;
}

async function reportOf(net: WildcatNet, config: WslTrainConfig, ds: AnnotatedDataset, o: RunReportOptions & { data: string; split: string; checkpoint: 'best' | 'last' }): Promise<RunReport> {
  const C = ds.classNames.length;
  const n = ds.size;
  const settings = runSegmentationSettings(config, o.segmentation);
  const { predictions: pred, metrics } = await evaluateSplit(net, config, ds, {
    run: o.run, checkpoint: o.checkpoint, settings,
    onProgress: (d, t) => o.onProgress?.(`predict ${o.split}`, d, t),
  });

  // Objects, peak hits and verdicts of every image.
  const objects: CardObject[][] = [];
  const hits: boolean[][] = [];
  const verdicts: ImageVerdict[] = [];
  const probs: (Float64Array | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    const a = await ds.annotation(i);
    const objs = a.objects.map((ob) => ({ cls: ds.classIndexOf(ob.name), name: ob.name, box: ob.box, difficult: ob.difficult }));
    objects.push(objs);
    const W = pred.sizes[2 * i]!;
    const H = pred.sizes[2 * i + 1]!;
    const tol = scaledTolerance(W, H);
    const hit = Array.from({ length: C }, (_, c) => {
      const x = pred.points[(i * C + c) * 2]!;
      const y = pred.points[(i * C + c) * 2 + 1]!;
      return objs.some((ob) => ob.cls === c && pointInBox(x, y, { xmin: ob.box.x0, ymin: ob.box.y0, xmax: ob.box.x1 - 1, ymax: ob.box.y1 - 1 }, tol));
    });
    hits.push(hit);
    const scores = pred.scores.subarray(i * C, (i + 1) * C);
    const p = scoreProbabilities(scores, config.loss);
    probs.push(p);
    verdicts.push(imageVerdict({ scores, probs: p, labels: ds.labels.subarray(i * C, (i + 1) * C), peakHits: hit }));
  }
  const pick = selectGallery(verdicts, ds.ids, o.images ?? 12);
  const chosen = [...pick.best, ...pick.worst];

  // Maps and evidence of the gallery images.
  const plan = evidencePlan(config.model);
  const maps = await galleryMaps(net, ds, config.imageSize, chosen, plan.regions);
  const grid = maps.size > 0 ? [...maps.values()][0]! : undefined;
  const segmentations = await gallerySegmentations(net, config, ds, chosen, o.run, o.checkpoint, settings);

  // Cards.
  const cardOpts = {
    tileSize: o.tileSize ?? 200,
    maxClasses: o.maxClasses ?? 4,
    normalize: o.normalize ?? 'map',
    colormap: o.colormap ? colormapByName(o.colormap) : turbo,
    alpha: o.alpha ?? 0.5,
    classWise: config.model.classWise,
  } as const;
  const cards = new Map<number, ReportCard>();
  const gallery: RunReport['gallery'] = [];
  let pictures = 0;
  for (const i of chosen) {
    const { card, pictures: k } = await renderGalleryCard(
      {
        id: ds.ids[i]!,
        imagePath: ds.imagePath(i),
        classNames: ds.classNames,
        scores: pred.scores.subarray(i * C, (i + 1) * C),
        probs: probs[i],
        labels: ds.labels.subarray(i * C, (i + 1) * C),
        verdict: verdicts[i]!,
        peakHits: hits[i]!,
        objects: objects[i]!,
        points: pred.points.subarray(i * C * 2, (i + 1) * C * 2),
        size: { width: pred.sizes[2 * i]!, height: pred.sizes[2 * i + 1]! },
        maps: maps.get(i)!,
        segmentation: segmentations.get(i),
      },
      cardOpts,
    );
    cards.set(i, card);
    pictures += k;
    o.onProgress?.('render gallery', cards.size, chosen.length);
  }
  for (const i of chosen) {
    const c = cards.get(i)!;
    const seg = segmentations.get(i);
    const before = 1 + (seg ? (seg.groundTruth ? 2 : 1) : 0); // the image, then the mask and segmentation tiles
    gallery.push({ id: c.id, index: i, good: pick.best.includes(i), pictures: c.tiles.length + (c.modalities?.tiles.length ?? 0), classes: c.tiles.slice(before).map((t) => t.title) });
  }
  const sections: ReportSection[] = [];
  const bad = (i: number): boolean => verdicts[i]!.errors > 0;
  if (pick.best.length > 0) {
    sections.push({
      title: `Best ${pick.best.length} of ${n} ${o.split} images`,
      note: 'Fewest errors (classes missed, absent classes firing, peaks outside the boxes), then most objects, then the widest margin between the lowest present and the highest absent class score.' +
        (pick.best.some(bad) ? ' Even these have errors.' : ''),
      cards: pick.best.map((i) => cards.get(i)!),
    });
  }
  if (pick.worst.length > 0) {
    sections.push({
      title: `Worst ${pick.worst.length} of ${n} ${o.split} images`,
      note: 'Most errors first.' + (pick.worst.every((i) => !bad(i)) ? ' None has an error: these are the least confident (smallest margin) images.' : ''),
      cards: pick.worst.map((i) => cards.get(i)!),
    });
  }

  const model: ReportModel = {
    title: `WILDCAT report — ${runName(o.run)}`,
    subtitle: [
      `run ${resolve(o.run)} (${o.checkpoint} checkpoint)`,
      `data ${o.data}, split ${o.split} (${n} images, ${C} classes)`,
    ],
    headline: [
      ['classification mAP (%)', pct(metrics.mAP)],
      ['pointwise localization mAP (%)', pct(metrics.locMAP)],
      ...segmentationHeadline(metrics),
      [`${o.split} images`, String(n)],
    ],
    config: configRows(config, o.run, grid, plan),
    charts: curveCharts(join(o.run, RUN_FILES.log)),
    metrics: {
      rows: ds.classNames.map((name, c) => ({ name, clsAP: metrics.perClassAP[c]!, locAP: metrics.perClassLocAP[c]!, positives: countPositives(ds.labels, C, c) })),
      mAP: metrics.mAP,
      locMAP: metrics.locMAP,
      mAP07: metrics.mAP07,
      images: n,
      split: o.split,
    },
    legend: legendOf(cardOpts.colormap, grid, plan, cardOpts.normalize),
    gallery: sections,
    footer: `Generated by wildcat report on ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC. Heatmaps are the class maps before spatial pooling, upsampled bilinearly to the image (the network saw it resized to ${config.imageSize}×${config.imageSize}).`,
  };
  return { html: renderReportHtml(model), metrics, gallery, pictures };
}

/** The predicted segmentation (with the settings' smoothing) and the ground-truth mask of some images. */
async function gallerySegmentations(
  net: WildcatNet, config: WslTrainConfig, ds: AnnotatedDataset, indices: number[], run: string, checkpoint: 'best' | 'last', settings: SegmentationSettings,
): Promise<Map<number, CardSegmentation>> {
  const out = new Map<number, CardSegmentation>();
  if (indices.length === 0) return out;
  const { stages } = runSegmentationStages(run, config, settings, checkpoint);
  const groundTruth = groundTruthMasks(ds);
  const inputs = imageListInputs(ds, { imageSize: (i) => ds.imageSize(i) });
  for await (const r of multiScaleClassMaps(net, inputs, { ...settings, size: config.imageSize, batchSize: 4, indices })) {
    let image: RawImage | null = null;
    if (settings.smoothing !== 'none') {
      const d = await decodeImage(ds.imagePath(r.index));
      image = { data: d.rgb, width: d.width, height: d.height, channels: 3 };
    }
    const seg = segmentClassMaps(r, image, stages);
    const gt = await groundTruth(r.index);
    const smoothing = settings.smoothing === 'none' ? 'unsmoothed' : `${settings.smoothing.toUpperCase()}-smoothed`;
    out.set(r.index, { predicted: seg.labels[settings.smoothing]!, groundTruth: gt?.data, caption: `${smoothing}, scales ${settings.scales.join(',')}${settings.flip ? ' + flip' : ''}` });
  }
  return out;
}

/** Class and modality maps (and the evidence regions) of some images, as plain arrays. */
async function galleryMaps(net: WildcatNet, ds: AnnotatedDataset, size: number, indices: number[], regions: ReturnType<typeof evidencePlan>['regions']): Promise<Map<number, CardMaps>> {
  const out = new Map<number, CardMaps>();
  if (indices.length === 0) return out;
  const C = net.numClasses;
  const loader = new BatchLoader(ds, { batchSize: 4, size, shuffle: false, indices });
  for await (const batch of loader.epoch(0)) {
    const B = batch.batchSize;
    noGrad(() =>
      tidy(() => {
        const r = net.forwardMaps(tensor(batch.images, { shape: [B, 3, size, size] }));
        const [, , h, w] = r.classMaps.shape as [number, number, number, number];
        const M = r.modalityMaps.shape[1]! / C;
        const cm = r.classMaps.contiguous().toArray() as Float32Array;
        const mm = r.modalityMaps.contiguous().toArray() as Float32Array;
        let top: Int32Array | undefined;
        let bottom: Int32Array | undefined;
        let kTop = 0;
        let kBottom = 0;
        if (regions) {
          const sel = wildcatRegions(r.classMaps, regions);
          kTop = sel.top.shape[2]!;
          kBottom = sel.bottom.shape[2]!;
          top = Int32Array.from(sel.top.contiguous().toArray() as BigInt64Array, Number);
          bottom = Int32Array.from(sel.bottom.contiguous().toArray() as BigInt64Array, Number);
        }
        for (let b = 0; b < B; b++) {
          out.set(batch.indices[b]!, {
            classMaps: cm.slice(b * C * h * w, (b + 1) * C * h * w),
            modalityMaps: mm.slice(b * C * M * h * w, (b + 1) * C * M * h * w),
            h,
            w,
            maps: M,
            top: top?.slice(b * C * kTop, (b + 1) * C * kTop),
            kTop,
            bottom: bottom?.slice(b * C * kBottom, (b + 1) * C * kBottom),
            kBottom,
          });
        }
      }),
    );
  }
  return out;
}

function configRows(config: WslTrainConfig, run: string, grid: CardMaps | undefined, plan: ReturnType<typeof evidencePlan>): Array<[string, string]> {
  const m = config.model;
  const p = m.pooling;
  const b = m.backbone;
  const rows: Array<[string, string]> = [];
  rows.push(['pooling', describeSpatialPooling(p)]);
  if (p.kind === 'wildcat') {
    const o = withWildcatDefaults(p);
    const counts = grid && plan.regions ? evidenceCounts(plan.regions, grid.h, grid.w) : undefined;
    rows.push(['k⁺ (highest regions)', `${o.kmax}${counts ? ` → ${counts.kmax} of ${counts.n} regions` : ''}`]);
    rows.push(['k⁻ (lowest regions)', `${o.kmin}${counts ? ` → ${counts.kmin} of ${counts.n} regions` : ''}`]);
    rows.push(['α (weight of the lowest)', String(o.alpha)]);
    rows.push(['score scale', o.halve ? '(top + α·bottom) / 2' : 'top + α·bottom']);
  }
  rows.push(['M (maps per class)', `${m.maps} (class-wise ${m.classWise})`]);
  rows.push(['architecture', m.architecture === 'maps' ? '(a) transfer layer → class maps → spatial pooling' : '(b) spatial pooling of features → classifier']);
  rows.push(['backbone', `ResNet-${b.depth} ×${b.widthMultiplier} width, output stride ${b.outputStride}`]);
  if (grid) rows.push(['class maps', `${grid.h}×${grid.w} from ${config.imageSize}×${config.imageSize} input`]);
  else rows.push(['input size', `${config.imageSize}×${config.imageSize}`]);
  rows.push(['backbone weights', config.backboneWeights ? basename(config.backboneWeights) : 'none (random init)']);
  rows.push(['loss', config.loss]);
  rows.push(['epochs', String(config.epochs)]);
  rows.push(['optimizer', `SGD lr ${config.lr} (backbone ×${config.backboneLrScale}), momentum ${config.momentum}, wd ${config.weightDecay}, batch ${config.batchSize}`]);
  rows.push(['augmentation', [config.flip ? 'horizontal flips' : 'no flips', config.scaleJitter ? `scale jitter ${config.scaleJitter.join('–')}` : ''].filter(Boolean).join(', ')]);
  rows.push(['training data', `${config.data} (${config.trainSplit} / ${config.valSplit})`]);
  rows.push(['seed', String(config.seed)]);
  const summaryPath = join(run, RUN_FILES.summary);
  if (existsSync(summaryPath)) {
    try {
      const s = JSON.parse(readFileSync(summaryPath, 'utf8')) as { bestMAP?: number; bestEpoch?: number; seconds?: number };
      if (typeof s.bestMAP === 'number') rows.push(['best val mAP', `${pct(s.bestMAP)}%${typeof s.bestEpoch === 'number' ? ` (epoch ${s.bestEpoch})` : ''}`]);
      if (typeof s.seconds === 'number') rows.push(['training time', `${(s.seconds / 60).toFixed(1)} min`]);
    } catch {
      // A torn summary only loses these two rows.
    }
  }
  return rows;
}

function curveCharts(logPath: string): string[] {
  const recs = epochRecords(RunLog.read(logPath));
  if (recs.length === 0) return [];
  const best = bestEpochIndex(recs);
  return [
    lineChartSvg({ title: 'Training loss (mean over the epoch)', xLabel: 'epoch', series: [{ name: 'train loss', color: '#c0392b', points: recs.map((r) => ({ x: r.epoch, y: r.loss })) }] }),
    lineChartSvg({
      title: 'Validation mAP (%)',
      xLabel: 'epoch',
      yFormat: (v) => formatNumber(v),
      series: [{ name: 'val mAP', color: '#3867d6', points: recs.map((r) => ({ x: r.epoch, y: 100 * r.valMAP })), highlight: best >= 0 ? best : undefined }],
    }),
  ];
}

function legendOf(cmap: ReturnType<typeof colormapByName>, grid: CardMaps | undefined, plan: ReturnType<typeof evidencePlan>, normalize: 'map' | 'image'): ReportModel['legend'] {
  const stops = Array.from({ length: 11 }, (_, k) => {
    const [r, g, b] = cmap(k / 10);
    return `rgb(${r},${g},${b}) ${k * 10}%`;
  });
  const items: ReportModel['legend']['items'] = [];
  if (plan.regions) {
    const counts = grid ? evidenceCounts(plan.regions, grid.h, grid.w) : undefined;
    items.push({ swatch: 'positive', text: `k⁺ highest regions: positive evidence${counts ? ` (${counts.kmax} of ${counts.n} cells)` : ''}` });
    if (!counts || counts.kmin > 0) items.push({ swatch: 'negative', text: `k⁻ lowest regions: negative evidence${counts ? ` (${counts.kmin} of ${counts.n} cells)` : ''}` });
  }
  items.push({ swatch: 'peak', text: 'peak of the upsampled class map (pointwise localization)' });
  items.push({ swatch: 'box', text: 'ground-truth boxes of the class (dashed: difficult)' });
  const notes = [
    normalize === 'map'
      ? 'Each heatmap spans its own map\'s range (given under it), so compare shapes across classes, not colours; the score says how strongly a class fires.'
      : 'The heatmaps of one image share one colour scale (the range of the classes shown), so colours compare across its classes.',
  ];
  if (!plan.regions && plan.reason) notes.push(`No evidence regions drawn: ${plan.reason}.`);
  return { gradient: `linear-gradient(90deg, ${stops.join(', ')})`, items, notes };
}

function segmentationHeadline(m: WslMetrics): Array<[string, string]> {
  const s = m.segmentation;
  if (!s) return [];
  const rows: Array<[string, string]> = [['segmentation mIoU (%)', pct(s.bySmoothing.none?.meanIoU ?? NaN)]];
  for (const [k, v] of Object.entries(s.bySmoothing)) if (k !== 'none' && v) rows.push([`mIoU with ${k.toUpperCase()} (%)`, pct(v.meanIoU)]);
  return rows;
}

function countPositives(labels: Int8Array, C: number, c: number): number {
  let k = 0;
  for (let i = c; i < labels.length; i += C) if (labels[i] === 1) k++;
  return k;
}

function pct(v: number): string {
  return Number.isFinite(v) ? (100 * v).toFixed(1) : 'n/a';
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

function runName(run: string): string {
  const parts = resolve(run).split(/[\\/]/).filter(Boolean);
  return parts.slice(-2).join('/');
}


