// The error vocabulary of wildcat-ts: one message style and one class per kind of mistake, so
// that a caller can tell the mistakes apart by class and a reader by message.
//
// Message (in the style of sharp's argument errors):
//   "Expected <what is allowed> for <what was given, and to whom> but received <the value>"
//   e.g. "Expected an integer >= 1 for setNumThreads() argument n but received 0".
// Classes (the JavaScript built-ins' own conventions: `new Array(-1)`, `'x'.normalize('y')`):
//   TypeError   — a value of the wrong type: a string where a number belongs, not a tensor, a
//                 tensor of the wrong dtype, a tensor used after dispose().
//   RangeError  — a value of the right type that is not allowed: a negative count, NaN, 1.5 for
//                 an integer, a string that is not one of the choices, a tensor of the wrong shape.
//   DataFileError (and its subclasses, such as io's WeightFileError) — a file whose content
//                 cannot be used; the message starts with the file and says what is wrong.
//   Plain Error — anything else (an engine failure, a state the caller cannot fix by argument).

/** Describes a received value briefly for an error message: `-1`, `'abc'`, `a float32 tensor of shape [2, 3]`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint': return `${v}n`;
    case 'boolean': return String(v);
    case 'string': return v.length > 60 ? `'${v.slice(0, 57)}...' (a string of ${v.length} characters)` : `'${v}'`;
    case 'function': return `a function${v.name ? ` (${v.name})` : ''}`;
    case 'symbol': return String(v);
  }
  const o = v as { __isTensor?: boolean; isDisposed?: boolean; dtype?: string; shape?: number[] };
  if (o.__isTensor === true) {
    return o.isDisposed === true ? 'a disposed tensor' : `a ${o.dtype} tensor of shape [${o.shape?.join(', ')}]`;
  }
  if (Array.isArray(v)) {
    const text = v.length <= 8 && v.every((e) => typeof e === 'number' || typeof e === 'boolean') ? ` [${v.join(', ')}]` : '';
    return `an array of ${v.length} element${v.length === 1 ? '' : 's'}${text}`;
  }
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

function message(name: string, expected: string, actual: unknown, hint?: string): string {
  return `Expected ${expected} for ${name} but received ${describeValue(actual)}${hint ? `; ${hint}` : ''}`;
}

/** A TypeError "Expected <expected> for <name> but received <actual>" (optionally "; <hint>"). */
export function invalidType(name: string, expected: string, actual: unknown, hint?: string): TypeError {
  return new TypeError(message(name, expected, actual, hint));
}

/** A RangeError "Expected <expected> for <name> but received <actual>" (optionally "; <hint>"). */
export function outOfRange(name: string, expected: string, actual: unknown, hint?: string): RangeError {
  return new RangeError(message(name, expected, actual, hint));
}

/** Limits a number must respect; by default any finite number. */
export interface NumberRange {
  /** Must be an integer (safe integer). */
  integer?: boolean;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Must be strictly greater than this. */
  above?: number;
  /** ±Infinity is allowed (NaN never is). */
  infinite?: boolean;
}

function describeRange(r: NumberRange): string {
  const kind = r.integer ? 'an integer' : r.infinite ? 'a number' : 'a finite number';
  if (r.min !== undefined && r.max !== undefined) return `${kind} in [${r.min}, ${r.max}]`;
  if (r.above !== undefined && r.max !== undefined) return `${kind} in (${r.above}, ${r.max}]`;
  if (r.min !== undefined) return `${kind} >= ${r.min}`;
  if (r.above !== undefined) return `${kind} > ${r.above}`;
  if (r.max !== undefined) return `${kind} <= ${r.max}`;
  return kind;
}

/**
 * Checks that `v` is a number within `range` and returns it: TypeError when it is not a number,
 * RangeError when it is one but not allowed (NaN, infinite, fractional for an integer, out of bounds).
 * @example expectNumber('option kmax of wildcatPool()', opts.kmax, { min: 0 })
 */
export function expectNumber(name: string, v: unknown, range: NumberRange = {}): number {
  const expected = describeRange(range);
  if (typeof v !== 'number') throw invalidType(name, expected, v);
  const ok = !Number.isNaN(v)
    && (range.infinite === true || Number.isFinite(v))
    && (range.integer !== true || Number.isSafeInteger(v))
    && (range.min === undefined || v >= range.min)
    && (range.max === undefined || v <= range.max)
    && (range.above === undefined || v > range.above);
  if (!ok) throw outOfRange(name, expected, v);
  return v;
}

/** Checks that `v` is an integer within `range` (see expectNumber) and returns it. */
export function expectInteger(name: string, v: unknown, range: Omit<NumberRange, 'integer' | 'infinite'> = {}): number {
  return expectNumber(name, v, { ...range, integer: true });
}

/** Checks that `v` is a boolean (no truthiness: `'false'` is refused) and returns it. */
export function expectBoolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw invalidType(name, 'a boolean', v);
  return v;
}

/** Checks that `v` is a string and returns it. */
export function expectString(name: string, v: unknown): string {
  if (typeof v !== 'string') throw invalidType(name, 'a string', v);
  return v;
}

/**
 * Checks that `v` is one of `choices` and returns it: TypeError when it is not even of the
 * choices' type, RangeError when it is but is not among them.
 * @example expectOneOf('option reduction of apRankingLoss()', opts.reduction, ['mean', 'sum'] as const)
 */
export function expectOneOf<T extends string | number | boolean>(name: string, v: unknown, choices: readonly T[]): T {
  const expected = `one of ${choices.map((c) => describeValue(c)).join(', ')}`;
  if (choices.includes(v as T)) return v as T;
  if (!choices.some((c) => typeof c === typeof v)) throw invalidType(name, expected, v);
  throw outOfRange(name, expected, v);
}

/**
 * A file whose content cannot be used (malformed, truncated, inconsistent, over a limit). The
 * message starts with the file and says what is wrong and, where there is one, what to do.
 * Missing or unreadable files keep Node's own errors (ENOENT, EACCES), which name the path too.
 * @example throw new DataFileError('VOC/Annotations/000005.xml', 'line 3: <object> has no <name>');
 */
export class DataFileError extends Error {
  /** The file (or a description of the bytes) whose content is wrong. */
  readonly file: string;
  /** The problem alone, without the file prefix. */
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = 'DataFileError';
    this.file = file;
    this.problem = problem;
  }
}
