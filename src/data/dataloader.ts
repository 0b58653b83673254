// DataLoader: iterates a dataset in (optionally shuffled) mini-batches, collating samples into tensors.
import { ShapeError, ValueError } from '../core/index.ts';
import { Tensor, defaultGenerator, stack } from '../tensor/index.ts';
import type { Generator } from '../tensor/index.ts';
import { isBatchDataset } from './dataset.ts';
import type { Dataset } from './dataset.ts';

/** What one collated batch looks like for samples of type T: tensors and numbers become batched tensors. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Collated<T[K]> }
      : T extends object
        ? { [K in keyof T]: Collated<T[K]> }
        : never;

/** Options of `DataLoader`. */
export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle the sample order at the start of every iteration (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator for shuffling (default: the global one, seeded with manualSeed). */
  generator?: Generator;
}

/**
 * Collates samples into a batch (like PyTorch's default_collate): tensors are stacked along a new
 * dim 0, numbers become a 1-d tensor (int32 when all are integers, else float32), and arrays and
 * plain objects are collated field by field.
 */
export function collate<T>(samples: readonly T[]): Collated<T> {
  return collateAt(samples, 'batch') as Collated<T>;
}

function collateAt(samples: readonly unknown[], path: string): unknown {
  if (samples.length === 0) throw new ValueError('collate: at least one sample; got none');
  const first = samples[0];
  if (first instanceof Tensor) {
    if (!samples.every((s) => s instanceof Tensor)) throw new ValueError(`collate: tensors in every sample at ${path}; got a mix`);
    try {
      return stack(samples as Tensor[], 0);
    } catch (e) {
      if (e instanceof ShapeError) throw new ShapeError(`collate: samples of one shape at ${path}; ${e.message.replace(/^stack: [^;]*; /, '')}`);
      throw e;
    }
  }
  if (typeof first === 'number') {
    if (!samples.every((s) => typeof s === 'number')) throw new ValueError(`collate: numbers in every sample at ${path}; got a mix`);
    const nums = samples as number[];
    const ints = nums.every((v) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647);
    const data = ints ? Int32Array.from(nums) : Float32Array.from(nums);
    return Tensor.fromData(data, [nums.length], ints ? 'int32' : 'float32');
  }
  if (Array.isArray(first)) {
    const n = first.length;
    if (!samples.every((s) => Array.isArray(s) && s.length === n)) {
      throw new ValueError(`collate: arrays of length ${n} in every sample at ${path}; got a different length or type`);
    }
    return Array.from({ length: n }, (_, k) => collateAt(samples.map((s) => (s as unknown[])[k]), `${path}[${k}]`));
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      out[key] = collateAt(samples.map((s) => (s as Record<string, unknown>)[key]), `${path}.${key}`);
    }
    return out;
  }
  throw new ValueError(
    `collate: tensors, numbers, or arrays/objects of them at ${path}; got ${first === null ? 'null' : typeof first}. Return tensors from the dataset's get()`,
  );
}

/**
 * Iterates a dataset in mini-batches. A dataset with `getBatch` (like TensorDataset) is gathered in
 * one call per batch; other datasets have their samples collated with `collate`. With `shuffle`, a
 * new permutation is drawn from the generator at the start of every iteration (epoch).
 *
 * ```ts
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true });
 * for (const [xb, yb] of loader) { ... } // loader.length batches per epoch
 * ```
 */
export class DataLoader<T> implements Iterable<Collated<T>> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;

  constructor(
    readonly dataset: Dataset<T>,
    opts: DataLoaderOptions = {},
  ) {
    const { batchSize = 1, shuffle = false, dropLast = false, generator = defaultGenerator } = opts;
    if (!dataset || typeof dataset.get !== 'function' || typeof dataset.length !== 'number') {
      throw new ValueError('DataLoader: a dataset with length and get(i); got ' + (dataset === null ? 'null' : typeof dataset));
    }
    if (!Number.isInteger(dataset.length) || dataset.length < 0) {
      throw new ValueError(`DataLoader: a dataset whose length is a non-negative integer; got ${dataset.length}`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ValueError(`DataLoader: batchSize a positive integer; got ${batchSize}`);
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator;
  }

  /** Number of batches per epoch: ceil(n / batchSize), or floor with dropLast. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch of batches (reshuffled each time when `shuffle` is on). */
  *[Symbol.iterator](): Iterator<Collated<T>> {
    const ds = this.dataset;
    const n = ds.length;
    let order: Int32Array;
    if (this.shuffle) order = this.generator.permutation(n);
    else {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
    }
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const idx = order.slice(b * this.batchSize, Math.min((b + 1) * this.batchSize, n));
      if (isBatchDataset(ds)) yield ds.getBatch(idx) as Collated<T>;
      else yield collate(Array.from(idx, (i) => ds.get(i)));
    }
  }
}
