// The flags that say how far a dataset's own files are trusted: --allow-outside-root and
// --unknown-class. `wildcat train` records them in config.json; eval, predict, report and
// tune-segmentation read a run's dataset the same way unless a flag is given again.
import type { DatasetReadOptions } from '../train/datasetSpec.js';
import { choice, flag, type Parsed } from './args.js';

export const DATASET_READ_OPTIONS = {
  'allow-outside-root': { type: 'boolean' }, 'unknown-class': { type: 'string' },
} as const;

export const DATASET_READ_USAGE = `Dataset files
  --allow-outside-root   read VOC image ids and CSV paths that leave the dataset folder (absolute
                         or ../); without it they are refused, naming the list and the path
  --unknown-class P      fail|warn: a VOC object whose name is not a class of the dataset stops
                         with an error naming the file (fail, default) or is left out with one
                         warning per file (warn)`;

/** The options the flags give (absent flags stay undefined, so a run's recorded values apply). */
export function datasetReadFromFlags(p: Parsed): DatasetReadOptions {
  return {
    allowOutsideRoot: flag(p, 'allow-outside-root') ? true : undefined,
    unknownClass: p.values['unknown-class'] === undefined ? undefined : choice(p, 'unknown-class', ['fail', 'warn'] as const, 'fail'),
  };
}
