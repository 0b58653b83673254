// Keras-style losses by name, each returning one loss per sample (the fit loop weights and averages).
import { ValueError, fmtShape, isFloat, ShapeError } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';
import * as F from '../nn/functional.ts';
import { oneHot } from '../data/index.ts';

/** A per-sample loss: (yTrue, yPred) -> [N]. */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

const EPS = 1e-7;

function perSample(l: Tensor): Tensor {
  return l.ndim <= 1 ? l : l.reshape([l.shape[0]!, -1]).mean(1);
}

function sameShape(op: string, yTrue: Tensor, yPred: Tensor): void {
  if (yTrue.size !== yPred.size) {
    throw new ShapeError(`${op}: targets with the predictions' shape ${fmtShape(yPred.shape)}; got ${fmtShape(yTrue.shape)}`);
  }
}

/** Keras' categorical cross-entropy on probabilities: −Σ y·log(clip(p / Σp, ε, 1 − ε)). */
export const categoricalCrossentropy = (fromLogits = false, labelSmoothing = 0): LossFn => (yTrue, yPred) => {
  if (!isFloat(yTrue.dtype)) {
    throw new ValueError(`categoricalCrossentropy: one-hot float targets of shape ${fmtShape(yPred.shape)}; got ${yTrue.dtype} ${fmtShape(yTrue.shape)}. Use 'sparseCategoricalCrossentropy' for class indices`);
  }
  sameShape('categoricalCrossentropy', yTrue, yPred);
  const c = yPred.shape[yPred.ndim - 1]!;
  const t = labelSmoothing > 0 ? yTrue.mul(1 - labelSmoothing).add(labelSmoothing / c) : yTrue;
  if (fromLogits) return F.crossEntropy(yPred, t.reshape(yPred.shape), { reduction: 'none' });
  const p = yPred.div(yPred.sum(-1, true)).clamp(EPS, 1 - EPS);
  return t.reshape(yPred.shape).mul(p.log()).sum(-1).neg();
};

/** Keras' sparse categorical cross-entropy: class indices against probabilities (or logits). */
export const sparseCategoricalCrossentropy = (fromLogits = false): LossFn => (yTrue, yPred) => {
  const t = yTrue.ndim === 2 && yTrue.shape[1] === 1 ? yTrue.reshape([-1]) : yTrue;
  const labels = isFloat(t.dtype) && t.eq(t.round()).logicalNot().sum().item() === 0 ? t.cast('int32') : t;
  if (fromLogits) return F.crossEntropy(yPred, labels, { reduction: 'none' });
  return F.nllLoss(yPred.clamp(EPS, 1 - EPS).log(), labels, 'none');
};

/** Keras' binary cross-entropy on probabilities (clipped to [ε, 1 − ε]) or logits, averaged over the last axis. */
export const binaryCrossentropy = (fromLogits = false): LossFn => (yTrue, yPred) => {
  sameShape('binaryCrossentropy', yTrue, yPred);
  const t = yTrue.reshape(yPred.shape).cast(yPred.dtype);
  if (fromLogits) return perSample(F.bceWithLogitsLoss(yPred, t, 'none'));
  const p = yPred.clamp(EPS, 1 - EPS);
  return perSample(t.mul(p.log()).add(t.neg().add(1).mul(p.neg().add(1).log())).neg());
};

/** Mean squared error per sample (mean over the non-batch dims). */
export const meanSquaredError = (): LossFn => (yTrue, yPred) => {
  sameShape('meanSquaredError', yTrue, yPred);
  return perSample(yPred.sub(yTrue.reshape(yPred.shape).cast(yPred.dtype)).square());
};
/** Mean absolute error per sample. */
export const meanAbsoluteError = (): LossFn => (yTrue, yPred) => {
  sameShape('meanAbsoluteError', yTrue, yPred);
  return perSample(yPred.sub(yTrue.reshape(yPred.shape).cast(yPred.dtype)).abs());
};
/** PyTorch's cross-entropy on logits with class indices (or probabilities). */
export const crossEntropyLoss = (): LossFn => (yTrue, yPred) => F.crossEntropy(yPred, yTrue, { reduction: 'none' });

/** Loss names (Keras' camelCased, with their snake_case and short aliases) to per-sample loss functions. */
export const lossRegistry: Record<string, () => LossFn> = {
  categoricalCrossentropy: () => categoricalCrossentropy(),
  sparseCategoricalCrossentropy: () => sparseCategoricalCrossentropy(),
  binaryCrossentropy: () => binaryCrossentropy(),
  meanSquaredError: () => meanSquaredError(),
  meanAbsoluteError: () => meanAbsoluteError(),
  crossEntropy: () => crossEntropyLoss(),
  mse: () => meanSquaredError(),
  mae: () => meanAbsoluteError(),
  categorical_crossentropy: () => categoricalCrossentropy(),
  sparse_categorical_crossentropy: () => sparseCategoricalCrossentropy(),
  binary_crossentropy: () => binaryCrossentropy(),
  mean_squared_error: () => meanSquaredError(),
  mean_absolute_error: () => meanAbsoluteError(),
};

/** Resolves a loss name or function. */
export function resolveLoss(l: string | LossFn): LossFn {
  if (typeof l === 'function') return l;
  const f = lossRegistry[l];
  if (!f) throw new ValueError(`compile: a loss among ${Object.keys(lossRegistry).join(', ')} or a function; got '${l}'`);
  return f();
}

/** One-hot targets when a loss gets class indices but needs rows (helper for metrics). */
export function asOneHot(yTrue: Tensor, numClasses: number): Tensor {
  return isFloat(yTrue.dtype) ? yTrue : oneHot(yTrue.reshape([-1]), numClasses);
}
