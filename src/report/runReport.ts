// The report of a trained run on a VOC-layout split: run config, training curves, metrics and
// a gallery of heatmaps with the pooling's evidence and segmentations, as one self-contained HTML
// file. This file orchestrates; the phases live in splitVerdicts (hit tests, verdicts), galleryMaps
// (the network's maps), gallerySegmentations, galleryCard (one card) and reportPage (the page
// around the gallery).
import { writeFileAtomic } from '../io/index.js';
import { DEFAULT_CHECKPOINT, loadRun } from '../train/loadRun.js';
import { datasetReadOptions, openSplitForInference, type AnnotatedDataset, type DatasetReadOptions } from '../train/datasetSpec.js';
import type { WslMetrics } from '../train/evaluatePredictions.js';
import { evaluateSplit, runSegmentationSettings } from '../train/runSegmentation.js';
import { INFERENCE_BATCH_SIZE, type SegmentationOverrides } from '../segment/index.js';
import type { WslTrainConfig } from '../train/wslConfig.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { colormapByName, type ColormapName } from './colormap.js';
import { evidencePlan } from './evidenceRegions.js';
import { renderGalleryCard } from './galleryCard.js';
import { galleryMaps } from './galleryMaps.js';
import { gallerySegmentations } from './gallerySegmentations.js';
import { renderReportHtml, type ReportCard } from './htmlReport.js';
import { selectGallery } from './imageVerdict.js';
import { reportModel } from './reportPage.js';
import { judgeSplit } from './splitVerdicts.js';

/** The defaults of the report options, defined once (API and `wildcat report`). */
export const REPORT_DEFAULTS = Object.freeze({
  split: 'test',
  checkpoint: DEFAULT_CHECKPOINT,
  images: 12,
  tileSize: 200,
  maxClasses: 4,
  normalize: 'map' as 'map' | 'image',
  colormap: 'turbo' as ColormapName,
  alpha: 0.5,
  batchSize: INFERENCE_BATCH_SIZE,
});

export interface RunReportOptions {
  /** Run folder (config.json, best.safetensors / last.ckpt.safetensors, log.jsonl). */
  run: string;
  /** Dataset spec `voc:DIR`; default the run's training data. */
  data?: string;
  /** Default 'test'. */
  split?: string;
  /** Default 'best'. */
  checkpoint?: 'best' | 'last';
  /** Gallery size. Default 12. */
  images?: number;
  /** Longer side of the gallery pictures. Default 200. */
  tileSize?: number;
  /** Present classes shown per image (plus the top false positive). Default 4. */
  maxClasses?: number;
  /** Heatmap colour scale per map (default) or shared by the maps of an image. */
  normalize?: 'map' | 'image';
  /** Default turbo. */
  colormap?: ColormapName;
  /** Heatmap opacity. Default 0.5. */
  alpha?: number;
  /** Images per inference batch. Default 16. */
  batchSize?: number;
  /** Test scales and segmentation settings given explicitly (the rest: the run's test scales, its tuned thresholds, the defaults). */
  segmentation?: SegmentationOverrides;
  /** How the dataset's files are trusted; unset fields: as the run was trained (its config). */
  read?: DatasetReadOptions;
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
  const o = { ...REPORT_DEFAULTS, ...withoutUndefined(opts), run: opts.run };
  const { net, config } = loadRun(o.run, o.checkpoint);
  try {
    const data = o.data ?? config.data;
    if (!data) throw new Error(`${o.run}: the run's config names no dataset; pass one (e.g. --data voc:DIR)`);
    const ds = await openSplitForInference(data, o.split, config.classNames, datasetReadOptions(config, o.read));
    if (ds.classNames.length !== net.numClasses) {
      throw new Error(`${data} (${o.split}) has ${ds.classNames.length} classes [${ds.classNames.join(', ')}] but the network of ${o.run} has ${net.numClasses}; pass the dataset the run was trained on`);
    }
    return await reportOf(net, config, ds, { ...o, data });
  } finally {
    net.dispose();
  }
}

/** The options with every default filled in. */
type ResolvedReportOptions = Required<Omit<RunReportOptions, 'onProgress' | 'segmentation' | 'read'>> & Pick<RunReportOptions, 'onProgress' | 'segmentation' | 'read'>;

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Builds the report and writes it to `out` (atomically); returns what buildRunReport returns. */
export async function writeRunReport(opts: RunReportOptions, out: string): Promise<RunReport> {
  const r = await buildRunReport(opts);
  writeFileAtomic(out, r.html);
  return r;
}

async function reportOf(net: WildcatNet, config: WslTrainConfig, ds: AnnotatedDataset, o: ResolvedReportOptions): Promise<RunReport> {
  // 1. Predict and score the whole split (segmentation too); judge every image (peak hits, verdicts).
  const settings = runSegmentationSettings(config, o.segmentation);
  const { predictions: pred, metrics } = await evaluateSplit(net, config, ds, {
    run: o.run, checkpoint: o.checkpoint, settings, batchSize: o.batchSize,
    onProgress: (d, t) => o.onProgress?.(`predict ${o.split}`, d, t),
  });
  const judged = await judgeSplit(pred, ds, config.loss);
  // 2. The gallery: best and worst images, their maps and evidence, their cards.
  const pick = selectGallery(judged.verdicts, ds.ids, o.images);
  const chosen = [...pick.best, ...pick.worst];
  const plan = evidencePlan(config.model);
  const maps = await galleryMaps(net, ds, config.imageSize, chosen, plan.regions);
  const grid = maps.size > 0 ? [...maps.values()][0]! : undefined;
  const segmentations = await gallerySegmentations(net, config, ds, chosen, { run: o.run, checkpoint: o.checkpoint, settings });
  const colormap = colormapByName(o.colormap);
  const cardOpts = { tileSize: o.tileSize, maxClasses: o.maxClasses, normalize: o.normalize, colormap, alpha: o.alpha, classWise: config.model.classWise } as const;
  const cards = new Map<number, ReportCard>();
  let pictures = 0;
  for (const i of chosen) {
    const C = ds.classNames.length;
    const { card, pictures: k } = await renderGalleryCard(
      {
        id: ds.ids[i]!,
        imagePath: ds.imagePath(i),
        classNames: ds.classNames,
        scores: pred.scores.subarray(i * C, (i + 1) * C),
        probs: judged.probs[i],
        labels: ds.labels.subarray(i * C, (i + 1) * C),
        verdict: judged.verdicts[i]!,
        peakHits: judged.peakHits[i]!,
        objects: judged.objects[i]!,
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
  // 3. The page.
  const html = renderReportHtml(reportModel({
    run: o.run, checkpoint: o.checkpoint, data: o.data, split: o.split, config, classNames: ds.classNames, images: ds.size, labels: ds.labels,
    metrics, grid, plan, colormap, normalize: o.normalize, pick, verdicts: judged.verdicts, cards,
  }));
  const gallery = chosen.map((i) => {
    const c = cards.get(i)!;
    const seg = segmentations.get(i);
    const before = 1 + (seg ? (seg.groundTruth ? 2 : 1) : 0); // the image, then the mask and segmentation tiles
    return { id: c.id, index: i, good: pick.best.includes(i), pictures: c.tiles.length + (c.modalities?.tiles.length ?? 0), classes: c.tiles.slice(before).map((t) => t.title) };
  });
  return { html, metrics, gallery, pictures };
}
