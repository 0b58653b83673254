// Functional forms of activations, dropout and losses (the modules call these; math lives here once).
import { DTypeError, ShapeError, ValueError, fmtShape, isFloat, sameShape } from '../core/index.ts';
import { Tensor, defaultGenerator, squaredError } from '../tensor/index.ts';

export const relu = (x: Tensor): Tensor => x.relu();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();
/** max(0, x) + slope·min(0, x). */
export const leakyRelu = (x: Tensor, slope = 0.01): Tensor => x.leakyRelu(slope);
/** x for x > 0, alpha·(exp(x) − 1) otherwise. */
export const elu = (x: Tensor, alpha = 1): Tensor => x.elu(alpha);
/** scale·elu(x, alpha) with PyTorch's fixed alpha ≈ 1.6733 and scale ≈ 1.0507. */
export const selu = (x: Tensor): Tensor => x.selu();
/** log(1 + exp(x)). */
export const softplus = (x: Tensor): Tensor => x.softplus();
/** x·Φ(x) with the exact normal CDF (PyTorch's default gelu). */
export const gelu = (x: Tensor): Tensor => x.gelu();
export const softmax = (x: Tensor, dim = -1): Tensor => x.softmax(dim);
export const logSoftmax = (x: Tensor, dim = -1): Tensor => x.logSoftmax(dim);
/** 1 where x >= 0, else 0. Its gradient is taken as 0 everywhere (train with the perceptron rule). */
export const heaviside = (x: Tensor): Tensor => x.heaviside();
/** -1, 0 or 1. Gradient 0 everywhere, like PyTorch's sign. */
export const sign = (x: Tensor): Tensor => x.sign();
export const identity = (x: Tensor): Tensor => x;

/** Activations by name (the registry Keras-style string identifiers resolve through). */
export const activations: Record<string, (x: Tensor) => Tensor> = {
  relu, sigmoid, tanh, leakyRelu: (x) => leakyRelu(x), elu: (x) => elu(x), selu, softplus, gelu,
  softmax: (x) => softmax(x), logSoftmax: (x) => logSoftmax(x), heaviside, sign, linear: identity, identity,
};

/** Zeroes each element with probability p and scales the rest by 1/(1-p) (only in training). */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: a probability p in [0, 1]; got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  return x.mul(Tensor.fromData(dropoutMask(x.size, p), x.shape, 'float64').cast(x.dtype));
}

/** A dropout mask: each entry 1/(1 − p) with probability 1 − p, else 0 (from the seeded generator). */
export function dropoutMask(n: number, p: number): Float64Array {
  const m = new Float64Array(n);
  const keep = 1 - p;
  const scale = 1 / keep;
  for (let i = 0; i < n; i++) m[i] = defaultGenerator.random() < keep ? scale : 0;
  return m;
}

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(op: string, l: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'mean') return l.mean();
  if (reduction === 'sum') return l.sum();
  if (reduction === 'none') return l;
  throw new ValueError(`${op}: reduction 'mean', 'sum' or 'none'; got '${reduction as string}'`);
}

function sameShapes(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`${op}: input and target of the same shape; got ${fmtShape(input.shape)} and ${fmtShape(target.shape)}`);
  }
  if (!isFloat(target.dtype)) throw new DTypeError(`${op}: a float target; got ${target.dtype}. Convert with .float()`);
}

/** Mean squared error: mean((input − target)²). */
export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  // 'mean' and 'sum' are one op (it checks its inputs); 'none' keeps the elementwise squares
  if (reduction === 'mean' || reduction === 'sum') return squaredError(input, target, reduction === 'mean');
  sameShapes('mseLoss', input, target);
  return reduce('mseLoss', input.sub(target).square(), reduction);
}
/** Mean absolute error: mean(|input − target|). */
export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  sameShapes('l1Loss', input, target);
  return reduce('l1Loss', input.sub(target).abs(), reduction);
}

/**
 * Binary cross-entropy on probabilities: −[t·log(p) + (1−t)·log(1−p)], with each log clamped to
 * ≥ −100 as PyTorch does, so p = 0 or 1 gives a large finite loss instead of inf/NaN.
 */
export function bceLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean', weight?: Tensor): Tensor {
  sameShapes('bceLoss', input, target);
  const d = input.contiguousData();
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!(v >= 0 && v <= 1)) throw new ValueError(`bceLoss: probabilities in [0, 1]; got ${v} at flat index ${i}. Use bceWithLogitsLoss for raw scores`);
  }
  // The inner clamp keeps log's input positive so the gradient at p = 0 or 1 is 0 rather than 0·∞ = NaN
  // (the outer clamp gives the value PyTorch does: log ≥ −100).
  const TINY = 1e-44;
  const logP = input.clamp(TINY).log().clamp(-100);
  const log1mP = input.neg().add(1).clamp(TINY).log().clamp(-100);
  let l = target.mul(logP).add(target.neg().add(1).mul(log1mP)).neg();
  if (weight) l = l.mul(weight);
  return reduce('bceLoss', l, reduction);
}

/**
 * Binary cross-entropy on logits, computed stably: max(x,0) − x·t + log(1 + exp(−|x|)); with
 * `posWeight` p the positive term is weighted: (1 + (p−1)·t)·softplus(−x)·... as in PyTorch.
 */
export function bceWithLogitsLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean', posWeight?: Tensor): Tensor {
  sameShapes('bceWithLogitsLoss', input, target);
  let l: Tensor;
  if (posWeight) {
    // (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x)
    const lw = posWeight.sub(1).mul(target).add(1);
    l = target.neg().add(1).mul(input).add(lw.mul(input.neg().softplus()));
  } else {
    l = input.relu().sub(input.mul(target)).add(input.abs().neg().softplus());
  }
  return reduce('bceWithLogitsLoss', l, reduction);
}

function checkClassIndices(op: string, input: Tensor, target: Tensor): void {
  const n = input.ndim === 1 ? 1 : input.shape[0]!;
  if (target.dtype !== 'int32') {
    throw new DTypeError(
      `${op}: class indices of dtype int32 (shape [${n}]) or probabilities of the input's shape ${fmtShape(input.shape)}; ` +
        `got ${target.dtype} ${fmtShape(target.shape)}. Convert labels with .cast('int32')`,
    );
  }
  const want = input.ndim === 1 ? [] : [n];
  if (!sameShape(target.shape, want)) {
    throw new ShapeError(`${op}: a target of shape ${fmtShape(want)} for input ${fmtShape(input.shape)}; got ${fmtShape(target.shape)}`);
  }
  const c = input.shape[input.ndim - 1]!;
  const t = target.contiguousData();
  for (let i = 0; i < t.length; i++) {
    const v = t[i]!;
    if (v < 0 || v >= c) throw new ValueError(`${op}: class indices in [0, ${c}); got ${v} at position ${i}`);
  }
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (or [C]) at int32 class indices [N]:
 * −mean(input[i, target[i]]); `weight` [C] weights each class (the mean divides by the summed weights).
 */
export function nllLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean', weight?: Tensor): Tensor {
  if (input.ndim !== 1 && input.ndim !== 2) {
    throw new ShapeError(`nllLoss: input of shape [N, C] or [C]; got ${fmtShape(input.shape)}`);
  }
  checkClassIndices('nllLoss', input, target);
  const x2 = input.ndim === 1 ? input.unsqueeze(0) : input;
  const t2 = target.reshape([-1, 1]);
  let picked = x2.gather(1, t2).reshape([-1]).neg();
  if (weight) {
    const w = weight.indexSelect(0, target.reshape([-1]));
    picked = picked.mul(w);
    if (reduction === 'mean') return picked.sum().div(w.sum());
  }
  const r = reduce('nllLoss', picked, reduction);
  return input.ndim === 1 && reduction === 'none' ? r.reshape([]) : r;
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Per-class weights [C]. */
  weight?: Tensor;
  /** Mixes the target with the uniform distribution: (1 − ε)·target + ε/C. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [N, C] (or [C]) against int32 class indices [N], or against class
 * probabilities / one-hot rows of the input's shape: logSoftmax then NLL, as PyTorch's CrossEntropyLoss.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const { reduction = 'mean', weight, labelSmoothing = 0 } = opts;
  if (!isFloat(input.dtype)) throw new DTypeError(`crossEntropy: float logits; got ${input.dtype}`);
  if (input.ndim !== 1 && input.ndim !== 2) {
    throw new ShapeError(`crossEntropy: logits of shape [N, C] or [C]; got ${fmtShape(input.shape)}`);
  }
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ValueError(`crossEntropy: labelSmoothing in [0, 1]; got ${labelSmoothing}`);
  const logp = input.logSoftmax(-1);
  const c = input.shape[input.ndim - 1]!;
  if (isFloat(target.dtype) && sameShape(target.shape, input.shape)) {
    let t = target;
    if (labelSmoothing > 0) t = t.mul(1 - labelSmoothing).add(labelSmoothing / c);
    let l = t.mul(logp);
    if (weight) l = l.mul(weight);
    return reduce('crossEntropy', l.sum(-1).neg(), reduction);
  }
  checkClassIndices('crossEntropy', input, target);
  const nll = nllLoss(logp, target, reduction, weight);
  if (labelSmoothing === 0) return nll;
  let smooth = logp.neg();
  if (weight) smooth = smooth.mul(weight);
  const s = reduce('crossEntropy', smooth.sum(-1), reduction).div(c);
  return nll.mul(1 - labelSmoothing).add(s.mul(labelSmoothing));
}

/** Kullback-Leibler divergence with `input` as log-probabilities: sum t·(log t − input), mean per element by default. */
export function klDiv(input: Tensor, target: Tensor, reduction: Reduction | 'batchmean' = 'mean'): Tensor {
  sameShapes('klDiv', input, target);
  const l = target.mul(target.log().maskFill(target.eq(0)).sub(input));
  if (reduction === 'batchmean') return l.sum().div(input.shape[0] ?? 1);
  return reduce('klDiv', l, reduction);
}

/** Raises a clear error when a loss is NaN or infinite (a training loop calls this each step). */
export function checkFiniteLoss(loss: Tensor, where: string): void {
  const v = loss.item();
  if (!Number.isFinite(v)) {
    throw new ValueError(
      `train: a finite loss; got ${v} at ${where}. The model diverged: lower the learning rate, clip gradients, or check the inputs for NaN`,
    );
  }
}
