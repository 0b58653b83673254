// The Backend interface: a small kernel set over typed-array buffers. Backends never see autograd,
// layers or broadcasting rules: ops hand them buffers, strides and sizes already checked.
import type { DType, TypedArray } from '../core/index.ts';
import { BackendError } from '../core/index.ts';
import { tsBackend } from './ts/index.ts';
import { createWasmBackend } from './wasm/index.ts';

/** A buffer read through strides (0 on broadcast dims), as the kernels take it. */
export interface Strided {
  data: TypedArray;
  offset: number;
  strides: readonly number[];
}

export type ReduceKind = 'sum' | 'max' | 'min' | 'prod';

/** The kernels every backend provides. Outputs are contiguous and preallocated by the caller. */
export interface Backend {
  readonly name: string;
  alloc(dtype: DType, n: number): TypedArray;
  /** out[i] = f(x[i]) over contiguous buffers. */
  map(f: (x: number) => number, x: TypedArray, out: TypedArray): void;
  /** out[i] = g[i] * d(x[i], y[i]): the backward of an elementwise unary op. */
  mapGrad(d: (x: number, y: number) => number, x: TypedArray, y: TypedArray, g: TypedArray, out: TypedArray): void;
  /** out = f(a, b) with both inputs read through strides over `shape`. */
  zip(f: (a: number, b: number) => number, a: Strided, b: Strided, shape: readonly number[], out: TypedArray): void;
  /** out = c ? a : b, all read through strides over `shape`. */
  where(c: Strided, a: Strided, b: Strided, shape: readonly number[], out: TypedArray): void;
  /** Copies a strided view of `shape` into `out` (strided too; contiguous when `outStrides` is omitted). */
  copy(src: Strided, shape: readonly number[], out: TypedArray, outOffset?: number, outStrides?: readonly number[]): void;
  /** Reduces a contiguous [outer, r, inner] buffer over the middle axis into [outer, inner]. */
  reduce(kind: ReduceKind, x: TypedArray, outer: number, r: number, inner: number, out: TypedArray): void;
  /** Arg-max/min over the middle axis of [outer, r, inner]: values and int32 indices. */
  argReduce(kind: 'max' | 'min', x: TypedArray, outer: number, r: number, inner: number, vals: TypedArray, idx: Int32Array): void;
  /**
   * C[M,N] = op(A)·op(B) for `batch` matrices. A(i,k) is a[aOff + i*lda + k] or, with transA,
   * a[aOff + k*lda + i]; B likewise. Batch offsets are given per matrix.
   */
  matmul(p: MatmulArgs): void;
  /** Softmax (or log-softmax) over the middle axis of a contiguous [outer, r, inner] buffer. */
  softmax(x: TypedArray, outer: number, r: number, inner: number, out: TypedArray, log: boolean): void;
  /** out[o, j, i] = x[o, index[o, j, i], i] for contiguous [outer, r, inner] x and [outer, q, inner] index. */
  gather(x: TypedArray, index: Int32Array, outer: number, r: number, q: number, inner: number, out: TypedArray): void;
  /** out[o, index[o, j, i], i] += src[o, j, i]: the adjoint of gather. */
  scatterAdd(src: TypedArray, index: Int32Array, outer: number, r: number, q: number, inner: number, out: TypedArray): void;
  /** out[o, j, :] = x[o, index[j], :] over [outer, r, inner]. */
  indexSelect(x: TypedArray, index: Int32Array, outer: number, r: number, inner: number, out: TypedArray): void;
  /** out[o, index[j], :] += src[o, j, :]: the adjoint of indexSelect. */
  indexAdd(src: TypedArray, index: Int32Array, outer: number, r: number, inner: number, out: TypedArray): void;
}

export interface MatmulArgs {
  a: TypedArray;
  b: TypedArray;
  c: TypedArray;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  lda: number;
  ldb: number;
  /** One offset per batch matrix. */
  aOffsets: readonly number[];
  bOffsets: readonly number[];
  /** C is contiguous: matrix i starts at i*m*n. */
  accumulate?: boolean;
}

const registry = new Map<string, Backend>([['ts', tsBackend]]);
// The WASM backend (SIMD matmul, TS for the rest) is the default wherever WebAssembly SIMD runs;
// the TypeScript backend is the reference and the fallback. setBackend('ts') selects it.
const wasm = createWasmBackend();
if (wasm) registry.set(wasm.name, wasm);
let current: Backend = wasm ?? tsBackend;

/** Registers a backend under its name (select it with setBackend). */
export function registerBackend(b: Backend): void {
  registry.set(b.name, b);
}

/** Selects the backend that every following op runs on. */
export function setBackend(name: string): void {
  const b = registry.get(name);
  if (!b) throw new BackendError(`setBackend: a registered backend name (${[...registry.keys()].join(', ')}); got '${name}'`);
  current = b;
}

/** The backend ops run on now. */
export function getBackend(): Backend {
  return current;
}

export function listBackends(): string[] {
  return [...registry.keys()];
}
