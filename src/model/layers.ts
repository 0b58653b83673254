// Keras-style layer factories: each makes an nn module (the same classes as the PyTorch-style API),
// with Keras' option names and defaults.
import { ValueError } from '../core/index.ts';
import type { Tensor } from '../tensor/index.ts';
import {
  Activation, Add, AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Concatenate, Conv2d, Dense, Dropout, Embedding, Flatten, GRU,
  GaussianNoise, LSTM, MaxPool2d, RNN, Regularizer, Sequential, resolveActivation,
} from '../nn/index.ts';
import type { Module } from '../nn/index.ts';
import { inputShapeHints } from './models.ts';
import { resolveInitializer } from './registry.ts';
import type { InitializerFn } from './registry.ts';

interface Common {
  name?: string;
  /** Input shape without the batch dim (first layer of a sequential model). */
  inputShape?: number[];
}

function common<M extends Module>(m: M, o: Common): M {
  if (o.name) m.name = o.name;
  if (o.inputShape) inputShapeHints.set(m, o.inputShape);
  return m;
}

export interface DenseConfig extends Common {
  units: number;
  activation?: string | ((x: Tensor) => Tensor) | null;
  useBias?: boolean;
  /** Default 'glorotUniform' (Keras). */
  kernelInitializer?: string | InitializerFn;
  /** Default 'zeros' (Keras). */
  biasInitializer?: string | InitializerFn;
  kernelRegularizer?: Regularizer | null;
  biasRegularizer?: Regularizer | null;
  activityRegularizer?: Regularizer | null;
  inputDim?: number;
}

/** Keras' Dense: activation(x·W + b) with Keras' defaults (glorotUniform kernel, zero bias). */
export function dense(o: DenseConfig): Dense {
  if (!Number.isInteger(o.units) || o.units <= 0) throw new ValueError(`dense: a positive integer units; got ${o.units}`);
  const inF = o.inputShape?.at(-1) ?? o.inputDim ?? null;
  const d = new Dense(inF, o.units, {
    bias: o.useBias ?? true,
    activation: o.activation,
    weightInit: resolveInitializer(o.kernelInitializer, resolveInitializer('glorotUniform', (t) => t)),
    biasInit: resolveInitializer(o.biasInitializer, resolveInitializer('zeros', (t) => t)),
    kernelRegularizer: o.kernelRegularizer,
    biasRegularizer: o.biasRegularizer,
    activityRegularizer: o.activityRegularizer,
  });
  return common(d, { ...o, inputShape: o.inputShape ?? (o.inputDim ? [o.inputDim] : undefined) });
}

/** Keras' Dropout(rate). */
export function dropout(o: Common & { rate: number }): Dropout {
  return common(new Dropout(o.rate), o);
}

/**
 * Keras' BatchNormalization: momentum 0.99 (the weight of the old moving value), epsilon 1e-3, and
 * the moving variance updated with the batch's biased variance (PyTorch: momentum 0.1 as the weight
 * of the new value, eps 1e-5, unbiased variance).
 */
export function batchNormalization(o: Common & { momentum?: number; epsilon?: number; center?: boolean; scale?: boolean } = {}): BatchNorm1d {
  const m = o.momentum ?? 0.99;
  if (!(m >= 0 && m <= 1)) throw new ValueError(`batchNormalization: momentum in [0, 1]; got ${m}`);
  if (o.center === false || o.scale === false) throw new ValueError('batchNormalization: center and scale together (both on or use affine=false in BatchNorm1d); got one off');
  return common(new BatchNorm1d(o.inputShape?.at(-1) ?? null, { momentum: 1 - m, eps: o.epsilon ?? 1e-3, unbiasedRunningVar: false }), o);
}

/** Keras' GaussianNoise(stddev): additive noise in training only. */
export function gaussianNoise(o: Common & { stddev: number }): GaussianNoise {
  return common(new GaussianNoise(o.stddev), o);
}
/** Keras' Flatten: all dims after the batch dim into one. */
export function flatten(o: Common = {}): Flatten {
  return common(new Flatten(1, -1), o);
}
/** Keras' Activation layer. */
export function activation(o: Common & { activation: string | ((x: Tensor) => Tensor) }): Activation {
  const f = resolveActivation(o.activation) ?? ((x: Tensor) => x);
  return common(new Activation(f, typeof o.activation === 'string' ? o.activation : 'custom'), o);
}
/** Keras' Add merge (residual connections). */
export function add(o: Common = {}): Add {
  return common(new Add(), o);
}
/** Keras' Concatenate merge along `axis` (default -1). */
export function concatenate(o: Common & { axis?: number } = {}): Concatenate {
  return common(new Concatenate(o.axis ?? -1), o);
}

interface RecurrentConfig extends Common {
  units: number;
  /** Return the whole sequence [B, T, units] instead of the last output [B, units] (default false). */
  returnSequences?: boolean;
  /** Dropout between stacked layers is not a Keras option; use a dropout layer. */
  inputDim?: number;
}

function recurrentIn(o: RecurrentConfig, op: string): number {
  const f = o.inputShape?.at(-1) ?? o.inputDim;
  if (f === undefined) throw new ValueError(`${op}: the input feature count (inputShape: [T, F] or inputDim); got neither`);
  return f;
}

/** Keras' SimpleRNN (tanh), batch-first: [B, T, F] -> [B, units] (or the sequence). */
export function simpleRnn(o: RecurrentConfig): RNN {
  return common(new RNN(recurrentIn(o, 'simpleRnn'), o.units, { batchFirst: true, returnSequences: o.returnSequences ?? false }), o);
}
/** Keras' LSTM, batch-first, PyTorch's gate layout and init. */
export function lstm(o: RecurrentConfig): LSTM {
  return common(new LSTM(recurrentIn(o, 'lstm'), o.units, { batchFirst: true, returnSequences: o.returnSequences ?? false }), o);
}
/** Keras' GRU, batch-first (PyTorch's variant: reset gate applied after the hidden matmul). */
export function gru(o: RecurrentConfig): GRU {
  return common(new GRU(recurrentIn(o, 'gru'), o.units, { batchFirst: true, returnSequences: o.returnSequences ?? false }), o);
}
/** Keras' Embedding(inputDim, outputDim): int32 indices -> vectors. */
export function embedding(o: Common & { inputDim: number; outputDim: number }): Embedding {
  return common(new Embedding(o.inputDim, o.outputDim), o);
}

/**
 * Keras' Conv2D on channels-first images ([N, C, H, W], PyTorch's layout): `filters` output channels,
 * `kernelSize`, `strides`, `padding` 'valid' | 'same', optional activation. `inputShape` is [C, H, W].
 */
export function conv2d(o: Common & {
  filters: number; kernelSize: number | [number, number]; strides?: number | [number, number]; padding?: 'valid' | 'same';
  activation?: string | ((x: Tensor) => Tensor) | null; useBias?: boolean; inChannels?: number; groups?: number;
}): Module {
  const inC = o.inChannels ?? o.inputShape?.[0];
  if (inC === undefined) throw new ValueError('conv2d: the input channel count (inputShape: [C, H, W] or inChannels); got neither');
  const conv = new Conv2d(inC, o.filters, o.kernelSize, { stride: o.strides, padding: o.padding ?? 'valid', bias: o.useBias ?? true, groups: o.groups });
  const act = resolveActivation(o.activation);
  if (!act) return common(conv, o);
  // A conv followed by its activation, as one named block.
  const block = new Sequential({ conv, activation: new Activation(act, typeof o.activation === 'string' ? o.activation : 'custom') });
  return common(block, o);
}
/** Keras' MaxPooling2D (poolSize, strides defaulting to poolSize). */
export function maxPooling2d(o: Common & { poolSize?: number | [number, number]; strides?: number | [number, number] } = {}): MaxPool2d {
  return common(new MaxPool2d(o.poolSize ?? 2, { stride: o.strides }), o);
}
/** Keras' AveragePooling2D. */
export function averagePooling2d(o: Common & { poolSize?: number | [number, number]; strides?: number | [number, number] } = {}): AvgPool2d {
  return common(new AvgPool2d(o.poolSize ?? 2, { stride: o.strides }), o);
}
/** Keras' GlobalAveragePooling2D: [N, C, H, W] -> [N, C]. */
export function globalAveragePooling2d(o: Common = {}): Sequential {
  return common(new Sequential({ pool: new AdaptiveAvgPool2d(1), flatten: new Flatten(1, -1) }), o);
}
/** Keras' BatchNormalization for images (channels first): BatchNorm2d with Keras' momentum and epsilon. */
export function batchNormalization2d(o: Common & { momentum?: number; epsilon?: number; channels?: number } = {}): BatchNorm2d {
  const m = o.momentum ?? 0.99;
  return common(new BatchNorm2d(o.channels ?? o.inputShape?.[0] ?? null, { momentum: 1 - m, eps: o.epsilon ?? 1e-3, unbiasedRunningVar: false }), o);
}
