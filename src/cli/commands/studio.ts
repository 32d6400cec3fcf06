import { setNumThreads } from '../../core/index.js';
import { isLoopbackHost, startStudio, STUDIO_DEFAULTS } from '../../studio/studioServer.js';
import { DEFAULT_CHECKPOINT } from '../../train/loadRun.js';
import { Progress } from '../../train/progress.js';
import { checkpointFlag, num, threadsFlag, optStr, parse, str, UsageError, engineFlags, ENGINE_OPTIONS, ENGINE_USAGE } from '../args.js';
import { SEGMENTATION_OPTIONS, SEGMENTATION_USAGE, segmentationSettingsFromFlags } from '../segmentationOptions.js';

const L = STUDIO_DEFAULTS.limits;

export const STUDIO_USAGE = `
wildcat studio --run RUN [--data voc:DIR [--split ${STUDIO_DEFAULTS.split}]] [--port ${STUDIO_DEFAULTS.port}] [--host ${STUDIO_DEFAULTS.host}]
               [--checkpoint best|last] [--max-upload-mb ${L.maxUploadBytes / 2 ** 20}] [--max-megapixels ${L.maxPixels / 1e6}]
               [--queue ${L.queueCapacity}] [--threads N|auto] [--memory-format F] [--inference fused|plain]
               [segmentation options]

A local web app to explore a trained run: upload an image (JPEG, PNG, WebP) and see its class
scores and every class map over it; move k+, k- (count or fraction), alpha, the pooling kind
(WILDCAT, max, GAP, LSE with r) and watch the scores and the selected regions change, recomputed
in the browser from the maps; with --data, browse a split sorted and filtered by class, false
positives, false negatives and localization misses; segment an image with the run's
segmentation settings (its test scales and tuned thresholds, or the options below, as for
\`wildcat predict\`) beside its ground-truth mask. Stop it with Ctrl-C.
The segmentation options below change the segmentation only: the maps, scores and dataset
verdicts on show are the network's at the run's input size (one scale).

  --run RUN            run folder (from \`wildcat train\`)
  --data SPEC          a dataset to browse, voc:DIR or coco:INSTANCES.json,IMAGES_DIR
                       (predicted once at start-up)
  --split NAME         its split (default ${STUDIO_DEFAULTS.split})
  --port N             default ${STUDIO_DEFAULTS.port}; 0 picks a free port
  --host H             default ${STUDIO_DEFAULTS.host} (this machine only); another address
                       makes the studio reachable from the network, without authentication
  --checkpoint C       best or last (default ${DEFAULT_CHECKPOINT})
  --max-upload-mb N    larger uploads are refused with 413 (default ${L.maxUploadBytes / 2 ** 20})
  --max-megapixels N   larger images are refused with 413 from their header (default ${L.maxPixels / 1e6})
  --queue N            inference requests that may wait; more get 503 (default ${L.queueCapacity})
${ENGINE_USAGE}
${SEGMENTATION_USAGE}`;

export async function studioCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    run: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
    checkpoint: { type: 'string' }, 'max-upload-mb': { type: 'string' }, 'max-megapixels': { type: 'string' }, queue: { type: 'string' },
    ...ENGINE_OPTIONS, ...SEGMENTATION_OPTIONS,
  }, STUDIO_USAGE);
  const threads = threadsFlag(p);
  setNumThreads(threads);
  engineFlags(p, threads);
  const host = str(p, 'host', STUDIO_DEFAULTS.host);
  const data = optStr(p, 'data');
  if (optStr(p, 'split') !== undefined && !data) throw new UsageError('--split needs --data voc:DIR');
  const progress = new Progress();
  const t0 = Date.now();
  const studio = await startStudio({
    run: str(p, 'run'),
    checkpoint: checkpointFlag(p),
    data,
    split: str(p, 'split', STUDIO_DEFAULTS.split),
    port: num(p, 'port', STUDIO_DEFAULTS.port, { int: true, min: 0, max: 65535 }),
    host,
    limits: {
      maxUploadBytes: Math.round(num(p, 'max-upload-mb', L.maxUploadBytes / 2 ** 20, { min: 0.001 }) * 2 ** 20),
      maxPixels: Math.round(num(p, 'max-megapixels', L.maxPixels / 1e6, { min: 0.000001 }) * 1e6),
      queueCapacity: num(p, 'queue', L.queueCapacity, { int: true, min: 0 }),
    },
    segmentation: segmentationSettingsFromFlags(p),
    onProgress: (done, total) => progress.update({ label: 'predict split', done, total }),
  });
  progress.end();
  const i = studio.info;
  console.log(`run ${i.run} (${i.checkpoint} checkpoint): ${i.classNames.length} classes, ${i.poolingText}, M = ${i.maps}`);
  if (i.segmentation) console.log(`segmentation: ${i.segmentation.settings}, smoothing ${i.segmentation.smoothing}; background: ${i.segmentation.background}`);
  if (i.dataset) console.log(`dataset ${i.dataset.spec}, split ${i.dataset.split}: ${i.dataset.images} images predicted (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (isLoopbackHost(host)) console.log(`listening on ${host} only (this machine); pass --host to serve other machines`);
  else console.log(`warning: listening on ${host}: anyone who can reach this machine on port ${studio.port} can use the studio (it has no authentication)`);
  console.log(`wildcat studio: open ${studio.url}  (Ctrl-C stops it)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void studio.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
