// fit's fast path for small dense networks trained with SGD: when the backend has a fused kernel
// (mlpSgdEpochF32: the native and WASM backends) and the model is a Sequential of Linear/Dense layers with identity,
// ReLU, sigmoid, tanh or (last) softmax activations, the loss is mean squared error or a binary or
// categorical cross-entropy by name, the optimizer SGD (any momentum, dampening, Nesterov, weight decay,
// maximize; one set of options for all parameters) and nothing needs a per-batch view of the
// training (no per-batch callbacks, regularisers, clipping, sample or class weights) and the batches are
// small (FUSED_MLP_MAX_WORK), fit runs its batches through the kernel, many per call, instead of one eager
// forward/backward/step each. The updates are the eager path's (test/fused-mlp.test.ts trains both ways
// and compares); small batches gain the most (the seed's 784-16-10 net at batch 1: ~25 us of dispatch per step in the eager path).
import { isFloat } from '../core/index.ts';
import type { Tensor } from '../tensor/index.ts';
import { Module, Sequential, denseChain } from '../nn/index.ts';
import type { DenseChain } from '../nn/index.ts';
import { Optimizer, SGD, fusedMlpSgd, hasFusedMlpSgd, sgdCoefficients, stateBuffer } from '../optim/index.ts';
import type { MlpEpochArgs, MlpEpochResult, ParamState } from '../optim/index.ts';
import { Callback, History, ProgbarLogger } from './callbacks.ts';
import { Accuracy, BinaryAccuracy, CategoricalAccuracy, Metric, SparseCategoricalAccuracy, accuracyKind } from './metrics.ts';

/**
 * The fused kernel runs when a batch has at most this many multiply-adds per layer pass (batch size ×
 * weights): beyond it the eager path's blocked, threaded GEMMs win. Measured with fit over 6,000 MNIST
 * images, one epoch, plain SGD, native AVX2 (eager / fused): 784-16-10 at batch 1 374 / 18 ms, 4 115 / 21,
 * 16 49 / 17, 64 35 / 16 (813k); 784-256-256-10 at batch 1 1405 / 346 ms, 4 543 / 396 (1.07M), 16 160 / 354
 * (4.3M), 64 123 / 358.
 */
export const FUSED_MLP_MAX_WORK = 2_000_000;

let enabled = true;

/** Turns fit's fused small-MLP path on or off (on by default; off makes every fit run the eager step). Returns the previous setting. */
export function setFusedMlp(on: boolean): boolean {
  const before = enabled;
  enabled = on;
  return before;
}

const LOSS: Record<string, 0 | 1 | 2 | 3> = {
  mse: 0, meanSquaredError: 0, mean_squared_error: 0,
  categoricalCrossentropy: 1, categorical_crossentropy: 1,
  sparseCategoricalCrossentropy: 2, sparse_categorical_crossentropy: 2,
  binaryCrossentropy: 3, binary_crossentropy: 3,
};

/** A fit call's fused plan: the kernel's fixed arguments; run() trains over a range of an epoch's batches. */
export interface FusedMlp {
  run(order: Int32Array, start: number, batches: number, lr: number): MlpEpochResult;
  /** Hits per sample-or-element for the accuracy metrics (their logs are correct / (samples × this)). */
  readonly perSample: number;
  /** The metric names the kernel's accuracy stands for. */
  readonly metricNames: string[];
  readonly params: Tensor[];
}

/** The model as dense layers with activation codes, or null when it has anything else. */
function denseLayers(module: Module): DenseChain | null {
  if (!(module instanceof Sequential) || module.forward !== Sequential.prototype.forward) return null;
  return denseChain([...module]);
}

/** The kernel's accuracy code (1 categorical, 2 sparse, 3 binary) for these metrics, or null when one is something else or they disagree. */
function accuracyCode(metrics: Metric[], y: Tensor, predShape: number[]): number | null {
  const auto = { categorical: 1, sparse: 2, binary: 3 }[accuracyKind(y, predShape)];
  let kind = 0;
  for (const m of metrics) {
    const C = m.constructor;
    let k: number;
    if (C === Accuracy) k = auto;
    else if (C === CategoricalAccuracy && auto === 1) k = 1;
    else if (C === SparseCategoricalAccuracy && auto === 2) k = 2;
    else if (C === BinaryAccuracy && (m as BinaryAccuracy).threshold === 0.5 && auto !== 2) k = 3;
    else return null;
    if (kind !== 0 && k !== kind) return null;
    kind = k;
  }
  return kind;
}

const ownHook = (c: Callback, k: 'onBatchBegin' | 'onBatchEnd'): boolean => c[k] !== Callback.prototype[k];

export interface FusedMlpRequest {
  module: Module;
  optimizer: Optimizer | null;
  loss: unknown;
  lossWeights: number[] | undefined;
  metrics: Metric[];
  clipping: boolean;
  regularized: boolean;
  callbacks: Callback[];
  x: Tensor[];
  y: Tensor[];
  batchSize: number;
  weighted: boolean;
  stepsPerEpoch: number | undefined;
}

/** The fused plan for this fit call, or null when anything needs the eager step. */
export function planFusedMlp(r: FusedMlpRequest): FusedMlp | null {
  if (!enabled || !hasFusedMlpSgd() || r.weighted || r.clipping || r.regularized || r.stepsPerEpoch !== undefined) return null;
  if (typeof r.loss !== 'string' || LOSS[r.loss] === undefined || (r.lossWeights && !(r.lossWeights.length === 1 && r.lossWeights[0] === 1))) return null;
  if (r.x.length !== 1 || r.y.length !== 1) return null;
  if (r.callbacks.some((c) => !(c instanceof ProgbarLogger || c instanceof History) && (ownHook(c, 'onBatchBegin') || ownHook(c, 'onBatchEnd')))) return null;
  const x = r.x[0]!;
  const y = r.y[0]!;
  if (x.dtype !== 'float32' || x.ndim !== 2) return null;
  const layers = denseLayers(r.module);
  if (!layers) return null;
  const { linears, acts } = layers;
  const n = x.shape[0]!;
  const inF = linears[0]!.inFeatures!;
  const outF = linears[linears.length - 1]!.outFeatures;
  if (x.shape[1] !== inF || n === 0) return null;
  const weights = linears.reduce((t, l) => t + l.weight.size, 0);
  if (Math.min(r.batchSize, n) * weights > FUSED_MLP_MAX_WORK) return null;
  // The optimizer: SGD over exactly these parameters, all float32 and trainable.
  const opt = r.optimizer;
  if (!opt || !(opt instanceof SGD) || (opt.constructor as unknown) !== SGD) return null;
  const params: Tensor[] = [];
  for (const l of linears) params.push(l.weight, ...(l.bias ? [l.bias] : []));
  const optParams = opt.paramGroups.flatMap((g) => g.params);
  if (optParams.length !== params.length || params.some((p) => !optParams.includes(p) || !p.requiresGrad || p.dtype !== 'float32' || !p.isContiguous || p.offset !== 0 || p.data().length !== p.size)) return null;
  const groups = opt.paramGroups;
  const g0 = groups[0]!;
  const keys = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'maximize'] as const;
  if (groups.some((g) => keys.some((k) => g[k] !== g0[k]))) return null; // one set of options for all
  // Momentum buffers live in the optimizer's state, as the eager step keeps them: all present or all not yet.
  const momentum = g0.momentum !== 0;
  if (momentum && new Set(params.map((p) => opt.state.get(p)?.momentumBuffer === undefined)).size > 1) return null;
  if (r.module.losses().length) return null;
  // The loss and targets.
  const loss = LOSS[r.loss]!;
  if ((loss === 1 || loss === 2) !== (acts[acts.length - 1] === 4)) return null; // the categorical cross-entropies exactly with a softmax
  let yData: Float32Array | null = null;
  let labels: Int32Array | null = null;
  const sparse = loss === 2;
  if (sparse) {
    if (y.ndim !== 1 || y.shape[0] !== n) return null;
    const d = y.contiguousData();
    labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = d[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= outF) return null; // the eager path reports bad labels
      labels[i] = v;
    }
  } else {
    if (!isFloat(y.dtype) || y.size !== n * outF || y.shape[0] !== n) return null;
    if (y.ndim !== 2 && !(y.ndim === 1 && outF === 1)) return null;
    yData = y.cast('float32').contiguousData() as Float32Array;
  }
  const acc = accuracyCode(r.metrics, y, [n, outF]);
  if (acc === null) return null;
  const xData = x.contiguousData() as Float32Array;
  const sizes = Int32Array.from([inF, ...linears.map((l) => l.outFeatures)]);
  const fixed: Omit<MlpEpochArgs, 'order' | 'start' | 'batches' | 'weights' | 'biases' | 'weightBuffers' | 'biasBuffers' | 'sgd' | 'sgdFirst'> = {
    sizes,
    acts: Int32Array.from(acts),
    x: xData,
    y: yData,
    labels,
    batchSize: r.batchSize,
    loss,
    accuracy: acc as 0 | 1 | 2 | 3,
  };
  // The optimizer's per-parameter state, made as the eager step makes it (SGD's is {} plus the momentum buffer).
  const stateOf = (p: Tensor): ParamState => {
    let st = opt.state.get(p);
    if (st === undefined) {
      st = {};
      opt.state.set(p, st);
    }
    return st;
  };
  const run = (order: Int32Array, start: number, batches: number, lr: number): MlpEpochResult => {
    let first = false;
    let weightBuffers: Float32Array[] | null = null;
    let biasBuffers: (Float32Array | null)[] | null = null;
    if (momentum) {
      first = stateOf(linears[0]!.weight).momentumBuffer === undefined;
      const buf = (p: Tensor): Float32Array => stateBuffer(stateOf(p), 'momentumBuffer', p.data() as Float32Array) as Float32Array;
      weightBuffers = linears.map((l) => buf(l.weight));
      biasBuffers = linears.map((l) => (l.bias ? buf(l.bias) : null));
    } else {
      for (const p of params) stateOf(p);
    }
    // the parameters' arrays fetched per call: a callback between epochs may have loaded new storage into them
    const weights = linears.map((l) => l.weight.data() as Float32Array);
    const biases = linears.map((l) => (l.bias ? (l.bias.data() as Float32Array) : null));
    // SGD's step as the eager optimizer takes it (one set of options for all groups, checked above)
    const h = { ...g0, lr };
    const sgd = sgdCoefficients(h, false);
    const sgdFirst = first ? sgdCoefficients(h, true) : sgd;
    const res = fusedMlpSgd({ ...fixed, order, start, batches, weights, biases, weightBuffers, biasBuffers, sgd, sgdFirst });
    for (const p of params) p.storage.version++; // updated in place, as the eager step marks them
    return res;
  };
  return {
    run,
    perSample: acc === 3 ? outF : 1,
    metricNames: r.metrics.map((m) => m.name),
    params,
  };
}
