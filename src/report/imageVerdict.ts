// What went right and wrong on one image: the classes it missed, the absent classes that fired,
// and the present classes whose peak fell outside their boxes. Drives the choice of the gallery
// and the summary line of each gallery card.

export interface ImageOutcome {
  /** Class scores of the image (pooled, before sigmoid / softmax). */
  scores: ArrayLike<number>;
  /** Probabilities when the loss defines them (sigmoid / softmax), else undefined. */
  probs?: ArrayLike<number>;
  /** Labels: 1 present, -1 absent, 0 ignored (VOC 'difficult'). */
  labels: ArrayLike<number>;
  /** Per class: whether the class map's peak hit a box of the class (present classes only; others ignored). */
  peakHits: ArrayLike<boolean>;
}

export interface ImageVerdict {
  present: number[];
  /** Present classes ranked below an absent one, or with probability < 0.5. */
  missed: number[];
  /** Absent classes ranked above a present one, or with probability > 0.5; highest score first. */
  falsePositives: number[];
  /** Present classes whose peak missed every box of the class. */
  mislocalized: number[];
  /** missed + false positives + mislocalized. */
  errors: number;
  /** Lowest present score minus highest absent score (larger = more confident); ±Infinity when a side is empty. */
  margin: number;
}

/** Judges one image; see {@link ImageVerdict}. */
export function imageVerdict(o: ImageOutcome): ImageVerdict {
  const C = o.scores.length;
  const present: number[] = [];
  const absent: number[] = [];
  for (let c = 0; c < C; c++) {
    if (o.labels[c] === 1) present.push(c);
    else if (o.labels[c] === -1) absent.push(c);
  }
  const s = (c: number): number => o.scores[c]!;
  const minPresent = present.length > 0 ? Math.min(...present.map(s)) : Infinity;
  const maxAbsent = absent.length > 0 ? Math.max(...absent.map(s)) : -Infinity;
  const missed = present.filter((c) => s(c) < maxAbsent || (o.probs !== undefined && o.probs[c]! < 0.5));
  const falsePositives = absent
    .filter((c) => s(c) > minPresent || (o.probs !== undefined && o.probs[c]! > 0.5))
    .sort((a, b) => s(b) - s(a) || a - b);
  const mislocalized = present.filter((c) => !o.peakHits[c]);
  return {
    present,
    missed,
    falsePositives,
    mislocalized,
    errors: missed.length + falsePositives.length + mislocalized.length,
    margin: minPresent - maxAbsent,
  };
}

/**
 * Deterministic gallery of n images with good and bad cases: images are ordered from best to
 * worst (fewest errors, then most classes present, then largest margin, then id), the first
 * ⌈n/2⌉ are the best cases and the last ⌊n/2⌋ the worst (listed worst first). With n ≥ the
 * number of images, every image is shown (best half, then worst half).
 */
export function selectGallery(verdicts: readonly ImageVerdict[], ids: readonly string[], n: number): { best: number[]; worst: number[] } {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`selectGallery: n must be a non-negative integer, got ${n}`);
  if (verdicts.length !== ids.length) throw new RangeError(`selectGallery: ${verdicts.length} verdicts for ${ids.length} ids`);
  const order = verdicts.map((_, i) => i);
  order.sort((a, b) => {
    const va = verdicts[a]!;
    const vb = verdicts[b]!;
    if (va.errors !== vb.errors) return va.errors - vb.errors;
    // Among equally right images, those with more objects say more about the model.
    if (va.present.length !== vb.present.length) return vb.present.length - va.present.length;
    const ma = Number.isNaN(va.margin) ? -Infinity : va.margin;
    const mb = Number.isNaN(vb.margin) ? -Infinity : vb.margin;
    if (ma !== mb) return mb > ma ? 1 : -1;
    return ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b;
  });
  const k = Math.min(n, order.length);
  const nBest = Math.ceil(k / 2);
  const nWorst = k - nBest;
  return { best: order.slice(0, nBest), worst: order.slice(order.length - nWorst).reverse() };
}
