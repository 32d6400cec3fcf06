// The studio's HTTP server (node:http: a dozen routes need no framework, and the upload limits
// want the raw request stream): the page and its bundle, the JSON API, maps as binary messages,
// inference one request at a time. Every handler's failure becomes that request's error answer;
// nothing a request does can stop the server.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataFileError } from '../core/index.js';
import { InputLimitError } from '../io/index.js';
import type { SegmentationOverrides } from '../segment/index.js';
import { DEFAULT_CHECKPOINT, loadRun, type RunCheckpoint } from '../train/loadRun.js';
import type { WslTrainConfig } from '../train/wslConfig.js';
import { describeSpatialPooling } from '../wsl/spatialPooling.js';
import type { ImageMapsMeta, ImageSegmentationAnswer, StudioInfo, StudioLimits } from './apiTypes.js';
import { resolveDatasetId } from './datasetIds.js';
import { parseDatasetQuery, queryDatasetItems } from './datasetQuery.js';
import { HttpError } from './httpError.js';
import { InferenceQueue } from './inferenceQueue.js';
import { encodeMapsMessage, mapsMessageJson, MAPS_MESSAGE_TYPE, type ShapedArray } from './mapsMessage.js';
import { StudioDataset } from './studioDataset.js';
import { StudioModel, type ImageMaps } from './studioModel.js';
import { StudioSegmenter, type ImageSegmentation } from './studioSegmenter.js';
import { studioPageHtml } from './studioPage.js';
import { checkUploadImage, readUploadBody, sniffImageFormat } from './uploadChecks.js';

/** Defaults of `wildcat studio` (README "wildcat studio"), defined once. */
export const STUDIO_DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  split: 'test',
  limits: { maxUploadBytes: 20 * 1024 * 1024, maxPixels: 40_000_000, queueCapacity: 32 } satisfies StudioLimits,
  /** Images with a longer side above this are segmented reduced to fit it (VOC's are 500 px, COCO's 640). */
  segmentationMaxSide: 1024,
} as const;

export interface StudioOptions {
  /** Run folder (from `wildcat train`). */
  run: string;
  checkpoint?: 'best' | 'last';
  /** A VOC dataset (`voc:DIR`) to browse; none by default. */
  data?: string;
  /** Its split; default 'test'. */
  split?: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  limits?: Partial<StudioLimits>;
  /** Segmentation settings given explicitly (as `wildcat predict`'s flags); the rest are the run's. */
  segmentation?: SegmentationOverrides;
  /** Progress of the start-up prediction of the split. */
  onProgress?: (done: number, total: number) => void;
  /** Where unexpected request failures are reported (default stderr). */
  logError?: (line: string) => void;
}

export interface Studio {
  /** http://host:port/ */
  url: string;
  host: string;
  port: number;
  info: StudioInfo;
  /** Stops listening, ends open connections and releases the network. */
  close(): Promise<void>;
}

/** Where `make build` puts the page bundle (esbuild: src/studio/page → dist/src/studio/assets). */
const ASSETS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'assets');
const ASSET_TYPES: Record<string, string> = { 'studio.js': 'text/javascript; charset=utf-8', 'studio.css': 'text/css; charset=utf-8' };

/** The page bundle, read once; a clear error when the bundle step has not run. */
function readAssets(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of Object.keys(ASSET_TYPES)) {
    try {
      out.set(name, readFileSync(resolve(ASSETS_DIR, name)));
    } catch {
      throw new Error(`the studio page is not built (${resolve(ASSETS_DIR, name)} is missing); run \`make build\``);
    }
  }
  return out;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Loads the run, predicts the dataset split (when given), and starts listening. Resolves once
 * the server accepts connections.
 * @example const studio = await startStudio({ run: 'runs/demo/wildcat', data: 'voc:scenes', port: 0 }); console.log(studio.url);
 */
export async function startStudio(opts: StudioOptions): Promise<Studio> {
  const limits: StudioLimits = { ...STUDIO_DEFAULTS.limits, ...opts.limits };
  const host = opts.host ?? STUDIO_DEFAULTS.host;
  const assets = readAssets();
  const { config, model, segmenter, dataset, checkpoint } = await openStudioRun(opts);
  const info = studioInfo(opts, config, model, segmenter, dataset, checkpoint, limits);
  const queue = new InferenceQueue(limits.queueCapacity);
  const logError = opts.logError ?? ((line: string) => process.stderr.write(line + '\n'));
  const handler = makeHandler({ info, model, segmenter, dataset, queue, assets, limits, checkHost: isLoopbackHost(host), logError });
  const server = createStudioServer(handler, logError);
  try {
    await listen(server, opts.port ?? STUDIO_DEFAULTS.port, host);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let closed = false;
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    info,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      });
      // Let the running and waiting inferences finish before the network goes away.
      await queue.drained();
      model.dispose();
    },
  };
}

/** Loads the run's network and, when a dataset is given, predicts its split (the network is released if either fails). */
async function openStudioRun(opts: StudioOptions): Promise<{
  config: WslTrainConfig; model: StudioModel; segmenter: StudioSegmenter; dataset: StudioDataset | null; checkpoint: RunCheckpoint;
}> {
  const checkpoint = opts.checkpoint ?? DEFAULT_CHECKPOINT;
  const { net, config } = loadRun(opts.run, checkpoint);
  try {
    const model = new StudioModel(net, config);
    const segmenter = new StudioSegmenter(model, opts.run, checkpoint, opts.segmentation ?? {}, STUDIO_DEFAULTS.segmentationMaxSide);
    const dataset = opts.data ? await StudioDataset.open(model, opts.data, opts.split ?? STUDIO_DEFAULTS.split, opts.onProgress) : null;
    return { config, model, segmenter, dataset, checkpoint };
  } catch (e) {
    net.dispose();
    throw e;
  }
}

/** What GET /api/info answers: the run, its model and pooling, the limits and the dataset. */
function studioInfo(
  opts: StudioOptions, config: WslTrainConfig, model: StudioModel, segmenter: StudioSegmenter, dataset: StudioDataset | null,
  checkpoint: RunCheckpoint, limits: StudioLimits,
): StudioInfo {
  return {
    run: resolve(opts.run).split(/[\\/]/).filter(Boolean).slice(-2).join('/'),
    checkpoint,
    classNames: [...model.classNames],
    maps: config.model.maps,
    classWise: config.model.classWise,
    architecture: config.model.architecture,
    loss: config.loss,
    pooling: config.model.pooling,
    poolingText: describeSpatialPooling(config.model.pooling),
    inputSize: config.imageSize,
    grid: model.grid,
    limits,
    dataset: dataset && opts.data ? { spec: opts.data, split: dataset.split, images: dataset.size } : null,
    capabilities: { segmentation: true },
    segmentation: segmenter.info,
  };
}

/** The HTTP server around `handler`: timeouts, a 500 when answering itself fails, a 400 for malformed requests. */
function createStudioServer(handler: Handler, logError: (line: string) => void): Server {
  const server = createServer((req, res) => {
    handler(req, res).catch((e: unknown) => {
      // Only reached when answering itself failed (e.g. the client went away mid-answer).
      logError(`wildcat studio: ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((res, rej) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') rej(new Error(`port ${port} on ${host} is in use; pass another --port (0 picks a free one)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') rej(new Error(`cannot listen on host '${host}' (${e.code}); pass --host with an address of this machine, e.g. 127.0.0.1`));
      else rej(e);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      res();
    });
  });
}

interface HandlerContext {
  info: StudioInfo;
  model: StudioModel;
  segmenter: StudioSegmenter;
  dataset: StudioDataset | null;
  queue: InferenceQueue;
  assets: Map<string, Buffer>;
  limits: StudioLimits;
  /** Refuse requests whose Host is not a loopback name (DNS rebinding), when bound to loopback. */
  checkHost: boolean;
  logError: (line: string) => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The request handler: routes, and turns every failure into an error answer. */
function makeHandler(ctx: HandlerContext): Handler {
  return async (req, res) => {
    try {
      await route(ctx, req, res);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) {
        sendJson(res, e.status, { error: e.message }, e.headers);
        return;
      }
      ctx.logError(`wildcat studio: ${req.method} ${req.url} failed: ${(e as Error).stack ?? String(e)}`);
      sendJson(res, 500, { error: `internal error: ${(e as Error).message}` });
    }
  };
}

async function route(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (ctx.checkHost) {
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!isLoopbackHost(hostName)) throw new HttpError(403, `this studio only answers requests addressed to this machine (Host '${hostName.slice(0, 60)}'); start it with --host to serve other names`);
  }
  const url = requestUrl(req.url ?? '/');
  const parts = url.pathname.split('/').filter((p) => p !== '');
  const method = req.method ?? 'GET';
  const only = (...allowed: string[]) => {
    if (!allowed.includes(method)) throw new HttpError(405, `${method} is not allowed on ${url.pathname}; use ${allowed.join(' or ')}`, { Allow: allowed.join(', ') });
  };

  if (parts.length === 0) {
    only('GET', 'HEAD');
    return sendBytes(res, 'text/html; charset=utf-8', Buffer.from(studioPageHtml(ctx.info)), method);
  }
  if (parts[0] === 'assets' && parts.length === 2) {
    only('GET', 'HEAD');
    const body = ctx.assets.get(parts[1]!);
    if (!body) throw new HttpError(404, `no asset ${url.pathname}`);
    return sendBytes(res, ASSET_TYPES[parts[1]!]!, body, method);
  }
  if (parts[0] !== 'api') throw new HttpError(404, `nothing at ${url.pathname}; the page is at / and the API under /api/`);
  const [, what, sub, id, leaf, ...rest] = parts;

  if (what === 'info' && parts.length === 2) {
    only('GET');
    return sendJson(res, 200, ctx.info);
  }
  if (what === 'predict' && parts.length === 2) {
    only('POST');
    return predictUpload(ctx, req, res);
  }
  if (what === 'segment' && parts.length === 2) {
    only('POST');
    return segmentUpload(ctx, req, res);
  }
  if (what === 'dataset') {
    const ds = ctx.dataset;
    if (!ds) throw new HttpError(404, 'no dataset is open; start the studio with --data voc:DIR [--split NAME]');
    if (parts.length === 2) {
      only('GET');
      return sendJson(res, 200, queryDatasetItems(ds.items, parseDatasetQuery(url.searchParams, ctx.info.classNames)));
    }
    if (sub === 'images' && id !== undefined && rest.length === 0) {
      only('GET');
      const i = resolveDatasetId(id, ds.index);
      if (leaf === undefined) return sendJson(res, 200, ds.detail(i));
      if (leaf === 'image') {
        const bytes = await readFile(ds.imagePath(i));
        return sendBytes(res, `image/${sniffImageFormat(bytes) ?? 'jpeg'}`, bytes, method);
      }
      if (leaf === 'mask') {
        const png = await ds.maskPng(i);
        if (!png) throw new HttpError(404, `image '${ds.ds.ids[i]}' has no ground-truth mask in this dataset`);
        return sendBytes(res, 'image/png', png, method);
      }
      if (leaf === 'maps') {
        const t0 = performance.now();
        const maps = await ctx.queue.run(async () => {
          const t1 = performance.now();
          return { maps: await ctx.model.mapsOfFile(ds.imagePath(i)), waitMs: t1 - t0, inferMs: performance.now() - t1 };
        });
        return sendMaps(ctx, req, res, ds.ds.ids[i]!, maps.maps, maps.waitMs, maps.inferMs);
      }
      if (leaf === 'segmentation') {
        const bytes = await readFile(ds.imagePath(i));
        const groundTruth = await ds.groundTruthMask(i);
        return sendJson(res, 200, await queuedSegmentation(ctx, () => ctx.segmenter.segment(bytes, ds.ds.ids[i]!, { groundTruth })));
      }
    }
  }
  throw new HttpError(404, `no API route ${method} ${url.pathname}; see the README's studio API`);
}

/**
 * The request target as a URL; one that does not parse (e.g. `//[/`, read as a host '[') is the
 * client's error, 400, not an internal one.
 */
function requestUrl(target: string): URL {
  try {
    return new URL(target, 'http://studio.invalid');
  } catch {
    throw new HttpError(400, `malformed request target '${target.slice(0, 60)}'`);
  }
}

/** The body of an upload, checked (size, type, pixels from the header): the image file itself. */
async function checkedUpload(ctx: HandlerContext, req: IncomingMessage): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/')) {
    // Refuse before reading: a form is not an image, whatever it holds. (Other types are not
    // trusted either way: the bytes themselves decide, so `curl --data-binary @x.jpg` works.)
    throw new HttpError(415, `send the image file itself as the request body (e.g. curl --data-binary @photo.jpg), not a ${type.split(';')[0]} form`);
  }
  const bytes = await readUploadBody(req, ctx.limits.maxUploadBytes);
  await checkUploadImage(bytes, ctx.limits.maxPixels);
  return bytes;
}

/** POST /api/predict: the body is the image file itself. */
async function predictUpload(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const bytes = await checkedUpload(ctx, req);
  const t0 = performance.now();
  const out = await ctx.queue.run(async () => {
    const t1 = performance.now();
    return { maps: await ctx.model.mapsOfUpload(bytes, ctx.limits.maxPixels), waitMs: t1 - t0, inferMs: performance.now() - t1 };
  });
  return sendMaps(ctx, req, res, 'upload', out.maps, out.waitMs, out.inferMs);
}

/** POST /api/segment: the body is the image file itself; a decoding failure is the client's (415, 413). */
async function segmentUpload(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const bytes = await checkedUpload(ctx, req);
  const answer = await queuedSegmentation(ctx, async () => {
    try {
      return await ctx.segmenter.segment(bytes, 'upload', { maxPixels: ctx.limits.maxPixels });
    } catch (e) {
      if (e instanceof InputLimitError) throw new HttpError(413, e.message);
      if (e instanceof DataFileError) throw new HttpError(415, e.message);
      throw e;
    }
  });
  sendJson(res, 200, answer);
}

/** Runs a segmentation in the inference queue and adds its timings. */
async function queuedSegmentation(ctx: HandlerContext, run: () => Promise<ImageSegmentation>): Promise<ImageSegmentationAnswer> {
  const t0 = performance.now();
  return ctx.queue.run(async () => {
    const t1 = performance.now();
    const seg = await run();
    return { ...seg, waitMs: Math.round(t1 - t0), segmentMs: Math.round(performance.now() - t1) };
  });
}

/** A maps message, or its JSON form for clients that accept JSON but not the binary type. */
function sendMaps(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, source: string, m: ImageMaps, waitMs: number, inferMs: number): void {
  const C = ctx.info.classNames.length;
  const meta: ImageMapsMeta = {
    source,
    image: { width: m.width, height: m.height },
    inputSize: ctx.info.inputSize,
    grid: { h: m.h, w: m.w },
    maps: m.maps,
    pooling: ctx.info.pooling,
    waitMs: Math.round(waitMs),
    inferMs: Math.round(inferMs),
  };
  const arrays: Record<string, ShapedArray> = {
    scores: { shape: [C], data: m.scores },
    classMaps: { shape: [C, m.h, m.w], data: m.classMaps },
    modalityMaps: { shape: [C * m.maps, m.h, m.w], data: m.modalityMaps },
  };
  const accept = (req.headers.accept ?? '').toLowerCase();
  if (accept.includes('application/json') && !accept.includes(MAPS_MESSAGE_TYPE)) return sendJson(res, 200, mapsMessageJson(meta, arrays));
  sendBytes(res, MAPS_MESSAGE_TYPE, Buffer.from(encodeMapsMessage(meta, arrays)), req.method ?? 'GET');
}

/** Headers on every answer: no caching of API data, no sniffing, only our own scripts. */
const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendBytes(res: ServerResponse, type: string, body: Buffer, method: string): void {
  res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': body.length });
  res.end(method === 'HEAD' ? undefined : body);
}
