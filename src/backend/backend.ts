// The Backend interface: a small kernel set over typed-array buffers. Backends never see autograd,
// layers or broadcasting rules: ops hand them buffers, strides and sizes already checked.
import type { DType, TypedArray } from '../core/index.ts';
import { BackendError, setLargeAllocHook } from '../core/index.ts';
import { tsBackend } from './ts/index.ts';
import { createWasmBackend, wasmThreading } from './wasm/index.ts';
import { createNativeBackend, loadNativeAddon, nativeLoadError } from './native/index.ts';
import type { NativeAddon } from './native/index.ts';

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
  /**
   * Optional specialised loops for common unary ops by name (relu, sigmoid, tanh, ...): true when handled,
   * false to fall back to `map` with the op's scalar function. Avoids a function call per element.
   */
  mapNamed?(op: string, x: TypedArray, out: TypedArray): boolean;
  /** The backward counterpart of mapNamed: out[i] = g[i] * op'(x[i], y[i]) when handled. */
  mapGradNamed?(op: string, x: TypedArray, y: TypedArray, g: TypedArray, out: TypedArray): boolean;
  /** out[i] = g[i] * d(x[i], y[i]): the backward of an elementwise unary op. */
  mapGrad(d: (x: number, y: number) => number, x: TypedArray, y: TypedArray, g: TypedArray, out: TypedArray): void;
  /** out = f(a, b) with both inputs read through strides over `shape`. */
  zip(f: (a: number, b: number) => number, a: Strided, b: Strided, shape: readonly number[], out: TypedArray): void;
  /** Optional specialised zip for arithmetic ops by name (add, sub, mul, div): true when handled. */
  zipNamed?(op: string, a: Strided, b: Strided, shape: readonly number[], out: TypedArray): boolean;
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
  /** Optional im2col for float32 images (the conv ops' JS loop runs where a backend lacks it): cols[C·kh·kw, ho·wo] from x[xo..]. */
  im2colF32?(x: Float32Array, xo: number, g: ConvGeometry, cols: Float32Array): void;
  /** Optional col2im (the adjoint of im2col): dx[dxo..] += the columns scattered back into the image. */
  col2imF32?(cols: Float32Array, g: ConvGeometry, dx: Float32Array, dxo: number): void;
  /**
   * Optional whole-batch conv2d over float32 (the conv op's per-sample im2col + matmul loop runs where a
   * backend lacks it): out[n, o, ho, wo] = bias + W ⋆ x for x [n, groups·g.c, g.h, g.w], W [o, g.c, kh, kw];
   * `g` is one group's geometry; with `act`, out = act(…) (applied to each sample's output as it is made).
   */
  conv2dF32?(x: Float32Array, w: Float32Array, bias: Float32Array | null, out: Float32Array, n: number, groups: number, o: number, g: ConvGeometry, act?: FusedActivation | null): void;
  /**
   * Its backward from gy [n, o, ho, wo]: dx += the input gradient (dx not null), dw = the weight gradient
   * (dw not null). With `act`, gy is the gradient reaching the activation's output y [n, o, ho, wo] and is
   * taken through it sample by sample, and db (not null) = the bias gradient.
   */
  conv2dGradF32?(x: Float32Array, w: Float32Array, gy: Float32Array, dx: Float32Array | null, dw: Float32Array | null, n: number, groups: number, o: number, g: ConvGeometry,
    act?: FusedActivation | null, y?: Float32Array | null, db?: Float32Array | null): void;
  /**
   * Optional LSTM gate math over float32 (see ops/recurrent.ts): out [B,2H] = (h', c'), act [B,5H] saved for
   * backward, from the pre-activations gates [B,4H] (+ add [B,4H] when given) and c [B,H] with rows ldc
   * apart (default H).
   */
  lstmGatesF32?(gates: Float32Array, c: Float32Array, out: Float32Array, act: Float32Array, b: number, h: number, add?: Float32Array | null, ldc?: number): void;
  /**
   * Its backward: dGates [B,4H], dC [B,H] from the gradient reaching (h', c'): grad [B,2H], plus the carry
   * dhIn, dcIn [B,H] when given (a sequence's backward); c's rows ldc apart (default H). Outputs must not
   * overlap each other or the inputs.
   */
  lstmGatesGradF32?(grad: Float32Array, c: Float32Array, act: Float32Array, dGates: Float32Array, dC: Float32Array, b: number, h: number, dhIn?: Float32Array | null, dcIn?: Float32Array | null, ldc?: number): void;
  /**
   * Optional: SGD training of a small dense network over `batches` mini-batches in one call (see
   * model/fused-mlp.ts, which decides when it applies): the weights and biases are updated in place.
   */
  mlpSgdEpochF32?(a: MlpEpochArgs): MlpEpochResult;
  /**
   * Optional: inference of a dense network in one call (see nn/layers/dense-chain.ts, which decides
   * when it applies): out [rows, sizes[L]] from x [rows, sizes[0]], activation codes 0-3. True when
   * done, false to let the ops run (e.g. more rows than the backend's kernel is worth for).
   */
  mlpForwardF32?(a: MlpForwardArgs): boolean;
  /** Optional max pooling of float32 planes: out and the flat input index of each maximum (see ops/conv.ts). */
  maxPool2dF32?(x: Float32Array, out: Float32Array, arg: Int32Array, planes: number, g: PoolGeometry): void;
  /** Optional dx[idx[i]] += g[i] over float32 (the backward of max pooling). */
  scatterFlatF32?(g: Float32Array, idx: Int32Array, dx: Float32Array): void;
  /** Optional Σ x² of a float32 array (e.g. an L2 penalty's value). */
  sumSquaresF32?(x: Float32Array): number;
  /**
   * Optional fused Adam step over float32 arrays: true when done, false to let the optimizer's own loop
   * run (a backend lacking it, or a parameter too small to be worth a native call).
   */
  adamF32?(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null, h: AdamCoefficients): boolean;
  /** Optional fused SGD step over float32 arrays (true when done, as adamF32). */
  sgdF32?(param: Float32Array, grad: Float32Array, buf: Float32Array | null, h: SgdCoefficients): boolean;
}

/** An activation a kernel applies to its own result in place (a conv2d's, fused with the layer after it). */
export type FusedActivation = 'relu' | 'sigmoid' | 'tanh';

/** One plane's pooling geometry. */
export interface PoolGeometry {
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  ho: number;
  wo: number;
}

/** One image's convolution geometry (one sample, one channel group) for im2col/col2im. */
export interface ConvGeometry {
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Top and left padding. */
  pt: number;
  pl: number;
  ho: number;
  wo: number;
}

/**
 * One Adam step's coefficients: g = sign·∇ + l2·p; m = b1·m + c1·g; v = b2·v + c2·g²; vmax = max(vmax, v);
 * p = p·decay − stepSize·m / (√v(max)·invBc2Sqrt + eps).
 */
export interface AdamCoefficients {
  sign: number;
  l2: number;
  decay: number;
  b1: number;
  b2: number;
  c1: number;
  c2: number;
  stepSize: number;
  invBc2Sqrt: number;
  eps: number;
}

/** One SGD step's coefficients: g = sign·∇ + weightDecay·p; b = bm·b + bg·g; p −= lr·(cg·g + cb·b) (no buffer: p −= lr·g). */
export interface SgdCoefficients {
  sign: number;
  weightDecay: number;
  lr: number;
  bm: number;
  bg: number;
  cg: number;
  cb: number;
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
  /**
   * An identity the caller keeps for as long as b's contents do not change, when it multiplies by the
   * same B many times (a recurrent layer's W_hh over the steps of one sequence): a backend may then reuse
   * what it made of B in the previous call with the same key, b array, offset and size (the WASM
   * backend's copy of it in the worker pool's memory).
   */
  bKey?: object;
}

const registry = new Map<string, Backend>([['ts', tsBackend]]);
// The native backend (Node, addon built) is the default, then WASM (SIMD matmul, TS for the rest)
// wherever WebAssembly SIMD runs; the TypeScript backend is the reference and the last fallback.
// NEURONA_BACKEND=<name> picks one at start; setBackend(name) switches at run time.
const wasm = createWasmBackend();
if (wasm) registry.set(wasm.name, wasm);
const addon: NativeAddon | null = loadNativeAddon();
const native = addon ? createNativeBackend(addon) : null;
if (native) registry.set(native.name, native);
else if (nativeLoadError?.includes('failed to load')) console.warn(`neurona: ${nativeLoadError}; using the ${wasm ? 'wasm' : 'ts'} backend`);
// Large arrays come from the process heap, which the addon keeps and marks for huge pages (native/addon.cc).
if (addon && typeof addon.adviseHeap === 'function') setLargeAllocHook(addon.adviseHeap);
let current: Backend = native ?? wasm ?? tsBackend;
const requested = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NEURONA_BACKEND;
if (requested && registry.has(requested)) current = registry.get(requested)!;

/** Which native backend runs (ISA, threads), or why there is none. */
export function nativeBackendStatus(): string {
  return addon ? `native (${addon.isa()}, ${addon.numThreads()} threads)` : (nativeLoadError ?? 'not available here (browser, or Node < 20.16)');
}

/** Threads the current backend's kernels use (native: its pool; wasm: its workers once started; ts: 1). */
export function getNumThreads(): number {
  if (current.name === 'native' && addon) return addon.numThreads();
  if (current.name === 'wasm') return wasmThreading()?.threads() ?? 1;
  return 1;
}

/**
 * Sets the threads of the native and WASM kernels (default: the cores available, or NEURONA_NUM_THREADS).
 * The WASM workers start asynchronously: until they are up, its matmul runs on the calling thread.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new BackendError(`setNumThreads: a positive integer; got ${n}`);
  addon?.setNumThreads(n);
  wasmThreading()?.setThreads(n);
}

/**
 * Starts the current backend's threads now and resolves with how many its kernels will use: the WASM
 * workers otherwise start on the first large product and join a few products later. Await it before
 * timing, or in a page that should train at full speed from its first step.
 *
 * ```ts
 * await threadsReady(); // 2 on a 2-core machine with the WASM backend and SharedArrayBuffer
 * ```
 */
export async function threadsReady(): Promise<number> {
  if (current.name === 'wasm') return (await wasmThreading()?.ready()) ?? 1;
  return getNumThreads();
}

/**
 * The WASM kernels' build in use: 'relaxed-simd' (fused multiply-adds in its GEMM; browsers, Node >= 22)
 * or 'simd' (every WebAssembly SIMD host; NEURONA_WASM_RELAXED=0 forces it); null where the WASM backend
 * did not instantiate.
 */
export function wasmFeatures(): 'simd' | 'relaxed-simd' | null {
  return wasmThreading()?.features ?? null;
}

/** The loaded native addon, for conformance tests and benchmarks (null where it is not built). */
export function nativeAddon(): NativeAddon | null {
  return addon;
}

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

/**
 * A dense network's inference: layer l maps sizes[l] to sizes[l+1] features with weights[l] [out, in]
 * (row-major), biases[l] [out] or null and activation acts[l] (0 identity, 1 relu, 2 sigmoid, 3 tanh);
 * x [rows, sizes[0]] in, out [rows, sizes[L]] written.
 */
export interface MlpForwardArgs {
  sizes: Int32Array;
  weights: Float32Array[];
  biases: (Float32Array | null)[];
  acts: Int32Array;
  x: Float32Array;
  rows: number;
  out: Float32Array;
  /**
   * An identity of the network (kept by the caller for its lifetime) and the storage versions of its
   * weights and biases (per layer: weight, then bias or 0): while the key, the arrays and the versions
   * are the same as in an earlier call, a backend may reuse what it made of the parameters then (the
   * WASM backend's copy of them in its memory). Every change to a parameter through the library (ops,
   * optimizers, fit, loading) bumps its version.
   */
  key?: object;
  versions?: Float64Array;
}

/**
 * The arguments of Backend.mlpSgdEpochF32: layer sizes [L+1], weights [out, in] and biases per layer,
 * activation codes (0 identity, 1 relu, 2 sigmoid, 3 tanh, 4 softmax on the last layer), x [n, sizes[0]],
 * targets y [n, sizes[L]] or class indices [n], the sample order, the batches order[start...] to run, the
 * loss (0 mean squared error, 1 categorical cross-entropy on the softmax, 2 the same with class indices,
 * 3 binary cross-entropy on probabilities), the accuracy to count (0 none, 1 categorical, 2 sparse, 3 binary
 * per element) and SGD's step coefficients with its momentum buffers.
 */
export interface MlpEpochArgs {
  sizes: Int32Array;
  weights: Float32Array[];
  biases: (Float32Array | null)[];
  acts: Int32Array;
  x: Float32Array;
  y: Float32Array | null;
  labels: Int32Array | null;
  order: Int32Array;
  start: number;
  batches: number;
  batchSize: number;
  loss: 0 | 1 | 2 | 3;
  accuracy: 0 | 1 | 2 | 3;
  /** Every batch's SGD step (optim/sgd.ts sgdCoefficients), but the run's first batch's. */
  sgd: SgdCoefficients;
  /** The run's first batch's: sgd's, or those starting the momentum buffers (b = g). */
  sgdFirst: SgdCoefficients;
  /** Momentum buffers per weight and bias (null without momentum). */
  weightBuffers: Float32Array[] | null;
  biasBuffers: (Float32Array | null)[] | null;
}

/** What an mlpSgdEpochF32 call did: batches run (it stops after a batch whose loss is not finite), the summed per-sample loss, accuracy hits. */
export interface MlpEpochResult {
  batches: number;
  lossSum: number;
  correct: number;
}
