/**
 * COCO instance masks: run-length encodings (RLE) and polygons, decoded to binary masks.
 *
 * COCO's RLE runs over the pixels in column-major order (x outer, y inner: pixel (x, y) is at
 * x·height + y), alternating background and foreground runs and starting with background. The
 * annotation files hold it either uncompressed (`counts` a number array, the crowd regions of the
 * instance files) or compressed (`counts` a string, as pycocotools writes it: each run as 5-bit
 * groups in characters offset by 48, bit 0x20 = more groups follow, the last group's bit 0x10 =
 * negative; from the third run on, the difference from the run two before).
 *
 * Polygons (`[x1, y1, x2, y2, …]` in pixel coordinates, several per object) are rasterized here with
 * the even-odd rule at pixel centres: pixel (x, y) is inside when (x + 0.5, y + 0.5) is. This is not
 * pycocotools' rasterizer (which upsamples the outline); masks can differ on boundary pixels.
 *
 * Masks are returned row-major (pixel (x, y) at y·width + x), 1 inside, 0 outside.
 *
 * @example
 * const counts = decodeRleCounts('0P1', 'ann 7');           // compressed → run lengths
 * const mask = rleToMask(counts, 4, 4, 'ann 7');            // Uint8Array(16)
 * const poly = rasterizePolygons([[1, 1, 3, 1, 3, 3, 1, 3]], 4, 4); // the 2×2 square at (1, 1)
 */

/** Most 5-bit groups in one compressed count (7 × 5 = 35 bits covers any 2^32-pixel image). */
const MAX_GROUPS = 7;

/**
 * The run lengths of a compressed RLE string. `what` names the annotation in errors.
 * Throws on characters outside the alphabet, a truncated count, or a negative run length.
 */
export function decodeRleCounts(s: string, what: string): Uint32Array {
  const out: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new Error(`${what}: compressed RLE counts end in the middle of a number (at character ${p})`);
      const code = s.charCodeAt(p) - 48;
      if (code < 0 || code > 63) throw new Error(`${what}: compressed RLE counts hold '${s[p]}' at character ${p}, outside the alphabet '0'..'o'`);
      if (k >= MAX_GROUPS) throw new Error(`${what}: compressed RLE count at character ${p} has more than ${MAX_GROUPS} groups`);
      x += (code & 0x1f) * 2 ** (5 * k);
      more = (code & 0x20) !== 0;
      p++;
      k++;
      if (!more && (code & 0x10) !== 0) x -= 2 ** (5 * k);
    }
    if (out.length > 2) x += out[out.length - 2]!;
    if (x < 0) throw new Error(`${what}: compressed RLE counts decode to a negative run (${x}) at run ${out.length}`);
    out.push(x);
  }
  return Uint32Array.from(out);
}

/** The compressed RLE string of run lengths (the inverse of {@link decodeRleCounts}, as pycocotools writes it). */
export function encodeRleCounts(counts: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    let more = true;
    while (more) {
      // Floor division keeps negative differences right (x >> 5 on numbers past 2^31 would not).
      let c = ((x % 32) + 32) % 32;
      x = (x - c) / 32;
      more = (c & 0x10) !== 0 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/**
 * Checks that run lengths cover exactly height × width pixels (throws naming `what` otherwise).
 */
export function checkRleCounts(counts: ArrayLike<number>, height: number, width: number, what: string): void {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (!(Number.isInteger(c) && c >= 0)) throw new Error(`${what}: RLE run ${i} is ${c}, not a count >= 0`);
    total += c;
  }
  if (total !== height * width) {
    throw new Error(`${what}: RLE runs cover ${total} pixels but the mask is ${height}×${width} = ${height * width}`);
  }
}

/** Decodes run lengths (column-major, background first) to a row-major 0/1 mask of height × width. */
export function rleToMask(counts: ArrayLike<number>, height: number, width: number, what: string): Uint8Array {
  checkRleCounts(counts, height, width, what);
  const mask = new Uint8Array(height * width);
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i]!;
    if (i % 2 === 1) {
      for (let j = pos; j < pos + run; j++) {
        const x = Math.floor(j / height);
        mask[(j - x * height) * width + x] = 1;
      }
    }
    pos += run;
  }
  return mask;
}

/** The run lengths of a row-major 0/1 mask (column-major runs, background first), as COCO stores them. */
export function maskToRleCounts(mask: ArrayLike<number>, height: number, width: number): Uint32Array {
  if (mask.length !== height * width) throw new RangeError(`maskToRleCounts: ${mask.length} pixels for a ${height}×${width} mask`);
  const out: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== current) {
        out.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  out.push(run);
  return Uint32Array.from(out);
}

/**
 * Rasterizes polygons (each `[x1, y1, x2, y2, …]`, at least 3 points) into a row-major 0/1 mask of
 * height × width, even-odd rule at pixel centres, each polygon filled on its own and the results
 * united (COCO's several polygons are the parts of one object).
 */
export function rasterizePolygons(polygons: readonly ArrayLike<number>[], height: number, width: number): Uint8Array {
  const mask = new Uint8Array(height * width);
  const xs: number[] = [];
  for (const poly of polygons) {
    const n = Math.floor(poly.length / 2);
    if (n < 3) continue;
    for (let y = 0; y < height; y++) {
      const cy = y + 0.5;
      xs.length = 0;
      for (let i = 0; i < n; i++) {
        const x0 = poly[2 * i]!;
        const y0 = poly[2 * i + 1]!;
        const j = (i + 1) % n;
        const x1 = poly[2 * j]!;
        const y1 = poly[2 * j + 1]!;
        // Half-open in y so a vertex on the scan line counts once.
        if ((y0 <= cy && cy < y1) || (y1 <= cy && cy < y0)) xs.push(x0 + ((cy - y0) / (y1 - y0)) * (x1 - x0));
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        // Pixels whose centre x + 0.5 lies in [xs[k], xs[k+1]).
        const from = Math.max(0, Math.ceil(xs[k]! - 0.5));
        const to = Math.min(width, Math.ceil(xs[k + 1]! - 0.5));
        for (let x = from; x < to; x++) mask[y * width + x] = 1;
      }
    }
  }
  return mask;
}
