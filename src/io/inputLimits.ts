/**
 * Limits on what a file may make the readers do, so that a small or damaged file cannot take
 * gigabytes or minutes: every reader checks sizes before it inflates or decodes (declared
 * sizes, pixel counts, element counts) and stops with an {@link InputLimitError} naming the
 * file, the figure and the limit. Defaults fit real data (VOC, ImageNet-style folders,
 * torchvision checkpoints); legitimately larger data raises a limit, either for the process
 * with the environment variable `WILDCAT_LIMITS` (`WILDCAT_LIMITS=imagePixels=4e8,classes=50000`)
 * or per call through a reader's `limits` option.
 */

import { DataFileError, outOfRange } from '../core/errors.js';

/** The limits, each a count of bytes, pixels or elements. */
export interface InputLimits {
  /** Bytes of a safetensors JSON header (the reference implementation's limit). */
  headerBytes: number;
  /** Nesting depth of JSON headers, pickled containers and XML elements. */
  nestingDepth: number;
  /** Bytes one compressed stream may inflate to (a gzip IDX file, a deflated .pth entry), checked before inflating. */
  inflatedBytes: number;
  /** Bytes of the pickle (`data.pkl`) of a PyTorch checkpoint. */
  pickleBytes: number;
  /** Bytes a strided tensor view may expand to beyond its storage when it is copied out (stride 0, overlapping views). */
  expandedViewBytes: number;
  /** Pixels (width × height) of an image, checked from its header before decoding. */
  imagePixels: number;
  /** Elements of one XML file. */
  xmlElements: number;
  /** Rows of one CSV dataset file. */
  csvRows: number;
  /** Classes of a dataset: integer class labels must be below it. */
  classes: number;
}

/** The defaults, before `WILDCAT_LIMITS` and per-call overrides. */
export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({
  headerBytes: 100_000_000,
  nestingDepth: 200,
  inflatedBytes: 512 * 2 ** 20,
  pickleBytes: 256 * 2 ** 20,
  expandedViewBytes: 64 * 2 ** 20,
  imagePixels: 100_000_000,
  xmlElements: 1_000_000,
  csvRows: 10_000_000,
  classes: 100_000,
});

/** The environment variable that raises (or lowers) limits for a whole process. */
export const LIMITS_ENV = 'WILDCAT_LIMITS';

let fromEnv: { text: string | undefined; limits: InputLimits } | undefined;

/** Parses `name=value,name=value` (values may use e notation, `_` separators). */
export function parseLimits(text: string, where = LIMITS_ENV): Partial<InputLimits> {
  const out: Partial<InputLimits> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!Object.prototype.hasOwnProperty.call(DEFAULT_INPUT_LIMITS, name)) {
      throw outOfRange(`a limit name in ${where}`, `one of ${Object.keys(DEFAULT_INPUT_LIMITS).join(', ')}`, name);
    }
    const value = Number(part.slice(eq + 1).replace(/_/g, ''));
    if (eq < 0 || !(Number.isFinite(value) && value >= 0)) {
      throw outOfRange(`limit ${name} in ${where}`, 'a number >= 0', eq < 0 ? '' : part.slice(eq + 1));
    }
    out[name as keyof InputLimits] = Math.floor(value);
  }
  return out;
}

/**
 * The limits in force: the defaults, then `WILDCAT_LIMITS`, then `overrides`.
 * @example const limits = inputLimits({ imagePixels: 4e8 });
 */
export function inputLimits(overrides?: Partial<InputLimits>): InputLimits {
  const text = process.env[LIMITS_ENV];
  if (!fromEnv || fromEnv.text !== text) fromEnv = { text, limits: { ...DEFAULT_INPUT_LIMITS, ...parseLimits(text ?? '') } };
  if (!overrides) return fromEnv.limits;
  const out = { ...fromEnv.limits };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) out[k as keyof InputLimits] = v;
  return out;
}

/**
 * A file needs more than a limit allows. The message names the file, what was measured, the
 * limit and how to raise it.
 */
export class InputLimitError extends DataFileError {
  constructor(
    /** The file (or description of the input). */
    source: string,
    /** Which limit. */
    readonly limit: keyof InputLimits,
    /** The figure the file asked for (bytes, pixels, elements, depth...). */
    readonly value: number,
    /** The limit in force. */
    readonly max: number,
    /** What was measured, e.g. 'image of 46000×46000 pixels'. */
    what: string,
  ) {
    super(source, `${what} is over the limit of ${max.toLocaleString('en-US')} (${limit}); ` +
      `if the file is genuine, raise it with ${LIMITS_ENV}=${limit}=${suggest(value)} (or the readers' 'limits' option)`);
    this.name = 'InputLimitError';
  }
}

/** Throws an {@link InputLimitError} when `value` exceeds `limits[limit]`. */
export function checkLimit(limits: InputLimits, limit: keyof InputLimits, value: number, source: string, what: () => string): void {
  if (value > limits[limit]) throw new InputLimitError(source, limit, value, limits[limit], what());
}

function suggest(value: number): string {
  if (!Number.isFinite(value)) return 'N';
  const digits = Math.max(0, Math.floor(Math.log10(Math.max(1, value))));
  const step = 10 ** Math.max(0, digits - 1);
  return String(Math.ceil(value / step) * step);
}
