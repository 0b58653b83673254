// Elementwise, copy and where kernels of the TypeScript backend, over strided inputs.
import type { TypedArray } from '../../core/index.ts';
import type { Strided } from '../backend.ts';

export function map(f: (x: number) => number, x: TypedArray, out: TypedArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = f(x[i]!);
}

export function mapGrad(
  d: (x: number, y: number) => number,
  x: TypedArray,
  y: TypedArray,
  g: TypedArray,
  out: TypedArray,
): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = g[i]! * d(x[i]!, y[i]!);
}

// Specialised loops of the commonest activations, one small function per op and for float32 only:
// only Float32Arrays ever reach them, so V8 keeps each loop monomorphic and tight. (One switch over all
// ops, also taking other array types, measured 8-10% slower on a whole W1 epoch with the WASM backend.)
type UnaryLoop = (x: Float32Array, out: Float32Array) => void;
type UnaryGradLoop = (x: Float32Array, y: Float32Array, g: Float32Array, out: Float32Array) => void;

/**
 * From this many elements the ReLU loops work on the float bits (two views made per call, ~0.1 µs): per
 * call, branching / bits, 64 values 0.14 / 0.26 µs, 256 1.66 / 0.68, 1024 7.8 / 2.4 (random signs).
 */
const RELU_BITS_MIN = 128;
/** +Infinity's bits: a non-negative int32 above it is a NaN. */
const INF_BITS = 0x7f800000;

const forwardF32 = new Map<string, UnaryLoop>(Object.entries({
  relu: (x, out) => {
    if (out.length >= RELU_BITS_MIN) {
      // Branch-free on the bits (a sign-bit mask, NaN -> 0 as below): on real data the sign of x is
      // unpredictable and the compare-and-branch loop ran at 8.3 ms per million values, this at 2.1.
      const xi = new Int32Array(x.buffer, x.byteOffset, x.length);
      const oi = new Int32Array(out.buffer, out.byteOffset, out.length);
      for (let i = 0; i < oi.length; i++) {
        const v = xi[i]!;
        const r = v & ~(v >> 31);
        const keep = +(r <= INF_BITS);
        oi[i] = r & -keep;
      }
      return;
    }
    for (let i = 0; i < out.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : 0;
    }
  },
  tanh: (x, out) => {
    for (let i = 0; i < out.length; i++) out[i] = Math.tanh(x[i]!);
  },
  sigmoid: (x, out) => {
    for (let i = 0; i < out.length; i++) {
      const v = x[i]!;
      out[i] = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    }
  },
  exp: (x, out) => {
    for (let i = 0; i < out.length; i++) out[i] = Math.exp(x[i]!);
  },
  neg: (x, out) => {
    for (let i = 0; i < out.length; i++) out[i] = -x[i]!;
  },
  square: (x, out) => {
    for (let i = 0; i < out.length; i++) out[i] = x[i]! * x[i]!;
  },
} satisfies Record<string, UnaryLoop>));

/** out = g * f'(x), written with y = f(x) where cheaper. */
const backwardF32 = new Map<string, UnaryGradLoop>(Object.entries({
  relu: (x, _y, g, out) => {
    if (out.length >= RELU_BITS_MIN) {
      // g where x > 0 (its bits a positive int32 up to +Infinity's), else 0: branch-free, as forward
      const xi = new Int32Array(x.buffer, x.byteOffset, x.length);
      const gi = new Int32Array(g.buffer, g.byteOffset, g.length);
      const oi = new Int32Array(out.buffer, out.byteOffset, out.length);
      for (let i = 0; i < oi.length; i++) {
        const v = xi[i]!;
        const keep = +(v > 0) & +(v <= INF_BITS);
        oi[i] = gi[i]! & -keep;
      }
      return;
    }
    for (let i = 0; i < out.length; i++) out[i] = x[i]! > 0 ? g[i]! : 0;
  },
  tanh: (_x, y, g, out) => {
    for (let i = 0; i < out.length; i++) {
      const v = y[i]!;
      out[i] = g[i]! * (1 - v * v);
    }
  },
  sigmoid: (_x, y, g, out) => {
    for (let i = 0; i < out.length; i++) {
      const v = y[i]!;
      out[i] = g[i]! * v * (1 - v);
    }
  },
  exp: (_x, y, g, out) => {
    for (let i = 0; i < out.length; i++) out[i] = g[i]! * y[i]!;
  },
} satisfies Record<string, UnaryGradLoop>));

/** The specialised forward loop of `op` over float32 arrays: true when it ran, false to use `map`. */
export function mapNamed(op: string, x: TypedArray, out: TypedArray): boolean {
  const loop = forwardF32.get(op);
  if (!loop || !(x instanceof Float32Array && out instanceof Float32Array)) return false;
  loop(x, out);
  return true;
}

/** The backward counterpart of {@link mapNamed}: true when it ran, false to use `mapGrad`. */
export function mapGradNamed(op: string, x: TypedArray, y: TypedArray, g: TypedArray, out: TypedArray): boolean {
  const loop = backwardF32.get(op);
  if (!loop || !(x instanceof Float32Array && y instanceof Float32Array && g instanceof Float32Array && out instanceof Float32Array)) return false;
  loop(x, y, g, out);
  return true;
}

type RowLoop = (ad: TypedArray, ai: number, as: number, bd: TypedArray, bi: number, bs: number, out: TypedArray, o: number, len: number) => void;

// One specialised loop per arithmetic op: the per-element work is inlined, and the walker below calls
// a loop once per row rather than a closure once per element.
const rowLoops: Record<string, RowLoop> = {
  add: (ad, ai, as, bd, bi, bs, out, o, len) => {
    for (let i = 0; i < len; i++, ai += as, bi += bs) out[o + i] = ad[ai]! + bd[bi]!;
  },
  sub: (ad, ai, as, bd, bi, bs, out, o, len) => {
    for (let i = 0; i < len; i++, ai += as, bi += bs) out[o + i] = ad[ai]! - bd[bi]!;
  },
  mul: (ad, ai, as, bd, bi, bs, out, o, len) => {
    for (let i = 0; i < len; i++, ai += as, bi += bs) out[o + i] = ad[ai]! * bd[bi]!;
  },
  div: (ad, ai, as, bd, bi, bs, out, o, len) => {
    for (let i = 0; i < len; i++, ai += as, bi += bs) out[o + i] = ad[ai]! / bd[bi]!;
  },
};

/** zip for add/sub/mul/div with specialised loops (same results as zip with the op's function); false for other ops. */
export function zipNamed(op: string, a: Strided, b: Strided, shape: readonly number[], out: TypedArray): boolean {
  const loop = rowLoops[op];
  if (!loop) return false;
  if (allContiguous(shape, a, b)) {
    loop(a.data, a.offset, 1, b.data, b.offset, 1, out, 0, out.length);
    return true;
  }
  const nd = shape.length;
  const as = nd ? a.strides[nd - 1]! : 0;
  const bs = nd ? b.strides[nd - 1]! : 0;
  let o = 0;
  rows(shape, [a.strides, b.strides], [a.offset, b.offset], (len, offs) => {
    loop(a.data, offs[0]!, as, b.data, offs[1]!, bs, out, o, len);
    o += len;
  });
  return true;
}

function allContiguous(shape: readonly number[], ...ss: Strided[]): boolean {
  for (const s of ss) if (!rowMajor(shape, s.strides)) return false;
  return true;
}

/** True when `strides` lay `shape` out contiguously in row-major order. */
function rowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== acc) return false;
    acc *= shape[i]!;
  }
  return true;
}

/**
 * Walks `shape` in row-major order calling `inner(len, offsets...)` once per innermost row; the
 * offsets of up to three strided operands advance like an odometer.
 */
function rows(
  shape: readonly number[],
  strides: (readonly number[])[],
  starts: number[],
  inner: (len: number, offs: number[]) => void,
): void {
  const nd = shape.length;
  if (nd === 0) {
    inner(1, starts.slice());
    return;
  }
  const len = shape[nd - 1]!;
  if (len === 0) return;
  let outerCount = 1;
  for (let i = 0; i < nd - 1; i++) outerCount *= shape[i]!;
  const idx = new Array<number>(nd).fill(0);
  const offs = starts.slice();
  for (let o = 0; o < outerCount; o++) {
    inner(len, offs);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      for (let s = 0; s < offs.length; s++) offs[s]! += strides[s]![d]!;
      if (idx[d]! < shape[d]!) break;
      for (let s = 0; s < offs.length; s++) offs[s]! -= strides[s]![d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function zip(
  f: (a: number, b: number) => number,
  a: Strided,
  b: Strided,
  shape: readonly number[],
  out: TypedArray,
): void {
  const ad = a.data;
  const bd = b.data;
  if (allContiguous(shape, a, b)) {
    const ao = a.offset;
    const bo = b.offset;
    for (let i = 0, n = out.length; i < n; i++) out[i] = f(ad[ao + i]!, bd[bo + i]!);
    return;
  }
  const nd = shape.length;
  const as = nd ? a.strides[nd - 1]! : 0;
  const bs = nd ? b.strides[nd - 1]! : 0;
  let o = 0;
  rows(shape, [a.strides, b.strides], [a.offset, b.offset], (len, offs) => {
    let ai = offs[0]!;
    let bi = offs[1]!;
    for (let i = 0; i < len; i++, ai += as, bi += bs) out[o++] = f(ad[ai]!, bd[bi]!);
  });
}

export function where(c: Strided, a: Strided, b: Strided, shape: readonly number[], out: TypedArray): void {
  const cd = c.data;
  const ad = a.data;
  const bd = b.data;
  const nd = shape.length;
  const cs = nd ? c.strides[nd - 1]! : 0;
  const as = nd ? a.strides[nd - 1]! : 0;
  const bs = nd ? b.strides[nd - 1]! : 0;
  let o = 0;
  rows(shape, [c.strides, a.strides, b.strides], [c.offset, a.offset, b.offset], (len, offs) => {
    let ci = offs[0]!;
    let ai = offs[1]!;
    let bi = offs[2]!;
    for (let i = 0; i < len; i++, ci += cs, ai += as, bi += bs) out[o++] = cd[ci] ? ad[ai]! : bd[bi]!;
  });
}

/** One strided row of float32 values into a contiguous run (only Float32Arrays reach it: monomorphic). */
function copyRowF32(sd: Float32Array, si: number, ss: number, out: Float32Array, o: number, len: number): void {
  for (let i = 0; i < len; i++, si += ss) out[o + i] = sd[si]!;
}

/**
 * A 2-D float32 view [r, c] with strides [s0, s1] into a contiguous [r, c]: in 32 x 32 tiles when the
 * view is transposed-like (|s1| > 1), so that neither side walks memory with a large stride for long.
 */
function copy2dF32(sd: Float32Array, off: number, r: number, c: number, s0: number, s1: number, out: Float32Array, o: number): void {
  if (s1 === 1 || r < 4 || c < 4) {
    for (let i = 0; i < r; i++) copyRowF32(sd, off + i * s0, s1, out, o + i * c, c);
    return;
  }
  const T = 32;
  for (let i0 = 0; i0 < r; i0 += T) {
    const i1 = Math.min(r, i0 + T);
    for (let j0 = 0; j0 < c; j0 += T) {
      const j1 = Math.min(c, j0 + T);
      for (let i = i0; i < i1; i++) {
        let si = off + i * s0 + j0 * s1;
        const ob = o + i * c;
        for (let j = j0; j < j1; j++, si += s1) out[ob + j] = sd[si]!;
      }
    }
  }
}

export function copy(
  src: Strided,
  shape: readonly number[],
  out: TypedArray,
  outOffset = 0,
  outStrides?: readonly number[],
): void {
  const sd = src.data;
  const nd = shape.length;
  const ss = nd ? src.strides[nd - 1]! : 0;
  if ((!outStrides || rowMajor(shape, outStrides)) && allContiguous(shape, src)) {
    // both sides contiguous (a contiguous() of a window, an in-place op on a whole tensor): one block copy
    let n = 1;
    for (const d of shape) n *= d;
    if (sd.constructor === out.constructor) {
      out.set(sd.subarray(src.offset, src.offset + n) as never, outOffset);
    } else {
      for (let i = 0; i < n; i++) out[outOffset + i] = sd[src.offset + i]!;
    }
    return;
  }
  if (!outStrides) {
    if (sd instanceof Float32Array && out instanceof Float32Array) {
      if (nd === 2) {
        copy2dF32(sd, src.offset, shape[0]!, shape[1]!, src.strides[0]!, ss, out, outOffset);
        return;
      }
      let o = outOffset;
      rows(shape, [src.strides], [src.offset], (len, offs) => {
        copyRowF32(sd, offs[0]!, ss, out, o, len);
        o += len;
      });
      return;
    }
    let o = outOffset;
    rows(shape, [src.strides], [src.offset], (len, offs) => {
      let si = offs[0]!;
      for (let i = 0; i < len; i++, si += ss) out[o++] = sd[si]!;
    });
    return;
  }
  const os = nd ? outStrides[nd - 1]! : 0;
  rows(shape, [src.strides, outStrides], [src.offset, outOffset], (len, offs) => {
    let si = offs[0]!;
    let oi = offs[1]!;
    for (let i = 0; i < len; i++, si += ss, oi += os) out[oi] = sd[si]!;
  });
}
