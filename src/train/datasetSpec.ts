// Datasets named on the command line: `voc:DIR` (VOCdevkit or VOC<year> folder — real VOC and
// the embedded scenes alike), `coco:INSTANCES.json,IMAGES_DIR`, `csv:FILE` (path + labels),
// `folder:DIR` (a folder per class).
import {
  CocoDataset, describeBadImages, findBadImages, openCocoDataset, openVocDataset, readCsvDataset, readFolderDataset,
  type LabeledImageList, type UnknownClassPolicy, type VocDataset,
} from '../data/index.js';

export interface DatasetSpec {
  kind: 'voc' | 'coco' | 'csv' | 'folder';
  path: string;
}

/**
 * How far a dataset's own files are trusted (CLI: --allow-outside-root, --unknown-class; a run
 * records both in config.json). COCO files never name images outside their folder; folder
 * datasets have no lists to distrust.
 */
export interface DatasetReadOptions {
  /** Read VOC image ids and CSV paths that leave the dataset folder (absolute, '../'). Default false: refused. */
  allowOutsideRoot?: boolean;
  /** A VOC object whose name is not a class of the dataset: 'fail' (default, naming the file) or 'warn' (left out, one warning per file). */
  unknownClass?: UnknownClassPolicy;
}

/** The reader options recorded in a run's config, with `given` (flags) taking precedence. */
export function datasetReadOptions(recorded: DatasetReadOptions, given: DatasetReadOptions = {}): DatasetReadOptions {
  return { allowOutsideRoot: given.allowOutsideRoot ?? recorded.allowOutsideRoot, unknownClass: given.unknownClass ?? recorded.unknownClass };
}

function vocOptions(split: string, classNames: readonly string[] | undefined, read: DatasetReadOptions) {
  return { split, classNames, allowOutsideRoot: read.allowOutsideRoot, unknownClass: read.unknownClass };
}

/** A split whose images carry boxes (and masks): what localization and segmentation evaluate on. */
export type AnnotatedDataset = VocDataset | CocoDataset;

export function parseDatasetSpec(spec: string): DatasetSpec {
  const m = /^(voc|coco|csv|folder):(.+)$/.exec(spec);
  if (!m) throw new Error(`dataset '${spec}': expected voc:DIR, coco:INSTANCES.json,IMAGES_DIR, csv:FILE or folder:DIR (e.g. --data voc:~/data/VOCdevkit)`);
  return { kind: m[1] as DatasetSpec['kind'], path: m[2]! };
}

/**
 * The instances file and images folder of a `coco:` spec for one split: `{split}` in either part
 * is replaced by the split name (`coco:annotations/instances_{split}2017.json,{split}2017`); without
 * it, every split reads the same file.
 */
export function cocoSplitPaths(path: string, split: string): { instances: string; images: string } {
  const comma = path.lastIndexOf(',');
  if (comma <= 0 || comma === path.length - 1) {
    throw new Error(`dataset 'coco:${path}': expected coco:INSTANCES.json,IMAGES_DIR (e.g. coco:annotations/instances_{split}2017.json,{split}2017)`);
  }
  return { instances: path.slice(0, comma).replaceAll('{split}', split), images: path.slice(comma + 1).replaceAll('{split}', split) };
}

async function openCocoSplit(path: string, split: string, classNames: readonly string[] | undefined, masks: boolean): Promise<CocoDataset> {
  const p = cocoSplitPaths(path, split);
  const ds = await openCocoDataset(p.instances, p.images, { masks });
  if (classNames && (classNames.length !== ds.classNames.length || classNames.some((c, i) => c !== ds.classNames[i]))) {
    throw new Error(`${p.instances}: its categories [${ds.classNames.join(', ')}] differ from the model's classes [${classNames.join(', ')}]`);
  }
  return ds;
}

/**
 * Opens one split of a dataset. For csv and folder datasets the split is a sub-file / sub-folder
 * (`FILE` with `{split}` in its name, or `DIR/<split>`).
 */
export async function openDataset(spec: string, split: string, classNames?: readonly string[], read: DatasetReadOptions = {}): Promise<LabeledImageList> {
  const d = parseDatasetSpec(spec);
  const names = classNames && classNames.length > 0 ? classNames : undefined;
  switch (d.kind) {
    case 'voc':
      return openVocDataset(d.path, vocOptions(split, names, read));
    case 'coco':
      return openCocoSplit(d.path, split, names, false);
    case 'csv':
      return readCsvDataset(d.path.replace('{split}', split), { classNames: names, allowOutsideRoot: read.allowOutsideRoot });
    case 'folder':
      return readFolderDataset(`${d.path}/${split}`, { classNames: names });
  }
}

/**
 * Checks that every image of `list` decodes, before a network spends time on it: a damaged or
 * truncated file is named with what to do, and nothing has been written yet. `what` names the
 * split in the message (e.g. 'voc:DIR (test)').
 */
export async function requireDecodableImages(list: LabeledImageList, what: string): Promise<void> {
  const bad = await findBadImages(list);
  if (bad.length > 0) throw new Error(describeBadImages(bad, what, 'Nothing was inferred. Replace or remove these files (or take them out of the split) and run again.'));
}

/**
 * Opens a VOC or COCO split to run a network on (eval, report, tune-segmentation): openVocSplit,
 * then requireDecodableImages, so a damaged image stops the command before any inference.
 */
export async function openSplitForInference(spec: string, split: string, classNames?: readonly string[], read: DatasetReadOptions = {}): Promise<AnnotatedDataset> {
  const ds = await openVocSplit(spec, split, classNames, read);
  await requireDecodableImages(ds, `${spec} (${split})`);
  return ds;
}

/** Opens a VOC or COCO split (localization needs its boxes); other kinds are refused with a clear error. */
export async function openVocSplit(spec: string, split: string, classNames?: readonly string[], read: DatasetReadOptions = {}): Promise<AnnotatedDataset> {
  const d = parseDatasetSpec(spec);
  const names = classNames && classNames.length > 0 ? classNames : undefined;
  if (d.kind === 'coco') return openCocoSplit(d.path, split, names, true);
  if (d.kind !== 'voc') throw new Error(`dataset '${spec}': localization needs boxes, which only voc: and coco: datasets have`);
  return openVocDataset(d.path, vocOptions(split, names, read));
}
