/**
 * VOC annotation files (`Annotations/<id>.xml`): the subset wildcat-ts uses (file name, image size,
 * objects with name/pose/truncated/difficult/bndbox), read tolerantly (unknown tags such as
 * `<part>`, `<actions>`, `<point>`, `<occluded>` are ignored; a `<part>`'s bndbox is never taken for
 * the object's) and written in the layout of VOC 2007 files.
 */
import { fromVocBndbox, type PixelBox, type VocBndbox } from './box.js';
import { DataFileError } from '../core/errors.js';
import { child, children, childText, escapeXml, parseXml } from './xml.js';

export interface VocObject {
  name: string;
  pose: string;
  truncated: boolean;
  difficult: boolean;
  /** As written in the file: 1-based inclusive pixel indices. */
  bndbox: VocBndbox;
  /** The same box 0-based half-open (x0 = xmin − 1, x1 = xmax), see `box.ts`. */
  box: PixelBox;
}

export interface VocAnnotation {
  filename: string;
  /** From `<size>`; 0 when the file has no size. */
  width: number;
  height: number;
  depth: number;
  segmented: boolean;
  objects: VocObject[];
}

/** Parses the text of one annotation file; `file` names it in errors. */
export function parseVocAnnotation(text: string, file: string): VocAnnotation {
  const root = parseXml(text, file);
  if (root.name !== 'annotation') throw new DataFileError(file, `root element is <${root.name}>, expected <annotation> (VOC format)`);
  const size = child(root, 'size');
  const int = (s: string | undefined, what: string): number => {
    if (s === undefined || s === '') return 0;
    const v = Number(s);
    if (!Number.isFinite(v)) throw new DataFileError(file, `${what} is '${s}', not a number`);
    return Math.round(v);
  };
  const flag = (s: string | undefined): boolean => s !== undefined && s !== '' && Number(s) !== 0;
  const objects = children(root, 'object').map((o, k): VocObject => {
    const name = childText(o, 'name');
    if (!name) throw new DataFileError(file, `line ${o.line}: object ${k + 1} has no <name>`);
    const b = child(o, 'bndbox');
    if (!b) throw new DataFileError(file, `line ${o.line}: object ${k + 1} ('${name}') has no <bndbox>`);
    const coord = (tag: keyof VocBndbox): number => {
      const s = childText(b, tag);
      const v = s === undefined ? NaN : Number(s);
      if (!Number.isFinite(v)) throw new DataFileError(file, `line ${b.line}: object ${k + 1} ('${name}') has bndbox ${tag} '${s ?? '(missing)'}'`);
      return v;
    };
    const bndbox = { xmin: coord('xmin'), ymin: coord('ymin'), xmax: coord('xmax'), ymax: coord('ymax') };
    return {
      name, pose: childText(o, 'pose') ?? 'Unspecified',
      truncated: flag(childText(o, 'truncated')), difficult: flag(childText(o, 'difficult')),
      bndbox, box: fromVocBndbox(bndbox),
    };
  });
  return {
    filename: childText(root, 'filename') ?? '',
    width: size ? int(childText(size, 'width'), 'size/width') : 0,
    height: size ? int(childText(size, 'height'), 'size/height') : 0,
    depth: size ? int(childText(size, 'depth'), 'size/depth') : 0,
    segmented: flag(childText(root, 'segmented')),
    objects,
  };
}

export interface VocAnnotationToWrite {
  folder: string;
  filename: string;
  width: number;
  height: number;
  depth?: number;
  segmented?: boolean;
  /** `<source><database>` text. */
  database?: string;
  objects: Array<{ name: string; bndbox: VocBndbox; pose?: string; truncated?: boolean; difficult?: boolean }>;
}

/** Formats an annotation like VOC 2007's files (tab-indented, `<source>`, `<size>`, `<segmented>`). */
export function formatVocAnnotation(a: VocAnnotationToWrite): string {
  const lines = [
    '<annotation>',
    `\t<folder>${escapeXml(a.folder)}</folder>`,
    `\t<filename>${escapeXml(a.filename)}</filename>`,
    '\t<source>',
    `\t\t<database>${escapeXml(a.database ?? 'Unknown')}</database>`,
    '\t</source>',
    '\t<size>',
    `\t\t<width>${a.width}</width>`,
    `\t\t<height>${a.height}</height>`,
    `\t\t<depth>${a.depth ?? 3}</depth>`,
    '\t</size>',
    `\t<segmented>${a.segmented ? 1 : 0}</segmented>`,
  ];
  for (const o of a.objects) {
    lines.push(
      '\t<object>',
      `\t\t<name>${escapeXml(o.name)}</name>`,
      `\t\t<pose>${escapeXml(o.pose ?? 'Unspecified')}</pose>`,
      `\t\t<truncated>${o.truncated ? 1 : 0}</truncated>`,
      `\t\t<difficult>${o.difficult ? 1 : 0}</difficult>`,
      '\t\t<bndbox>',
      `\t\t\t<xmin>${o.bndbox.xmin}</xmin>`,
      `\t\t\t<ymin>${o.bndbox.ymin}</ymin>`,
      `\t\t\t<xmax>${o.bndbox.xmax}</xmax>`,
      `\t\t\t<ymax>${o.bndbox.ymax}</ymax>`,
      '\t\t</bndbox>',
      '\t</object>',
    );
  }
  lines.push('</annotation>', '');
  return lines.join('\n');
}
