// Stateful training metrics (accumulated over an epoch), by name like Keras.
import { ValueError, isFloat } from '../core/index.ts';
import type { DType } from '../core/index.ts';
import { Tensor, noGrad } from '../tensor/index.ts';
import { asOneHot } from './losses.ts';

/** A metric accumulated over batches: reset, update with (yTrue, yPred), result. */
export abstract class Metric {
  constructor(readonly name: string) {}
  abstract reset(): void;
  abstract update(yTrue: Tensor, yPred: Tensor): void;
  abstract result(): number;
}

abstract class MeanMetric extends Metric {
  protected total = 0;
  protected count = 0;
  reset(): void {
    this.total = 0;
    this.count = 0;
  }
  result(): number {
    return this.count ? this.total / this.count : 0;
  }
  protected add(values: Tensor): void {
    const d = values.contiguousData();
    for (let i = 0; i < d.length; i++) this.total += d[i]!;
    this.count += d.length;
  }
}

/** Fraction of predictions equal to the labels: int labels vs argmax of scores. */
export class SparseCategoricalAccuracy extends MeanMetric {
  constructor(name = 'sparseCategoricalAccuracy') {
    super(name);
  }
  update(yTrue: Tensor, yPred: Tensor): void {
    noGrad(() => this.add(yPred.argmax(-1).reshape([-1]).eq(yTrue.reshape([-1]).cast('int32'))));
  }
}
/** Fraction of rows whose argmax matches the one-hot target's argmax. */
export class CategoricalAccuracy extends MeanMetric {
  constructor(name = 'categoricalAccuracy') {
    super(name);
  }
  update(yTrue: Tensor, yPred: Tensor): void {
    noGrad(() => this.add(yPred.argmax(-1).eq(yTrue.reshape(yPred.shape).argmax(-1))));
  }
}
/** Fraction of elements where (prediction > threshold) equals the 0/1 target. */
export class BinaryAccuracy extends MeanMetric {
  constructor(name = 'binaryAccuracy', readonly threshold = 0.5) {
    super(name);
  }
  update(yTrue: Tensor, yPred: Tensor): void {
    noGrad(() => this.add(yPred.gt(this.threshold).eq(yTrue.reshape(yPred.shape).gt(0.5))));
  }
}
/**
 * The accuracy Keras' 'accuracy' means for these targets and predictions of this shape: binary for one
 * output, sparse for class indices (integer targets, or one value per prediction row), else categorical.
 */
export function accuracyKind(yTrue: { dtype: DType; size: number; ndim: number }, predShape: readonly number[]): 'binary' | 'sparse' | 'categorical' {
  const c = predShape[predShape.length - 1] ?? 1;
  if (c === 1 || predShape.length === 1) return 'binary';
  const predSize = predShape.reduce((a, b) => a * b, 1);
  return !isFloat(yTrue.dtype) || (yTrue.size * c === predSize && yTrue.ndim < predShape.length) ? 'sparse' : 'categorical';
}

/** Accuracy that picks its kind from the targets and predictions (Keras' 'accuracy'). */
export class Accuracy extends Metric {
  private inner: Metric | null = null;
  constructor(name = 'accuracy') {
    super(name);
  }
  reset(): void {
    this.inner?.reset();
  }
  update(yTrue: Tensor, yPred: Tensor): void {
    if (!this.inner) {
      const kind = accuracyKind(yTrue, yPred.shape);
      this.inner = kind === 'binary' ? new BinaryAccuracy(this.name) : kind === 'sparse' ? new SparseCategoricalAccuracy(this.name) : new CategoricalAccuracy(this.name);
    }
    this.inner.update(yTrue, yPred);
  }
  result(): number {
    return this.inner ? this.inner.result() : 0;
  }
}

/** Targets as 0/1 rows matching the predictions (one-hot for class indices). */
function binaryTargets(yTrue: Tensor, yPred: Tensor): Tensor {
  const c = yPred.shape[yPred.ndim - 1] ?? 1;
  if (!isFloat(yTrue.dtype) && c > 1 && yTrue.size * c === yPred.size) return asOneHot(yTrue, c);
  return yTrue.reshape(yPred.shape);
}

/** True/false positives and false negatives over all elements, predictions thresholded. */
abstract class ThresholdCounts extends Metric {
  protected tp = 0;
  protected fp = 0;
  protected fn = 0;
  constructor(name: string, readonly threshold = 0.5) {
    super(name);
  }
  reset(): void {
    this.tp = this.fp = this.fn = 0;
  }
  update(yTrue: Tensor, yPred: Tensor): void {
    const t = binaryTargets(yTrue, yPred).contiguousData();
    const p = yPred.contiguousData();
    for (let i = 0; i < p.length; i++) {
      const pos = p[i]! > this.threshold;
      const actual = t[i]! > 0.5;
      if (pos && actual) this.tp++;
      else if (pos) this.fp++;
      else if (actual) this.fn++;
    }
  }
}

/** Keras' Precision: TP / (TP + FP) over all elements, predictions thresholded at 0.5. */
export class Precision extends ThresholdCounts {
  constructor(name = 'precision', threshold = 0.5) {
    super(name, threshold);
  }
  result(): number {
    return this.tp + this.fp ? this.tp / (this.tp + this.fp) : 0;
  }
}
/** Keras' Recall: TP / (TP + FN) over all elements, predictions thresholded at 0.5. */
export class Recall extends ThresholdCounts {
  constructor(name = 'recall', threshold = 0.5) {
    super(name, threshold);
  }
  result(): number {
    return this.tp + this.fn ? this.tp / (this.tp + this.fn) : 0;
  }
}

/**
 * Area under the ROC curve over all elements (multi-label style, as Keras' AUC), computed exactly
 * from the sorted scores (ties averaged) rather than with Keras' 200-threshold approximation.
 */
export class AUC extends Metric {
  private scores: number[] = [];
  private labels: number[] = [];
  constructor(name = 'auc') {
    super(name);
  }
  reset(): void {
    this.scores = [];
    this.labels = [];
  }
  update(yTrue: Tensor, yPred: Tensor): void {
    const t = binaryTargets(yTrue, yPred).contiguousData();
    const p = yPred.contiguousData();
    for (let i = 0; i < p.length; i++) {
      this.scores.push(p[i]!);
      this.labels.push(t[i]! > 0.5 ? 1 : 0);
    }
  }
  result(): number {
    const n = this.scores.length;
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.scores[a]! - this.scores[b]!);
    // Mann-Whitney U with average ranks for ties.
    let rankSumPos = 0;
    let pos = 0;
    for (let i = 0; i < n; ) {
      let j = i;
      while (j + 1 < n && this.scores[idx[j + 1]!] === this.scores[idx[i]!]) j++;
      const avgRank = (i + j) / 2 + 1;
      for (let k = i; k <= j; k++) if (this.labels[idx[k]!]) {
        rankSumPos += avgRank;
        pos++;
      }
      i = j + 1;
    }
    const neg = n - pos;
    if (pos === 0 || neg === 0) return 0;
    return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
  }
}

/** Mean of a per-element function of (yTrue, yPred). */
class ElementwiseMean extends MeanMetric {
  constructor(name: string, private readonly f: (t: Tensor, p: Tensor) => Tensor) {
    super(name);
  }
  update(yTrue: Tensor, yPred: Tensor): void {
    noGrad(() => this.add(this.f(yTrue.reshape(yPred.shape).cast(yPred.dtype), yPred)));
  }
}
export const meanSquaredErrorMetric = (name = 'mse'): Metric => new ElementwiseMean(name, (t, p) => p.sub(t).square());
export const meanAbsoluteErrorMetric = (name = 'mae'): Metric => new ElementwiseMean(name, (t, p) => p.sub(t).abs());

/** Metric names to constructors (Keras names, camelCase and snake_case). */
export const metricRegistry: Record<string, () => Metric> = {
  accuracy: () => new Accuracy('accuracy'),
  acc: () => new Accuracy('acc'),
  binaryAccuracy: () => new BinaryAccuracy(),
  categoricalAccuracy: () => new CategoricalAccuracy(),
  sparseCategoricalAccuracy: () => new SparseCategoricalAccuracy(),
  precision: () => new Precision(),
  recall: () => new Recall(),
  auc: () => new AUC(),
  mse: () => meanSquaredErrorMetric('mse'),
  mae: () => meanAbsoluteErrorMetric('mae'),
  meanSquaredError: () => meanSquaredErrorMetric('meanSquaredError'),
  meanAbsoluteError: () => meanAbsoluteErrorMetric('meanAbsoluteError'),
  binary_accuracy: () => new BinaryAccuracy('binary_accuracy'),
  categorical_accuracy: () => new CategoricalAccuracy('categorical_accuracy'),
  sparse_categorical_accuracy: () => new SparseCategoricalAccuracy('sparse_categorical_accuracy'),
};

export function resolveMetric(m: string | Metric): Metric {
  if (m instanceof Metric) return m;
  const f = metricRegistry[m];
  if (!f) throw new ValueError(`compile: a metric among ${Object.keys(metricRegistry).join(', ')} or a Metric; got '${m}'`);
  return f();
}
