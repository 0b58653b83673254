// A Sequential's modules read as a chain of dense layers (Linear or Keras Dense, each with an identity,
// ReLU, sigmoid, tanh or, last, softmax activation), for the kernels that run such a network in one call:
// fit's fused SGD training (model/fused-mlp.ts) and Sequential's fused inference (below).
import { getBackend } from '../../backend/backend.ts';
import { Tensor, isGradEnabled } from '../../tensor/index.ts';
import type { Module } from '../module.ts';
import { Identity, Linear, Flatten } from './linear.ts';
import { Dense } from './dense.ts';
import { ReLU, Sigmoid, Softmax, Tanh } from './activation.ts';
import { Activation } from './merge.ts';
import { activations } from '../functional.ts';

/** The activation codes of the fused kernels: 0 identity, 1 relu, 2 sigmoid, 3 tanh, 4 softmax (last layer only). */
const ACT: Record<string, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, softmax: 4 };

/** An activation module a fused kernel (or a layer's op) can apply in its place. */
export type FusableActivation = 'relu' | 'tanh' | 'sigmoid' | 'softmax';

/**
 * The activation `m` is, when it is exactly a ReLU, Tanh, Sigmoid or Softmax over the last axis module, or
 * a Keras Activation of one of them (checked by function identity: a custom function under such a name is
 * not taken for it); else null. Sequential's Linear/Conv2d fusion and the dense-chain reading below use it.
 */
export function fusableActivation(m: Module | undefined): FusableActivation | null {
  if (m === undefined) return null;
  const C = m.constructor;
  if (C === ReLU) return 'relu';
  if (C === Tanh) return 'tanh';
  if (C === Sigmoid) return 'sigmoid';
  if (C === Softmax) return [-1, 1].includes((m as Softmax).dim) ? 'softmax' : null; // (dim 1 is the last of the 2-D input)
  if (C === Activation) {
    const a = m as Activation;
    const name = a.activationName;
    if ((name === 'relu' || name === 'tanh' || name === 'sigmoid' || name === 'softmax') && a.fn === activations[name]) return name;
  }
  return null;
}

export interface DenseChain {
  linears: Linear[];
  acts: number[];
}

/**
 * The modules as dense layers with activation codes, or null when there is anything else (another
 * layer, a subclass, a layer not built yet, a Dense with a regulariser or a custom activation, widths
 * that do not chain). Activation modules count as their layer's activation (fusableActivation). A leading Flatten from dim 1 is skipped (the input is taken as 2-D), and Identity anywhere.
 */
export function denseChain(modules: readonly Module[]): DenseChain | null {
  const linears: Linear[] = [];
  const acts: number[] = [];
  for (let i = 0; i < modules.length; i++) {
    const m = modules[i]!;
    const C = m.constructor;
    if (C === Linear || C === Dense) {
      const l = m as Linear;
      if (l.inFeatures === null) return null; // not built yet
      let act = 0;
      if (C === Dense) {
        const d = l as Dense;
        if (d.regs.kernelRegularizer || d.regs.biasRegularizer || d.regs.activityRegularizer) return null;
        const a = d.activationName === null ? 0 : ACT[d.activationName];
        if (a === undefined) return null;
        act = a;
      }
      linears.push(l);
      acts.push(act);
    } else if (fusableActivation(m) !== null && acts.length > 0 && acts[acts.length - 1] === 0) {
      acts[acts.length - 1] = ACT[fusableActivation(m)!]!;
    } else if (C === Identity || (C === Flatten && i === 0 && (m as Flatten).startDim === 1)) {
      continue; // (on the 2-D input the kernels take, Flatten from dim 1 does nothing)
    } else {
      return null;
    }
  }
  if (!linears.length || acts.slice(0, -1).includes(4)) return null;
  for (let i = 1; i < linears.length; i++) if (linears[i]!.inFeatures !== linears[i - 1]!.outFeatures) return null;
  return { linears, acts };
}

/**
 * A Sequential's forward without the ops when nothing needs a graph (gradients off), its modules form a
 * dense chain of float32 layers whose parameters are plain contiguous arrays, x is a float32 [rows, in]
 * batch and the backend has the kernel (mlpForwardF32: the native backend's sgemm and activation kernels
 * in one call). Any batch gains: a batch of one through W1's 784-256-256-10 network 10.2-11.5 µs against
 * 11.8-12.3 through the ops (the per-op dispatch is the saving), 1000 rows 3.2-3.3 ms against 3.5-4.0
 * (the kernel takes such batches depth first in blocks of rows: no batch-sized intermediate arrays or
 * passes over them), 32-256 rows 5-10% less. A last softmax is
 * applied by its op to the kernel's result. Made once per Sequential (its modules do not change but by
 * add, which drops it); the parameters' arrays are read at every call.
 */
export class FusedInference {
  private readonly weights: Float32Array[];
  private readonly biases: (Float32Array | null)[];
  /** The parameters' storage versions at this call (MlpForwardArgs.versions). */
  private readonly versions: Float64Array;

  private constructor(private readonly linears: Linear[], private readonly sizes: Int32Array, private readonly acts: Int32Array, private readonly softmax: boolean) {
    this.weights = new Array<Float32Array>(linears.length);
    this.biases = new Array<Float32Array | null>(linears.length);
    this.versions = new Float64Array(2 * linears.length);
  }

  /** The plan for these modules; null when they are not a dense chain, undefined when a Linear is not built yet (ask again later). */
  static of(modules: readonly Module[]): FusedInference | null | undefined {
    const chain = denseChain(modules);
    if (!chain) return modules.some((m) => m instanceof Linear && m.inFeatures === null) ? undefined : null;
    const { linears, acts } = chain;
    const last = acts.length - 1;
    const softmax = acts[last] === 4;
    return new FusedInference(linears, Int32Array.from([linears[0]!.inFeatures!, ...linears.map((l) => l.outFeatures)]), Int32Array.from(softmax ? [...acts.slice(0, last), 0] : acts), softmax);
  }

  /** The chain's output for x, or null when this call needs the modules one by one. */
  run(x: Tensor): Tensor | null {
    const be = getBackend();
    if (!be.mlpForwardF32 || isGradEnabled() || x.dtype !== 'float32' || x.ndim !== 2) return null;
    const rows = x.shape[0]!;
    if (rows === 0 || x.shape[1] !== this.sizes[0]) return null; // (a layer reports a mismatch)
    const { linears, weights, biases, versions } = this;
    for (let i = 0; i < linears.length; i++) {
      const w = linears[i]!.weight;
      const b = linears[i]!.bias;
      if (w.dtype !== 'float32' || !w.isContiguous || w.offset !== 0 || (b && (b.dtype !== 'float32' || !b.isContiguous || b.offset !== 0))) return null;
      weights[i] = w.data() as Float32Array;
      biases[i] = b ? (b.data() as Float32Array) : null;
      versions[2 * i] = w.storage.version;
      versions[2 * i + 1] = b ? b.storage.version : 0;
    }
    const outF = this.sizes[linears.length]!;
    const out = be.alloc('float32', rows * outF) as Float32Array;
    if (!be.mlpForwardF32({ sizes: this.sizes, acts: this.acts, weights, biases, x: x.contiguousData() as Float32Array, rows, out, key: this, versions })) return null;
    const y = Tensor.fromData(out, [rows, outF], 'float32');
    return this.softmax ? y.softmax(-1) : y;
  }
}
