// The WebAssembly backend: the TypeScript kernels, with float32 matmul (wasm/kernels.ts, 5x8 register
// tile on packed panels, on worker threads when large; an unpacked matrix-vector kernel for 1-3 rows),
// conv2d (im2col/col2im and the products in the module's memory), sigmoid/tanh/exp, softmax, max pooling,
// the LSTM gate math and the fused Adam and SGD updates replaced by SIMD kernels (arrays copied through the
// module's memory in slices: rowSlices). Instantiated synchronously from embedded
// bytes, so it works in Node and browsers alike; null where WebAssembly SIMD is unavailable.
import type { Backend, ConvGeometry, FusedActivation, MatmulArgs, MlpEpochArgs, MlpEpochResult, MlpForwardArgs, SgdCoefficients } from '../backend.ts';
import { UNARY_CODES } from '../codes.ts';
import { HeldMlpParameters, checkMlpEpochArgs } from '../mlp-args.ts';
import { tsBackend } from '../ts/index.ts';
import { kernelsRelaxedWasmBase64, kernelsThreadsRelaxedWasmBase64, kernelsThreadsWasmBase64, kernelsWasmBase64 } from './kernels-wasm.ts';
import { WasmThreadPool, hostCores, sharedMemoryAvailable, workerFactory } from './threads.ts';
import type { WasmApi } from './threads.ts';

interface WasmExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  sgemm(m: number, n: number, k: number, a: number, lda: number, transA: number, b: number, ldb: number, transB: number, c: number, ldc: number, acc: number, scratch: number): void;
  scratchBytes(m: number, n: number, k: number): number;
  gemv(n: number, k: number, a: number, b: number, ldb: number, transB: number, c: number, acc: number): void;
  adam(p: number, g: number, m: number, v: number, vmax: number, n: number, sign: number, l2: number, decay: number, b1: number, b2: number, c1: number, c2: number, stepSize: number, invBc2Sqrt: number, eps: number): void;
  sgd(p: number, g: number, buf: number, n: number, sign: number, wd: number, lr: number, bm: number, bg: number, cg: number, cb: number): void;
  mlpSgd(desc: number, nLayers: number, x: number, y: number, labels: number, rows: number, batchSize: number, loss: number, acc: number, coefs: number, work: number, out: number): void;
  /** (x, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, wo, oy0, oy1, cols) */
  im2colRows(...args: number[]): void;
  /** (cols, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, wo, oy0, oy1, dx) */
  col2imRows(...args: number[]): void;
  unary(code: number, x: number, out: number, n: number): void;
  unaryGrad(code: number, y: number, g: number, out: number, n: number): void;
  sumRows(x: number, rows: number, len: number, out: number): void;
  lstmGates(gates: number, add: number, c: number, ldc: number, out: number, act: number, b: number, h: number): void;
  lstmGatesGrad(grad: number, dhIn: number, dcIn: number, c: number, ldc: number, act: number, dGates: number, dC: number, b: number, h: number): void;
  softmax(x: number, out: number, rows: number, r: number, log: number): void;
  outer(a: number, b: number, c: number, m: number, n: number, acc: number): void;
  maxPool2d(x: number, out: number, arg: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, ho: number, wo: number, argBase: number): void;
}

/**
 * The kernels a convolution runs on: one module's memory (the single-threaded instance's, or the worker
 * pool's shared one), its im2col/col2im, and a GEMM over pointers into that memory.
 */
interface ConvKernels {
  heap(): Float32Array;
  /** Makes room for `bytes` from `base`. */
  reserve(bytes: number): void;
  readonly base: number;
  im2colRows(...args: number[]): void;
  col2imRows(...args: number[]): void;
  /** out = op(x) over n floats (wasm/kernels.ts unary's codes). */
  unary(code: number, x: number, out: number, n: number): void;
  /** out = g · op'(y) over n floats (unaryGrad). */
  unaryGrad(code: number, y: number, g: number, out: number, n: number): void;
  /** out[r] += the sum of row r (sumRows). */
  sumRows(x: number, rows: number, len: number, out: number): void;
  /** Bytes of scratch sgemm needs at `scratch` for this product. */
  scratchBytes(m: number, n: number, k: number): number;
  sgemm(m: number, n: number, k: number, a: number, lda: number, transA: boolean, b: number, ldb: number, transB: boolean, c: number, ldc: number, acc: boolean, scratch: number): void;
}

/** Output rows per band of im2col columns (at most 2^20 floats of them, as the native kernel). */
function bandRows(ckk: number, ho: number, wo: number): number {
  return Math.max(1, Math.min(ho, Math.floor((1 << 20) / Math.max(1, ckk * wo))));
}


/** The WASM backend's thread control: how many threads its matmul uses (1 = no workers). */
export interface WasmThreading {
  /** The kernels' build: 'relaxed-simd' (fused multiply-adds) where the host validates it, else 'simd'. */
  readonly features: 'simd' | 'relaxed-simd';
  threads(): number;
  setThreads(n: number): void;
  /** Resolves with the thread count once the workers are up (1 when there are none). */
  ready(): Promise<number>;
}

let threading: WasmThreading | null = null;

/** Thread control of the WASM backend created last (null before one exists). */
export function wasmThreading(): WasmThreading | null {
  return threading;
}

function decodeBase64(s: string): Uint8Array {
  const table = new Uint8Array(128);
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = i;
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | table[clean.charCodeAt(i)]!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

const ARENA = 2 * 65536; // after the module's own static data (its initial 2 pages)
/** Below this many values an update stays in the optimizer's own loop (copying in and out costs more). */
const MIN_UPDATE = 1024;
/**
 * From this many values an activation runs in the module, copies included. Measured per call (TS loop /
 * module, µs): sigmoid 64 1.10-1.48/1.46-1.70, 128 2.2/0.83, 8192 181/24; tanh 64 1.7-1.9/0.75-0.94,
 * 8192 241/33; exp 64 0.97/0.59, 8192 146/18.
 */
const MIN_UNARY: Record<string, number> = { sigmoid: 128, tanh: 64, exp: 64 };
/** From this many values a softmax over rows runs in the module ([64, 10]: TS 19 µs, module 4.4). */
const MIN_SOFTMAX = 64;
/**
 * Up to this many rows the WASM backend runs a dense chain's inference itself (the rows one by one through
 * its GEMV, the weights kept in the module's memory between calls); more rows take the ops (the threaded
 * GEMM).
 */
const MLP_FORWARD_MAX_ROWS = 16;
/** The unary kernel's code of each of MlpForwardArgs' activation codes 1-3 (relu, sigmoid, tanh). */
const MLP_ACT_CODES = [-1, UNARY_CODES.relu!, UNARY_CODES.sigmoid!, UNARY_CODES.tanh!];
/** Floats of one slice of the arrays copied through the module's memory for a row kernel (128 KB: stays in L2). */
const SLICE = 32768;

/** Creates the WASM backend, or null when WebAssembly (with SIMD) cannot be instantiated here. */
export function createWasmBackend(): Backend | null {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wa) return null;
  // The relaxed-SIMD build where the host compiles it (browsers, Node >= 22; Node 20 with
  // --experimental-wasm-relaxed-simd), unless NEURONA_WASM_RELAXED=0; else the plain SIMD build.
  let relaxed = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NEURONA_WASM_RELAXED !== '0';
  let ex: WasmExports;
  try {
    let module: object | null = null;
    if (relaxed) {
      try {
        module = new wa.Module(decodeBase64(kernelsRelaxedWasmBase64));
      } catch {
        relaxed = false;
      }
    }
    ex = new wa.Instance(module ?? new wa.Module(decodeBase64(kernelsWasmBase64)), {}).exports as WasmExports;
  } catch {
    return null;
  }
  /**
   * Where the calls' scratch starts in the module's memory: above the weights fused inference keeps
   * there (heldWeights), which no other call then overwrites.
   */
  let arena = ARENA;
  const ensure = (bytes: number): void => {
    const need = arena + bytes - ex.memory.buffer.byteLength;
    if (need > 0) ex.memory.grow(Math.ceil(need / 65536));
  };
  const span = (rows: number, cols: number, ld: number): number => (rows - 1) * ld + cols;

  // Worker threads where shared memory and workers exist: NEURONA_NUM_THREADS, else the host's cores.
  // The pool starts on the first product big enough to use it (so a process that never runs a big
  // WASM matmul, e.g. on the native backend, starts no workers); that product and those until the
  // workers are up run on the calling thread.
  let pool: WasmThreadPool | null = null;
  let threadsModule: object | null = null;
  const makeWorker = sharedMemoryAvailable() ? workerFactory() : null;
  const envThreads = Number((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NEURONA_NUM_THREADS);
  let wanted = Number.isInteger(envThreads) && envThreads > 0 ? envThreads : hostCores();
  const startPool = (): WasmThreadPool | null => {
    if (pool || wanted <= 1 || !makeWorker) return pool;
    try {
      threadsModule ??= new wa.Module(decodeBase64(relaxed ? kernelsThreadsRelaxedWasmBase64 : kernelsThreadsWasmBase64));
      pool = new WasmThreadPool(wa, threadsModule, wanted, ARENA, makeWorker);
    } catch {
      wanted = 1; // no shared memory after all: one thread
    }
    return pool;
  };
  const setThreads = (n: number): void => {
    if (n === wanted && !pool?.dead) return; // the pool (started or not) already has that many; a dead one is replaced
    pool?.close();
    pool = null;
    wanted = n;
  };
  threading = {
    features: relaxed ? 'relaxed-simd' : 'simd',
    threads: () => (pool?.ready ? pool.threads : 1),
    setThreads,
    ready: async () => {
      const tp = startPool();
      return tp && (await tp.started) && tp.ready ? tp.threads : 1;
    },
  };

  /**
   * B's copy at the start of the pool's operand memory from the last product there, when that product had
   * a bKey (see MatmulArgs): a product with the same key, array, offset and size skips copying B again
   * (an LSTM's W_hh, 256 KB in W4, at every step). Anything else using that memory forgets it.
   */
  let keptB: { key: object; tp: WasmThreadPool; b: Float32Array; bo: number; len: number } | null = null;

  /** The product on the worker pool: operands copied into the shared memory, C's columns in chunks over the threads. */
  function matmulThreaded(tp: WasmThreadPool, p: MatmulArgs, aLen: number, bLen: number): void {
    const { m, n, k } = p;
    const a = p.a as Float32Array;
    const b = p.b as Float32Array;
    const c = p.c as Float32Array;
    const cLen = m * n;
    const stride = (tp.ex.scratchPackedBytes(tp.chunkColumns(n), k) + 63) & ~63;
    const bPtr = (tp.operandBase + 63) & ~63;
    const aPtr = (bPtr + bLen * 4 + 63) & ~63;
    const cPtr = (aPtr + aLen * 4 + 63) & ~63;
    const paPtr = (cPtr + cLen * 4 + 63) & ~63;
    const sPtr = (paPtr + tp.ex.packedABytes(m, k) + 63) & ~63;
    const need = sPtr + stride * tp.threads - tp.memory.buffer.byteLength;
    if (need > 0) tp.memory.grow(Math.ceil(need / 65536));
    const heap = new Float32Array(tp.memory.buffer);
    for (let bi = 0; bi < p.aOffsets.length; bi++) {
      const ao = p.aOffsets[bi]!;
      const bo = p.bOffsets[bi]!;
      heap.set(a.subarray(ao, ao + aLen), aPtr / 4);
      const co = bi * cLen;
      if (p.accumulate) heap.set(c.subarray(co, co + cLen), cPtr / 4);
      const kept = keptB !== null && keptB.key === p.bKey && keptB.tp === tp && keptB.b === b && keptB.bo === bo && keptB.len === bLen;
      // B is copied in while the workers start packing A
      const writeB = kept
        ? undefined
        : (): void => {
            heap.set(b.subarray(bo, bo + bLen), bPtr / 4);
            keptB = p.bKey ? { key: p.bKey, tp, b, bo, len: bLen } : null;
          };
      tp.sgemm(m, n, k, aPtr, p.lda, p.transA, bPtr, p.ldb, p.transB, cPtr, n, p.accumulate === true, paPtr, sPtr, stride, writeB);
      c.set(heap.subarray(cPtr / 4, cPtr / 4 + cLen), co);
    }
  }

  /** A few rows of A (batch-1 inference, per-sample training) times a large B: the unpacked SIMD kernel. */
  function matmulRows(p: MatmulArgs, a: Float32Array, b: Float32Array, c: Float32Array): void {
    const { m, n, k } = p;
    const bLen = p.transB ? span(n, k, p.ldb) : span(k, n, p.ldb);
    const aPtr = arena;
    const bPtr = (aPtr + k * 4 + 15) & ~15;
    const cPtr = (bPtr + bLen * 4 + 15) & ~15;
    ensure(cPtr - arena + n * 4);
    const heap = new Float32Array(ex.memory.buffer);
    for (let bi = 0; bi < p.aOffsets.length; bi++) {
      const bo = p.bOffsets[bi]!;
      heap.set(b.subarray(bo, bo + bLen), bPtr / 4);
      for (let i = 0; i < m; i++) {
        const ao = p.aOffsets[bi]! + i * p.lda;
        const co = (bi * m + i) * n;
        heap.set(a.subarray(ao, ao + k), aPtr / 4);
        if (p.accumulate) heap.set(c.subarray(co, co + n), cPtr / 4);
        ex.gemv(n, k, aPtr, bPtr, p.ldb, p.transB ? 1 : 0, cPtr, p.accumulate ? 1 : 0);
        c.set(heap.subarray(cPtr / 4, cPtr / 4 + n), co);
      }
    }
  }

  /** C (+)= a·b for k = 1 in the module: b's row and a's column copied in once, C's rows in slices. */
  function outerProduct(p: MatmulArgs, a: Float32Array, b: Float32Array, c: Float32Array): void {
    const { m, n } = p;
    const sai = p.transA ? 1 : p.lda;
    const sbj = p.transB ? p.ldb : 1;
    const bPtr = arena;
    const aPtr = (bPtr + n * 4 + 15) & ~15;
    const cPtr = (aPtr + m * 4 + 15) & ~15;
    const rows = Math.max(1, Math.min(m, Math.floor(SLICE / n)));
    ensure(cPtr - arena + rows * n * 4);
    const heap = new Float32Array(ex.memory.buffer);
    const acc = p.accumulate === true;
    for (let bi = 0; bi < p.aOffsets.length; bi++) {
      const ao = p.aOffsets[bi]!;
      const bo = p.bOffsets[bi]!;
      if (sbj === 1) heap.set(b.subarray(bo, bo + n), bPtr / 4);
      else for (let j = 0; j < n; j++) heap[bPtr / 4 + j] = b[bo + j * sbj]!;
      for (let i = 0; i < m; i++) heap[aPtr / 4 + i] = a[ao + i * sai]!;
      const co = bi * m * n;
      for (let r0 = 0; r0 < m; r0 += rows) {
        const nr = Math.min(rows, m - r0);
        if (acc) heap.set(c.subarray(co + r0 * n, co + (r0 + nr) * n), cPtr / 4);
        ex.outer(aPtr + r0 * 4, bPtr, cPtr, nr, n, acc ? 1 : 0);
        c.set(heap.subarray(cPtr / 4, cPtr / 4 + nr * n), co + r0 * n);
      }
    }
  }

  function matmul(p: MatmulArgs): void {
    const { a, b, c, m, n, k } = p;
    const f32 = a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array;
    // One to three rows of A against a larger B (a batch of one through a Linear layer): the unpacked
    // kernel, copies included ~5x the TS loop's speed (W5 at batch 1: 243 -> 47 µs per sample).
    if (f32 && m < 4 && !p.transA && n * k >= 4096) {
      matmulRows(p, a, b, c);
      return;
    }
    // An outer product (k = 1: per-sample training's weight gradient gᵀ·x) of at least 4096 values: the
    // module's SIMD loop, copies included (16 x 784 accumulated: TS loop 32 µs).
    if (f32 && k === 1 && m * n >= 4096) {
      outerProduct(p, a, b, c);
      return;
    }
    // Other thin products (tiny layers) and non-float32 data stay on the TS kernels, whose direct loops
    // have less per-call cost than copying into WASM memory.
    if (!f32 || m < 4 || n < 8 || k < 4 || m * n * k < 32768) {
      tsBackend.matmul(p);
      return;
    }
    const aLen = p.transA ? span(k, m, p.lda) : span(m, k, p.lda);
    const bLen = p.transB ? span(n, k, p.ldb) : span(k, n, p.ldb);
    // Big enough to be worth the wake-up and the split: the worker pool.
    // (measured here: 2 threads lose below ~100^3, e.g. 64^3 27 us vs 19 us on one; win from 128^3, 112 vs 129 us)
    if (n >= 16 && m * n * k >= 1 << 21 && wanted > 1) {
      const tp = startPool();
      if (tp?.ready) {
        matmulThreaded(tp, p, aLen, bLen);
        return;
      }
    }
    const cLen = m * n;
    const scratch = ex.scratchBytes(m, n, k);
    const aPtr = arena;
    const bPtr = aPtr + aLen * 4;
    const cPtr = (bPtr + bLen * 4 + 15) & ~15;
    const sPtr = cPtr + cLen * 4;
    ensure(sPtr - arena + scratch);
    const heap = new Float32Array(ex.memory.buffer);
    for (let bi = 0; bi < p.aOffsets.length; bi++) {
      const ao = p.aOffsets[bi]!;
      const bo = p.bOffsets[bi]!;
      heap.set((a as Float32Array).subarray(ao, ao + aLen), aPtr / 4);
      heap.set((b as Float32Array).subarray(bo, bo + bLen), bPtr / 4);
      const co = bi * cLen;
      if (p.accumulate) heap.set((c as Float32Array).subarray(co, co + cLen), cPtr / 4);
      ex.sgemm(m, n, k, aPtr, p.lda, p.transA ? 1 : 0, bPtr, p.ldb, p.transB ? 1 : 0, cPtr, n, p.accumulate ? 1 : 0, sPtr);
      (c as Float32Array).set(heap.subarray(cPtr / 4, cPtr / 4 + cLen), co);
    }
  }

  /** The single-threaded module as conv kernels. */
  const singleKernels: ConvKernels = {
    heap: () => new Float32Array(ex.memory.buffer),
    reserve: (bytes) => ensure(bytes),
    get base() {
      return arena;
    },
    im2colRows: (...a) => ex.im2colRows(...a),
    col2imRows: (...a) => ex.col2imRows(...a),
    unary: (code, x, out, n) => ex.unary(code, x, out, n),
    unaryGrad: (code, y, g, out, n) => ex.unaryGrad(code, y, g, out, n),
    sumRows: (x, rows, len, out) => ex.sumRows(x, rows, len, out),
    scratchBytes: (m, n, k) => ex.scratchBytes(m, n, k) + 16,
    sgemm: (m, n, k, a, lda, ta, b, ldb, tb, c, ldc, acc, scratch) => ex.sgemm(m, n, k, a, lda, ta ? 1 : 0, b, ldb, tb ? 1 : 0, c, ldc, acc ? 1 : 0, scratch),
  };
  /** The worker pool's shared memory as conv kernels: the products split over the threads. */
  function poolKernels(tp: WasmThreadPool): ConvKernels {
    keptB = null; // a conv overwrites the operand memory
    const stride = (n: number, k: number): number => (tp.ex.scratchPackedBytes(tp.chunkColumns(n), k) + 63) & ~63;
    return {
      heap: () => new Float32Array(tp.memory.buffer),
      reserve: (bytes) => {
        const need = ((tp.operandBase + 63) & ~63) + bytes - tp.memory.buffer.byteLength;
        if (need > 0) tp.memory.grow(Math.ceil(need / 65536));
      },
      base: (tp.operandBase + 63) & ~63,
      im2colRows: (...a) => tp.ex.im2colRows(...a),
      col2imRows: (...a) => tp.ex.col2imRows(...a),
      unary: (code, x, out, n) => tp.ex.unary(code, x, out, n),
      unaryGrad: (code, y, g, out, n) => tp.ex.unaryGrad(code, y, g, out, n),
      sumRows: (x, rows, len, out) => tp.ex.sumRows(x, rows, len, out),
      scratchBytes: (m, n, k) => tp.ex.packedABytes(m, k) + 64 + stride(n, k) * tp.threads,
      sgemm: (m, n, k, a, lda, ta, b, ldb, tb, c, ldc, acc, scratch) => {
        const pa = (scratch + 63) & ~63;
        tp.sgemm(m, n, k, a, lda, ta, b, ldb, tb, c, ldc, acc, pa, (pa + tp.ex.packedABytes(m, k) + 63) & ~63, stride(n, k));
      },
    };
  }
  /** The pool for a conv whose per-sample product has this many multiply-adds (as matmul decides), else the single module. */
  function convKernels(macs: number, n: number): ConvKernels {
    if (n >= 16 && macs >= 1 << 21 && wanted > 1) {
      const tp = startPool();
      if (tp?.ready) return poolKernels(tp);
    }
    return singleKernels;
  }

  /** A conv's sizes (per group), its band of output rows, and the kernels it runs on. */
  function convPlan(o: number, groups: number, g: ConvGeometry): { og: number; ohw: number; ckk: number; img: number; band: number; kr: ConvKernels } {
    const og = o / groups;
    const ckk = g.c * g.kh * g.kw;
    const band = bandRows(ckk, g.ho, g.wo);
    const bandCols = Math.min(g.ho, band) * g.wo;
    return { og, ohw: g.ho * g.wo, ckk, img: g.c * g.h * g.w, band, kr: convKernels(og * bandCols * ckk, bandCols) };
  }

  /**
   * conv2d over a batch inside one module's memory, a sample at a time: the sample copied in, its
   * columns made by the module (a band of output rows at a time) and multiplied there, the result
   * copied out. Only a sample's image, output and one band of columns are in the module's memory.
   */
  function conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, out: Float32Array, n: number, groups: number, o: number, g: ConvGeometry, act?: FusedActivation | null): void {
    const code = act ? UNARY_CODES[act]! : -1;
    const { og, ohw, ckk, img, band, kr } = convPlan(o, groups, g);
    const bandCols = Math.min(g.ho, band) * g.wo;
    const xPtr = kr.base;
    const wPtr = xPtr + groups * img * 4;
    const oPtr = wPtr + o * ckk * 4;
    const cPtr = (oPtr + o * ohw * 4 + 63) & ~63;
    const sPtr = (cPtr + ckk * bandCols * 4 + 63) & ~63;
    kr.reserve(sPtr - kr.base + kr.scratchBytes(og, bandCols, ckk));
    let heap = kr.heap();
    heap.set(w.subarray(0, o * ckk), wPtr / 4);
    for (let s = 0; s < n; s++) {
      heap = kr.heap();
      heap.set(x.subarray(s * groups * img, (s + 1) * groups * img), xPtr / 4);
      if (bias) for (let oc = 0; oc < o; oc++) heap.fill(bias[oc]!, oPtr / 4 + oc * ohw, oPtr / 4 + (oc + 1) * ohw);
      for (let gi = 0; gi < groups; gi++) {
        for (let oy0 = 0; oy0 < g.ho; oy0 += band) {
          const oy1 = Math.min(g.ho, oy0 + band);
          const cn = (oy1 - oy0) * g.wo;
          kr.im2colRows(xPtr + gi * img * 4, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.wo, oy0, oy1, cPtr);
          kr.sgemm(og, cn, ckk, wPtr + gi * og * ckk * 4, ckk, false, cPtr, cn, false, oPtr + (gi * og * ohw + oy0 * g.wo) * 4, ohw, bias !== null, sPtr);
        }
      }
      if (code >= 0) kr.unary(code, oPtr, oPtr, o * ohw); // the fused activation, before the copy out
      heap = kr.heap();
      out.set(heap.subarray(oPtr / 4, oPtr / 4 + o * ohw), s * o * ohw);
    }
  }

  /** Its backward, the same way: dx += the input gradient (sample by sample), dw = the weight gradient (summed in the module over the batch). */
  function conv2dGrad(x: Float32Array, w: Float32Array, gy: Float32Array, dx: Float32Array | null, dw: Float32Array | null, n: number, groups: number, o: number, g: ConvGeometry,
    act?: FusedActivation | null, y?: Float32Array | null, db?: Float32Array | null): void {
    const code = act ? UNARY_CODES[act]! : -1;
    const { og, ohw, ckk, img, band, kr } = convPlan(o, groups, g);
    const bandCols = Math.min(g.ho, band) * g.wo;
    const xPtr = kr.base;
    const wPtr = xPtr + groups * img * 4;
    const gPtr = wPtr + o * ckk * 4;
    const dxPtr = gPtr + o * ohw * 4;
    const dwPtr = dxPtr + groups * img * 4;
    // with a fused activation: a sample's output y (the gradient goes through it in place at gPtr) and the bias gradient
    const yPtr = dwPtr + o * ckk * 4;
    const dbPtr = yPtr + (code >= 0 ? o * ohw * 4 : 0);
    const cPtr = (dbPtr + o * 4 + 63) & ~63;
    const dcPtr = (cPtr + ckk * bandCols * 4 + 63) & ~63;
    const sPtr = (dcPtr + ckk * bandCols * 4 + 63) & ~63;
    kr.reserve(sPtr - kr.base + Math.max(kr.scratchBytes(og, ckk, bandCols), kr.scratchBytes(ckk, bandCols, og)));
    let heap = kr.heap();
    heap.set(w.subarray(0, o * ckk), wPtr / 4);
    if (dw) heap.fill(0, dwPtr / 4, dwPtr / 4 + o * ckk);
    if (db) heap.fill(0, dbPtr / 4, dbPtr / 4 + o);
    for (let s = 0; s < n; s++) {
      heap = kr.heap();
      heap.set(gy.subarray(s * o * ohw, (s + 1) * o * ohw), gPtr / 4);
      if (code >= 0) {
        heap.set(y!.subarray(s * o * ohw, (s + 1) * o * ohw), yPtr / 4);
        kr.unaryGrad(code, yPtr, gPtr, gPtr, o * ohw);
      }
      if (db) kr.sumRows(gPtr, o, ohw, dbPtr);
      if (dw) heap.set(x.subarray(s * groups * img, (s + 1) * groups * img), xPtr / 4);
      if (dx) heap.set(dx.subarray(s * groups * img, (s + 1) * groups * img), dxPtr / 4);
      for (let gi = 0; gi < groups; gi++) {
        for (let oy0 = 0; oy0 < g.ho; oy0 += band) {
          const oy1 = Math.min(g.ho, oy0 + band);
          const cn = (oy1 - oy0) * g.wo;
          const gys = gPtr + (gi * og * ohw + oy0 * g.wo) * 4;
          if (dw) {
            // dW_g += dY_g [og, cn] · cols^T [cn, ckk]
            kr.im2colRows(xPtr + gi * img * 4, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.wo, oy0, oy1, cPtr);
            kr.sgemm(og, ckk, cn, gys, ohw, false, cPtr, cn, true, dwPtr + gi * og * ckk * 4, ckk, true, sPtr);
          }
          if (dx) {
            // dcols = W_g^T [ckk, og] · dY_g [og, cn], scattered back into the image
            kr.sgemm(ckk, cn, og, wPtr + gi * og * ckk * 4, ckk, true, gys, ohw, false, dcPtr, cn, false, sPtr);
            kr.col2imRows(dcPtr, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.wo, oy0, oy1, dxPtr + gi * img * 4);
          }
        }
      }
      if (dx) {
        heap = kr.heap();
        dx.set(heap.subarray(dxPtr / 4, dxPtr / 4 + groups * img), s * groups * img);
      }
    }
    if (dw) dw.set(kr.heap().subarray(dwPtr / 4, dwPtr / 4 + o * ckk));
    if (db) db.set(kr.heap().subarray(dbPtr / 4, dbPtr / 4 + o));
  }

  /**
   * A run of SGD mini-batches of a dense net in the module (wasm/kernels.ts mlpSgd): the layers' weights,
   * biases and momentum buffers and the run's samples (gathered in order) are copied in, the updated
   * parameters and buffers copied back.
   */
  function mlpSgdEpoch(p: MlpEpochArgs): MlpEpochResult {
    checkMlpEpochArgs('wasm', p);
    const L = p.acts.length;
    const inF = p.sizes[0]!;
    const outF = p.sizes[L]!;
    const n = p.x.length / inF;
    const end = Math.min(n, p.start + p.batches * p.batchSize);
    const rows = Math.max(0, end - p.start);
    const momentum = p.weightBuffers !== null;
    // layout (byte offsets from arena, 16-aligned): descriptors, SGD's coefficients, then per layer w, b, bw,
    // bb, then x, y or labels, work, out
    const align = (v: number): number => (v + 15) & ~15;
    const coefOff = align(L * 28);
    let off = align(coefOff + 56);
    const at: number[][] = [];
    let workFloats = 0;
    let widest = 0;
    for (let l = 0; l < L; l++) {
      const i = p.sizes[l]!;
      const o = p.sizes[l + 1]!;
      const w = off;
      off = align(off + o * i * 4);
      const b = p.biases[l] ? off : -1;
      if (p.biases[l]) off = align(off + o * 4);
      const bw = momentum ? off : -1;
      if (momentum) off = align(off + o * i * 4);
      const bb = momentum && p.biases[l] ? off : -1;
      if (momentum && p.biases[l]) off = align(off + o * 4);
      at.push([w, b, bw, bb]);
      workFloats += 2 * o + o * i + o;
      widest = Math.max(widest, i, o);
    }
    workFloats += widest;
    const xOff = off;
    off = align(off + rows * inF * 4);
    const yOff = off;
    off = align(off + rows * (p.labels ? 1 : outF) * 4);
    const workOff = off;
    off = align(off + workFloats * 4);
    const outOff = off;
    off += 24;
    ensure(off);
    const buf = ex.memory.buffer;
    const f32 = new Float32Array(buf);
    const i32 = new Int32Array(buf);
    const f = (byteOff: number): number => (arena + byteOff) / 4;
    for (let l = 0; l < L; l++) {
      const [w, b, bw, bb] = at[l]!;
      const d = f(l * 28);
      i32.set([p.sizes[l]!, p.sizes[l + 1]!, arena + w!, b! >= 0 ? arena + b! : 0, bw! >= 0 ? arena + bw! : 0, bb! >= 0 ? arena + bb! : 0, p.acts[l]!], d);
      f32.set(p.weights[l]!, f(w!));
      if (b! >= 0) f32.set(p.biases[l]!, f(b!));
      if (bw! >= 0) f32.set(p.weightBuffers![l]!, f(bw!));
      if (bb! >= 0) f32.set(p.biasBuffers![l]!, f(bb!));
    }
    const coefs = (h: SgdCoefficients): number[] => [h.sign, h.weightDecay, h.lr, h.bm, h.bg, h.cg, h.cb];
    f32.set([...coefs(p.sgd), ...coefs(p.sgdFirst)], f(coefOff));
    for (let r = 0; r < rows; r++) {
      const s = p.order[p.start + r]!;
      f32.set(p.x.subarray(s * inF, (s + 1) * inF), f(xOff) + r * inF);
      if (p.labels) i32[f(yOff) + r] = p.labels[s]!;
      else f32.set(p.y!.subarray(s * outF, (s + 1) * outF), f(yOff) + r * outF);
    }
    ex.mlpSgd(arena, L, arena + xOff, p.labels ? 0 : arena + yOff, p.labels ? arena + yOff : 0, rows, p.batchSize, p.loss, p.accuracy, arena + coefOff, arena + workOff, arena + outOff);
    for (let l = 0; l < L; l++) {
      const [w, b, bw, bb] = at[l]!;
      const o = p.sizes[l + 1]!;
      const i = p.sizes[l]!;
      p.weights[l]!.set(f32.subarray(f(w!), f(w!) + o * i));
      if (b! >= 0) p.biases[l]!.set(f32.subarray(f(b!), f(b!) + o));
      if (bw! >= 0) p.weightBuffers![l]!.set(f32.subarray(f(bw!), f(bw!) + o * i));
      if (bb! >= 0) p.biasBuffers![l]!.set(f32.subarray(f(bb!), f(bb!) + o));
    }
    const res = new Float64Array(buf, arena + outOff, 3);
    return { batches: res[0]!, lossSum: res[1]!, correct: res[2]! };
  }

  /**
   * The parameters of the last network run by mlpForward (its key, arrays and their versions: see
   * MlpForwardArgs), at the start of the module's memory, below `arena`; their offsets per layer
   * (weight, then bias or -1).
   */
  let heldWeights: { params: HeldMlpParameters; offsets: number[] } | null = null;

  /** A dense chain's inference for a few rows, parameters copied in only when they changed (heldWeights). */
  function mlpForward(p: MlpForwardArgs): boolean {
    if (p.rows > MLP_FORWARD_MAX_ROWS) return false;
    const held = heldWeights;
    if (!held?.params.matches(p)) {
      const arrays = HeldMlpParameters.arraysOf(p);
      // lay the parameters out from ARENA (16-byte aligned) and move the scratch above them
      const offsets: number[] = [];
      let off = ARENA;
      for (const a of arrays) {
        offsets.push(a ? off : -1);
        if (a) off = (off + a.length * 4 + 15) & ~15;
      }
      arena = (off + 63) & ~63;
      heldWeights = null;
      ensure(0);
      const heap = new Float32Array(ex.memory.buffer);
      arrays.forEach((a, i) => {
        if (a) heap.set(a, offsets[i]! / 4);
      });
      const params = HeldMlpParameters.of(p, arrays);
      heldWeights = params ? { params, offsets } : null;
      const done = runMlp(p, offsets);
      if (!heldWeights) arena = ARENA; // nothing to keep: later calls may use that memory
      return done;
    }
    return runMlp(p, held.offsets);
  }

  function runMlp(p: MlpForwardArgs, offsets: number[]): boolean {
    const { sizes, rows, acts } = p;
    const L = p.weights.length;
    let widest = 0;
    for (let l = 1; l <= L; l++) widest = Math.max(widest, sizes[l]!);
    const in0 = sizes[0]!;
    // scratch: x, then two buffers of rows x widest
    const xPtr = arena;
    const h0 = (xPtr + rows * in0 * 4 + 15) & ~15;
    const h1 = (h0 + rows * widest * 4 + 15) & ~15;
    ensure(h1 + rows * widest * 4 - arena);
    let heap = new Float32Array(ex.memory.buffer);
    heap.set(p.x.subarray(0, rows * in0), xPtr / 4);
    let inPtr = xPtr;
    for (let l = 0; l < L; l++) {
      const k = sizes[l]!;
      const n = sizes[l + 1]!;
      const dst = l % 2 === 0 ? h0 : h1;
      const w = offsets[2 * l]!;
      const b = offsets[2 * l + 1]!;
      for (let r = 0; r < rows; r++) {
        const c = dst + r * n * 4;
        if (b >= 0) heap.copyWithin(c / 4, b / 4, b / 4 + n);
        ex.gemv(n, k, inPtr + r * k * 4, w, k, 1, c, b >= 0 ? 1 : 0);
      }
      const act = acts[l]!;
      if (act >= 1 && act <= 3) ex.unary(MLP_ACT_CODES[act]!, dst, dst, rows * n);
      inPtr = dst;
    }
    heap = new Float32Array(ex.memory.buffer);
    const outF = sizes[L]!;
    p.out.set(heap.subarray(inPtr / 4, inPtr / 4 + rows * outF));
    return true;
  }

  /**
   * A row kernel over arrays in JS memory, slice by slice of rows through the module's memory. Each
   * array is [array or null, row length, 'in' | 'out' | 'inout', row stride (default the length)]: 'in'
   * and 'inout' arrays are copied in (the span of the slice's rows), `kernel` runs on the slice's pointers
   * (0 for a null array), its row count and first row, and 'out' and 'inout' arrays are copied back.
   * (The fused optimizer updates are rows of one value, updated in place: 'inout'.)
   */
  function rowSlices(b: number, arrays: [Float32Array | Int32Array | null, number, 'in' | 'out' | 'inout', number?][], kernel: (ptrs: number[], n: number, r0: number) => void): void {
    const perRow = arrays.reduce((t, [a, w, , ld]) => t + (a ? (ld ?? w) : 0), 0);
    const rows = Math.max(1, Math.min(b, Math.floor(SLICE / Math.max(1, perRow))));
    let off = arena;
    const ptrs = arrays.map(([a, w, , ld]) => {
      const ptr = a ? off : 0;
      if (a) off += rows * (ld ?? w) * 4;
      return ptr;
    });
    ensure(off - arena);
    const heap = new Float32Array(ex.memory.buffer);
    const heapI = new Int32Array(ex.memory.buffer);
    const view = (a: Float32Array | Int32Array): Float32Array | Int32Array => (a instanceof Int32Array ? heapI : heap);
    for (let r0 = 0; r0 < b; r0 += rows) {
      const n = Math.min(rows, b - r0);
      arrays.forEach(([a, w, mode, ld], i) => {
        const l = ld ?? w;
        if (a && mode !== 'out') view(a).set(a.subarray(r0 * l, (r0 + n - 1) * l + w), ptrs[i]! / 4);
      });
      kernel(ptrs, n, r0);
      arrays.forEach(([a, w, mode], i) => {
        if (a && mode !== 'in') a.set(view(a).subarray(ptrs[i]! / 4, ptrs[i]! / 4 + n * w), r0 * w);
      });
    }
  }

  return {
    ...tsBackend,
    name: 'wasm',
    mapNamed(op, x, out) {
      const code = UNARY_CODES[op];
      const min = MIN_UNARY[op];
      // (relu has no minimum: on its own it stays in the TS loop, as copying in and out costs more)
      if (code === undefined || min === undefined || out.length < min || !(x instanceof Float32Array && out instanceof Float32Array)) return tsBackend.mapNamed!(op, x, out);
      rowSlices(x.length, [[x, 1, 'in'], [out, 1, 'out']], ([xp, o], n) => ex.unary(code, xp!, o!, n));
      return true;
    },
    softmax(x, outer, r, inner, out, log) {
      if (inner !== 1 || outer * r < MIN_SOFTMAX || !(x instanceof Float32Array && out instanceof Float32Array)) return tsBackend.softmax(x, outer, r, inner, out, log);
      rowSlices(outer, [[x, r, 'in'], [out, r, 'out']], ([xp, op], n) => ex.softmax(xp!, op!, n, r, log ? 1 : 0));
    },
    maxPool2dF32(x, out, arg, planes, g) {
      const hw = g.h * g.w;
      const ohw = g.ho * g.wo;
      rowSlices(planes, [[x, hw, 'in'], [out, ohw, 'out'], [arg, ohw, 'out']], ([xp, op, ap], n, p0) =>
        ex.maxPool2d(xp!, op!, ap!, n, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.ho, g.wo, p0 * hw));
    },
    lstmGatesF32(gates, c, out, act, b, h, add = null, ldc = h) {
      rowSlices(b, [[gates, 4 * h, 'in'], [add, 4 * h, 'in'], [c, h, 'in', ldc], [out, 2 * h, 'out'], [act, 5 * h, 'out']], ([g, a, cp, o, ac], n) => ex.lstmGates(g!, a!, cp!, ldc, o!, ac!, n, h));
    },
    lstmGatesGradF32(grad, c, act, dGates, dC, b, h, dhIn = null, dcIn = null, ldc = h) {
      rowSlices(b, [[grad, 2 * h, 'in'], [dhIn, h, 'in'], [dcIn, h, 'in'], [c, h, 'in', ldc], [act, 5 * h, 'in'], [dGates, 4 * h, 'out'], [dC, h, 'out']],
        ([g, dh, dc, cp, ac, dg, dcOut], n) => ex.lstmGatesGrad(g!, dh!, dc!, cp!, ldc, ac!, dg!, dcOut!, n, h));
    },
    mlpSgdEpochF32: mlpSgdEpoch,
    mlpForwardF32: mlpForward,
    matmul,
    conv2dF32: conv2d,
    conv2dGradF32: conv2dGrad,
    adamF32(param, grad, m, v, vmax, h) {
      if (param.length < MIN_UPDATE) return false;
      rowSlices(param.length, [[param, 1, 'inout'], [grad, 1, 'in'], [m, 1, 'inout'], [v, 1, 'inout'], [vmax, 1, 'inout']], ([p, g, mp, vp, vm], n) => ex.adam(p!, g!, mp!, vp!, vm!, n, h.sign, h.l2, h.decay, h.b1, h.b2, h.c1, h.c2, h.stepSize, h.invBc2Sqrt, h.eps));
      return true;
    },
    sgdF32(param, grad, buf, h) {
      if (param.length < MIN_UPDATE) return false;
      rowSlices(param.length, [[param, 1, 'inout'], [grad, 1, 'in'], [buf, 1, 'inout']], ([p, g, b], n) => ex.sgd(p!, g!, b!, n, h.sign, h.weightDecay, h.lr, h.bm, h.bg, h.cg, h.cb));
      return true;
    },
  };
}


