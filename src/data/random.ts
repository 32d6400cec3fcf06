/**
 * Small seeded pseudo-random generator for the data layer (xoshiro128**, seeded through splitmix32).
 *
 * Everything random in `src/data` (scene layouts, tints, shuffles, augmentations) draws from an `Rng`
 * so a run is reproducible from one integer seed. Independent streams are derived with `mixSeed` /
 * `Rng.fork` (for example one stream per image index), which keeps results identical whatever the
 * order or concurrency in which images are produced.
 *
 * @example
 * const rng = new Rng(42);
 * rng.next();            // uniform in [0, 1)
 * rng.int(10);           // integer in [0, 10)
 * rng.normal();          // standard normal
 * const perm = rng.permutation(5);
 * const perImage = new Rng(mixSeed(42, imageIndex));
 */

/** 32-bit avalanche of one word (murmur3 finalizer). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Converts a seed part to a 32-bit word; non-integers and strings are hashed so every value counts. */
function seedWord(part: number | string): number {
  if (typeof part === 'string') {
    let h = 0x811c9dc5;
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  if (!Number.isFinite(part)) throw new RangeError(`seed must be a finite number, got ${part}`);
  if (Number.isInteger(part) && Math.abs(part) < 2 ** 53) {
    // Fold both halves so seeds above 2^32 stay distinct.
    const lo = part >>> 0;
    const hi = Math.floor(part / 2 ** 32) >>> 0;
    return (lo ^ fmix32(hi + 0x9e3779b9)) >>> 0;
  }
  return seedWord(String(part));
}

/** Hashes several seed parts (numbers or strings) into one 32-bit seed; order matters. */
export function mixSeed(...parts: Array<number | string>): number {
  let h = 0x2545f491;
  for (const p of parts) h = fmix32((h ^ seedWord(p)) + 0x9e3779b9 + (h << 6) + (h >>> 2));
  return h >>> 0;
}

/** Seeded generator (xoshiro128**). Not cryptographic; fast and good enough for data generation. */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  constructor(seed: number | string = 0) {
    let x = seedWord(seed);
    const split = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A new independent generator derived from this one's next output and the given keys. */
  fork(...keys: Array<number | string>): Rng {
    return new Rng(mixSeed(this.nextUint32(), ...keys));
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n) (n ≥ 1). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int needs n >= 1, got ${n}`);
    return Math.floor(this.next() * Math.floor(n));
  }

  /** Integer in [lo, hi], both ends included. */
  intBetween(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`Rng.intBetween needs lo <= hi, got [${lo}, ${hi}]`);
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /** Normal sample (Box-Muller, the second value is cached). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return mean + std * v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick needs a non-empty array');
    return items[this.int(items.length)]!;
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T, A extends { length: number; [i: number]: T }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle<number, Int32Array>(p);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
