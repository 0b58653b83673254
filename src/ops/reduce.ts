// Reductions over any dims (sum, prod, amax/amin), arg-reductions, and the layout helper they share.
import { DTypeError, ShapeError, fmtShape, isFloat, normAxes, normAxis, sameShape, sizeOf } from '../core/index.ts';
import type { TypedArray } from '../core/index.ts';
import type { Backend, ReduceKind } from '../backend/backend.ts';
import { dense } from './types.ts';
import type { OpSpec } from './types.ts';

export interface ReduceAttrs {
  dims: number[] | undefined;
  keepdim: boolean;
}

/** The output shape of reducing `dims` of `shape`. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/** Splits `shape` around `axis` into [outer, r, inner]. */
export function around(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis] ?? 1, inner];
}

function reduceAll(be: Backend, kind: ReduceKind, data: TypedArray, shape: number[], axes: number[], dt: 'float32' | 'float64' | 'int32' | 'bool'): TypedArray {
  let cur = data;
  const s = shape.slice();
  // Reduce one run of adjacent axes at a time from the last (a run is one middle axis of the combined
  // length: sum() of everything is one pass), keeping dims so earlier axes keep their place.
  for (let j = axes.length - 1; j >= 0; ) {
    let first = j;
    while (first > 0 && axes[first - 1] === axes[first]! - 1) first--;
    const lo = axes[first]!;
    const hi = axes[j]!;
    let outer = 1;
    let r = 1;
    let inner = 1;
    for (let d = 0; d < lo; d++) outer *= s[d]!;
    for (let d = lo; d <= hi; d++) r *= s[d]!;
    for (let d = hi + 1; d < s.length; d++) inner *= s[d]!;
    const next = be.alloc(dt, outer * inner);
    be.reduce(kind, cur, outer, r, inner, next);
    cur = next;
    for (let d = lo; d <= hi; d++) s[d] = 1;
    j = first - 1;
  }
  return cur;
}

function reduceSpec(kind: ReduceKind, name: string): OpSpec<ReduceAttrs> {
  return {
    name,
    forward(be, [x], { dims, keepdim }) {
      const axes = normAxes(name, dims, x!.ndim);
      if ((kind === 'max' || kind === 'min') && x!.size === 0) {
        throw new DTypeError(`${name}: a non-empty tensor; got shape [${x!.shape.join(',')}] (max/min of nothing is undefined)`);
      }
      const dt = kind === 'sum' || kind === 'prod' ? (x!.dtype === 'bool' ? 'int32' : x!.dtype) : x!.dtype;
      const out = axes.length === 0 ? (() => { const o = be.alloc(dt, x!.size); o.set(x!.contiguousData() as never); return o; })()
        : reduceAll(be, kind, x!.contiguousData(), [...x!.shape], axes, dt);
      return dense(out, reducedShape(x!.shape, axes, keepdim), dt);
    },
    backward: (g, c) => {
      const x = c.input(0);
      const axes = normAxes(name, c.attrs.dims, x.ndim);
      const keep = reducedShape(x.shape, axes, true);
      const gk = g.reshape(keep);
      if (kind === 'sum') return [gk.expand(x.shape)];
      if (kind === 'prod') return [gk.mul(c.output().reshape(keep)).expand(x.shape).div(x)];
      // amax/amin: the gradient is shared evenly among the tied extremes.
      const mask = x.eq(c.output().reshape(keep)).cast(g.dtype);
      return [mask.div(mask.sum(axes, true)).mul(gk)];
    },
  };
}

export const reduceOps = {
  sum: reduceSpec('sum', 'sum'),
  prod: reduceSpec('prod', 'prod'),
  amax: reduceSpec('max', 'amax'),
  amin: reduceSpec('min', 'amin'),
};

/** argmax/argmin along one dim (int32 indices); not differentiable. */
export function argSpec(kind: 'max' | 'min'): OpSpec<{ dim: number; keepdim: boolean }> {
  const name = `arg${kind}`;
  return {
    name,
    forward(be, [x], { dim, keepdim }) {
      if (x!.size === 0) throw new DTypeError(`${name}: a non-empty tensor; got shape [${x!.shape.join(',')}]`);
      const ax = normAxis(name, dim, x!.ndim);
      const [outer, r, inner] = around(x!.shape, ax);
      const vals = be.alloc(x!.dtype, outer * inner);
      const idx = new Int32Array(outer * inner);
      be.argReduce(kind, x!.contiguousData(), outer, r, inner, vals, idx);
      return dense(idx, reducedShape(x!.shape, [ax], keepdim), 'int32');
    },
  };
}
export const argOps = { argmax: argSpec('max'), argmin: argSpec('min') };

/** softmax / logSoftmax along a dim, with their fused backward rules. */
function softmaxSpec(log: boolean): OpSpec<{ dim: number }> {
  const name = log ? 'logSoftmax' : 'softmax';
  return {
    name,
    forward(be, [x], { dim }) {
      if (!isFloat(x!.dtype)) throw new DTypeError(`${name}: a float tensor; got ${x!.dtype}`);
      const ax = normAxis(name, dim, x!.ndim);
      const [outer, r, inner] = around(x!.shape, ax);
      const out = be.alloc(x!.dtype, sizeOf(x!.shape));
      be.softmax(x!.contiguousData(), outer, r, inner, out, log);
      return dense(out, [...x!.shape], x!.dtype);
    },
    backward: (g, c) => {
      const y = c.output();
      const ax = normAxis(name, c.attrs.dim, y.ndim);
      if (log) return [g.sub(y.exp().mul(g.sum(ax, true)))];
      const gy = g.mul(y);
      return [gy.sub(y.mul(gy.sum(ax, true)))];
    },
  };
}
export const softmaxOps = { softmax: softmaxSpec(false), logSoftmax: softmaxSpec(true) };

/**
 * The squared error Σ(x − t)² of two tensors of one shape, or its mean over the elements: mseLoss's
 * 'sum' and 'mean' as one op (one graph node instead of sub, square and a reduction: per-sample
 * training, W2, runs it every step). Accumulated in float64.
 */
export const squaredErrorOp: OpSpec<{ mean: boolean }> = {
  name: 'mseLoss',
  forward(be, [x, t], { mean }) {
    if (!sameShape(x!.shape, t!.shape)) throw new ShapeError(`mseLoss: input and target of the same shape; got ${fmtShape(x!.shape)} and ${fmtShape(t!.shape)}`);
    if (!isFloat(x!.dtype) || !isFloat(t!.dtype)) throw new DTypeError(`mseLoss: float input and target; got ${x!.dtype} and ${t!.dtype}`);
    const xd = x!.contiguousData();
    const td = t!.contiguousData();
    let s = 0;
    for (let i = 0; i < xd.length; i++) {
      const d = xd[i]! - td[i]!;
      s += d * d;
    }
    const dt = x!.dtype === 'float64' || t!.dtype === 'float64' ? 'float64' : 'float32';
    const out = be.alloc(dt, 1);
    out[0] = mean ? s / xd.length : s;
    return dense(out, [], dt);
  },
  // d/dx = 2(x − t)·g (/ n for the mean), d/dt its negative: tensor ops, so higher-order gradients work
  backward: (g, ctx) => {
    const x = ctx.input(0);
    const d = x.sub(ctx.input(1)).mul(g.mul(ctx.attrs.mean ? 2 / x.size : 2));
    return [ctx.needs[0] ? d : null, ctx.needs[1] ? d.neg() : null];
  },
};
