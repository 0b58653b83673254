// scikit-learn's Pipeline (transformers then an estimator) and a small ColumnTransformer over tables of mixed values.
import { ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor, concat } from '../tensor/index.ts';
import { MinMaxScaler, StandardScaler } from '../data/index.ts';

/** One cell of a table: a number or a string. */
export type Cell = number | string;
/** Rows of cells (numbers and strings mixed), one array per sample. */
export type MixedRows = readonly (readonly Cell[])[];
/** A table with named columns (what `parseCsv` returns). */
export interface Table {
  columns: readonly string[];
  rows: MixedRows;
}
/** What a ColumnTransformer (or a Pipeline) takes: a numeric tensor [n, f], rows of cells, or a named table. */
export type TableLike = Tensor | MixedRows | Table;

/** A fit/transform step (StandardScaler, MinMaxScaler, OrdinalEncoder, ColumnTransformer, ...). */
export interface Transformer<X = Tensor> {
  fit(x: X, y?: never): unknown;
  transform(x: X): Tensor;
  fitTransform?(x: X, y?: never): Tensor;
}

/** A final step that predicts (MLPClassifier, MLPRegressor, ...). */
export interface Estimator<Y, P> {
  fit(x: Tensor, y: Y): unknown;
  predict(x: Tensor): P;
  score?(x: Tensor, y: Y): number;
  predictProba?(x: Tensor): Tensor;
}

/** Columns to select: an index (negative counts from the end), a name (with a named table), or a list of them. */
export type ColumnSelector = number | string | readonly (number | string)[];

/** One entry of a ColumnTransformer: [name, transformer (or 'drop' / 'passthrough'), columns]. */
export type ColumnEntry = readonly [string, Transformer<never> | 'drop' | 'passthrough', ColumnSelector];

/** Options of `ColumnTransformer`. */
export interface ColumnTransformerOptions {
  /** What to do with the columns no entry selects: 'drop' (default) or 'passthrough' (appended last, numbers only). */
  remainder?: 'drop' | 'passthrough';
  /** The float type of the output (default 'float32'). */
  dtype?: 'float32' | 'float64';
}

function isTable(x: TableLike): x is Table {
  return !(x instanceof Tensor) && !Array.isArray(x) && typeof x === 'object' && x !== null && Array.isArray((x as Table).columns);
}

/** The rows and (when named) column names of a table-like input, checked rectangular. */
function readTable(op: string, x: TableLike): { rows: Cell[][]; names: readonly string[] | null; width: number } {
  let rows: Cell[][];
  let names: readonly string[] | null = null;
  if (x instanceof Tensor) {
    if (x.ndim !== 2) throw new ShapeError(`${op}: a 2-D table [samples, columns]; got a tensor of shape ${fmtShape(x.shape)}`);
    rows = x.toArray() as number[][];
    return { rows, names, width: x.shape[1]! };
  }
  if (isTable(x)) {
    names = x.columns;
    if (!Array.isArray(x.rows)) throw new ValueError(`${op}: a table { columns, rows } with rows an array; got ${typeof x.rows}`);
    rows = x.rows as Cell[][];
  } else if (Array.isArray(x)) rows = x as Cell[][];
  else throw new ValueError(`${op}: a tensor, an array of rows or a table { columns, rows }; got ${x === null ? 'null' : typeof x}`);
  const width = names ? names.length : (rows[0]?.length ?? 0);
  rows.forEach((r, i) => {
    if (!Array.isArray(r)) throw new ShapeError(`${op}: rows as arrays of cells; got ${typeof r} as row ${i}`);
    if (r.length !== width) throw new ShapeError(`${op}: rows of ${width} cells${names ? ' (one per column name)' : ''}; got ${r.length} in row ${i}`);
    r.forEach((v, j) => {
      if (typeof v !== 'number' && typeof v !== 'string') throw new ValueError(`${op}: numbers or strings in the cells; got ${v === null ? 'null' : typeof v} at row ${i}, column ${j}`);
    });
  });
  return { rows, names, width };
}

/**
 * scikit-learn's ColumnTransformer, small: each entry fits its transformer on its columns of a table of
 * mixed cells (numbers and strings); the outputs are joined side by side (entries in order, then the
 * passed-through remainder) into one float tensor [n, Σ outputs]. A transformer gets a float64 tensor
 * when its columns hold only numbers, else the rows of cells (e.g. for OrdinalEncoder on strings).
 *
 * ```ts
 * const ct = new ColumnTransformer([
 *   ['normaliza', new StandardScaler(), numericNames],
 *   ['codifica', new OrdinalEncoder(), ['class']],
 * ]);
 * const data = ct.fitTransform(parseCsv(text)); // float32 [n, 14]
 * ```
 */
export class ColumnTransformer {
  readonly transformers: readonly ColumnEntry[];
  readonly remainder: 'drop' | 'passthrough';
  readonly dtype: 'float32' | 'float64';
  /** The columns (indices) each entry uses, then the remainder's, after fit. */
  private columnsOf: number[][] | null = null;
  private remainderColumns: number[] = [];
  private fittedNames: readonly string[] | null = null;
  private width = 0;
  /** Output column names after fit: `<entry>__<column>` (scikit-learn's get_feature_names_out style). */
  featureNamesOut: string[] = [];

  constructor(transformers: readonly ColumnEntry[], opts: ColumnTransformerOptions = {}) {
    const op = 'ColumnTransformer';
    if (!Array.isArray(transformers)) throw new ValueError(`${op}: an array of [name, transformer, columns] entries; got ${typeof transformers}`);
    const seen = new Set<string>();
    transformers.forEach((e, i) => {
      if (!Array.isArray(e) || e.length !== 3) throw new ValueError(`${op}: entries [name, transformer, columns]; got ${JSON.stringify(e)} at position ${i}`);
      const [name, t] = e;
      if (typeof name !== 'string' || !name || name.includes('__')) throw new ValueError(`${op}: entry names that are non-empty strings without '__'; got ${JSON.stringify(name)}`);
      if (seen.has(name)) throw new ValueError(`${op}: unique entry names; got '${name}' twice`);
      seen.add(name);
      if (t !== 'drop' && t !== 'passthrough' && (typeof t !== 'object' || t === null || typeof t.fit !== 'function' || typeof t.transform !== 'function')) {
        throw new ValueError(`${op}: a transformer with fit and transform (or 'drop' / 'passthrough') for '${name}'; got ${t === null ? 'null' : typeof t}`);
      }
    });
    const { remainder = 'drop', dtype = 'float32' } = opts;
    if (remainder !== 'drop' && remainder !== 'passthrough') throw new ValueError(`${op}: remainder 'drop' or 'passthrough'; got '${remainder as string}'`);
    if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`${op}: dtype 'float32' or 'float64'; got '${dtype as string}'`);
    this.transformers = transformers;
    this.remainder = remainder;
    this.dtype = dtype;
  }

  /** The transformer of an entry by name. */
  named(name: string): Transformer<never> | 'drop' | 'passthrough' {
    const e = this.transformers.find(([n]) => n === name);
    if (!e) throw new ValueError(`ColumnTransformer.named: one of ${this.transformers.map(([n]) => `'${n}'`).join(', ')}; got '${name}'`);
    return e[1];
  }

  private resolve(op: string, sel: ColumnSelector, names: readonly string[] | null, width: number, entry: string): number[] {
    const list = typeof sel === 'number' || typeof sel === 'string' ? [sel] : sel;
    if (!Array.isArray(list)) throw new ValueError(`${op}: columns as an index, a name or a list for '${entry}'; got ${typeof sel}`);
    return list.map((c) => {
      if (typeof c === 'string') {
        if (!names) throw new ValueError(`${op}: column indices for '${entry}' (column names need a table { columns, rows }, e.g. from parseCsv); got name '${c}'`);
        const j = names.indexOf(c);
        if (j < 0) throw new ValueError(`${op}: column names among [${names.join(', ')}] for '${entry}'; got '${c}'`);
        return j;
      }
      const j = c < 0 ? c + width : c;
      if (!Number.isInteger(c) || j < 0 || j >= width) throw new ValueError(`${op}: column indices in [${-width}, ${width - 1}] for '${entry}'; got ${c}`);
      return j;
    });
  }

  /** The selected columns as a float64 tensor when all numeric, else as rows of cells. */
  private select(op: string, rows: Cell[][], cols: number[], entry: string, t: ColumnEntry[1], names: readonly string[] | null): Tensor | Cell[][] {
    const n = rows.length;
    const out = new Float64Array(n * cols.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < cols.length; k++) {
        const v = rows[i]![cols[k]!]!;
        if (typeof v === 'string') {
          if (t === 'passthrough' || t instanceof StandardScaler || t instanceof MinMaxScaler) {
            const col = names ? `'${names[cols[k]!]}'` : cols[k];
            throw new ValueError(`${op}: numbers in the columns of '${entry}' (${t === 'passthrough' ? 'passed through' : t.constructor.name}); got '${v}' at row ${i}, column ${col}. Encode text columns (OrdinalEncoder)`);
          }
          return rows.map((r) => cols.map((c) => r[c]!));
        }
        out[i * cols.length + k] = v;
      }
    }
    return Tensor.fromData(out, [n, cols.length], 'float64');
  }

  private checkOutput(op: string, out: unknown, n: number, entry: string): Tensor {
    if (!(out instanceof Tensor)) throw new ValueError(`${op}: '${entry}' to transform into a tensor; got ${typeof out}`);
    const t = out.ndim === 1 ? out.reshape([-1, 1]) : out;
    if (t.ndim !== 2 || t.shape[0] !== n) throw new ShapeError(`${op}: '${entry}' to give [${n}, k]; got ${fmtShape(out.shape)}`);
    return t.cast(this.dtype);
  }

  private run(op: string, x: TableLike, fitting: boolean): Tensor {
    const { rows, names, width } = readTable(op, x);
    if (fitting) {
      this.width = width;
      this.fittedNames = names;
      this.columnsOf = this.transformers.map(([name, , sel]) => this.resolve(op, sel, names, width, name));
      const used = new Set(this.columnsOf.flat());
      this.remainderColumns = this.remainder === 'passthrough' ? Array.from({ length: width }, (_, j) => j).filter((j) => !used.has(j)) : [];
    } else {
      if (!this.columnsOf) throw new ValueError(`${op}: a fitted ColumnTransformer; got one not fitted yet. Call fit() first`);
      if (width !== this.width) throw new ShapeError(`${op}: ${this.width} columns, as in fit; got ${width}`);
      if (this.fittedNames && names && names.some((c, j) => c !== this.fittedNames![j])) {
        throw new ValueError(`${op}: the columns of fit [${this.fittedNames.join(', ')}]; got [${names.join(', ')}]`);
      }
    }
    if (rows.length === 0) throw new ValueError(`${op}: at least one row; got none`);
    const parts: Tensor[] = [];
    const featureNames: string[] = [];
    const colName = (j: number): string => (this.fittedNames ? this.fittedNames[j]! : `x${j}`);
    this.transformers.forEach(([name, t], e) => {
      const cols = this.columnsOf![e]!;
      if (t === 'drop' || cols.length === 0) return;
      const input = this.select(op, rows, cols, name, t, names);
      let out: unknown;
      if (t === 'passthrough') out = input;
      else {
        const tr = t as unknown as Transformer<Tensor | Cell[][]>;
        if (fitting) out = tr.fitTransform ? tr.fitTransform(input) : (tr.fit(input), tr.transform(input));
        else out = tr.transform(input);
      }
      const o = this.checkOutput(op, out, rows.length, name);
      parts.push(o);
      const k = o.shape[1]!;
      featureNames.push(...(k === cols.length ? cols.map((j) => `${name}__${colName(j)}`) : Array.from({ length: k }, (_, i) => `${name}__${i}`)));
    });
    if (this.remainderColumns.length) {
      parts.push(this.checkOutput(op, this.select(op, rows, this.remainderColumns, 'remainder', 'passthrough', names), rows.length, 'remainder'));
      featureNames.push(...this.remainderColumns.map((j) => `remainder__${colName(j)}`));
    }
    if (fitting) this.featureNamesOut = featureNames;
    if (parts.length === 0) return Tensor.fromData(this.dtype === 'float64' ? new Float64Array(0) : new Float32Array(0), [rows.length, 0], this.dtype);
    return parts.length === 1 ? parts[0]!.contiguous() : concat(parts, 1);
  }

  /** Fits every entry's transformer on its columns. */
  fit(x: TableLike): this {
    this.run('ColumnTransformer.fit', x, true);
    return this;
  }
  /** Fits, then returns the transformed table [n, Σ outputs]. */
  fitTransform(x: TableLike): Tensor {
    return this.run('ColumnTransformer.fitTransform', x, true);
  }
  /** Transforms with the fitted entries: [n, Σ outputs]. */
  transform(x: TableLike): Tensor {
    return this.run('ColumnTransformer.transform', x, false);
  }
}

/** One step of a Pipeline: [name, transformer or estimator]. */
export type PipelineStep = readonly [string, Transformer<never> | Estimator<never, unknown>];

/**
 * scikit-learn's Pipeline: transformers applied in order, then a final estimator. fit fits each step on
 * the output of the ones before; predict/score transform with the fitted steps and ask the last one.
 *
 * ```ts
 * const pipe = new Pipeline([['scaler', new StandardScaler()], ['mlp', new MLPClassifier({ randomState: 0 })]]);
 * pipe.fit(xTrain, yTrain).score(xTest, yTest);
 * ```
 */
export class Pipeline<Y = unknown, P = unknown> {
  readonly steps: readonly (readonly [string, unknown])[];

  constructor(steps: readonly [...(readonly [string, Transformer<never>])[], readonly [string, Estimator<Y, P> | Transformer<never>]]) {
    const op = 'Pipeline';
    if (!Array.isArray(steps) || steps.length === 0) throw new ValueError(`${op}: a non-empty array of [name, step] pairs; got ${Array.isArray(steps) ? 'none' : typeof steps}`);
    const names = new Set<string>();
    steps.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== 'string') throw new ValueError(`${op}: steps [name, step]; got ${JSON.stringify(s)} at position ${i}`);
      const [name, st] = s as readonly [string, { fit?: unknown; transform?: unknown }];
      if (names.has(name)) throw new ValueError(`${op}: unique step names; got '${name}' twice`);
      names.add(name);
      if (typeof st !== 'object' || st === null || typeof st.fit !== 'function') throw new ValueError(`${op}: steps with a fit method; got ${st === null ? 'null' : typeof st} for '${name}'`);
      if (i < steps.length - 1 && typeof st.transform !== 'function') {
        throw new ValueError(`${op}: a transformer (fit and transform) for every step but the last; got '${name}' (${st.constructor.name}) without transform`);
      }
    });
    this.steps = steps;
  }

  /** A step by name. */
  named<T = unknown>(name: string): T {
    const s = this.steps.find(([n]) => n === name);
    if (!s) throw new ValueError(`Pipeline.named: one of ${this.steps.map(([n]) => `'${n}'`).join(', ')}; got '${name}'`);
    return s[1] as T;
  }

  private get last(): Record<string, unknown> & { fit(x: unknown, y?: unknown): unknown } {
    return this.steps[this.steps.length - 1]![1] as Record<string, unknown> & { fit(x: unknown, y?: unknown): unknown };
  }

  /** Runs x through every step but the last (fitting them when `fitting`). */
  private through(x: unknown, fitting: boolean, y?: unknown): unknown {
    for (const [, s] of this.steps.slice(0, -1)) {
      const t = s as Transformer<unknown>;
      x = fitting ? (t.fitTransform ? t.fitTransform(x, y as never) : (t.fit(x, y as never), t.transform(x))) : t.transform(x);
    }
    return x;
  }

  private call<R>(op: string, method: string, x: unknown, ...args: unknown[]): R {
    const last = this.last;
    const f = last[method];
    if (typeof f !== 'function') throw new ValueError(`Pipeline.${op}: a last step with ${method}(); got ${(last as object).constructor.name} without it`);
    return (f as (...a: unknown[]) => R).call(last, this.through(x, false), ...args);
  }

  /** Fits every step in order; the last one on the transformed x and y. */
  fit(x: TableLike, y?: Y): this {
    this.last.fit(this.through(x, true, y), y);
    return this;
  }
  /** Predictions of the last step on the transformed x. */
  predict(x: TableLike): P {
    return this.call('predict', 'predict', x);
  }
  /** Class probabilities of the last step on the transformed x. */
  predictProba(x: TableLike): Tensor {
    return this.call('predictProba', 'predictProba', x);
  }
  /** The last step's score (accuracy, R², ...) on the transformed x. */
  score(x: TableLike, y: Y): number {
    return this.call('score', 'score', x, y);
  }
  /** x through every step, when they all transform. */
  transform(x: TableLike): Tensor {
    return this.call('transform', 'transform', x);
  }
}
