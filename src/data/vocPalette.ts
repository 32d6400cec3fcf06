/**
 * The PASCAL VOC colour palette of segmentation PNGs: index 0 black (background), 1..20 the classes,
 * 255 (224, 224, 192) void. Entry i spreads the bits of i over the high bits of R, G and B
 * (`bitget` construction of the VOC devkit's `labelcolormap.m`).
 */

let cached: Uint8Array | null = null;

/** The 256-entry VOC palette as RGB triplets (768 bytes). Do not modify the returned array. */
export function vocColormap(): Uint8Array {
  if (cached) return cached;
  const map = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = i;
    for (let j = 0; j < 8; j++) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    map[3 * i] = r;
    map[3 * i + 1] = g;
    map[3 * i + 2] = b;
  }
  cached = map;
  return map;
}

/** Maps a packed colour (r << 16 | g << 8 | b) back to its VOC index; the palette is injective. */
export function vocColourToIndex(): Map<number, number> {
  const map = vocColormap();
  const inverse = new Map<number, number>();
  for (let i = 0; i < 256; i++) inverse.set((map[3 * i]! << 16) | (map[3 * i + 1]! << 8) | map[3 * i + 2]!, i);
  return inverse;
}
