// The segmentations of the gallery images: the run's segmentation pipeline (same settings as
// the metrics) on just those images, with their ground-truth masks.
import { decodeImage } from '../data/index.js';
import { groundTruthMasks, imageListInputs, multiScaleClassMaps, segmentClassMaps, type RawImage, type SegmentationSettings } from '../segment/index.js';
import type { AnnotatedDataset } from '../train/datasetSpec.js';
import { runSegmentationStages } from '../train/runSegmentation.js';
import type { WslTrainConfig } from '../train/wslConfig.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import type { CardSegmentation } from './galleryCard.js';

/** The predicted label map (with the settings' smoothing) and the ground-truth mask of images `indices`. */
export async function gallerySegmentations(
  net: WildcatNet, config: WslTrainConfig, ds: AnnotatedDataset, indices: readonly number[],
  run: { run: string; checkpoint: 'best' | 'last'; settings: SegmentationSettings },
): Promise<Map<number, CardSegmentation>> {
  const out = new Map<number, CardSegmentation>();
  if (indices.length === 0) return out;
  const { settings } = run;
  const { stages } = runSegmentationStages(run.run, config, settings, run.checkpoint);
  const groundTruth = groundTruthMasks(ds);
  const inputs = imageListInputs(ds, { imageSize: (i) => ds.imageSize(i) });
  const how = `${settings.smoothing === 'none' ? 'unsmoothed' : `${settings.smoothing.toUpperCase()}-smoothed`}, scales ${settings.scales.join(',')}${settings.flip ? ' + flip' : ''}`;
  for await (const r of multiScaleClassMaps(net, inputs, { ...settings, size: config.imageSize, batchSize: 4, indices })) {
    let image: RawImage | null = null;
    if (settings.smoothing !== 'none') {
      const d = await decodeImage(ds.imagePath(r.index));
      image = { data: d.rgb, width: d.width, height: d.height, channels: 3 };
    }
    const seg = await segmentClassMaps(r, image, stages);
    const gt = await groundTruth(r.index);
    out.set(r.index, { predicted: seg.labels[settings.smoothing]!, groundTruth: gt?.data, caption: how });
  }
  return out;
}
