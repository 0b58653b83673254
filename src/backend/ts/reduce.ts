// Reduction, softmax, gather/scatter kernels of the TypeScript backend over [outer, r, inner] layouts.
import type { TypedArray } from '../../core/index.ts';
import type { ReduceKind } from '../backend.ts';

/** Σ over the middle axis for float32 only (monomorphic: a bias gradient per step), in a float64 row. */
function sumMiddleF32(x: Float32Array, outer: number, r: number, inner: number, out: Float32Array): void {
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let j = 0; j < r; j++) {
      const rb = (o * r + j) * inner;
      for (let i = 0; i < inner; i++) acc[i] += x[rb + i]!;
    }
    const ob = o * inner;
    for (let i = 0; i < inner; i++) out[ob + i] = acc[i]!;
  }
}

export function reduce(kind: ReduceKind, x: TypedArray, outer: number, r: number, inner: number, out: TypedArray): void {
  if (r === 1 && x.constructor === out.constructor) {
    // over an axis of length 1 (a batch of one's bias gradient): the values themselves
    out.set(x.subarray(0, outer * inner) as never);
    return;
  }
  if (inner === 1 && kind === 'sum') {
    // row sums (and sums of everything): one scalar accumulator per row, in double
    for (let o = 0; o < outer; o++) {
      let t = 0;
      const base = o * r;
      for (let j = 0; j < r; j++) t += x[base + j]!;
      out[o] = t;
    }
    return;
  }
  if (kind === 'sum' && x instanceof Float32Array && out instanceof Float32Array) {
    sumMiddleF32(x, outer, r, inner, out);
    return;
  }
  // Accumulate in a float64 scratch row so float32 sums keep their precision.
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    if (kind === 'sum') {
      acc.fill(0);
      for (let j = 0; j < r; j++) {
        const rb = base + j * inner;
        for (let i = 0; i < inner; i++) acc[i]! += x[rb + i]!;
      }
    } else if (kind === 'prod') {
      acc.fill(1);
      for (let j = 0; j < r; j++) {
        const rb = base + j * inner;
        for (let i = 0; i < inner; i++) acc[i]! *= x[rb + i]!;
      }
    } else {
      const isMax = kind === 'max';
      for (let i = 0; i < inner; i++) acc[i] = x[base + i]!;
      for (let j = 1; j < r; j++) {
        const rb = base + j * inner;
        for (let i = 0; i < inner; i++) {
          const v = x[rb + i]!;
          const a = acc[i]!;
          // NaN propagates like in PyTorch.
          if (v !== v || (isMax ? v > a : v < a)) acc[i] = v;
        }
      }
    }
    const ob = o * inner;
    for (let i = 0; i < inner; i++) out[ob + i] = acc[i]!;
  }
}

export function argReduce(
  kind: 'max' | 'min',
  x: TypedArray,
  outer: number,
  r: number,
  inner: number,
  vals: TypedArray,
  idx: Int32Array,
): void {
  const isMax = kind === 'max';
  for (let o = 0; o < outer; o++) {
    const base = o * r * inner;
    for (let i = 0; i < inner; i++) {
      let best = x[base + i]!;
      let bi = 0;
      for (let j = 1; j < r; j++) {
        const v = x[base + j * inner + i]!;
        if (best !== best) break;
        if (v !== v || (isMax ? v > best : v < best)) {
          best = v;
          bi = j;
        }
      }
      vals[o * inner + i] = best;
      idx[o * inner + i] = bi;
    }
  }
}

export function softmax(x: TypedArray, outer: number, r: number, inner: number, out: TypedArray, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let m = -Infinity;
      for (let j = 0; j < r; j++) {
        const v = x[base + j * inner]!;
        if (v > m || v !== v) m = v;
      }
      if (m === -Infinity) m = 0;
      let s = 0;
      for (let j = 0; j < r; j++) s += Math.exp(x[base + j * inner]! - m);
      if (log) {
        const ls = Math.log(s) + m;
        for (let j = 0; j < r; j++) out[base + j * inner] = x[base + j * inner]! - ls;
      } else {
        const inv = 1 / s;
        for (let j = 0; j < r; j++) out[base + j * inner] = Math.exp(x[base + j * inner]! - m) * inv;
      }
    }
  }
}

export function gather(x: TypedArray, index: Int32Array, outer: number, r: number, q: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < q; j++) {
      const ib = (o * q + j) * inner;
      for (let i = 0; i < inner; i++) out[ib + i] = x[(o * r + index[ib + i]!) * inner + i]!;
    }
  }
}

export function scatterAdd(src: TypedArray, index: Int32Array, outer: number, r: number, q: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < q; j++) {
      const ib = (o * q + j) * inner;
      for (let i = 0; i < inner; i++) out[(o * r + index[ib + i]!) * inner + i]! += src[ib + i]!;
    }
  }
}

export function indexSelect(x: TypedArray, index: Int32Array, outer: number, r: number, inner: number, out: TypedArray): void {
  const q = index.length;
  if (inner >= 32 && x.constructor === out.constructor) {
    // long rows (a batch of images gathered from a data set): one block copy per row
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < q; j++) {
        const s = (o * r + index[j]!) * inner;
        out.set(x.subarray(s, s + inner) as never, (o * q + j) * inner);
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < q; j++) {
      const s = (o * r + index[j]!) * inner;
      const d = (o * q + j) * inner;
      for (let i = 0; i < inner; i++) out[d + i] = x[s + i]!;
    }
  }
}

export function indexAdd(src: TypedArray, index: Int32Array, outer: number, r: number, inner: number, out: TypedArray): void {
  const q = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < q; j++) {
      const d = (o * r + index[j]!) * inner;
      const s = (o * q + j) * inner;
      for (let i = 0; i < inner; i++) out[d + i]! += src[s + i]!;
    }
  }
}
