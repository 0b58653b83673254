// The argument checks of Backend.mlpSgdEpochF32 for kernels without their own (the WASM backend's; the
// native addon checks the same in C++): the fused MLP kernels index memory by these sizes and indices.
import { ShapeError, ValueError } from '../core/index.ts';
import type { MlpEpochArgs, MlpForwardArgs } from './backend.ts';

/** Throws a clear error naming `op` when the arguments do not describe one consistent run. */
export function checkMlpEpochArgs(op: string, a: MlpEpochArgs): void {
  const name = `${op} mlpSgdEpoch`;
  const L = a.acts.length;
  if (L < 1 || a.sizes.length !== L + 1 || a.weights.length !== L || a.biases.length !== L) {
    throw new ShapeError(`${name}: at least one layer, with sizes = layers + 1 and one weight and bias entry per layer; got ${a.sizes.length} sizes, ${a.weights.length} weights, ${a.biases.length} biases for ${L} layers`);
  }
  if ((a.sgd.cb !== 0 || a.sgdFirst.cb !== 0) && (!a.weightBuffers || !a.biasBuffers)) throw new ValueError(`${name}: momentum buffers for every weight and bias with a momentum`);
  if ((a.weightBuffers === null) !== (a.biasBuffers === null)) throw new ValueError(`${name}: weight and bias momentum buffers, both or neither`);
  const momentum = a.weightBuffers !== null;
  for (let l = 0; l < L; l++) {
    const i = a.sizes[l]!;
    const o = a.sizes[l + 1]!;
    const b = a.biases[l];
    if (!(i >= 1 && o >= 1) || a.weights[l]!.length !== i * o || (b && b.length !== o)) {
      throw new ShapeError(`${name}: layer ${l}: a weight [${o}, ${i}] and a bias [${o}]; got ${a.weights[l]!.length} and ${b ? b.length : 'none'} values`);
    }
    if (momentum && (a.weightBuffers![l]!.length !== i * o || (b ? a.biasBuffers![l]?.length !== o : a.biasBuffers![l] !== null))) {
      throw new ShapeError(`${name}: layer ${l}: momentum buffers shaped like its weight and bias`);
    }
    const act = a.acts[l]!;
    if (act < 0 || act > 4 || (act === 4 && l !== L - 1)) throw new ValueError(`${name}: activation codes 0-4 (softmax, 4, on the last layer only); got ${act} on layer ${l}`);
  }
  const inF = a.sizes[0]!;
  const outF = a.sizes[L]!;
  const n = a.x.length / inF;
  if (!Number.isInteger(n) || n === 0) throw new ShapeError(`${name}: x of shape [n, ${inF}]; got ${a.x.length} values`);
  if (a.order.length !== n) throw new ShapeError(`${name}: an order of the n = ${n} samples; got ${a.order.length} entries`);
  if (a.order.some((s) => s < 0 || s >= n)) throw new ValueError(`${name}: order entries in [0, n)`);
  const sparse = a.loss === 2 || a.accuracy === 2;
  if (sparse && (!a.labels || a.labels.length !== n)) throw new ShapeError(`${name}: class indices [n] for a sparse loss or accuracy`);
  if (a.labels && a.labels.some((c) => c < 0 || c >= outF)) throw new ValueError(`${name}: class indices in [0, ${outF})`);
  if ((a.loss !== 2 || a.accuracy === 1 || a.accuracy === 3) && (!a.y || a.y.length !== n * outF)) throw new ShapeError(`${name}: targets y of shape [n, ${outF}]`);
  if ((a.loss === 1 || a.loss === 2) !== (a.acts[L - 1] === 4)) throw new ValueError(`${name}: a softmax last layer exactly with a cross-entropy loss`);
  if (!(a.start >= 0 && a.batches >= 0 && a.batchSize >= 1)) throw new ValueError(`${name}: start >= 0, batches >= 0 and batchSize >= 1`);
  if (Number.isNaN(a.sgd.lr) || Number.isNaN(a.sgdFirst.lr) || Math.abs(a.sgd.sign) !== 1 || a.sgdFirst.sign !== a.sgd.sign) {
    throw new ValueError(`${name}: a learning rate that is a number and a sign of 1 or -1`);
  }
}

/**
 * What a backend made of a dense chain's parameters in an earlier mlpForwardF32 call (WASM: a copy in
 * its memory; native: the weights packed for its GEMM), valid while the call's key, arrays and storage
 * versions are the same (MlpForwardArgs.key).
 */
export class HeldMlpParameters {
  private constructor(
    readonly key: object,
    private readonly arrays: readonly (Float32Array | null)[],
    private readonly versions: Float64Array,
  ) {}

  /** The parameters' arrays of a call, per layer its weight then its bias or null. */
  static arraysOf(p: MlpForwardArgs): (Float32Array | null)[] {
    const arrays: (Float32Array | null)[] = [];
    for (let l = 0; l < p.weights.length; l++) arrays.push(p.weights[l]!, p.biases[l] ?? null);
    return arrays;
  }

  /** A record of this call's parameters, or null when the call has no key or versions (nothing can be reused). */
  static of(p: MlpForwardArgs, arrays: readonly (Float32Array | null)[]): HeldMlpParameters | null {
    return p.key && p.versions ? new HeldMlpParameters(p.key, arrays, Float64Array.from(p.versions)) : null;
  }

  /** Whether a call has the same key, arrays and versions (no allocation: this runs at every inference call). */
  matches(p: MlpForwardArgs): boolean {
    const v = p.versions;
    const L = p.weights.length;
    if (p.key !== this.key || v === undefined || 2 * L !== this.arrays.length) return false;
    for (let l = 0; l < L; l++) {
      if (p.weights[l] !== this.arrays[2 * l] || (p.biases[l] ?? null) !== this.arrays[2 * l + 1]) return false;
      if (v[2 * l] !== this.versions[2 * l] || v[2 * l + 1] !== this.versions[2 * l + 1]) return false;
    }
    return true;
  }
}
