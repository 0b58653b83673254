// Fused gate math of recurrent cells: one kernel per time step for the elementwise part of an LSTM
// or GRU step (the matmuls stay in the linear op), with hand-written backward rules; and a whole LSTM
// layer direction as one op (lstmSequence), so its backward runs through time without a graph node per step.
import { AutogradError, ShapeError, fmtShape, isFloat, DTypeError } from '../core/index.ts';
import type { TypedArray } from '../core/index.ts';
import { getBackend } from '../backend/backend.ts';
import type { Backend } from '../backend/backend.ts';
import { dense } from './types.ts';
import { giveBuffer, takeBuffer } from './pool.ts';
import type { OpSpec } from './types.ts';

const sig = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * The buffer of saved activations (i, f, g, o, tanh c') for `n` values: float32 where the backend's
 * kernel takes it. From the pool when `pooled` (not zeroed: the gate math writes every value).
 */
function actBuffer(be: Backend, out: TypedArray, n: number, pooled = false): Float32Array | Float64Array {
  const f32 = be.lstmGatesF32 !== undefined && out instanceof Float32Array;
  if (pooled) return takeBuffer(f32, n);
  return f32 ? new Float32Array(n) : new Float64Array(n);
}

/**
 * The gate math of one LSTM step over raw buffers (the one place it is written): out [B, 2H] = (h', c')
 * from the pre-activations gates [B, 4H] (plus add [B, 4H] when given: a sequence's input projection and
 * h·W_hhᵀ, summed here rather than in memory) and c [B, H] with rows ldc apart; act [B, 5H] keeps i, f, g,
 * o and tanh(c') for the backward.
 */
function lstmGatesForward(be: Backend, gd: TypedArray, cd: TypedArray, out: TypedArray, act: Float32Array | Float64Array, b: number, h: number, add: TypedArray | null = null, ldc = h): void {
  if (be.lstmGatesF32 && gd instanceof Float32Array && cd instanceof Float32Array && out instanceof Float32Array && act instanceof Float32Array && (add === null || add instanceof Float32Array)) {
    be.lstmGatesF32(gd, cd, out, act, b, h, add as Float32Array | null, ldc);
    return;
  }
  const pre = (k: number): number => gd[k]! + (add === null ? 0 : add[k]!);
  for (let r = 0; r < b; r++) {
    const gb = r * 4 * h;
    const ob = r * 2 * h;
    const ab = r * 5 * h;
    for (let j = 0; j < h; j++) {
      const i = sig(pre(gb + j));
      const f = sig(pre(gb + h + j));
      const g = Math.tanh(pre(gb + 2 * h + j));
      const o = sig(pre(gb + 3 * h + j));
      const c2 = f * cd[r * ldc + j]! + i * g;
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
}

/**
 * Its backward: dGates [B, 4H] and dC [B, H] (the gradient reaching c) from the gradient reaching (h', c'):
 * grad [B, 2H] = (dh', dc'), plus dhIn and dcIn [B, H] when given (what flowed back from the next step of a
 * sequence); c's rows are ldc apart. dGates and dC must not overlap each other or the inputs.
 */
function lstmGatesBackward(be: Backend, gd: TypedArray, cd: TypedArray, act: Float32Array | Float64Array, dg4: TypedArray, dcd: TypedArray, b: number, h: number, dhIn: TypedArray | null = null, dcIn: TypedArray | null = null, ldc = h): void {
  if (be.lstmGatesGradF32 && act instanceof Float32Array && gd instanceof Float32Array && cd instanceof Float32Array && dg4 instanceof Float32Array && dcd instanceof Float32Array &&
      (dhIn === null || (dhIn instanceof Float32Array && dcIn instanceof Float32Array))) {
    be.lstmGatesGradF32(gd, cd, act, dg4, dcd, b, h, dhIn as Float32Array | null, dcIn as Float32Array | null, ldc);
    return;
  }
  for (let r = 0; r < b; r++) {
    const ab = r * 5 * h;
    for (let j = 0; j < h; j++) {
      const i = act[ab + j]!;
      const f = act[ab + h + j]!;
      const g = act[ab + 2 * h + j]!;
      const o = act[ab + 3 * h + j]!;
      const tc = act[ab + 4 * h + j]!;
      const dh = gd[r * 2 * h + j]! + (dhIn === null ? 0 : dhIn[r * h + j]!);
      const dc = gd[r * 2 * h + h + j]! + (dcIn === null ? 0 : dcIn[r * h + j]!) + dh * o * (1 - tc * tc);
      const gb = r * 4 * h;
      dg4[gb + j] = dc * g * i * (1 - i);
      dg4[gb + h + j] = dc * cd[r * ldc + j]! * f * (1 - f);
      dg4[gb + 2 * h + j] = dc * i * (1 - g * g);
      dg4[gb + 3 * h + j] = dh * tc * o * (1 - o);
      dcd[r * h + j] = dc * f;
    }
  }
}

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
    const out = be.alloc(gates!.dtype, b * 2 * h);
    const act = actBuffer(be, out, b * 5 * h);
    lstmGatesForward(be, gates!.contiguousData(), c!.contiguousData(), out, act, b, h);
    return { ...dense(out, [b, 2 * h], gates!.dtype), saved: act };
  },
  backward: (grad, ctx) => {
    const c = ctx.input(1);
    const [b, h] = c.shape as [number, number];
    const act = ctx.saved as Float64Array | Float32Array;
    const dGates = grad.newZeros([b, 4 * h]);
    const dC = grad.newZeros([b, h]);
    lstmGatesBackward(getBackend(), grad.contiguousData(), c.contiguousData(), act, dGates.data(), dC.data(), b, h);
    return [ctx.needs[0] ? dGates : null, ctx.needs[1] ? dC : null];
  },
};

interface LstmSeqSaved {
  /** i, f, g, o, tanh(c') of every step: [T, B, 5H] (pooled). The cell state entering a step is c0 or the
   * previous step's output rows (the backward reads it there). */
  act: Float32Array | Float64Array;
}

/**
 * lstmSequence(xg [T, B, 4H], h0 [B, H], c0 [B, H], W_hh [4H, H]) -> [T, B, 2H]: (h_t, c_t) of every
 * step, where xg holds x_t·W_ihᵀ + b_ih + b_hh for all steps (one matmul outside) and step t computes
 * gates = xg_t + h_{t−1}·W_hhᵀ, then the gate math of lstmGates. With `reverse` the steps run from
 * t = T−1 down to 0 (a bidirectional layer's backward direction). The backward walks the steps in the
 * opposite order with one matmul per step for the state's gradient, and gets the gradient of W_hh as one
 * matmul over all steps at the end.
 */
export const lstmSequenceOp: OpSpec<{ reverse: boolean }> = {
  name: 'lstmSequence',
  forward(be, [xg, h0, c0, whh], { reverse }) {
    const [T, B, h4] = xg!.shape as [number, number, number];
    const H = h4 / 4;
    const ok = xg!.ndim === 3 && h4 % 4 === 0 && H > 0 && T > 0 && [h0!, c0!].every((s) => s.ndim === 2 && s.shape[0] === B && s.shape[1] === H) && whh!.ndim === 2 && whh!.shape[0] === h4 && whh!.shape[1] === H;
    if (!ok) {
      throw new ShapeError(`lstmSequence: input gates [T, B, 4H], h0 and c0 [B, H] and W_hh [4H, H]; got ${fmtShape(xg!.shape)}, ${fmtShape(h0!.shape)}, ${fmtShape(c0!.shape)} and ${fmtShape(whh!.shape)}`);
    }
    const dt = xg!.dtype;
    if (!isFloat(dt) || [h0!, c0!, whh!].some((t) => t.dtype !== dt)) {
      throw new DTypeError(`lstmSequence: float tensors of one dtype; got ${[xg!, h0!, c0!, whh!].map((t) => t.dtype).join(', ')}`);
    }
    // Scratch and saved buffers come from the pool (each is written in full before it is read).
    const xd = xg!.contiguousData();
    const h0d = h0!.contiguousData();
    const c0d = c0!.contiguousData();
    const wd = whh!.contiguousData();
    const out = be.alloc(dt, T * B * 2 * H);
    const hw = takeBuffer(dt === 'float32', B * h4);
    const act = actBuffer(be, out, T * B * 5 * H, true);
    const bKey = {}; // W_hh does not change during the steps
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const tp = reverse ? t + 1 : t - 1;
      const first = s === 0;
      // hw = h_{t−1}·W_hhᵀ, where h_{t−1} is h0 or the h half of the previous step's output rows; the gate
      // kernel adds it to the step's input projection xg_t as it reads both.
      be.matmul({ a: first ? h0d : out, b: wd, c: hw, m: B, n: h4, k: H, transA: false, transB: true, lda: first ? H : 2 * H, ldb: H, aOffsets: [first ? 0 : tp * B * 2 * H], bOffsets: [0], bKey });
      // c_{t−1}: c0, or the c half of the previous step's output rows (2H apart)
      const cPrev = first ? c0d.subarray(0, B * H) : out.subarray(tp * B * 2 * H + H, (tp + 1) * B * 2 * H);
      lstmGatesForward(be, xd.subarray(t * B * h4, (t + 1) * B * h4), cPrev, out.subarray(t * B * 2 * H, (t + 1) * B * 2 * H), act.subarray(t * B * 5 * H, (t + 1) * B * 5 * H), B, H, hw, first ? H : 2 * H);
    }
    giveBuffer(hw);
    const saved: LstmSeqSaved = { act };
    return { ...dense(out, [T, B, 2 * H], dt), saved };
  },
  release: (saved) => giveBuffer((saved as LstmSeqSaved).act),
  backward: (grad, ctx) => {
    if (ctx.recording) {
      throw new AutogradError('lstmSequence: a first-order gradient; got a request for a higher-order one (createGraph), which this op does not support');
    }
    const { reverse } = ctx.attrs;
    const h0 = ctx.input(1);
    const whh = ctx.input(3);
    const y = ctx.output().contiguousData();
    const [T, B, H2] = grad.shape as [number, number, number];
    const H = H2 / 2;
    const h4 = 4 * H;
    const { act } = ctx.saved as LstmSeqSaved;
    const c0d = ctx.input(2).contiguousData();
    const be = getBackend();
    const gd = grad.contiguousData();
    const wd = whh.contiguousData();
    const dG = grad.newZeros([T, B, h4]);
    const dgd = dG.data();
    const dH = grad.newZeros([B, H]);
    const dC = grad.newZeros([B, H]);
    const dh = dH.data();
    // dc ping-pongs between dC's data and a pooled buffer (the kernel's outputs may not overlap its inputs).
    const dcs = [dC.data(), takeBuffer(grad.dtype === 'float32', B * H)] as const;
    let cur = 0;
    const bKey = {}; // W_hh does not change during the steps
    for (let s = T - 1; s >= 0; s--) {
      const t = reverse ? T - 1 - s : s;
      // The gradient reaching step t's (h_t, c_t): its rows of grad, plus (from the second step on) what
      // flowed back from step t+1 (dh, dc), added inside the gate kernel.
      const dg = dgd.subarray(t * B * h4, (t + 1) * B * h4);
      const first = s === T - 1;
      // c_{t−1} as the forward read it: c0 for its first step, else the previous step's output rows
      const tp = reverse ? t + 1 : t - 1;
      const cPrev = s === 0 ? c0d.subarray(0, B * H) : y.subarray(tp * B * H2 + H, (tp + 1) * B * H2);
      lstmGatesBackward(be, gd.subarray(t * B * H2, (t + 1) * B * H2), cPrev, act.subarray(t * B * 5 * H, (t + 1) * B * 5 * H), dg,
        dcs[1 - cur]!, B, H, first ? null : dh, first ? null : dcs[cur]!, s === 0 ? H : H2);
      cur = 1 - cur;
      // dh_{t−1} = dGates_t·W_hh
      be.matmul({ a: dg, b: wd, c: dh, m: B, n: H, k: h4, transA: false, transB: false, lda: h4, ldb: H, aOffsets: [0], bOffsets: [0], bKey });
    }
    if (cur === 1) dcs[0].set(dcs[1] as never);
    giveBuffer(dcs[1] as Float32Array | Float64Array);
    let dW: typeof dG | null = null;
    if (ctx.needs[3]) {
      // dW_hh = Σ_t dGates_tᵀ·h_{t−1}: the steps after the first read h_{t−1} from the output rows (one
      // matmul over all of them), the first reads h0.
      dW = grad.newZeros([h4, H]);
      const dwd = dW.data();
      const first = reverse ? T - 1 : 0;
      if (T > 1) {
        be.matmul({ a: dgd, b: y, c: dwd, m: h4, n: H, k: (T - 1) * B, transA: true, transB: false, lda: h4, ldb: H2, aOffsets: [reverse ? 0 : B * h4], bOffsets: [reverse ? B * H2 : 0] });
      }
      be.matmul({ a: dgd, b: h0.contiguousData(), c: dwd, m: h4, n: H, k: B, transA: true, transB: false, lda: h4, ldb: H, aOffsets: [first * B * h4], bOffsets: [0], accumulate: true });
    }
    return [ctx.needs[0] ? dG : null, ctx.needs[1] ? dH : null, ctx.needs[2] ? dC : null, dW];
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
