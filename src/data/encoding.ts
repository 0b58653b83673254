// Label encodings: oneHot, and scikit-learn's LabelEncoder and OrdinalEncoder.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';

/** A category value an encoder accepts. */
export type Category = string | number;

/**
 * One-hot rows for int32 class labels: labels of shape S give float32 [...S, C] with a 1 at each
 * label (like torch.nn.functional.one_hot, but float). C defaults to max(labels) + 1.
 *
 * ```ts
 * oneHot(tensor([0, 2], { dtype: 'int32' }), 3); // [[1,0,0],[0,0,1]]
 * ```
 */
export function oneHot(labels: Tensor, numClasses?: number): Tensor {
  if (!(labels instanceof Tensor)) throw new DTypeError(`oneHot: an int32 tensor of class labels; got ${typeof labels}`);
  if (labels.dtype !== 'int32') {
    throw new DTypeError(`oneHot: int32 class labels; got ${labels.dtype}. Convert with .int() (class indices, not scores)`);
  }
  const src = labels.contiguousData();
  let max = -1;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v < 0) throw new ValueError(`oneHot: non-negative class labels; got ${v} at flat index ${i}`);
    if (v > max) max = v;
  }
  const c = numClasses ?? max + 1;
  if (!Number.isInteger(c) || c < 1) throw new ValueError(`oneHot: numClasses a positive integer; got ${c}`);
  if (max >= c) {
    const at = src.indexOf(max);
    throw new ValueError(`oneHot: labels in [0, ${c}) for numClasses=${c}; got ${max} at flat index ${at}. Pass a larger numClasses`);
  }
  const out = new Float32Array(src.length * c);
  for (let i = 0; i < src.length; i++) out[i * c + src[i]!] = 1;
  return Tensor.fromData(out, [...labels.shape, c], 'float32');
}

function compareCategories(a: Category, b: Category): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted unique values, checking they are all strings or all numbers (like numpy's unique). */
function sortedUnique<T extends Category>(op: string, values: readonly T[]): T[] {
  const uniq = [...new Set(values)];
  if (uniq.length) {
    const kind = typeof uniq[0];
    for (const v of uniq) {
      if (typeof v !== 'string' && typeof v !== 'number') throw new ValueError(`${op}: strings or numbers; got ${v === null ? 'null' : typeof v}`);
      if (typeof v !== kind) throw new ValueError(`${op}: values that are all strings or all numbers; got both ('${uniq.find((u) => typeof u === 'string')}' and ${uniq.find((u) => typeof u === 'number')})`);
      if (typeof v === 'number' && Number.isNaN(v)) throw new ValueError(`${op}: numbers that are not NaN; got NaN`);
    }
  }
  return uniq.sort(compareCategories);
}

function show(v: Category): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

function listCategories(cats: readonly Category[]): string {
  const shown = cats.slice(0, 10).map(show).join(', ');
  return `[${shown}${cats.length > 10 ? `, ... (${cats.length})` : ''}]`;
}

function valuesOf(op: string, values: readonly Category[] | Tensor): Category[] {
  if (values instanceof Tensor) {
    if (values.ndim !== 1) throw new ShapeError(`${op}: a 1-d tensor of labels; got shape ${fmtShape(values.shape)}`);
    return Array.from(values.contiguousData());
  }
  if (!Array.isArray(values)) throw new ValueError(`${op}: an array or 1-d tensor of labels; got ${typeof values}`);
  return values as Category[];
}

/**
 * Encodes labels as integers 0..K-1 in sorted order of the classes seen in fit (scikit-learn's
 * LabelEncoder).
 *
 * ```ts
 * const enc = new LabelEncoder().fit(['cat', 'dog', 'cat', 'bird']); // classes ['bird', 'cat', 'dog']
 * enc.transform(['dog', 'bird']);   // int32 [2, 0]
 * enc.inverseTransform([2, 0]);     // ['dog', 'bird']
 * ```
 */
export class LabelEncoder<T extends Category = Category> {
  /** The classes seen in fit, sorted (numbers ascending, strings by code unit). */
  classes: T[] = [];
  private index: Map<Category, number> | null = null;

  /** Learns the sorted unique classes. */
  fit(values: readonly T[] | Tensor): this {
    const vals = valuesOf('LabelEncoder.fit', values as readonly Category[] | Tensor) as T[];
    this.classes = sortedUnique('LabelEncoder.fit', vals);
    this.index = new Map(this.classes.map((c, i) => [c, i]));
    return this;
  }

  /** Number of classes seen in fit. */
  get numClasses(): number {
    return this.classes.length;
  }

  /** The class index of each value (int32 [n]); unseen values throw. */
  transform(values: readonly T[] | Tensor): Tensor {
    const index = this.fitted('transform');
    const vals = valuesOf('LabelEncoder.transform', values as readonly Category[] | Tensor);
    const out = new Int32Array(vals.length);
    vals.forEach((v, i) => {
      const k = index.get(v);
      if (k === undefined) {
        throw new ValueError(`LabelEncoder.transform: labels seen in fit ${listCategories(this.classes)}; got unseen label ${show(v)} at position ${i}`);
      }
      out[i] = k;
    });
    return Tensor.fromData(out, [out.length], 'int32');
  }

  /** fit, then transform of the same values. */
  fitTransform(values: readonly T[] | Tensor): Tensor {
    return this.fit(values).transform(values);
  }

  /** The classes for integer codes (an int tensor or numbers). */
  inverseTransform(codes: Tensor | readonly number[]): T[] {
    this.fitted('inverseTransform');
    const vals = valuesOf('LabelEncoder.inverseTransform', codes);
    return vals.map((k, i) => {
      const c = typeof k === 'number' && Number.isInteger(k) ? this.classes[k] : undefined;
      if (c === undefined) {
        throw new ValueError(`LabelEncoder.inverseTransform: codes in [0, ${this.classes.length}); got ${show(k)} at position ${i}`);
      }
      return c;
    });
  }

  private fitted(op: string): Map<Category, number> {
    if (!this.index) throw new ValueError(`LabelEncoder.${op}: a fitted encoder; got one not fitted yet. Call fit() first`);
    return this.index;
  }
}

/** Rows of a 2-D table of categories, or a 2-D tensor. */
export type CategoryTable = readonly (readonly Category[])[] | Tensor;

function rowsOf(op: string, x: CategoryTable, features?: number): Category[][] {
  let rows: Category[][];
  if (x instanceof Tensor) {
    if (x.ndim !== 2) throw new ShapeError(`${op}: a 2-D tensor [samples, features]; got shape ${fmtShape(x.shape)}`);
    rows = x.toArray() as number[][];
  } else {
    if (!Array.isArray(x)) throw new ValueError(`${op}: a 2-D array [samples][features] or a 2-D tensor; got ${typeof x}`);
    rows = x as Category[][];
    rows.forEach((r, i) => {
      if (!Array.isArray(r)) throw new ShapeError(`${op}: a 2-D array [samples][features]; got ${typeof r} as row ${i}. Wrap one feature as [[a], [b], ...]`);
    });
  }
  const f = features ?? rows[0]?.length ?? 0;
  rows.forEach((r, i) => {
    if (r.length !== f) throw new ShapeError(`${op}: rows of ${f} features; got ${r.length} in row ${i}`);
  });
  return rows;
}

/**
 * Encodes each column of a 2-D table of categories as 0..K_j-1 in sorted order (scikit-learn's
 * OrdinalEncoder), giving float32 codes [n, features].
 *
 * ```ts
 * const enc = new OrdinalEncoder().fit([['red', 'S'], ['blue', 'L'], ['red', 'M']]);
 * enc.categories;                    // [['blue', 'red'], ['L', 'M', 'S']]
 * enc.transform([['blue', 'S']]);    // [[0, 2]]
 * ```
 */
export class OrdinalEncoder {
  /** The sorted categories of each column, after fit. */
  categories: Category[][] = [];
  private index: Map<Category, number>[] | null = null;

  /** Learns the sorted unique categories of each column. */
  fit(x: CategoryTable): this {
    const rows = rowsOf('OrdinalEncoder.fit', x);
    if (rows.length === 0) throw new ValueError('OrdinalEncoder.fit: at least one row; got none');
    const f = rows[0]!.length;
    this.categories = Array.from({ length: f }, (_, j) => sortedUnique(`OrdinalEncoder.fit (column ${j})`, rows.map((r) => r[j]!)));
    this.index = this.categories.map((cats) => new Map(cats.map((c, i) => [c, i])));
    return this;
  }

  /** Number of columns seen in fit. */
  get numFeatures(): number {
    return this.categories.length;
  }

  /** The code of each entry: float32 [n, features]; unseen categories throw. */
  transform(x: CategoryTable): Tensor {
    const index = this.fitted('transform');
    const f = index.length;
    const rows = rowsOf('OrdinalEncoder.transform', x, f);
    const out = new Float32Array(rows.length * f);
    rows.forEach((r, i) => {
      for (let j = 0; j < f; j++) {
        const k = index[j]!.get(r[j]!);
        if (k === undefined) {
          throw new ValueError(
            `OrdinalEncoder.transform: categories seen in fit for column ${j} ${listCategories(this.categories[j]!)}; got unseen ${show(r[j]!)} in row ${i}`,
          );
        }
        out[i * f + j] = k;
      }
    });
    return Tensor.fromData(out, [rows.length, f], 'float32');
  }

  /** fit, then transform of the same table. */
  fitTransform(x: CategoryTable): Tensor {
    return this.fit(x).transform(x);
  }

  /** The categories for a table of codes [n, features]. */
  inverseTransform(codes: Tensor | readonly (readonly number[])[]): Category[][] {
    const f = this.fitted('inverseTransform').length;
    const rows = rowsOf('OrdinalEncoder.inverseTransform', codes, f);
    return rows.map((r, i) =>
      r.map((k, j) => {
        const c = typeof k === 'number' && Number.isInteger(k) ? this.categories[j]![k] : undefined;
        if (c === undefined) {
          throw new ValueError(`OrdinalEncoder.inverseTransform: codes in [0, ${this.categories[j]!.length}) for column ${j}; got ${show(k)} in row ${i}`);
        }
        return c;
      }),
    );
  }

  private fitted(op: string): Map<Category, number>[] {
    if (!this.index) throw new ValueError(`OrdinalEncoder.${op}: a fitted encoder; got one not fitted yet. Call fit() first`);
    return this.index;
  }
}
