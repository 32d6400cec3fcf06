// Seeded mutations of a seed file: byte-level for binary formats, token-level for text.
// Deterministic: mutant (seed, index) is the same bytes on every machine.

/** A small deterministic generator (mulberry32). */
export class FuzzRng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
}

const INTERESTING32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 100000, 46000];
const TEXT_TOKENS = [
  '<', '>', '</', '/>', '&', '&amp;', '&#1114112;', '&#x110000;', '&lol;', '<![CDATA[', ']]>', '<!--', '-->', '<?x ?>', '<!DOCTYPE a [<!ENTITY e "x">]>',
  '"', "'", ';', ',', '\t', ' ', '\n', '\r\n', '#', '../', '/etc/passwd', '=cmd()', '-1', '0', '1', '20000000', '1e308', 'NaN', '\ufeff',
  '<object>', '</object>', '<name>', '</name>', '<bndbox>', '<xmin>', '</xmin>', '{', '}', '[', ']', '"images"', '"annotations"', ':', 'null',
];

/** One mutant of `seed` (never longer than `maxBytes`); the seed itself is left untouched. */
export function mutate(seed: Uint8Array, rng: FuzzRng, text: boolean, maxBytes = 1 << 20): Uint8Array {
  // A copy: Buffer's slice() is a view, and mutating it would damage the seed for every later mutant.
  let b: Uint8Array = new Uint8Array(seed);
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const n = b.length;
    const at = n === 0 ? 0 : rng.int(n);
    switch (rng.int(text ? 9 : 8)) {
      case 0: if (n > 0) b[at] = b[at]! ^ (1 << rng.int(8)); break; // bit flip
      case 1: if (n > 0) b[at] = rng.int(256); break; // random byte
      case 2: { // interesting 32-bit value, either endianness
        if (n >= 4) {
          const v = rng.pick(INTERESTING32);
          const p = Math.min(at, n - 4);
          const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
          dv.setUint32(p, v >>> 0, rng.int(2) === 0);
        }
        break;
      }
      case 3: b = b.subarray(0, rng.int(n + 1)).slice(); break; // truncate
      case 4: { // delete a range
        const len = rng.int(Math.min(64, n - at) + 1);
        b = concat(b.subarray(0, at), b.subarray(at + len));
        break;
      }
      case 5: { // duplicate a range (repeated up to 64 times)
        const len = 1 + rng.int(Math.min(256, Math.max(1, n - at)));
        const piece = b.subarray(at, at + len);
        const times = 1 + rng.int(rng.int(4) === 0 ? 64 : 3);
        const parts = [b.subarray(0, at)];
        for (let k = 0; k < times; k++) parts.push(piece);
        parts.push(b.subarray(at));
        b = concat(...parts);
        break;
      }
      case 6: { // insert random bytes
        const len = 1 + rng.int(16);
        const ins = new Uint8Array(len).map(() => rng.int(256));
        b = concat(b.subarray(0, at), ins, b.subarray(at));
        break;
      }
      case 7: { // swap two ranges
        if (n > 8) {
          const len = 1 + rng.int(Math.min(32, n >> 2));
          const p = rng.int(n - len);
          const q = rng.int(n - len);
          const tmp = b.slice(p, p + len);
          b.copyWithin(p, q, q + len);
          b.set(tmp, q);
        }
        break;
      }
      case 8: { // insert a format token (text formats)
        const tok = new TextEncoder().encode(rng.pick(TEXT_TOKENS));
        b = concat(b.subarray(0, at), tok, b.subarray(at));
        break;
      }
    }
    if (b.length > maxBytes) b = b.subarray(0, maxBytes).slice();
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
