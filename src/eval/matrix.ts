/**
 * A row-major [rows × cols] matrix of numbers, as the metrics accept it:
 * either an array of rows (`number[][]`, `Float32Array[]`), or a flat buffer
 * with its shape (what `tensor.toArray()` plus `tensor.shape` give).
 *
 * @example
 * const a: NumberMatrix = [[0.9, 0.1], [0.2, 0.8]];
 * const b: NumberMatrix = { data: new Float32Array([0.9, 0.1, 0.2, 0.8]), shape: [2, 2] };
 */
export type NumberMatrix =
  | ArrayLike<ArrayLike<number>>
  | { readonly data: ArrayLike<number>; readonly shape: readonly [number, number] };

/** Read-only row-major view over a {@link NumberMatrix}, with its shape checked. */
export interface MatrixView {
  readonly rows: number;
  readonly cols: number;
  get(row: number, col: number): number;
  /** Column `col` copied into a Float64Array. */
  column(col: number): Float64Array;
  /** Row `row` copied into a Float64Array. */
  row(row: number): Float64Array;
}

function isFlat(m: NumberMatrix): m is { data: ArrayLike<number>; shape: readonly [number, number] } {
  return (
    typeof m === 'object' &&
    m !== null &&
    'data' in m &&
    'shape' in m &&
    !Array.isArray(m)
  );
}

/**
 * Wraps a matrix for uniform access. Throws if rows have different lengths or
 * if a flat buffer does not match its shape.
 */
export function matrixView(where: string, name: string, m: NumberMatrix): MatrixView {
  let rows: number;
  let cols: number;
  let get: (r: number, c: number) => number;
  if (isFlat(m)) {
    const { data, shape } = m;
    if (!shape || shape.length !== 2 || !Number.isInteger(shape[0]) || !Number.isInteger(shape[1]) || shape[0] < 0 || shape[1] < 0) {
      throw new RangeError(`${where}: ${name}.shape is ${JSON.stringify(shape && Array.from(shape))}; expected [rows, cols] of non-negative integers`);
    }
    [rows, cols] = shape;
    if (data.length !== rows * cols) {
      throw new RangeError(
        `${where}: ${name}.data has ${data.length} entries but shape [${rows}, ${cols}] needs ${rows * cols}`,
      );
    }
    get = (r, c) => data[r * cols + c]!;
  } else {
    const rowsArr = m as ArrayLike<ArrayLike<number>>;
    rows = rowsArr.length;
    cols = rows > 0 ? rowsArr[0]!.length : 0;
    for (let r = 0; r < rows; r++) {
      const row = rowsArr[r];
      if (row === undefined || row === null || typeof row !== 'object' || typeof row.length !== 'number') {
        throw new TypeError(`${where}: ${name}[${r}] is not an array; expected ${rows} rows of ${cols} numbers`);
      }
      if (row.length !== cols) {
        throw new RangeError(
          `${where}: ${name}[${r}] has ${row.length} entries but ${name}[0] has ${cols}; all rows must have the same length`,
        );
      }
    }
    get = (r, c) => rowsArr[r]![c]!;
  }
  return {
    rows,
    cols,
    get,
    column(col: number): Float64Array {
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) out[r] = get(r, col);
      return out;
    },
    row(row: number): Float64Array {
      const out = new Float64Array(cols);
      for (let c = 0; c < cols; c++) out[c] = get(row, c);
      return out;
    },
  };
}
