// Batch normalisation as one op: per-channel statistics, normalisation and the affine transform in
// one pass each, with the closed-form backward (instead of a graph of broadcast sub/div/mul/add and
// reductions, which cost ~10 passes over the activations and as many temporaries).
import { AutogradError, DTypeError, ShapeError, ValueError, fmtShape, isFloat } from '../core/index.ts';
import { dense } from './types.ts';
import type { OpSpec } from './types.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** batchNorm's attributes. `stats` receives the batch mean and biased variance (training only). */
export interface BatchNormAttrs {
  eps: number;
  /** true: normalise with the batch's statistics; false: with `runningMean`/`runningVar`. */
  training: boolean;
  runningMean?: Tensor;
  runningVar?: Tensor;
  /** Filled in training with the batch statistics per channel (for the running averages). */
  stats?: { mean: Float64Array; variance: Float64Array; count: number };
}

interface Saved {
  mean: Float64Array;
  invstd: Float64Array;
}

/**
 * batchNorm(x [N, C, L], weight? [C], bias? [C]) -> [N, C, L]: y = (x − mean_c)·invstd_c·weight_c + bias_c,
 * invstd = 1/√(var + eps), the statistics over N and L (training) or the running ones (eval).
 * Inputs are [x], [x, weight] or [x, weight, bias].
 */
export const batchNormOp: OpSpec<BatchNormAttrs> = {
  name: 'batchNorm',
  forward(be, [x, w, b], a) {
    if (x!.ndim !== 3) throw new ShapeError(`batchNorm: an input [N, C, L]; got ${fmtShape(x!.shape)}`);
    if (!isFloat(x!.dtype)) throw new DTypeError(`batchNorm: a float input; got ${x!.dtype}`);
    const [n, c, l] = x!.shape as [number, number, number];
    for (const [what, t] of [['weight', w], ['bias', b], ['runningMean', a.runningMean], ['runningVar', a.runningVar]] as const) {
      if (t && (t.ndim !== 1 || t.shape[0] !== c)) throw new ShapeError(`batchNorm: ${what} of shape [${c}]; got ${fmtShape(t.shape)}`);
    }
    const m = n * l;
    if (a.training && m < 2) throw new ValueError(`batchNorm: more than 1 value per channel in training; got input ${fmtShape(x!.shape)}. Use eval() for single samples`);
    const xd = x!.contiguousData();
    const wd = w?.contiguousData();
    const bd = b?.contiguousData();
    const mean = new Float64Array(c);
    const invstd = new Float64Array(c);
    if (a.training) {
      const variance = new Float64Array(c);
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const base = (i * c + ch) * l;
          for (let j = 0; j < l; j++) s += xd[base + j]!;
        }
        const mu = s / m;
        let sq = 0;
        for (let i = 0; i < n; i++) {
          const base = (i * c + ch) * l;
          for (let j = 0; j < l; j++) {
            const d = xd[base + j]! - mu;
            sq += d * d;
          }
        }
        mean[ch] = mu;
        variance[ch] = sq / m;
        invstd[ch] = 1 / Math.sqrt(sq / m + a.eps);
      }
      if (a.stats) {
        a.stats.mean = mean;
        a.stats.variance = variance;
        a.stats.count = m;
      }
    } else {
      if (!a.runningMean || !a.runningVar) throw new ValueError('batchNorm: runningMean and runningVar in eval mode; got none');
      const rm = a.runningMean.contiguousData();
      const rv = a.runningVar.contiguousData();
      for (let ch = 0; ch < c; ch++) {
        mean[ch] = rm[ch]!;
        invstd[ch] = 1 / Math.sqrt(rv[ch]! + a.eps);
      }
    }
    const out = be.alloc(x!.dtype, x!.size);
    for (let ch = 0; ch < c; ch++) {
      const scale = invstd[ch]! * (wd ? wd[ch]! : 1);
      const shift = (bd ? bd[ch]! : 0) - mean[ch]! * scale;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * l;
        for (let j = 0; j < l; j++) out[base + j] = xd[base + j]! * scale + shift;
      }
    }
    const saved: Saved = { mean, invstd };
    return { ...dense(out, [n, c, l], x!.dtype), saved };
  },
  backward: (g, ctx) => {
    const x = ctx.input(0);
    const w = ctx.needs.length > 1 ? ctx.input(1) : null;
    const { mean, invstd } = ctx.saved as Saved;
    const [n, c, l] = x.shape as [number, number, number];
    const m = n * l;
    const gd = g.contiguousData();
    const xd = x.contiguousData();
    const wd = w?.contiguousData();
    const dX = ctx.needs[0] ? g.newZeros(x.shape) : null;
    const dW = w && ctx.needs[1] ? g.newZeros([c]) : null;
    const dB = ctx.needs.length > 2 && ctx.needs[2] ? g.newZeros([c]) : null;
    if (ctx.recording) {
      throw new AutogradError('batchNorm: a first-order gradient; got a request for a higher-order one (createGraph), which this op does not support');
    }
    const dxd = dX?.data();
    for (let ch = 0; ch < c; ch++) {
      const mu = mean[ch]!;
      const is = invstd[ch]!;
      // sums over the channel: Σg and Σg·x̂
      let sg = 0;
      let sgx = 0;
      for (let i = 0; i < n; i++) {
        const base = (i * c + ch) * l;
        for (let j = 0; j < l; j++) {
          const gv = gd[base + j]!;
          sg += gv;
          sgx += gv * (xd[base + j]! - mu) * is;
        }
      }
      if (dW) dW.data()[ch] = sgx;
      if (dB) dB.data()[ch] = sg;
      if (!dxd) continue;
      const wc = wd ? wd[ch]! : 1;
      if (ctx.attrs.training) {
        // dx = w·invstd/M · (M·g − Σg − x̂·Σ(g·x̂))
        const k = (wc * is) / m;
        const mg = sg;
        const mgx = sgx;
        for (let i = 0; i < n; i++) {
          const base = (i * c + ch) * l;
          for (let j = 0; j < l; j++) {
            const xh = (xd[base + j]! - mu) * is;
            dxd[base + j] = k * (m * gd[base + j]! - mg - xh * mgx);
          }
        }
      } else {
        const k = wc * is;
        for (let i = 0; i < n; i++) {
          const base = (i * c + ch) * l;
          for (let j = 0; j < l; j++) dxd[base + j] = k * gd[base + j]!;
        }
      }
    }
    return [dX, dW, dB];
  },
};
