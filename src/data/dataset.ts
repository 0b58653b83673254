// Datasets: the indexable-collection interface and TensorDataset (rows of tensors sharing dim 0).
import { ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';

/** An indexable collection of samples: `length` samples, `get(i)` for i in [0, length). */
export interface Dataset<T> {
  /** Number of samples. */
  readonly length: number;
  /** The sample at index `i`. */
  get(i: number): T;
}

/** A dataset that can also gather many samples at once (the DataLoader's fast path). */
export interface BatchDataset<T> extends Dataset<T> {
  /** The samples at `indices`, already collated into one batch. */
  getBatch(indices: Int32Array): T;
}

/** True if `ds` has a `getBatch` method (so the DataLoader can skip per-sample collation). */
export function isBatchDataset<T>(ds: Dataset<T>): ds is BatchDataset<T> {
  return typeof (ds as Partial<BatchDataset<T>>).getBatch === 'function';
}

/**
 * Tensors that share their first dim; sample `i` is the row `i` of each (like PyTorch's TensorDataset).
 *
 * ```ts
 * const ds = new TensorDataset(x, y); // x [n, 784], y [n]
 * const [xi, yi] = ds.get(0);         // [784] and a 0-d label
 * const [xb, yb] = ds.getBatch(new Int32Array([0, 5, 7])); // [3, 784] and [3]
 * ```
 */
export class TensorDataset implements BatchDataset<Tensor[]> {
  /** The tensors, each with `length` rows. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ValueError('TensorDataset: at least one tensor; got none');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ValueError(`TensorDataset: tensors; got ${typeof t} as argument ${i}`);
      if (t.ndim === 0) throw new ShapeError(`TensorDataset: tensors with a first (sample) dim; got a 0-d tensor as argument ${i}`);
    });
    const n = tensors[0]!.shape[0]!;
    if (tensors.some((t) => t.shape[0] !== n)) {
      throw new ShapeError(
        `TensorDataset: tensors with the same size of dim 0 (one row per sample); got shapes ${tensors.map((t) => fmtShape(t.shape)).join(', ')}`,
      );
    }
    this.tensors = tensors;
  }

  /** Number of samples (the size of dim 0). */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Row `i` of each tensor (views; negative `i` counts from the end). */
  get(i: number): Tensor[] {
    const n = this.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new ValueError(`TensorDataset.get: an index in [${-n}, ${n - 1}]; got ${i}`);
    return this.tensors.map((t) => t.select(0, j));
  }

  /** Rows `indices` of each tensor (one indexSelect on dim 0 per tensor). */
  getBatch(indices: Int32Array): Tensor[] {
    const idx = Tensor.fromData(indices, [indices.length], 'int32');
    return this.tensors.map((t) => t.indexSelect(0, idx));
  }
}
