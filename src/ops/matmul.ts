// matmul (batched, broadcast batch dims) and the fused linear layer op y = x·Wᵀ + b.
import { DTypeError, ShapeError, broadcastShapes, fmtShape, isFloat, promoteTypes, sizeOf } from '../core/index.ts';
import { getBackend } from '../backend/backend.ts';
import type { Backend } from '../backend/backend.ts';
import type { TypedArray } from '../core/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { dense } from './types.ts';
import { activationDefs } from './elementwise.ts';
import type { OpSpec } from './types.ts';

/**
 * How the kernel should read the last two dims of `t` without a copy: row-major (trans=false) or
 * column-major (trans=true, a transposed view). Returns null when neither fits.
 */
function layout(t: Tensor): { trans: boolean; ld: number } | null {
  const nd = t.ndim;
  const [r, c] = [t.shape[nd - 2]!, t.shape[nd - 1]!];
  const [sr, sc] = [t.strides[nd - 2]!, t.strides[nd - 1]!];
  if ((sc === 1 || c === 1) && (sr === c || r === 1)) return { trans: false, ld: Math.max(c, 1) };
  if ((sr === 1 || r === 1) && (sc === r || c === 1)) return { trans: true, ld: Math.max(r, 1) };
  return null;
}

/** True for a non-contiguous tensor whose last two dims are read column-major (a transposed view). */
function transposedView(t: Tensor): boolean {
  return !t.isContiguous && layout(t)?.trans === true;
}

/** Batch offsets of each matrix of `t` broadcast to `batch`. */
function batchOffsets(t: Tensor, batch: readonly number[]): number[] {
  const nb = t.ndim - 2;
  const off = batch.length - nb;
  const total = sizeOf(batch);
  const out = new Array<number>(total);
  const idx = new Array<number>(batch.length).fill(0);
  for (let i = 0; i < total; i++) {
    let o = t.offset;
    for (let d = 0; d < nb; d++) if (t.shape[d] !== 1) o += idx[d + off]! * t.strides[d]!;
    out[i] = o;
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d]! < batch[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Runs the kernel for a·b on tensors of at least 2 dims; returns the result data and shape. With `into`
 * (contiguous, of the result's size and dtype) the product is added into its elements instead.
 */
export function matmulRaw(be: Backend, a0: Tensor, b0: Tensor, op = 'matmul', into?: Tensor): { data: ReturnType<Backend['alloc']>; shape: number[] } {
  const m = a0.shape[a0.ndim - 2]!;
  const k = a0.shape[a0.ndim - 1]!;
  const k2 = b0.shape[b0.ndim - 2]!;
  const n = b0.shape[b0.ndim - 1]!;
  if (k !== k2) {
    throw new ShapeError(`${op}: inner dimensions must match; got ${fmtShape(a0.shape)} @ ${fmtShape(b0.shape)} (${k} vs ${k2})`);
  }
  const batch = broadcastShapes(op, a0.shape.slice(0, -2), b0.shape.slice(0, -2));
  const dt = promoteTypes(a0.dtype, b0.dtype);
  const a = layout(a0) ? a0 : a0.contiguous();
  const b = layout(b0) ? b0 : b0.contiguous();
  const la = layout(a)!;
  const lb = layout(b)!;
  const c = into ? into.contiguousData() : be.alloc(dt, sizeOf(batch) * m * n);
  be.matmul({
    a: a.data(), b: b.data(), c, m, n, k,
    transA: la.trans, transB: lb.trans, lda: la.ld, ldb: lb.ld,
    aOffsets: batchOffsets(a, batch), bOffsets: batchOffsets(b, batch), accumulate: into !== undefined,
  });
  return { data: c, shape: [...batch, m, n] };
}

function checkFloat(op: string, ...ts: Tensor[]): void {
  for (const t of ts) if (!isFloat(t.dtype)) throw new DTypeError(`${op}: float tensors; got ${t.dtype}. Convert with .cast('float32')`);
}

/** matmul of tensors with >= 2 dims (Tensor.matmul handles 1-d operands by reshaping). */
export const matmulOp: OpSpec = {
  name: 'matmul',
  forward(be, [a, b]) {
    checkFloat('matmul', a!, b!);
    const { data, shape } = matmulRaw(be, a!, b!);
    return dense(data, shape, data instanceof Float64Array ? 'float64' : 'float32');
  },
  backward: (g, c) => {
    const a = c.input(0);
    const b = c.input(1);
    // Each gradient comes out in its input's layout (as PyTorch's mm backward does): for a transposed
    // view such as W.T it is computed as (…)ᵀ, so after the transpose's own backward the leaf receives a
    // contiguous tensor it can keep, not a strided one it would have to copy.
    return [
      c.needs[0] ? (transposedView(a) ? b.matmul(g.mT).mT : g.matmul(b.mT)) : null,
      c.needs[1] ? (transposedView(b) ? g.mT.matmul(a).mT : a.mT.matmul(g)) : null,
    ];
  },
};

/** The activations linear can apply to its result in place (a Linear layer and the activation after it, fused). */
export type LinearActivation = keyof typeof activationDefs;

/** The linear op's options: `activation` applied to the result in place. */
export interface LinearAttrs {
  activation?: LinearActivation;
}

/** y = act(y) in place, through the backend's named float32 loop where it has one (the same loop as the activation's own op). */
export function activateInPlace(be: Backend, act: LinearActivation, y: TypedArray): void {
  if (!(y instanceof Float32Array && be.mapNamed?.(act, y, y))) be.map(activationDefs[act].f(), y, y);
}

/**
 * linear(x, W, b) = x·Wᵀ + b with W of shape [out, in] (PyTorch's layout), fused in one op; with
 * attrs.activation, act(x·Wᵀ + b) (its backward takes the activation's derivative from the saved output,
 * as the activation ops' own backward does: relu's y > 0 exactly where the pre-activation is).
 */
export const linearOp: OpSpec<LinearAttrs | undefined> = {
  name: 'linear',
  forward(be, [x, w, bias], attrs) {
    checkFloat('linear', x!, w!);
    if (w!.ndim !== 2 || x!.ndim < 1 || x!.shape[x!.ndim - 1] !== w!.shape[1]) {
      throw new ShapeError(
        `linear: input [..., in] and weight [out, in] with the same 'in'; got input ${fmtShape(x!.shape)} and weight ${fmtShape(w!.shape)}`,
      );
    }
    const outF = w!.shape[0]!;
    if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
      throw new ShapeError(`linear: a bias of shape [${outF}]; got ${fmtShape(bias.shape)}`);
    }
    const inF = w!.shape[1]!;
    const x2 = x!.ndim === 2 ? x! : x!.reshape([-1, inF]);
    const outShape = [...x!.shape.slice(0, -1), outF];
    const lx = layout(x2);
    if (!lx || !w!.isContiguous || x2.dtype !== w!.dtype || (bias && bias.dtype !== w!.dtype)) {
      const { data } = matmulRaw(be, x2, w!.mT, 'linear');
      if (bias) {
        const bd = bias.contiguousData();
        for (let i = 0; i < data.length; i += outF) for (let j = 0; j < outF; j++) data[i + j]! += bd[j]!;
      }
      if (attrs?.activation) activateInPlace(be, attrs.activation, data);
      return dense(data, outShape, data instanceof Float64Array ? 'float64' : 'float32');
    }
    // The common case, without views or temporaries: C starts as the bias rows and the kernel adds x·Wᵀ
    // (W [out, in] row-major is Wᵀ read transposed).
    const m = x2.shape[0]!;
    const c = be.alloc(w!.dtype, m * outF);
    if (bias) {
      const bd = bias.contiguousData();
      // the first row, then doubling copies (log2(m) calls instead of one per row: W5's 1000 rows were
      // 1000 calls per layer)
      c.set(bd, 0);
      const total = m * outF;
      for (let done = outF; done < total; done *= 2) c.copyWithin(done, 0, Math.min(done, total - done));
    }
    be.matmul({
      a: x2.data(), b: w!.data(), c, m, n: outF, k: inF, transA: lx.trans, transB: true, lda: lx.ld, ldb: inF,
      aOffsets: [x2.offset], bOffsets: [w!.offset], accumulate: bias !== undefined && bias !== null,
    });
    if (attrs?.activation) activateInPlace(be, attrs.activation, c);
    return dense(c, outShape, w!.dtype);
  },
  backward: (gOut, c) => {
    const x = c.input(0);
    const w = c.input(1);
    const act = c.attrs?.activation;
    // the activation's derivative from its output y (relu's y > 0 exactly where its input is)
    const d = act ? activationDefs[act].d() : null;
    const g = act ? c.mapGradOfOutput(act, (y) => d!(y, y), gOut) : gOut;
    const inF = w.shape[1]!;
    const g2 = g.reshape([-1, w.shape[0]!]);
    let dW: Tensor | null = null;
    if (c.needs[1]) {
      // dW = gᵀ·x, added straight into the weight's existing gradient when there is one (a training loop
      // that zeroes gradients in place then allocates no weight-sized buffer per step).
      const x2 = x.reshape([-1, inF]);
      const into = c.leafGrad(1);
      if (into && g2.dtype === into.dtype && x2.dtype === into.dtype) {
        matmulRaw(getBackend(), g2.mT, x2, 'linear', into);
        dW = into;
      } else {
        dW = g2.mT.matmul(x2);
      }
    }
    return [c.needs[0] ? g2.matmul(w).reshape(x.shape) : null, dW, c.needs[2] ? g2.sum(0) : null];
  },
};
