/**
 * Image datasets described by a CSV-like text file: one image path per row, then its labels.
 *
 * Separator: ';', tab, ',' or spaces — detected from the first non-empty line in that order of
 * preference (or set `separator`). With space separation, paths cannot contain spaces.
 * Two row formats, detected automatically:
 * - label list: `path;car person` or `path car person` or `path;3` — class names (or integer class
 *   indices) of the positive classes; every other class is negative. With one label per row the
 *   dataset is multi-class (`classIndex` is set). Names without `classNames` become the sorted set of
 *   names found (or '0'..'K' when all labels are integers).
 * - label matrix: a header `path;aeroplane;bicycle;...` and one value per class per row:
 *   1 positive, -1 negative, 0 = negative in a 0/1 file (no -1 anywhere), or "ignore"
 *   (VOC's difficult) when the file also uses -1.
 * Header: optional; detected when the first row's first field is one of path/image/file/filename/
 * img/id, or when its class fields are non-numeric while the next row's are numeric.
 * Relative paths are resolved against `root` (default: the CSV file's folder); absolute paths and
 * paths climbing out of it ('../') are refused unless `allowOutsideRoot` is set. Fields are
 * parsed by csv-parse (RFC 4180 quoting: `"a;b.jpg";cat`); rows and integer class labels are
 * bounded by the `csvRows` and `classes` limits.
 *
 * @example
 * const ds = await readCsvDataset('data/labels.csv');  // rows like "img/001.jpg;cat dog"
 * ds.classNames; ds.labels;                             // Int8Array [N × C]
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep as pathSep } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { DataFileError } from '../core/errors.js';
import { checkLimit, inputLimits, type InputLimits } from '../io/inputLimits.js';
import type { LabeledImageList } from './imageList.js';

export interface CsvDatasetOptions {
  /** Folder relative paths are resolved against; default the CSV file's folder (cwd for `parseCsvDataset`). */
  root?: string;
  /** Default 'auto'. 'space' means any run of spaces or tabs. */
  separator?: ';' | ',' | '\t' | 'space' | 'auto';
  /** Default 'auto'. */
  header?: boolean | 'auto';
  /** Class list; for the label-matrix format it must match the columns. */
  classNames?: readonly string[];
  /** Accept absolute image paths and paths with '..' that leave `root`. Default false. */
  allowOutsideRoot?: boolean;
  /** Limits on rows and classes (default {@link inputLimits}()). */
  limits?: Partial<InputLimits>;
}

/** A dataset read from a CSV file; see the module comment. */
export class CsvDataset implements LabeledImageList {
  constructor(
    readonly root: string,
    /** Paths as written in the file. */
    readonly ids: readonly string[],
    readonly classNames: readonly string[],
    readonly labels: Int8Array,
    readonly classIndex?: Int32Array,
  ) {}

  imagePath(i: number): string {
    const p = this.ids[i];
    if (p === undefined) throw new RangeError(`CSV dataset: image index ${i} outside [0, ${this.ids.length})`);
    return isAbsolute(p) ? p : join(this.root, p);
  }
}

/** Reads a CSV dataset file. */
export async function readCsvDataset(path: string, options: CsvDatasetOptions = {}): Promise<CsvDataset> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`CSV dataset file not found: ${path}`, { cause: e });
    throw e;
  }
  return parseCsvDataset(text, path, { ...options, root: options.root ?? dirname(resolve(path)) });
}

const HEADER_NAMES = new Set(['path', 'image', 'file', 'filename', 'img', 'id', 'image_path', 'imagepath']);

/** Parses the text of a CSV dataset; `file` names it in errors. */
export function parseCsvDataset(text: string, file: string, options: CsvDatasetOptions = {}): CsvDataset {
  const root = resolve(options.root ?? '.');
  const limits = inputLimits(options.limits);
  const body0 = text.replace(/^\ufeff/, '');
  const firstLine = body0.split(/\r?\n/, 1000).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  if (firstLine === undefined) throw new DataFileError(file, 'no rows');
  const sep = options.separator && options.separator !== 'auto' ? options.separator : detectSeparator(firstLine);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(body0, {
      delimiter: sep === 'space' ? [' ', '\t'] : sep,
      relax_column_count: true, skip_empty_lines: true, trim: true, comment: '#', comment_no_infix: true,
      info: true, to: limits.csvRows + 1, max_record_size: 1 << 20,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw new DataFileError(file, `not a valid CSV file: ${(e as Error).message}`);
  }
  checkLimit(limits, 'csvRows', records.length, file, () => `a CSV file of more than ${limits.csvRows} rows`);
  const rows: Row[] = [];
  for (const r of records) {
    // With space separation a run of spaces yields empty fields: they separate nothing.
    const fields = sep === 'space' ? r.record.filter((f) => f !== '') : r.record;
    if (fields.length > 0 && !fields.every((f) => f === '')) rows.push({ line: r.info.lines, fields });
  }
  if (rows.length === 0) throw new DataFileError(file, 'no rows');

  const isNumber = (s: string): boolean => /^[-+]?\d+(\.\d+)?$/.test(s);
  const first = rows[0]!.fields;
  let header: boolean;
  if (options.header === true || options.header === false) header = options.header;
  else {
    header = HEADER_NAMES.has(first[0]!.toLowerCase()) ||
      (rows.length > 1 && first.length > 2 && first.slice(1).some((f) => !isNumber(f)) &&
        rows[1]!.fields.slice(1).every(isNumber) && rows[1]!.fields.length === first.length);
  }
  const body = header ? rows.slice(1) : rows;
  if (body.length === 0) throw new DataFileError(file, 'a header but no image rows');
  if (!options.allowOutsideRoot) {
    for (const r of body) {
      const p = r.fields[0]!;
      if (isAbsolute(p) || normalize(p).split(pathSep).includes('..')) {
        throw new DataFileError(file, `line ${r.line}: image path '${p}' is outside the dataset folder ${root}; ` +
          `refusing to read it: make the paths relative to the CSV file's folder, or pass --allow-outside-root (API option allowOutsideRoot) if that is intended`);
      }
    }
  }
  const headerClasses = header ? first.slice(1).filter((f) => f !== '') : [];

  // Label matrix: every row has the same number (> 1) of numeric class fields, and the count matches
  // the header (or classNames) when there is one.
  const width = body[0]!.fields.length;
  const expectedColumns = headerClasses.length || options.classNames?.length || 0;
  const matrix = width > 2 && body.every((r) => r.fields.length === width && r.fields.slice(1).every(isNumber)) &&
    (expectedColumns === 0 || expectedColumns === width - 1) && (header || !!options.classNames);
  if (matrix) return parseMatrix(file, root, body, headerClasses, options.classNames, limits);
  return parseList(file, root, body, options.classNames ?? (headerClasses.length > 1 ? headerClasses : undefined), sep, limits);
}

function detectSeparator(line: string): ';' | ',' | '\t' | 'space' {
  if (line.includes(';')) return ';';
  if (line.includes('\t')) return '\t';
  if (line.includes(',')) return ',';
  return 'space';
}

type Row = { line: number; fields: string[] };

function parseMatrix(file: string, root: string, body: Row[], headerClasses: string[], given: readonly string[] | undefined, limits: InputLimits): CsvDataset {
  const C = body[0]!.fields.length - 1;
  checkLimit(limits, 'classes', C, file, () => `${C} label columns`);
  const classNames = given ? [...given] : headerClasses;
  if (classNames.length !== C) throw new DataFileError(file, `${C} label columns but ${classNames.length} class names`);
  const values = body.map((r) => r.fields.slice(1).map(Number));
  const zeroIgnores = values.some((v) => v.includes(-1));
  const labels = new Int8Array(body.length * C);
  body.forEach((r, i) => {
    values[i]!.forEach((v, c) => {
      if (v !== 1 && v !== 0 && v !== -1) throw new DataFileError(file, `line ${r.line}: label '${r.fields[c + 1]}' for class '${classNames[c]}' is not 1, 0 or -1`);
      labels[i * C + c] = v === 0 ? (zeroIgnores ? 0 : -1) : v;
    });
  });
  // Multi-class when every row has exactly one positive and no ignored value.
  let classIndex: Int32Array | undefined = new Int32Array(body.length);
  for (let i = 0; i < body.length && classIndex; i++) {
    const row = labels.subarray(i * C, (i + 1) * C);
    const pos = row.reduce((n, v) => n + (v === 1 ? 1 : 0), 0);
    if (pos !== 1 || row.includes(0)) classIndex = undefined;
    else classIndex[i] = row.indexOf(1);
  }
  return new CsvDataset(root, body.map((r) => r.fields[0]!), Object.freeze(classNames), labels, classIndex);
}

function parseList(file: string, root: string, body: Row[], given: readonly string[] | undefined, sep: string, limits: InputLimits): CsvDataset {
  const tokensOf = (r: Row): string[] => {
    const rest = r.fields.slice(1);
    // With ';', ',' or tab, a label field may itself hold several labels separated by spaces or '|'.
    const tokens = sep === 'space' ? rest : rest.flatMap((f) => f.split(/[ |]+/));
    return tokens.filter((t) => t !== '');
  };
  const rowTokens = body.map((r) => {
    if (!r.fields[0]) throw new DataFileError(file, `line ${r.line}: empty image path`);
    const t = tokensOf(r);
    if (t.length === 0) throw new DataFileError(file, `line ${r.line}: no label after the path '${r.fields[0]}'`);
    return t;
  });
  let classNames: string[];
  const allIntegers = rowTokens.every((t) => t.every((s) => /^\d+$/.test(s)));
  if (given) classNames = [...given];
  else if (allIntegers) {
    // A loop, not Math.max(...labels): spreading 130,000 labels overflows the call stack.
    let max = -1;
    let maxRow = body[0]!;
    rowTokens.forEach((tokens, i) => {
      for (const t of tokens) {
        const v = Number(t);
        if (v > max) {
          max = v;
          maxRow = body[i]!;
        }
      }
    });
    checkLimit(limits, 'classes', max + 1, file, () => `line ${maxRow.line}: the integer label ${max} (${max + 1} classes)`);
    classNames = Array.from({ length: max + 1 }, (_, k) => String(k));
  } else {
    classNames = [...new Set(rowTokens.flat())].sort();
    checkLimit(limits, 'classes', classNames.length, file, () => `${classNames.length} distinct labels`);
  }
  const C = classNames.length;
  const index = new Map(classNames.map((n, k) => [n, k]));
  const labels = new Int8Array(body.length * C).fill(-1);
  let multiClass = true;
  const classIndex = new Int32Array(body.length);
  body.forEach((r, i) => {
    const tokens = rowTokens[i]!;
    const distinct = new Set<number>();
    for (const t of tokens) {
      let k = index.get(t);
      if (k === undefined && /^\d+$/.test(t) && Number(t) < C) k = Number(t);
      if (k === undefined) {
        throw new DataFileError(file, `line ${r.line}: unknown class '${t}' (classes: ${classNames.slice(0, 30).join(', ')}${C > 30 ? ', ...' : ''})`);
      }
      labels[i * C + k] = 1;
      distinct.add(k);
    }
    if (distinct.size !== 1) multiClass = false;
    else classIndex[i] = [...distinct][0]!;
  });
  return new CsvDataset(root, body.map((r) => r.fields[0]!), Object.freeze(classNames), labels, multiClass ? classIndex : undefined);
}
