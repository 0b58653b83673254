// Fused gate math of recurrent cells: one kernel per time step for the elementwise part of an LSTM
// or GRU step (the matmuls stay in the linear op), with hand-written backward rules.
import { ShapeError, fmtShape, isFloat, DTypeError } from '../core/index.ts';
import { getBackend } from '../backend/backend.ts';
import { dense } from './types.ts';
import type { OpSpec } from './types.ts';

const sig = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * lstmGates(gates [B, 4H], c [B, H]) -> [B, 2H] = (h', c') with PyTorch's gate order (i, f, g, o):
 * i, f, o = σ(·), g = tanh(·), c' = f·c + i·g, h' = o·tanh(c').
 */
export const lstmGatesOp: OpSpec = {
  name: 'lstmGates',
  forward(be, [gates, c]) {
    const [b, h4] = gates!.shape as [number, number];
    const h = h4 / 4;
    if (gates!.ndim !== 2 || h4 % 4 !== 0 || c!.ndim !== 2 || c!.shape[0] !== b || c!.shape[1] !== h) {
      throw new ShapeError(`lstmGates: gates [B, 4H] and cell state [B, H]; got ${fmtShape(gates!.shape)} and ${fmtShape(c!.shape)}`);
    }
    if (!isFloat(gates!.dtype)) throw new DTypeError(`lstmGates: float tensors; got ${gates!.dtype}`);
    const gd = gates!.contiguousData();
    const cd = c!.contiguousData();
    const out = be.alloc(gates!.dtype, b * 2 * h);
    if (be.lstmGatesF32 && gd instanceof Float32Array && cd instanceof Float32Array && out instanceof Float32Array) {
      const act32 = new Float32Array(b * 5 * h);
      be.lstmGatesF32(gd, cd, out, act32, b, h);
      return { ...dense(out, [b, 2 * h], gates!.dtype), saved: act32 };
    }
    // Saved activations for backward: i, f, g, o and tanh(c').
    const act = new Float64Array(b * 5 * h);
    for (let r = 0; r < b; r++) {
      const gb = r * 4 * h;
      const ob = r * 2 * h;
      const ab = r * 5 * h;
      for (let j = 0; j < h; j++) {
        const i = sig(gd[gb + j]!);
        const f = sig(gd[gb + h + j]!);
        const g = Math.tanh(gd[gb + 2 * h + j]!);
        const o = sig(gd[gb + 3 * h + j]!);
        const c2 = f * cd[r * h + j]! + i * g;
        const tc = Math.tanh(c2);
        out[ob + j] = o * tc;
        out[ob + h + j] = c2;
        act[ab + j] = i;
        act[ab + h + j] = f;
        act[ab + 2 * h + j] = g;
        act[ab + 3 * h + j] = o;
        act[ab + 4 * h + j] = tc;
      }
    }
    return { ...dense(out, [b, 2 * h], gates!.dtype), saved: act };
  },
  backward: (grad, ctx) => {
    const c = ctx.input(1);
    const [b, h] = c.shape as [number, number];
    const act = ctx.saved as Float64Array | Float32Array;
    const gd = grad.contiguousData();
    const cd = c.contiguousData();
    const dGates = grad.newZeros([b, 4 * h]);
    const dC = grad.newZeros([b, h]);
    const dg4 = dGates.data();
    const dcd = dC.data();
    const be = getBackend();
    if (be.lstmGatesGradF32 && act instanceof Float32Array && gd instanceof Float32Array && cd instanceof Float32Array && dg4 instanceof Float32Array && dcd instanceof Float32Array) {
      be.lstmGatesGradF32(gd, cd, act, dg4, dcd, b, h);
      return [ctx.needs[0] ? dGates : null, ctx.needs[1] ? dC : null];
    }
    for (let r = 0; r < b; r++) {
      const ab = r * 5 * h;
      for (let j = 0; j < h; j++) {
        const i = act[ab + j]!;
        const f = act[ab + h + j]!;
        const g = act[ab + 2 * h + j]!;
        const o = act[ab + 3 * h + j]!;
        const tc = act[ab + 4 * h + j]!;
        const dh = gd[r * 2 * h + j]!;
        const dc = gd[r * 2 * h + h + j]! + dh * o * (1 - tc * tc);
        const gb = r * 4 * h;
        dg4[gb + j] = dc * g * i * (1 - i);
        dg4[gb + h + j] = dc * cd[r * h + j]! * f * (1 - f);
        dg4[gb + 2 * h + j] = dc * i * (1 - g * g);
        dg4[gb + 3 * h + j] = dh * tc * o * (1 - o);
        dcd[r * h + j] = dc * f;
      }
    }
    return [ctx.needs[0] ? dGates : null, ctx.needs[1] ? dC : null];
  },
};

/**
 * gruGates(xg [B, 3H], hg [B, 3H], h [B, H]) -> h' [B, H] with PyTorch's order (r, z, n):
 * r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r·hn), h' = (1 − z)·n + z·h, where xg = x·W_ihᵀ + b_ih
 * and hg = h·W_hhᵀ + b_hh.
 */
export const gruGatesOp: OpSpec = {
  name: 'gruGates',
  forward(be, [xg, hg, hPrev]) {
    const [b, h3] = xg!.shape as [number, number];
    const h = h3 / 3;
    const ok = xg!.ndim === 2 && h3 % 3 === 0 && hg!.ndim === 2 && hg!.shape[0] === b && hg!.shape[1] === h3 && hPrev!.ndim === 2 && hPrev!.shape[0] === b && hPrev!.shape[1] === h;
    if (!ok) {
      throw new ShapeError(`gruGates: input gates [B, 3H], hidden gates [B, 3H] and state [B, H]; got ${fmtShape(xg!.shape)}, ${fmtShape(hg!.shape)} and ${fmtShape(hPrev!.shape)}`);
    }
    const xd = xg!.contiguousData();
    const hd = hg!.contiguousData();
    const pd = hPrev!.contiguousData();
    const out = be.alloc(xg!.dtype, b * h);
    const act = new Float64Array(b * 3 * h);
    for (let r = 0; r < b; r++) {
      const gb = r * 3 * h;
      for (let j = 0; j < h; j++) {
        const rr = sig(xd[gb + j]! + hd[gb + j]!);
        const z = sig(xd[gb + h + j]! + hd[gb + h + j]!);
        const n = Math.tanh(xd[gb + 2 * h + j]! + rr * hd[gb + 2 * h + j]!);
        out[r * h + j] = (1 - z) * n + z * pd[r * h + j]!;
        act[gb + j] = rr;
        act[gb + h + j] = z;
        act[gb + 2 * h + j] = n;
      }
    }
    return { ...dense(out, [b, h], xg!.dtype), saved: act };
  },
  backward: (grad, ctx) => {
    const hg = ctx.input(1);
    const hPrev = ctx.input(2);
    const [b, h] = hPrev.shape as [number, number];
    const act = ctx.saved as Float64Array;
    const gd = grad.contiguousData();
    const hd = hg.contiguousData();
    const pd = hPrev.contiguousData();
    const dX = grad.newZeros([b, 3 * h]);
    const dH = grad.newZeros([b, 3 * h]);
    const dP = grad.newZeros([b, h]);
    const dx = dX.data();
    const dhg = dH.data();
    const dp = dP.data();
    for (let r = 0; r < b; r++) {
      const gb = r * 3 * h;
      for (let j = 0; j < h; j++) {
        const rr = act[gb + j]!;
        const z = act[gb + h + j]!;
        const n = act[gb + 2 * h + j]!;
        const g = gd[r * h + j]!;
        const dnPre = g * (1 - z) * (1 - n * n);
        const dzPre = g * (pd[r * h + j]! - n) * z * (1 - z);
        const drPre = dnPre * hd[gb + 2 * h + j]! * rr * (1 - rr);
        dx[gb + j] = drPre;
        dx[gb + h + j] = dzPre;
        dx[gb + 2 * h + j] = dnPre;
        dhg[gb + j] = drPre;
        dhg[gb + h + j] = dzPre;
        dhg[gb + 2 * h + j] = dnPre * rr;
        dp[r * h + j] = g * z;
      }
    }
    return [ctx.needs[0] ? dX : null, ctx.needs[1] ? dH : null, ctx.needs[2] ? dP : null];
  },
};
