import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DENSE_CRF_BRUTE_FORCE_MAX_PIXELS, DENSE_CRF_DEFAULTS, denseCrf, denseCrfAsync, denseCrfBruteForce, denseCrfParameters,
  type DenseCrfOptions, type DenseCrfResult, type RawImage,
} from '../../src/segment/index.js';
import { seededRandom } from '../helpers/seededRandom.js';

/**
 * A W×H scene of L Voronoi regions, each of its own colour (plus noise), and unaries like
 * upsampled class maps: the true region map blurred over 5×5 pixels, shifted by up to a pixel,
 * mixed with noise. Informative but imperfect, as the CRF's real inputs are.
 */
function scene(width: number, height: number, channels: 1 | 3, labels: number, seed: number): { image: RawImage; probabilities: Float32Array } {
  const rand = seededRandom(seed);
  const n = width * height;
  const colours = Array.from({ length: labels }, (_, k) => [30 + Math.floor((200 * k) / labels), Math.floor(rand() * 220), Math.floor(rand() * 220)]);
  const centres = Array.from({ length: labels }, () => [rand() * width, rand() * height] as const);
  const truth = new Uint8Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let best = 0;
      let bestD = Infinity;
      centres.forEach(([cx, cy], k) => {
        const d = (cx - x) ** 2 + (cy - y) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      });
      truth[y * width + x] = best;
    }
  }
  const data = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = colours[truth[i]!]![c]! + Math.floor(rand() * 20);
  const shift = Math.floor(rand() * 3) - 1;
  const probabilities = new Float32Array(labels * n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let l = 0; l < labels; l++) {
        let v = 0;
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            const yy = Math.min(height - 1, Math.max(0, y + dy));
            const xx = Math.min(width - 1, Math.max(0, x + dx + shift));
            if (truth[yy * width + xx] === l) v++;
          }
        }
        probabilities[l * n + y * width + x] = (v / 25) * 0.7 + (0.3 * rand()) / labels + 0.02;
      }
    }
  }
  return { image: { data, width, height, channels }, probabilities };
}

interface Agreement {
  meanAbs: number;
  /** Fraction of (pixel, label) entries differing by more than 0.05. */
  over005: number;
  labelAgreement: number;
}

function compare(a: DenseCrfResult, b: DenseCrfResult): Agreement {
  let sum = 0;
  let over = 0;
  for (let i = 0; i < a.probabilities.length; i++) {
    const d = Math.abs(a.probabilities[i]! - b.probabilities[i]!);
    sum += d;
    if (d > 0.05) over++;
  }
  let same = 0;
  for (let i = 0; i < a.labels.length; i++) if (a.labels[i] === b.labels[i]) same++;
  return { meanAbs: sum / a.probabilities.length, over005: over / a.probabilities.length, labelAgreement: same / a.labels.length };
}

const CONFIGS: [string, DenseCrfOptions][] = [
  ['defaults (σs scaled to 16 px)', {}],
  ['both kernels, σ in pixels', { scaleToImage: false, gaussian: { sxy: 1, weight: 3 }, bilateral: { sxy: 5, srgb: 13, weight: 10 } }],
  ['wider kernels', { scaleToImage: false, gaussian: { sxy: 3, weight: 3 }, bilateral: { sxy: 10, srgb: 20, weight: 5 } }],
  ['Gaussian kernel only', { scaleToImage: false, gaussian: { sxy: 2, weight: 3 }, bilateral: { weight: 0 } }],
  ['bilateral kernel only', { scaleToImage: false, gaussian: { weight: 0 }, bilateral: { sxy: 4, srgb: 30, weight: 10 } }],
];

// The lattice approximates each Gaussian filter: on these scenes a single message pass differs
// from the exact one by ~10% (RMS, relative) for the 2-D Gaussian kernel and 10-25% for the
// sparse 3-D/5-D bilateral one, and the weights (up to 10) amplify that in the logits. After 10
// iterations most pixels settle on the same fixed point (mean |ΔQ| ≤ 0.003 measured) while the
// few pixels near a tie between labels may settle differently (one pixel in 1,024 flipped in
// the worst configuration). Hence the tolerances: mean |ΔQ| ≤ 0.006, at most 1.5% of the
// entries off by more than 0.05, ≥ 97% of the labels equal, final free energy within 2%.
test('permutohedral mean field matches the brute-force O(N²) mean field (several L, grey and colour, both kernels)', () => {
  for (const [name, options] of CONFIGS) {
    for (const [channels, labels] of [[3, 2], [3, 5], [1, 3]] as const) {
      for (const seed of [1, 2]) {
        const { image, probabilities } = scene(16, 16, channels, labels, seed * 7 + labels);
        const opts = { ...options, energy: true };
        const lattice = denseCrf(image, probabilities, opts);
        const exact = denseCrfBruteForce(image, probabilities, opts);
        const a = compare(lattice, exact);
        const what = `${name}, ${channels} channel(s), ${labels} labels, seed ${seed}: ${JSON.stringify(a)}`;
        assert.ok(a.meanAbs <= 0.006, what);
        assert.ok(a.over005 <= 0.015, what);
        assert.ok(a.labelAgreement >= 0.97, what);
        const fl = lattice.energy!.at(-1)!;
        const fe = exact.energy!.at(-1)!;
        assert.ok(Math.abs(fl - fe) <= 0.02 * Math.abs(fe), `${what}: free energy ${fl} vs ${fe}`);
      }
    }
  }
});

test('a single message pass is close to the exact one, and a kernel 50% too wide is not', () => {
  // One iteration shows the filter's accuracy before the fixed point hides it (after 10
  // iterations even σs 50% off end on the same labels for these well-separated scenes).
  const options: DenseCrfOptions = { iterations: 1, scaleToImage: false, gaussian: { sxy: 2, weight: 3 }, bilateral: { sxy: 5, srgb: 20, weight: 10 } };
  const wide: DenseCrfOptions = { ...options, gaussian: { sxy: 3, weight: 3 }, bilateral: { sxy: 7.5, srgb: 30, weight: 10 } };
  for (const [channels, labels, seed] of [[3, 3, 11], [1, 2, 12], [3, 5, 13]] as const) {
    const { image, probabilities } = scene(16, 16, channels, labels, seed);
    const exact = denseCrfBruteForce(image, probabilities, options);
    const right = compare(denseCrf(image, probabilities, options), exact);
    const wrong = compare(denseCrf(image, probabilities, wide), exact);
    const what = `${channels} channel(s), ${labels} labels: right σ ${JSON.stringify(right)}, σ × 1.5 ${JSON.stringify(wrong)}`;
    assert.ok(right.meanAbs <= 0.002, what);
    assert.ok(wrong.meanAbs >= 2 * right.meanAbs, what);
  }
});

test('mean-field free energy never increases (exact kernels), and practically never on the lattice', () => {
  for (const [name, options] of CONFIGS) {
    for (const [channels, labels] of [[3, 4], [1, 2]] as const) {
      const { image, probabilities } = scene(16, 16, channels, labels, 3 + labels);
      const opts = { ...options, energy: true, iterations: 8 };
      const exact = denseCrfBruteForce(image, probabilities, opts).energy!;
      const lattice = denseCrf(image, probabilities, opts).energy!;
      assert.equal(exact.length, 9);
      assert.equal(lattice.length, 9);
      assert.ok(exact.at(-1)! < exact[0]!, `${name}: the CRF changed nothing`);
      for (let k = 1; k < exact.length; k++) {
        // Concave-convex step with a positive semi-definite kernel: monotone up to rounding.
        assert.ok(exact[k]! <= exact[k - 1]! + 1e-9 * Math.abs(exact[0]!), `${name} exact: F rose at iteration ${k}: ${Array.from(exact).join(', ')}`);
        // The lattice's filter is only nearly symmetric (its blur directions stop commuting
        // where the lattice is sparse): allow a rise of 1e-4 of |F|.
        assert.ok(lattice[k]! <= lattice[k - 1]! + 1e-4 * Math.abs(lattice[0]!), `${name} lattice: F rose at iteration ${k}: ${Array.from(lattice).join(', ')}`);
      }
    }
  }
});

/** A 40×12 image, colour A left of x = 20, colour B from x = 20 on. */
function twoColourImage(channels: 1 | 3): RawImage {
  const width = 40;
  const height = 12;
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    const left = i % width < 20;
    const rgb = left ? [200, 60, 40] : [40, 90, 190];
    for (let c = 0; c < channels; c++) data[i * channels + c] = channels === 1 ? (left ? 170 : 70) : rgb[c]!;
  }
  return { data, width, height, channels };
}

/** Two labels whose blurred boundary sits at x = 24.5, four pixels right of the colour edge. */
function blurredUnary(width: number, height: number): Float32Array {
  const n = width * height;
  const p = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const p0 = 1 / (1 + Math.exp((i % width - 24.5) / 3));
    p[i] = p0;
    p[n + i] = 1 - p0;
  }
  return p;
}

function boundaryColumns(labels: Uint8Array | Uint16Array, width: number, height: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    let x = 0;
    while (x < width && labels[y * width + x] === 0) x++;
    for (let r = x; r < width; r++) assert.equal(labels[y * width + r], 1, `row ${y}: label 0 again at x = ${r} after the boundary at ${x}`);
    out.push(x);
  }
  return out;
}

test('a blurred unary snaps to the colour edge (colour and grey, lattice and exact)', () => {
  for (const channels of [3, 1] as const) {
    const image = twoColourImage(channels);
    const probabilities = blurredUnary(image.width, image.height);
    const before = denseCrf(image, probabilities, { iterations: 0 });
    assert.deepEqual(boundaryColumns(before.labels, image.width, image.height), Array(image.height).fill(25), 'the unary alone puts the boundary at x = 25');
    for (const [name, result] of [['lattice', denseCrf(image, probabilities)], ['exact', denseCrfBruteForce(image, probabilities)]] as const) {
      assert.deepEqual(boundaryColumns(result.labels, image.width, image.height), Array(image.height).fill(20), `${name}, ${channels} channel(s)`);
    }
  }
});

test('options: defaults, scaling with the image size, absolute σs', () => {
  const d = DENSE_CRF_DEFAULTS;
  assert.deepEqual(
    [d.iterations, d.gaussian.sxy, d.gaussian.weight, d.bilateral.sxy, d.bilateral.srgb, d.bilateral.weight, d.referenceSide, d.scaleToImage],
    [10, 3, 3, 80, 13, 10, 500, true],
  );
  const p = denseCrfParameters(250, 192);
  assert.equal(p.gaussianSxy, 1.5);
  assert.equal(p.bilateralSxy, 40);
  assert.equal(p.bilateralSrgb, 13);
  const q = denseCrfParameters(250, 192, { scaleToImage: false, bilateral: { sxy: 50 } });
  assert.deepEqual([q.gaussianSxy, q.bilateralSxy, q.bilateralSrgb, q.bilateralWeight], [3, 50, 13, 10]);
  assert.equal(denseCrfParameters(1000, 10, { referenceSide: 100 }).gaussianSxy, 30);
});

test('iterations 0 returns the normalised input; unnormalised scores are normalised per pixel', () => {
  const { image, probabilities } = scene(8, 6, 3, 3, 5);
  const r = denseCrf(image, probabilities, { iterations: 0 });
  const n = 48;
  for (let i = 0; i < n; i++) {
    const s = probabilities[i]! + probabilities[n + i]! + probabilities[2 * n + i]!;
    for (let l = 0; l < 3; l++) assert.ok(Math.abs(r.probabilities[l * n + i]! - probabilities[l * n + i]! / s) < 1e-6);
  }
  const doubled = denseCrf(image, probabilities.map((v) => v * 2), {});
  const plain = denseCrf(image, probabilities, {});
  assert.deepEqual(doubled.labels, plain.labels);
  for (let k = 0; k < plain.probabilities.length; k++) assert.ok(Math.abs(doubled.probabilities[k]! - plain.probabilities[k]!) < 1e-5);
});

test('one label, and more than 256 labels (Uint16Array labels)', () => {
  const { image } = scene(6, 5, 3, 2, 9);
  const one = denseCrf(image, new Float32Array(30).fill(1));
  assert.ok(one.probabilities.every((v) => v === 1));
  assert.ok(one.labels instanceof Uint8Array && one.labels.every((v) => v === 0));
  const L = 300;
  const p = new Float32Array(L * 30).fill(0.001);
  for (let i = 0; i < 30; i++) p[(257 + (i % 3)) * 30 + i] = 1;
  const many = denseCrf(image, p, { iterations: 2 });
  assert.ok(many.labels instanceof Uint16Array);
  for (let i = 0; i < 30; i++) assert.ok(many.labels[i]! >= 257 && many.labels[i]! <= 259);
});

test('the async variant returns exactly what the synchronous one does, and is deterministic', async () => {
  const { image, probabilities } = scene(16, 16, 3, 4, 21);
  const opts = { energy: true };
  const sync = denseCrf(image, probabilities, opts);
  const again = denseCrf(image, probabilities, opts);
  const [async1, async2] = await Promise.all([denseCrfAsync(image, probabilities, opts), denseCrfAsync(image, probabilities, opts)]);
  for (const other of [again, async1, async2]) {
    assert.deepEqual(other.probabilities, sync.probabilities);
    assert.deepEqual(other.labels, sync.labels);
    assert.deepEqual(other.energy, sync.energy);
  }
});

test('bad inputs give errors that name what is wrong', async () => {
  const { image, probabilities } = scene(4, 3, 3, 2, 1);
  const grey: RawImage = { data: new Uint8Array(12), width: 4, height: 3, channels: 1 };
  const cases: [string, () => unknown, RegExp][] = [
    ['length mismatch', () => denseCrf(image, probabilities.subarray(0, 13)), /multiple of 4 × 3 = 12 for the length of the probabilities of denseCrf\(\) but received 13; .*upsample/],
    ['empty probabilities (L < 1)', () => denseCrf(image, new Float32Array(0)), /positive multiple.*probabilities.*received 0/],
    ['image data length', () => denseCrf({ ...image, data: new Uint8Array(35) }, probabilities), /4 × 3 × 3 = 36 bytes for the length of image\.data.*received 35/],
    ['grey data given as RGB', () => denseCrf({ ...grey, channels: 3 }, probabilities), /36 bytes for the length of image\.data.*received 12/],
    ['channels', () => denseCrf({ ...image, channels: 4 as 3 }, probabilities), /1 \(grey\) or 3 \(RGB\) for image\.channels.*received 4; drop an alpha channel/],
    ['width', () => denseCrf({ ...image, width: 0 }, probabilities), />= 1 for image\.width.*received 0/],
    ['data type', () => denseCrf({ ...image, data: Array.from(image.data) as unknown as Uint8Array }, probabilities), /Uint8Array.*for image\.data.*received an array/],
    ['probabilities type', () => denseCrf(image, Array.from(probabilities) as unknown as Float32Array), /Float32Array.*for the probabilities.*received an array/],
    ['NaN', () => denseCrf(image, probabilities.map((v, i) => (i === 13 ? NaN : v))), /finite number >= 0 for the probability of label 1 at pixel \(x 1, y 0\).*received NaN/],
    ['negative', () => denseCrf(image, probabilities.map((v, i) => (i === 2 ? -0.5 : v))), /label 0 at pixel \(x 2, y 0\).*received -0\.5/],
    ['infinite', () => denseCrf(image, probabilities.map((v, i) => (i === 0 ? Infinity : v))), /received Infinity/],
    ['zero-sum pixel', () => denseCrf(image, probabilities.map((v, i) => (i % 12 === 5 ? 0 : v))), /sum > 0 for the sum of the probabilities at pixel \(x 1, y 1\).*received 0/],
    ['iterations not an integer', () => denseCrf(image, probabilities, { iterations: 2.5 }), /integer >= 0 for option iterations of denseCrf\(\) but received 2\.5/],
    ['iterations negative', () => denseCrf(image, probabilities, { iterations: -1 }), /option iterations.*received -1/],
    ['σ zero', () => denseCrf(image, probabilities, { gaussian: { sxy: 0 } }), /> 0 for option gaussian\.sxy.*received 0/],
    ['σrgb negative', () => denseCrf(image, probabilities, { bilateral: { srgb: -13 } }), /> 0 for option bilateral\.srgb.*received -13/],
    ['weight negative', () => denseCrf(image, probabilities, { bilateral: { weight: -1 } }), />= 0 for option bilateral\.weight.*received -1/],
    ['σ NaN', () => denseCrf(image, probabilities, { bilateral: { sxy: NaN } }), /option bilateral\.sxy.*received NaN/],
    ['unknown option', () => denseCrf(image, probabilities, { iteration: 3 } as DenseCrfOptions), /unknown option 'iteration'; the options are iterations, /],
    ['unknown kernel field', () => denseCrf(image, probabilities, { bilateral: { sigma: 3 } } as DenseCrfOptions), /option bilateral: unknown option 'sigma'/],
    ['scaleToImage not boolean', () => denseCrf(image, probabilities, { scaleToImage: 'no' as unknown as boolean }), /boolean for option scaleToImage/],
    ['minProbability', () => denseCrf(image, probabilities, { minProbability: 0 }), /option minProbability.*received 0/],
    ['brute force on a big image', () => denseCrfBruteForce({ data: new Uint8Array(65 * 64), width: 65, height: 64, channels: 1 }, new Float32Array(65 * 64).fill(1)),
      new RegExp(`at most ${DENSE_CRF_BRUTE_FORCE_MAX_PIXELS} pixels.*received '65 × 64'; .*use denseCrf\\(\\)`)],
  ];
  for (const [name, fn, pattern] of cases) assert.throws(fn, pattern, name);
  await assert.rejects(denseCrfAsync(image, probabilities.subarray(0, 13)), /probabilities of denseCrfAsync\(\) but received 13/);
  assert.doesNotThrow(() => denseCrf(grey, probabilities));
});
