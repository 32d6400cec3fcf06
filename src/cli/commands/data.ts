import { HELD_OUT_STYLES, PRETRAIN_STYLES, writeVocScenes, type StyleFamilies } from '../../data/index.js';
import { parse, str, num, flag, choice, UsageError } from '../args.js';

export const DATA_USAGE = `
wildcat data scenes --out DIR [--train N] [--val N] [--test N] [--size PX] [--seed S]
                    [--style classic|held-out|pretrain] [--overwrite]

Writes cluttered multi-item Fashion-MNIST scenes in the VOCdevkit layout (DIR/VOC2007/...:
JPEGImages, Annotations with boxes, SegmentationClass PNGs, ImageSets) — image-level labels for
training, boxes and masks for evaluation. Use them as --data voc:DIR.

--style classic    dark clutter, bright shaded items: the embedded scenes (default)
--style held-out   Voronoi-mosaic backgrounds and two-tone items, blur, noise, JPEG artefacts:
                   a style the default pre-training never uses (measures how the backbone transfers)
--style pretrain   the style families the default pre-training draws from
`;

/** The style families of a --style name (null: the classic look). */
export const SCENE_STYLES: Record<'classic' | 'held-out' | 'pretrain', StyleFamilies | null> = {
  classic: null,
  'held-out': HELD_OUT_STYLES,
  pretrain: PRETRAIN_STYLES,
};

export const SCENE_DEFAULTS = { train: 1200, val: 200, test: 500, size: 192, seed: 2017 };

export async function dataCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    out: { type: 'string' }, train: { type: 'string' }, val: { type: 'string' }, test: { type: 'string' },
    size: { type: 'string' }, seed: { type: 'string' }, style: { type: 'string' }, overwrite: { type: 'boolean' },
  }, DATA_USAGE);
  if (p.positionals[0] !== 'scenes') {
    throw new UsageError(`${p.positionals[0] ? `unknown data command '${p.positionals[0]}'` : 'missing data command (scenes)'}\n\n${DATA_USAGE.trim()}`);
  }
  const size = num(p, 'size', SCENE_DEFAULTS.size, { int: true, min: 64 });
  const styles = SCENE_STYLES[choice(p, 'style', ['classic', 'held-out', 'pretrain'] as const, 'classic')];
  // The generator's item sizes (40..110 px) are meant for 192-px scenes: scale them with the
  // side so that smaller scenes (e.g. 64 px for quick runs) keep the same composition.
  const itemSizes = size === SCENE_DEFAULTS.size ? {} : { minItemSize: Math.max(8, Math.round((40 * size) / 192)), maxItemSize: Math.round((110 * size) / 192) };
  const r = await writeVocScenes({
    out: str(p, 'out'),
    counts: {
      train: num(p, 'train', SCENE_DEFAULTS.train, { int: true, min: 1 }),
      val: num(p, 'val', SCENE_DEFAULTS.val, { int: true, min: 1 }),
      test: num(p, 'test', SCENE_DEFAULTS.test, { int: true, min: 1 }),
    },
    size,
    scene: styles || size !== SCENE_DEFAULTS.size ? { ...itemSizes, ...(styles ? { styles } : {}) } : undefined,
    seed: num(p, 'seed', SCENE_DEFAULTS.seed, { int: true, min: 0 }),
    overwrite: flag(p, 'overwrite'),
  });
  console.log(`${r.root}: ${r.ids.train.length} train, ${r.ids.val.length} val, ${r.ids.test.length} test scenes, ${r.objects} objects, classes ${r.classNames.join(' ')} (${r.seconds.toFixed(1)} s)`);
}
