// Datasets named on the command line: `voc:DIR` (VOCdevkit or VOC<year> folder — real VOC and
// the embedded scenes alike), `csv:FILE` (path + labels), `folder:DIR` (a folder per class).
import { openVocDataset, readCsvDataset, readFolderDataset, type LabeledImageList, type VocDataset } from '../data/index.js';

export interface DatasetSpec {
  kind: 'voc' | 'csv' | 'folder';
  path: string;
}

export function parseDatasetSpec(spec: string): DatasetSpec {
  const m = /^(voc|csv|folder):(.+)$/.exec(spec);
  if (!m) throw new Error(`dataset '${spec}': expected voc:DIR, csv:FILE or folder:DIR (e.g. --data voc:~/data/VOCdevkit)`);
  return { kind: m[1] as DatasetSpec['kind'], path: m[2]! };
}

/**
 * Opens one split of a dataset. For csv and folder datasets the split is a sub-file / sub-folder
 * (`FILE` with `{split}` in its name, or `DIR/<split>`).
 */
export async function openDataset(spec: string, split: string, classNames?: readonly string[]): Promise<LabeledImageList> {
  const d = parseDatasetSpec(spec);
  const names = classNames && classNames.length > 0 ? classNames : undefined;
  switch (d.kind) {
    case 'voc':
      return openVocDataset(d.path, { split, classNames: names });
    case 'csv':
      return readCsvDataset(d.path.replace('{split}', split), { classNames: names });
    case 'folder':
      return readFolderDataset(`${d.path}/${split}`, { classNames: names });
  }
}

/** Opens a VOC split (localization needs its boxes); other kinds are refused with a clear error. */
export async function openVocSplit(spec: string, split: string, classNames?: readonly string[]): Promise<VocDataset> {
  const d = parseDatasetSpec(spec);
  if (d.kind !== 'voc') throw new Error(`dataset '${spec}': localization needs boxes, which only voc: datasets have`);
  return openVocDataset(d.path, { split, classNames: classNames && classNames.length > 0 ? classNames : undefined });
}
