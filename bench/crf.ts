// Dense CRF benchmark (src/segment/denseCrf.ts, native/denseCrf.cc): mean field on the
// permutohedral lattice, default options (10 iterations, σs scaled to the image).
//
//   npm run bench:crf                      (time it on an otherwise idle machine)
//
// Neither Debian nor npm ships a dense CRF to compare against (no PyTorch one either), so the
// reference line is our own exact O(N²) mean field (denseCrfBruteForce: same model, same
// normalisation, exact Gaussians) on small images, timed on the same image with the same
// parameters, with the largest and mean probability differences.
//
// Images: scenes of the demo's generator (Fashion-MNIST items on cluttered backgrounds, Debian's
// dataset-fashion-mnist), unaries like upsampled class maps: the class masks averaged over
// stride-16 cells, bilinearly upsampled, mixed with noise.
//
// stdout: one JSON line per measurement:
//   {"bench":"crf","case":"voc",...}        500×375, 21 labels: seconds per call
//   {"bench":"crf","case":"scaling",...}    time vs pixel count (ns per pixel·label stays flat)
//   {"bench":"crf","case":"reference",...}  lattice vs brute force on small images
//   {"bench":"crf","case":"demo",...}       the 500 demo test scenes (192×192, 11 labels), one
//                                           call at a time and `concurrency` at once (async)
// Progress and warnings go to stderr.
import { SceneGenerator, loadFashionMnist, type GrayItemSet, type Scene } from '../src/data/index.js';
import { denseCrf, denseCrfAsync, denseCrfBruteForce, type DenseCrfResult, type RawImage } from '../src/segment/index.js';
import { checkLoad, cpuBusy, intFlag, load1, log, median, parseFlags, ratio, sec, timeIt } from './common.js';

const HELP = `usage: node dist/bench/crf.js [flags]
  --only voc,scaling,reference,demo   which measurements
  --repeats 5                         timed calls per size (median reported)
  --demo-images 500                   scenes in the demo measurement
  --concurrency 2                     simultaneous denseCrfAsync calls in the demo measurement`;

/** Scene generator sizes: items scaled with the image so that content density stays the same. */
function generator(items: GrayItemSet, width: number, height: number, seed: number): SceneGenerator {
  const s = Math.max(width, height) / 192;
  return new SceneGenerator(items, {
    width, height, seed,
    minItemSize: Math.max(8, Math.round(40 * s)), maxItemSize: Math.max(12, Math.round(110 * s)),
  });
}

/**
 * Unaries like a WSL network's class maps at stride 16, upsampled: per-class coverage of each
 * 16×16 cell, bilinear to full resolution, 70% of it plus 30% noise; labels beyond the scene's
 * (background + classes) get noise only.
 */
function unaries(scene: Scene, labels: number, seed: number): Float32Array {
  const { width: W, height: H } = scene;
  const n = W * H;
  const cell = 16;
  const cw = Math.ceil(W / cell);
  const ch = Math.ceil(H / cell);
  const coverage = new Float32Array(labels * cw * ch);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const m = scene.classMask[y * W + x]!;
      const l = m === 255 ? 0 : m;
      if (l < labels) coverage[(l * ch + Math.floor(y / cell)) * cw + Math.floor(x / cell)]! += 1 / (cell * cell);
    }
  }
  let state = seed >>> 0 || 1;
  const rand = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const out = new Float32Array(labels * n);
  for (let l = 0; l < labels; l++) {
    for (let y = 0; y < H; y++) {
      const fy = Math.min(Math.max((y + 0.5) / cell - 0.5, 0), ch - 1);
      const y0 = Math.floor(fy);
      const y1 = Math.min(y0 + 1, ch - 1);
      const ty = fy - y0;
      for (let x = 0; x < W; x++) {
        const fx = Math.min(Math.max((x + 0.5) / cell - 0.5, 0), cw - 1);
        const x0 = Math.floor(fx);
        const x1 = Math.min(x0 + 1, cw - 1);
        const tx = fx - x0;
        const c = (yy: number, xx: number): number => coverage[(l * ch + yy) * cw + xx]!;
        const v = (1 - ty) * ((1 - tx) * c(y0, x0) + tx * c(y0, x1)) + ty * ((1 - tx) * c(y1, x0) + tx * c(y1, x1));
        out[l * n + y * W + x] = 0.7 * v + (0.3 * rand()) / labels + 1e-3;
      }
    }
  }
  return out;
}

interface Problem {
  image: RawImage;
  probabilities: Float32Array;
}

function problem(gen: SceneGenerator, index: number, labels: number): Problem {
  const scene = gen.sceneAt(index);
  return { image: { data: scene.rgb, width: scene.width, height: scene.height, channels: 3 }, probabilities: unaries(scene, labels, index + 1) };
}

/** The w×h window centred in `p` (brute-force-sized images keep the scene's edges and texture). */
function crop(p: Problem, w: number, h: number): Problem {
  const { width: W, height: H, data } = p.image;
  const x0 = (W - w) >> 1;
  const y0 = (H - h) >> 1;
  const labels = p.probabilities.length / (W * H);
  const rgb = new Uint8Array(w * h * 3);
  const probabilities = new Float32Array(labels * w * h);
  for (let y = 0; y < h; y++) {
    rgb.set(data.subarray(((y0 + y) * W + x0) * 3, ((y0 + y) * W + x0 + w) * 3), y * w * 3);
    for (let l = 0; l < labels; l++) {
      const src = l * W * H + (y0 + y) * W + x0;
      probabilities.set(p.probabilities.subarray(src, src + w), l * w * h + y * w);
    }
  }
  return { image: { data: rgb, width: w, height: h, channels: 3 }, probabilities };
}

function timeCalls(p: Problem, repeats: number): number[] {
  denseCrf(p.image, p.probabilities); // warm-up
  return Array.from({ length: repeats }, () => timeIt(() => denseCrf(p.image, p.probabilities)));
}

function agreement(a: DenseCrfResult, b: DenseCrfResult): { max: number; mean: number; labels: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.probabilities.length; i++) {
    const d = Math.abs(a.probabilities[i]! - b.probabilities[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  let same = 0;
  for (let i = 0; i < a.labels.length; i++) if (a.labels[i] === b.labels[i]) same++;
  return { max, mean: sum / a.probabilities.length, labels: same / a.labels.length };
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

function emit(line: Record<string, unknown>, loadStart: number): void {
  Object.assign(line, { threads: 1, load_start: loadStart, load_end: load1() });
  process.stdout.write(JSON.stringify(line) + '\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    log(HELP);
    return;
  }
  const flags = parseFlags(argv);
  for (const k of flags.keys()) if (!['only', 'repeats', 'demo-images', 'concurrency'].includes(k)) throw new Error(`unknown flag --${k}\n${HELP}`);
  const only = (flags.get('only') ?? 'voc,scaling,reference,demo').split(',');
  for (const b of only) if (!['voc', 'scaling', 'reference', 'demo'].includes(b)) throw new Error(`--only: unknown measurement '${b}' (voc, scaling, reference, demo)`);
  const repeats = intFlag(flags, 'repeats', 5);
  const demoImages = intFlag(flags, 'demo-images', 500);
  const concurrency = intFlag(flags, 'concurrency', 2);

  const items = await loadFashionMnist('test');
  await checkLoad();

  if (only.includes('voc')) {
    const load0 = load1();
    const p = problem(generator(items, 500, 375, 1), 0, 21);
    const t = timeCalls(p, repeats);
    emit({ bench: 'crf', case: 'voc', width: 500, height: 375, labels: 21, iterations: 10, call_s: sec(median(t)), call_s_min: sec(Math.min(...t)), repeats }, load0);
  }

  if (only.includes('scaling')) {
    for (const [w, h] of [[125, 94], [177, 133], [250, 188], [354, 266], [500, 375], [707, 530], [1000, 750]] as const) {
      const load0 = load1();
      const p = problem(generator(items, w, h, 2), 0, 21);
      const t = median(timeCalls(p, repeats));
      emit({ bench: 'crf', case: 'scaling', width: w, height: h, pixels: w * h, labels: 21, call_s: sec(t), ns_per_pixel_label: round((t / (w * h * 21)) * 1e9, 2) }, load0);
    }
  }

  if (only.includes('reference')) {
    for (const [w, h] of [[16, 12], [32, 24], [48, 36]] as const) {
      const load0 = load1();
      const p = crop(problem(generator(items, 192, 192, 3), 0, 21), w, h);
      const ours = median(timeCalls(p, repeats));
      let exact: DenseCrfResult | null = null;
      const bt = median(Array.from({ length: w * h > 2000 ? 1 : 3 }, () => timeIt(() => (exact = denseCrfBruteForce(p.image, p.probabilities)))));
      const a = agreement(denseCrf(p.image, p.probabilities), exact!);
      emit({
        bench: 'crf', case: 'reference', width: w, height: h, pixels: w * h, labels: 21,
        call_s: sec(ours), brute_force_s: sec(bt), speedup: ratio(bt, ours),
        max_abs_diff: round(a.max, 4), mean_abs_diff: round(a.mean, 5), label_agreement: round(a.labels, 4),
      }, load0);
    }
  }

  if (only.includes('demo')) {
    const gen = generator(items, 192, 192, 4);
    log(`demo: generating ${demoImages} scenes`);
    const problems = Array.from({ length: demoImages }, (_, i) => problem(gen, i, 11));
    denseCrf(problems[0]!.image, problems[0]!.probabilities);
    const load0 = load1();
    const busy0 = await cpuBusy();
    const t0 = process.hrtime.bigint();
    for (const p of problems) denseCrf(p.image, p.probabilities);
    const serial = Number(process.hrtime.bigint() - t0) / 1e9;
    const t1 = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < problems.length) {
        const p = problems[next++]!;
        await denseCrfAsync(p.image, p.probabilities);
      }
    }));
    const parallel = Number(process.hrtime.bigint() - t1) / 1e9;
    emit({
      bench: 'crf', case: 'demo', images: demoImages, width: 192, height: 192, labels: 11,
      total_s: round(serial, 2), per_image_s: sec(serial / demoImages),
      concurrency, total_s_async: round(parallel, 2), cpu_busy_start: busy0,
    }, load0);
  }
}

main().catch((e: unknown) => {
  log(`bench/crf: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
