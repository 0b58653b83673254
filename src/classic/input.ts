// Input checks shared by the classic estimators: 2-D feature tables, targets, labels, finiteness.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../core/index.ts';
import type { DType } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';

/** A 2-D table of numbers [samples, features]: a tensor or nested arrays. */
export type Matrix = Tensor | readonly (readonly number[])[];

/** A class label: a number or a string (scikit-learn allows both). */
export type Label = number | string;

/** Class labels, one per sample: an array, or a 1-d tensor (numbers). */
export type Labels<L extends Label = number> = readonly L[] | Tensor;

/** The rows of `x` as a float tensor of `dtype`, checked: 2-D, finite, `features` columns when given. */
export function toMatrix(op: string, x: Matrix, opts: { dtype?: DType; features?: number; name?: string } = {}): Tensor {
  const { dtype = 'float32', features, name = 'x' } = opts;
  let t: Tensor;
  if (x instanceof Tensor) {
    if (x.ndim !== 2) {
      throw new ShapeError(
        `${op}: ${name} as a 2-D table [samples, features]; got shape ${fmtShape(x.shape)}${x.ndim === 1 ? '. Use x.reshape([-1, 1]) for one feature' : ''}`,
      );
    }
    if (x.dtype === 'bool') throw new DTypeError(`${op}: numeric ${name}; got a bool tensor. Convert with .float()`);
    t = x.dtype === dtype ? x.contiguous() : x.cast(dtype);
  } else {
    if (!Array.isArray(x)) throw new ValueError(`${op}: ${name} as a 2-D tensor or an array of rows; got ${x === null ? 'null' : typeof x}`);
    const n = x.length;
    const f = n ? (Array.isArray(x[0]) ? x[0]!.length : -1) : 0;
    const buf = dtype === 'float64' ? new Float64Array(n * Math.max(f, 0)) : new Float32Array(n * Math.max(f, 0));
    x.forEach((row, i) => {
      if (!Array.isArray(row)) throw new ShapeError(`${op}: ${name} as an array of rows (arrays); got ${typeof row} as row ${i}. Wrap one feature as [[a], [b], ...]`);
      if (row.length !== f) throw new ShapeError(`${op}: rows of ${f} features in ${name}; got ${row.length} in row ${i}`);
      row.forEach((v, j) => {
        if (typeof v !== 'number') throw new ValueError(`${op}: numbers in ${name}; got ${typeof v} ${JSON.stringify(v)} at row ${i}, column ${j}`);
        buf[i * f + j] = v;
      });
    });
    t = Tensor.fromData(buf, [n, Math.max(f, 0)], dtype);
  }
  const [n, f] = t.shape as [number, number];
  if (n === 0) throw new ValueError(`${op}: at least one sample in ${name}; got 0 rows`);
  if (features !== undefined && f !== features) {
    throw new ShapeError(`${op}: ${features} features (columns) in ${name}, as in fit; got ${f} (shape ${fmtShape(t.shape)})`);
  }
  checkFinite(op, name, t.contiguousData(), f);
  return t;
}

/** Throws a ValueError naming the first NaN or infinite entry (row, column) of a row-major table. */
export function checkFinite(op: string, name: string, d: ArrayLike<number>, f: number): void {
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v)) {
      const where = f > 0 ? `row ${Math.floor(i / f)}, column ${i % f}` : `position ${i}`;
      throw new ValueError(`${op}: finite values in ${name}; got ${v} at ${where}. Drop or impute missing values first`);
    }
  }
}

/** Regression targets as a float tensor [n, k] (1-d targets become [n, 1]); `outputs` tells whether y was 1-d. */
export function toTargets(op: string, y: Tensor | readonly number[] | readonly (readonly number[])[], n: number, dtype: DType): { t: Tensor; oneD: boolean } {
  let t: Tensor;
  let oneD: boolean;
  if (y instanceof Tensor) {
    if (y.ndim !== 1 && y.ndim !== 2) throw new ShapeError(`${op}: y of shape [n] or [n, outputs]; got ${fmtShape(y.shape)}`);
    oneD = y.ndim === 1;
    t = (oneD ? y.reshape([-1, 1]) : y).cast(dtype).contiguous();
  } else {
    if (!Array.isArray(y)) throw new ValueError(`${op}: y as an array or a tensor; got ${y === null ? 'null' : typeof y}`);
    oneD = !Array.isArray(y[0]);
    t = oneD ? toMatrix(op, (y as readonly number[]).map((v) => [v]), { dtype, name: 'y' }) : toMatrix(op, y as readonly (readonly number[])[], { dtype, name: 'y' });
  }
  if (t.shape[0] !== n) throw new ShapeError(`${op}: one target per sample (${n}) in y; got ${t.shape[0]}`);
  checkFinite(op, 'y', t.contiguousData(), t.shape[1]!);
  return { t, oneD };
}

/** Labels as a plain array (a tensor must be 1-d), one per sample when `n` is given. */
export function labelArray<L extends Label>(op: string, y: Labels<L>, n?: number): L[] {
  let out: L[];
  if (y instanceof Tensor) {
    if (y.ndim !== 1) {
      throw new ShapeError(`${op}: labels as a 1-d tensor [samples]; got shape ${fmtShape(y.shape)}${y.ndim === 2 ? ' (multi-label targets are not supported)' : ''}`);
    }
    out = Array.from(y.contiguousData()) as L[];
  } else {
    if (!Array.isArray(y)) throw new ValueError(`${op}: labels as an array or a 1-d tensor; got ${y === null ? 'null' : typeof y}`);
    out = y as L[];
  }
  out.forEach((v, i) => {
    if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string') {
      throw new ValueError(`${op}: labels that are finite numbers or strings; got ${typeof v === 'number' ? v : typeof v} at position ${i}`);
    }
  });
  if (n !== undefined && out.length !== n) throw new ShapeError(`${op}: one label per sample (${n}); got ${out.length}`);
  return out;
}

/** Sorted unique labels: numbers ascending, strings by code unit; mixing both is an error. */
export function uniqueSorted<L extends Label>(op: string, labels: readonly L[]): L[] {
  const u = [...new Set(labels)];
  if (u.some((v) => typeof v !== typeof u[0])) throw new ValueError(`${op}: labels that are all numbers or all strings; got both`);
  return u.sort((a, b) => (typeof a === 'number' ? (a as number) - (b as number) : a < b ? -1 : a > b ? 1 : 0));
}

/** Formats a label list for messages: [0, 1, 'x'] (first 10). */
export function showLabels(ls: readonly Label[]): string {
  const s = ls.slice(0, 10).map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  return `[${s.join(', ')}${ls.length > 10 ? `, ... (${ls.length})` : ''}]`;
}

/** The value of a named option checked to be a finite number in a range. */
export function checkNumber(op: string, name: string, v: number, lo: number, hi: number, loOpen = false, hiOpen = false): void {
  const ok = typeof v === 'number' && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
  if (!ok) throw new ValueError(`${op}: ${name} in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}; got ${v}`);
}

/** Throws unless `v` is an integer >= `min`. */
export function checkInt(op: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new ValueError(`${op}: ${name} an integer >= ${min}; got ${v}`);
}
