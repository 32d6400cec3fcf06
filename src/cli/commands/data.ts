import { writeVocScenes } from '../../data/index.js';
import { parse, str, num, flag, UsageError } from '../args.js';

export const DATA_USAGE = `
wildcat data scenes --out DIR [--train N] [--val N] [--test N] [--size PX] [--seed S] [--overwrite]

Writes cluttered multi-item Fashion-MNIST scenes in the VOCdevkit layout (DIR/VOC2007/...:
JPEGImages, Annotations with boxes, SegmentationClass PNGs, ImageSets) — image-level labels for
training, boxes and masks for evaluation. Use them as --data voc:DIR.
`;

export const SCENE_DEFAULTS = { train: 1200, val: 200, test: 500, size: 192, seed: 2017 };

export async function dataCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    out: { type: 'string' }, train: { type: 'string' }, val: { type: 'string' }, test: { type: 'string' },
    size: { type: 'string' }, seed: { type: 'string' }, overwrite: { type: 'boolean' },
  }, DATA_USAGE);
  if (p.positionals[0] !== 'scenes') {
    throw new UsageError(`${p.positionals[0] ? `unknown data command '${p.positionals[0]}'` : 'missing data command (scenes)'}\n\n${DATA_USAGE.trim()}`);
  }
  const size = num(p, 'size', SCENE_DEFAULTS.size, { int: true, min: 64 });
  const r = await writeVocScenes({
    out: str(p, 'out'),
    counts: {
      train: num(p, 'train', SCENE_DEFAULTS.train, { int: true, min: 1 }),
      val: num(p, 'val', SCENE_DEFAULTS.val, { int: true, min: 1 }),
      test: num(p, 'test', SCENE_DEFAULTS.test, { int: true, min: 1 }),
    },
    size,
    // The generator's item sizes (40..110 px) are meant for 192-px scenes: scale them with the
    // side so that smaller scenes (e.g. 64 px for quick runs) keep the same composition.
    scene: size === SCENE_DEFAULTS.size ? undefined : { minItemSize: Math.max(8, Math.round((40 * size) / 192)), maxItemSize: Math.round((110 * size) / 192) },
    seed: num(p, 'seed', SCENE_DEFAULTS.seed, { int: true, min: 0 }),
    overwrite: flag(p, 'overwrite'),
  });
  console.log(`${r.root}: ${r.ids.train.length} train, ${r.ids.val.length} val, ${r.ids.test.length} test scenes, ${r.objects} objects, classes ${r.classNames.join(' ')} (${r.seconds.toFixed(1)} s)`);
}
