// Feature scalers with scikit-learn's semantics: MinMaxScaler and StandardScaler (per column of a 2-D tensor).
import { ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';

const EPS = Number.EPSILON;

/** The 2-D tensor's values as float64 rows, checking the shape (and the column count once fitted). */
function readTable(op: string, x: Tensor, features?: number): { data: Float64Array; n: number; f: number } {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: a 2-D tensor [samples, features]; got ${typeof x}`);
  if (x.ndim !== 2) {
    throw new ShapeError(`${op}: a 2-D tensor [samples, features]; got shape ${fmtShape(x.shape)}${x.ndim === 1 ? '. Use x.reshape([-1, 1]) for one feature' : ''}`);
  }
  const [n, f] = x.shape as [number, number];
  if (features !== undefined && f !== features) throw new ShapeError(`${op}: ${features} features (columns), as in fit; got shape ${fmtShape(x.shape)}`);
  return { data: Float64Array.from(x.contiguousData()), n, f };
}

/** float64 input stays float64; anything else comes out float32. */
function output(x: Tensor, data: Float64Array, n: number, f: number): Tensor {
  return x.dtype === 'float64' ? Tensor.fromData(data, [n, f], 'float64') : Tensor.fromData(Float32Array.from(data), [n, f], 'float32');
}

/** Per-column apply of out = (x - shift[j]) / div[j] (in place). */
function shiftDiv(data: Float64Array, f: number, shift: Float64Array, div: Float64Array): Float64Array {
  for (let i = 0; i < data.length; i += f) {
    for (let j = 0; j < f; j++) data[i + j] = (data[i + j]! - shift[j]!) / div[j]!;
  }
  return data;
}

/** Options of `MinMaxScaler`. */
export interface MinMaxScalerOptions {
  /** The target range [min, max] of each feature (default [0, 1]). */
  featureRange?: readonly [number, number];
  /** Clip transformed values of new data into featureRange (default false). */
  clip?: boolean;
}

/**
 * Scales each feature (column) to `featureRange` (scikit-learn's MinMaxScaler):
 * x' = (x - dataMin) / (dataMax - dataMin) * (max - min) + min. A constant column maps to `min`.
 * NaNs are ignored in fit and kept by transform.
 *
 * ```ts
 * const s = new MinMaxScaler().fit(xTrain);
 * const xs = s.transform(xTest);
 * ```
 */
export class MinMaxScaler {
  readonly featureRange: readonly [number, number];
  readonly clip: boolean;
  /** Per-feature minimum and maximum seen in fit. */
  dataMin: Float64Array | null = null;
  dataMax: Float64Array | null = null;
  /** Per-feature dataMax - dataMin. */
  dataRange: Float64Array | null = null;
  /** Per-feature factor and offset: x' = x * scale + min (scikit-learn's scale_ and min_). */
  scale: Float64Array | null = null;
  min: Float64Array | null = null;

  constructor(opts: MinMaxScalerOptions = {}) {
    const { featureRange = [0, 1], clip = false } = opts;
    const [lo, hi] = featureRange;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
      throw new ValueError(`MinMaxScaler: featureRange [min, max] with min < max; got [${featureRange.join(', ')}]`);
    }
    this.featureRange = [lo, hi];
    this.clip = clip;
  }

  /** Learns each column's min and max. */
  fit(x: Tensor): this {
    const { data, n, f } = readTable('MinMaxScaler.fit', x);
    if (n === 0) throw new ValueError('MinMaxScaler.fit: at least one sample; got 0 rows');
    const mn = new Float64Array(f).fill(Infinity);
    const mx = new Float64Array(f).fill(-Infinity);
    for (let i = 0; i < data.length; i += f) {
      for (let j = 0; j < f; j++) {
        const v = data[i + j]!;
        if (v < mn[j]!) mn[j] = v;
        if (v > mx[j]!) mx[j] = v;
      }
    }
    const [lo, hi] = this.featureRange;
    const range = new Float64Array(f);
    const scale = new Float64Array(f);
    const min = new Float64Array(f);
    for (let j = 0; j < f; j++) {
      if (mn[j] === Infinity) [mn[j], mx[j]] = [NaN, NaN]; // an all-NaN column
      range[j] = mx[j]! - mn[j]!;
      // scikit-learn's _handle_zeros_in_scale: a (near) zero range counts as 1.
      scale[j] = (hi - lo) / (range[j]! < 10 * EPS ? 1 : range[j]!);
      min[j] = lo - mn[j]! * scale[j]!;
    }
    this.dataMin = mn;
    this.dataMax = mx;
    this.dataRange = range;
    this.scale = scale;
    this.min = min;
    return this;
  }

  /** Number of features seen in fit (0 before). */
  get numFeatures(): number {
    return this.scale?.length ?? 0;
  }

  /** x * scale + min, per column (float32 out, float64 kept). */
  transform(x: Tensor): Tensor {
    const { scale, min } = this.fitted('transform');
    const { data, n, f } = readTable('MinMaxScaler.transform', x, scale.length);
    const [lo, hi] = this.featureRange;
    for (let i = 0; i < data.length; i += f) {
      for (let j = 0; j < f; j++) {
        let v = data[i + j]! * scale[j]! + min[j]!;
        if (this.clip) v = Math.min(Math.max(v, lo), hi);
        data[i + j] = v;
      }
    }
    return output(x, data, n, f);
  }

  /** fit, then transform of the same data. */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** (x - min) / scale: back to the original units. */
  inverseTransform(x: Tensor): Tensor {
    const { scale, min } = this.fitted('inverseTransform');
    const { data, n, f } = readTable('MinMaxScaler.inverseTransform', x, scale.length);
    return output(x, shiftDiv(data, f, min, scale), n, f);
  }

  private fitted(op: string): { scale: Float64Array; min: Float64Array } {
    if (!this.scale || !this.min) throw new ValueError(`MinMaxScaler.${op}: a fitted scaler; got one not fitted yet. Call fit() first`);
    return { scale: this.scale, min: this.min };
  }
}

/** Options of `StandardScaler`. */
export interface StandardScalerOptions {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation (default true). */
  withStd?: boolean;
}

/**
 * Standardises each feature (column) to zero mean and unit variance (scikit-learn's
 * StandardScaler): x' = (x - mean) / std, with the population std (ddof 0) and a zero std taken
 * as 1. NaNs are ignored in fit and kept by transform.
 *
 * ```ts
 * const s = new StandardScaler().fit(xTrain);
 * const xs = s.transform(xTest);
 * ```
 */
export class StandardScaler {
  readonly withMean: boolean;
  readonly withStd: boolean;
  /** Per-feature mean and population variance seen in fit. */
  mean: Float64Array | null = null;
  var: Float64Array | null = null;
  /** Per-feature divisor: sqrt(var), with constant features at 1 (all 1 when withStd is false). */
  scale: Float64Array | null = null;
  /** Number of samples seen in fit (per feature, NaNs excluded). */
  nSamplesSeen: Float64Array | null = null;

  constructor(opts: StandardScalerOptions = {}) {
    this.withMean = opts.withMean ?? true;
    this.withStd = opts.withStd ?? true;
  }

  /** Learns each column's mean and variance. */
  fit(x: Tensor): this {
    const { data, n, f } = readTable('StandardScaler.fit', x);
    if (n === 0) throw new ValueError('StandardScaler.fit: at least one sample; got 0 rows');
    const cnt = new Float64Array(f);
    const mean = new Float64Array(f);
    const v = new Float64Array(f);
    for (let i = 0; i < data.length; i += f) {
      for (let j = 0; j < f; j++) {
        const a = data[i + j]!;
        if (Number.isNaN(a)) continue;
        mean[j] += a;
        cnt[j]++;
      }
    }
    for (let j = 0; j < f; j++) mean[j] = cnt[j] ? mean[j]! / cnt[j]! : NaN;
    for (let i = 0; i < data.length; i += f) {
      for (let j = 0; j < f; j++) {
        const a = data[i + j]!;
        if (Number.isNaN(a)) continue;
        const d = a - mean[j]!;
        v[j] += d * d;
      }
    }
    const scale = new Float64Array(f).fill(1);
    for (let j = 0; j < f; j++) {
      v[j] = cnt[j] ? v[j]! / cnt[j]! : NaN;
      if (!this.withStd) continue;
      // scikit-learn's _is_constant_feature: a variance within rounding error of 0 counts as 0 (scale 1).
      const bound = cnt[j]! * EPS * v[j]! + (cnt[j]! * mean[j]! * EPS) ** 2;
      scale[j] = v[j]! <= bound ? 1 : Math.sqrt(v[j]!);
    }
    this.mean = mean;
    this.var = v;
    this.scale = scale;
    this.nSamplesSeen = cnt;
    return this;
  }

  /** Number of features seen in fit (0 before). */
  get numFeatures(): number {
    return this.scale?.length ?? 0;
  }

  /** (x - mean) / scale per column (each part only when enabled). */
  transform(x: Tensor): Tensor {
    const { shift, scale } = this.fitted('transform');
    const { data, n, f } = readTable('StandardScaler.transform', x, scale.length);
    return output(x, shiftDiv(data, f, shift, scale), n, f);
  }

  /** fit, then transform of the same data. */
  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  /** x * scale + mean: back to the original units. */
  inverseTransform(x: Tensor): Tensor {
    const { shift, scale } = this.fitted('inverseTransform');
    const { data, n, f } = readTable('StandardScaler.inverseTransform', x, scale.length);
    for (let i = 0; i < data.length; i += f) {
      for (let j = 0; j < f; j++) data[i + j] = data[i + j]! * scale[j]! + shift[j]!;
    }
    return output(x, data, n, f);
  }

  private fitted(op: string): { shift: Float64Array; scale: Float64Array } {
    if (!this.mean || !this.scale) throw new ValueError(`StandardScaler.${op}: a fitted scaler; got one not fitted yet. Call fit() first`);
    return { shift: this.withMean ? this.mean : new Float64Array(this.mean.length), scale: this.scale };
  }
}
