// Movement ops: views (reshape, permute, expand, slice) as metadata, and the copying ones
// (contiguous, concat, indexSelect, gather, cast).
import { DTypeError, ShapeError, ValueError, contiguousStrides, fmtShape, isContiguous, normAxis, sizeOf } from '../core/index.ts';
import type { DType } from '../core/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { around } from './reduce.ts';
import { dense } from './types.ts';
import type { OpSpec } from './types.ts';

/** Resolves one -1 in a target shape and checks the element count. */
export function inferReshape(op: string, from: readonly number[], to: readonly number[]): number[] {
  const n = sizeOf(from);
  const out = [...to];
  const free = out.indexOf(-1);
  if (free !== out.lastIndexOf(-1)) throw new ShapeError(`${op}: at most one -1 in the new shape; got ${fmtShape(to)}`);
  if (free >= 0) {
    const known = sizeOf(out.filter((_, i) => i !== free));
    if (known === 0 || n % known !== 0) {
      throw new ShapeError(`${op}: a shape with as many elements as ${fmtShape(from)} (${n}); got ${fmtShape(to)}`);
    }
    out[free] = n / known;
  }
  if (out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== n) {
    throw new ShapeError(`${op}: a shape with as many elements as ${fmtShape(from)} (${n}); got ${fmtShape(to)}`);
  }
  return out;
}

/** reshape of a contiguous tensor: a view. (Tensor.reshape copies first when it is not contiguous.) */
export const viewOp: OpSpec<{ shape: number[] }> = {
  name: 'view',
  forward(_be, [x], { shape }) {
    if (!isContiguous(x!.shape, x!.strides)) {
      throw new ShapeError(`view: a contiguous tensor; got shape ${fmtShape(x!.shape)} with strides ${fmtShape(x!.strides)}. Use reshape(), which copies when needed`);
    }
    const s = inferReshape('view', x!.shape, shape);
    return { out: { kind: 'view', base: x!, shape: s, strides: contiguousStrides(s), offset: x!.offset } };
  },
  backward: (g, c) => [g.reshape(c.input(0).shape)],
};

export const permuteOp: OpSpec<{ dims: number[] }> = {
  name: 'permute',
  forward(_be, [x], { dims }) {
    const nd = x!.ndim;
    const ax = dims.map((d) => normAxis('permute', d, nd));
    if (ax.length !== nd || new Set(ax).size !== nd) {
      throw new ShapeError(`permute: a permutation of the ${nd} dims; got [${dims.join(',')}]`);
    }
    return {
      out: { kind: 'view', base: x!, shape: ax.map((a) => x!.shape[a]!), strides: ax.map((a) => x!.strides[a]!), offset: x!.offset },
    };
  },
  backward: (g, c) => {
    const inv = new Array<number>(c.attrs.dims.length);
    c.attrs.dims.forEach((d, i) => (inv[d < 0 ? d + inv.length : d] = i));
    return [g.permute(...inv)];
  },
};

export const expandOp: OpSpec<{ shape: number[] }> = {
  name: 'expand',
  forward(_be, [x], { shape }) {
    const nd = shape.length;
    const off = nd - x!.ndim;
    if (off < 0) throw new ShapeError(`expand: at least ${x!.ndim} dims; got ${fmtShape(shape)} for ${fmtShape(x!.shape)}`);
    const outShape: number[] = [];
    const strides: number[] = [];
    for (let i = 0; i < nd; i++) {
      const src = i >= off ? x!.shape[i - off]! : 1;
      const want = shape[i] === -1 ? src : shape[i]!;
      if (src !== want && src !== 1) {
        throw new ShapeError(`expand: each dim equal to the input's or expanding a 1; got ${fmtShape(x!.shape)} to ${fmtShape(shape)}`);
      }
      outShape.push(want);
      strides.push(i >= off && src === want ? x!.strides[i - off]! : 0);
    }
    return { out: { kind: 'view', base: x!, shape: outShape, strides, offset: x!.offset } };
  },
  // The engine reduces the gradient back to the input's shape.
  backward: (g) => [g],
};

export interface SliceRange {
  start: number;
  stop: number;
  step: number;
}

/** Basic slicing: a [start, stop, step) range per dim (already normalised). */
export const sliceOp: OpSpec<{ ranges: SliceRange[] }> = {
  name: 'slice',
  forward(_be, [x], { ranges }) {
    let offset = x!.offset;
    const shape: number[] = [];
    const strides: number[] = [];
    for (let i = 0; i < x!.ndim; i++) {
      const r = ranges[i]!;
      offset += r.start * x!.strides[i]!;
      shape.push(Math.max(0, Math.ceil((r.stop - r.start) / r.step)));
      strides.push(x!.strides[i]! * r.step);
    }
    return { out: { kind: 'view', base: x!, shape, strides, offset } };
  },
  backward: (g, c) => [g.sliceBackward(c.input(0).shape, c.attrs.ranges)],
};

/** Writes g into zeros of `shape` at the sliced positions: the adjoint of slice. */
export const sliceScatterOp: OpSpec<{ shape: number[]; ranges: SliceRange[] }> = {
  name: 'sliceScatter',
  forward(be, [g], { shape, ranges }) {
    const out = be.alloc(g!.dtype, sizeOf(shape));
    const base = contiguousStrides(shape);
    let offset = 0;
    const strides: number[] = [];
    ranges.forEach((r, i) => {
      offset += r.start * base[i]!;
      strides.push(base[i]! * r.step);
    });
    be.copy({ data: g!.data(), offset: g!.offset, strides: g!.strides }, g!.shape, out, offset, strides);
    return dense(out, [...shape], g!.dtype);
  },
  backward: (g, c) => [g.sliceRanges(c.attrs.ranges)],
};

export const contiguousOp: OpSpec = {
  name: 'contiguous',
  forward(be, [x]) {
    const out = be.alloc(x!.dtype, x!.size);
    be.copy({ data: x!.data(), offset: x!.offset, strides: x!.strides }, x!.shape, out);
    return dense(out, [...x!.shape], x!.dtype);
  },
  backward: (g) => [g],
};

export const castOp: OpSpec<{ dtype: DType }> = {
  name: 'cast',
  forward(be, [x], { dtype }) {
    const out = be.alloc(dtype, x!.size);
    be.copy({ data: x!.data(), offset: x!.offset, strides: x!.strides }, x!.shape, out);
    return dense(out, [...x!.shape], dtype);
  },
  backward: (g, c) => [g.cast(c.input(0).dtype)],
};

export const concatOp: OpSpec<{ dim: number }> = {
  name: 'concat',
  forward(be, xs, { dim }) {
    if (xs.length === 0) throw new ShapeError('concat: at least one tensor; got an empty list');
    const first = xs[0]!;
    const ax = normAxis('concat', dim, first.ndim);
    let total = 0;
    let dt = first.dtype;
    for (const x of xs) {
      const ok = x.ndim === first.ndim && x.shape.every((d, i) => i === ax || d === first.shape[i]);
      if (!ok) {
        throw new ShapeError(`concat: tensors of the same shape except in dim ${dim}; got ${xs.map((t) => fmtShape(t.shape)).join(', ')}`);
      }
      if (x.dtype !== dt) dt = x.dtype === 'float64' || dt === 'float64' ? 'float64' : x.dtype === 'float32' || dt === 'float32' ? 'float32' : 'int32';
      total += x.shape[ax]!;
    }
    const shape = [...first.shape];
    shape[ax] = total;
    const out = be.alloc(dt, sizeOf(shape));
    const outStrides = contiguousStrides(shape);
    let at = 0;
    for (const x of xs) {
      be.copy({ data: x.data(), offset: x.offset, strides: x.strides }, x.shape, out, at * outStrides[ax]!, outStrides);
      at += x.shape[ax]!;
    }
    return dense(out, shape, dt);
  },
  backward: (g, c) => {
    const ax = normAxis('concat', c.attrs.dim, g.ndim);
    const grads: Tensor[] = [];
    let at = 0;
    for (let i = 0; i < c.needs.length; i++) {
      const n = c.input(i).shape[ax]!;
      grads.push(g.narrow(ax, at, n));
      at += n;
    }
    return grads;
  },
};

function checkIndex(op: string, index: Tensor, limit: number): Int32Array {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: int32 indices; got ${index.dtype}. Convert with .cast('int32')`);
  const idx = index.contiguousData() as Int32Array;
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (v < 0 || v >= limit) throw new ValueError(`${op}: indices in [0, ${limit}); got ${v} at position ${i}`);
  }
  return idx;
}

export const indexSelectOp: OpSpec<{ dim: number }> = {
  name: 'indexSelect',
  forward(be, [x, index], { dim }) {
    const ax = normAxis('indexSelect', dim, x!.ndim);
    if (index!.ndim !== 1) throw new ShapeError(`indexSelect: a 1-d index; got shape ${fmtShape(index!.shape)}`);
    const idx = checkIndex('indexSelect', index!, x!.shape[ax]!);
    const [outer, r, inner] = around(x!.shape, ax);
    const shape = [...x!.shape];
    shape[ax] = idx.length;
    const out = be.alloc(x!.dtype, sizeOf(shape));
    be.indexSelect(x!.contiguousData(), idx, outer, r, inner, out);
    return dense(out, shape, x!.dtype);
  },
  backward: (g, c) => [g.indexAddInto(c.input(0).shape, c.attrs.dim, c.input(1))],
};

/** zeros(shape).indexAdd(dim, index, g): the adjoint of indexSelect. */
export const indexAddOp: OpSpec<{ shape: number[]; dim: number }> = {
  name: 'indexAdd',
  forward(be, [src, index], { shape, dim }) {
    const ax = normAxis('indexAdd', dim, shape.length);
    const idx = checkIndex('indexAdd', index!, shape[ax]!);
    const [outer, r, inner] = around(shape, ax);
    const out = be.alloc(src!.dtype, sizeOf(shape));
    be.indexAdd(src!.contiguousData(), idx, outer, r, inner, out);
    return dense(out, [...shape], src!.dtype);
  },
  backward: (g, c) => [g.indexSelect(c.attrs.dim, c.input(1)), null],
};

export const gatherOp: OpSpec<{ dim: number }> = {
  name: 'gather',
  forward(be, [x, index], { dim }) {
    const ax = normAxis('gather', dim, x!.ndim);
    const ok = index!.ndim === x!.ndim && index!.shape.every((d, i) => i === ax || d === x!.shape[i]);
    if (!ok) {
      throw new ShapeError(`gather: an index with the input's shape except in dim ${dim}; got ${fmtShape(index!.shape)} for input ${fmtShape(x!.shape)}`);
    }
    const idx = checkIndex('gather', index!, x!.shape[ax]!);
    const [outer, r, inner] = around(x!.shape, ax);
    const q = index!.shape[ax]!;
    const out = be.alloc(x!.dtype, sizeOf(index!.shape));
    be.gather(x!.contiguousData(), idx, outer, r, q, inner, out);
    return dense(out, [...index!.shape], x!.dtype);
  },
  backward: (g, c) => [g.scatterAddInto(c.input(0).shape, c.attrs.dim, c.input(1))],
};

/** zeros(shape).scatterAdd(dim, index, g): the adjoint of gather. */
export const scatterAddOp: OpSpec<{ shape: number[]; dim: number }> = {
  name: 'scatterAdd',
  forward(be, [src, index], { shape, dim }) {
    const ax = normAxis('scatterAdd', dim, shape.length);
    const idx = checkIndex('scatterAdd', index!, shape[ax]!);
    const [outer, r, inner] = around(shape, ax);
    const q = index!.shape[ax]!;
    const out = be.alloc(src!.dtype, sizeOf(shape));
    be.scatterAdd(src!.contiguousData(), idx, outer, r, q, inner, out);
    return dense(out, [...shape], src!.dtype);
  },
  backward: (g, c) => [g.gather(c.attrs.dim, c.input(1)), null],
};
