// The native backend (Node only): an N-API addon (native/*.cc, built by node-gyp during `npm ci`) with
// AVX-512 / AVX2 / portable GEMM micro-kernels picked at run time, multi-threaded, working directly on
// the tensors' Float32Arrays (no copies), plus fused optimizer steps. Everything else is the TS kernels.
// Loaded through process.getBuiltinModule (Node >= 20.16), so browsers and bundlers never see a Node
// import; where the addon is missing or fails to load this returns null and the WASM backend is used.
import type { Backend, MatmulArgs, MlpEpochArgs, MlpForwardArgs, SgdCoefficients } from '../backend.ts';
import { UNARY_CODES } from '../codes.ts';
import { HeldMlpParameters } from '../mlp-args.ts';
import { tsBackend } from '../ts/index.ts';

/** The addon's functions (see native/addon.cc). */
export interface NativeAddon {
  sgemm(a: Float32Array, aOff: number, lda: number, transA: boolean, b: Float32Array, bOff: number, ldb: number, transB: boolean, c: Float32Array, cOff: number, m: number, n: number, k: number, accumulate: boolean): void;
  adam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null, sign: number, l2: number, decay: number, b1: number, b2: number, c1: number, c2: number, stepSize: number, invBc2Sqrt: number, eps: number): void;
  sgd(param: Float32Array, grad: Float32Array, buf: Float32Array | null, sign: number, weightDecay: number, lr: number, bm: number, bg: number, cg: number, cb: number): void;
  im2col(x: Float32Array, xOff: number, cols: Float32Array, colsOff: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, ho: number, wo: number): void;
  col2im(cols: Float32Array, colsOff: number, dx: Float32Array, dxOff: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, ho: number, wo: number): void;
  conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, out: Float32Array, n: number, groups: number, o: number, c: number, h: number, wd: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, ho: number, wo: number, act?: number): void;
  conv2dGrad(x: Float32Array, w: Float32Array, gy: Float32Array, dx: Float32Array | null, dw: Float32Array | null, n: number, groups: number, o: number, c: number, h: number, wd: number, kh: number, kw: number, sh: number, sw: number, dh: number, dwl: number, pt: number, pl: number, ho: number, wo: number, act?: number, y?: Float32Array | null, db?: Float32Array | null): void;
  unary(code: number, x: Float32Array, out: Float32Array): void;
  unaryGrad(code: number, x: Float32Array, y: Float32Array, g: Float32Array, out: Float32Array): void;
  lstmGates(gates: Float32Array, c: Float32Array, out: Float32Array, act: Float32Array, b: number, h: number, add: Float32Array | null, ldc: number): void;
  lstmGatesGrad(grad: Float32Array, c: Float32Array, act: Float32Array, dGates: Float32Array, dC: Float32Array, b: number, h: number, dhIn: Float32Array | null, dcIn: Float32Array | null, ldc: number): void;
  sumsq(x: Float32Array): number;
  reduceSum(x: Float32Array, outer: number, r: number, inner: number, out: Float32Array): void;
  maxPool2d(x: Float32Array, out: Float32Array, arg: Int32Array, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, ho: number, wo: number): void;
  scatterAdd(g: Float32Array, idx: Int32Array, dx: Float32Array): void;
  mlpSgdEpoch(sizes: Int32Array, weights: Float32Array[], biases: (Float32Array | null)[], acts: Int32Array, x: Float32Array, y: Float32Array | null, labels: Int32Array | null,
    order: Int32Array, start: number, batches: number, batchSize: number, loss: number, accuracy: number, weightBuffers: Float32Array[] | null,
    biasBuffers: (Float32Array | null)[] | null, ...coefficients: number[]): [number, number, number];
  /**
   * Inference through a dense network: then a packed-weights slot (mlpPackedNew; -1 for none), whether to
   * pack the weights again (1) or reuse the slot's (0), then per layer its weight, its bias (or null), its
   * width and its activation code.
   */
  mlpForward(x: Float32Array, rows: number, out: Float32Array, inFeatures: number, slot: number, repack: number, ...layers: (Float32Array | number | null)[]): void;
  /**
   * The network of the slot's last mlpForward again, from the slot alone (packed weights, widths, codes,
   * bias copies), for a caller whose parameters have not changed since; false (nothing done) when these
   * rows need the weights themselves: then mlpForward.
   */
  mlpForwardHeld(x: Float32Array, rows: number, out: Float32Array, slot: number): boolean;
  /** A slot for a network's packed weights between mlpForward calls (freed by mlpPackedFree). */
  mlpPackedNew(): number;
  mlpPackedFree(slot: number): void;
  isa(): string;
  setIsa(name: string): boolean;
  numThreads(): number;
  setNumThreads(n: number): void;
  /** Marks heap memory grown since the last call for transparent huge pages (glibc on Linux; else nothing). */
  adviseHeap(): void;
}

/** Why the addon did not load (undefined when it did, or when not in Node). */
export let nativeLoadError: string | undefined;

interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  env?: Record<string, string | undefined>;
}

/** Loads the addon from build/Release (relative to src/ or dist/), or returns null with the reason in nativeLoadError. */
export function loadNativeAddon(): NativeAddon | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const gbm = proc?.getBuiltinModule;
  if (typeof gbm !== 'function') return null; // a browser, or Node < 20.16
  if (proc?.env?.NEURONA_BACKEND && proc.env.NEURONA_BACKEND !== 'native') return null;
  try {
    const { createRequire } = gbm('node:module') as { createRequire(url: string): (id: string) => unknown };
    const { existsSync } = gbm('node:fs') as { existsSync(p: string): boolean };
    const url = new URL('../../../build/Release/neurona_native.node', import.meta.url);
    if (!existsSync(url.pathname)) {
      nativeLoadError = `the native addon is not built (${url.pathname}); run \`npm run build:native\``;
      return null;
    }
    return createRequire(import.meta.url)(url.pathname) as NativeAddon;
  } catch (e) {
    nativeLoadError = `the native addon failed to load: ${(e as Error).message.split('\n')[0]}`;
    return null;
  }
}

/** Per-call cost decides: below this many multiply-adds the TS loops' direct paths win. */
const MIN_NATIVE_MACS = 2048;
/** Below this many elements a sum or an optimizer update stays in the TS loop (a native call costs ~0.2-0.3 µs). */
const MIN_NATIVE_ELEMENTS = 1024;
/**
 * From this many elements an activation runs natively. Measured per call in a tight loop (TS loop /
 * native, µs): relu 64 0.16/0.19, 128 0.50/0.18, 256 1.72/0.18 (the TS loop branches on the sign);
 * sigmoid 16 0.27/0.17, 64 0.99/0.20, 256 5.6/0.29; tanh 16 0.34/0.18, 64 1.36/0.22, 256 6.6/0.39
 * (Math.exp and Math.tanh cost ~10-20 ns each). Yet W2 (16 and 10 values a step) ran 0.49 -> 0.54-0.63 s
 * with sigmoid and tanh native from 16 values, so tiny arrays stay in the TS loops. W5 at batch 1 ran its
 * two 256-wide ReLUs in the TS loop under the old single threshold of 1024 (18.4-20.6 -> 13.4 µs a sample).
 */
const MIN_NATIVE_ACTIVATION: Record<string, number> = { relu: 128, sigmoid: 64, tanh: 64, exp: 64 };
/** From this many elements an activation's gradient runs natively (its TS loop is plain arithmetic): 128 0.32-0.62/0.31-0.34 µs. */
const MIN_NATIVE_ACTIVATION_GRAD = 128;

/** An SGD step's coefficients in the order the addon takes them (sign, weightDecay, lr, bm, bg, cg, cb). */
const sgdArgs = (h: SgdCoefficients): [number, number, number, number, number, number, number] => [h.sign, h.weightDecay, h.lr, h.bm, h.bg, h.cg, h.cb];

/**
 * V8 keeps typed arrays of up to 64 bytes (16 floats) on its own heap (core/dtype.ts allocArray makes
 * them so: cheapest for JS), and handing one to the addon moves its contents off the heap first: ~1 µs a
 * call, more than a small kernel. Such operands go through these off-heap scratch arrays instead (a
 * 16-float copy costs ~0.03 µs): a batch-1 layer's output of 10 values, per-sample training's hidden row
 * of 16.
 */
const SMALL = 16;
const scratch = [new Float32Array(new ArrayBuffer(SMALL * 4)), new Float32Array(new ArrayBuffer(SMALL * 4)), new Float32Array(new ArrayBuffer(SMALL * 4))] as const;

/** `x`, or (when it may be on V8's heap) its values in scratch array `slot`. */
function offHeap(x: Float32Array, slot: 0 | 1 | 2): Float32Array {
  if (x.length > SMALL) return x;
  const s = scratch[slot];
  for (let i = 0; i < x.length; i++) s[i] = x[i]!;
  return s;
}

/** Copies an output that went through scratch array `slot` (see offHeap) back into `x`. */
function fromScratch(x: Float32Array, slot: 0 | 1 | 2): void {
  if (x.length > SMALL) return;
  const s = scratch[slot];
  for (let i = 0; i < x.length; i++) x[i] = s[i]!;
}

/** A network's slot of packed weights in the addon, what they were packed from, and the layer arguments of mlpForward for them. */
interface HeldPacking {
  slot: number;
  params: HeldMlpParameters | null;
  layers: (Float32Array | number | null)[];
}

/** Creates the native backend over a loaded addon. */
export function createNativeBackend(addon: NativeAddon): Backend {
  /** Per network (MlpForwardArgs.key): its slot of packed weights in the addon and what they were packed from. */
  const packedWeights = new WeakMap<object, HeldPacking>();
  const freePacked = new FinalizationRegistry<number>((slot) => addon.mlpPackedFree(slot));
  function matmul(p: MatmulArgs): void {
    const { a, b, c, m, n, k } = p;
    if (!(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) || m * n * k < MIN_NATIVE_MACS) {
      tsBackend.matmul(p);
      return;
    }
    const acc = p.accumulate === true;
    const cLen = m * n;
    const a1 = offHeap(a, 0);
    const b1 = offHeap(b, 1);
    const c1 = acc ? offHeap(c, 2) : c.length > SMALL ? c : scratch[2];
    for (let bi = 0; bi < p.aOffsets.length; bi++) {
      addon.sgemm(a1, p.aOffsets[bi]!, p.lda, p.transA, b1, p.bOffsets[bi]!, p.ldb, p.transB, c1, bi * cLen, m, n, k, acc);
    }
    fromScratch(c, 2);
  }
  return {
    ...tsBackend,
    name: 'native',
    matmul,
    mapNamed(op, x, out) {
      const code = UNARY_CODES[op];
      if (code === undefined || out.length < MIN_NATIVE_ACTIVATION[op]! || !(x instanceof Float32Array && out instanceof Float32Array)) return tsBackend.mapNamed!(op, x, out);
      addon.unary(code, x, out);
      return true;
    },
    mapGradNamed(op, x, y, g, out) {
      const code = UNARY_CODES[op];
      if (code === undefined || out.length < MIN_NATIVE_ACTIVATION_GRAD || !(x instanceof Float32Array && y instanceof Float32Array && g instanceof Float32Array && out instanceof Float32Array)) {
        return tsBackend.mapGradNamed!(op, x, y, g, out);
      }
      addon.unaryGrad(code, x, y, g, out);
      return true;
    },
    reduce(kind, x, outer, r, inner, out) {
      if (kind !== 'sum' || x.length < MIN_NATIVE_ELEMENTS || !(x instanceof Float32Array && out instanceof Float32Array)) {
        tsBackend.reduce(kind, x, outer, r, inner, out);
        return;
      }
      addon.reduceSum(x, outer, r, inner, out);
    },
    sumSquaresF32: (x) => addon.sumsq(x),
    maxPool2dF32: (x, out, arg, planes, g) => addon.maxPool2d(x, out, arg, planes, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.ho, g.wo),
    scatterFlatF32: (g, idx, dx) => addon.scatterAdd(g, idx, dx),
    mlpSgdEpochF32: (p: MlpEpochArgs) => {
      const [batches, lossSum, correct] = addon.mlpSgdEpoch(p.sizes, p.weights, p.biases, p.acts, p.x, p.y, p.labels, p.order, p.start, p.batches, p.batchSize, p.loss, p.accuracy,
        p.weightBuffers, p.biasBuffers, ...sgdArgs(p.sgd), ...sgdArgs(p.sgdFirst));
      return { batches, lossSum, correct };
    },
    mlpForwardF32: (p: MlpForwardArgs) => {
      const out = p.out.length > SMALL ? p.out : scratch[2].subarray(0, p.out.length);
      const x = p.x.length > SMALL ? p.x : offHeap(p.x, 0).subarray(0, p.x.length);
      // the network's packed weights, kept in a slot of the addon while its key lives (with the call's
      // layer arguments, the same while the parameters are)
      let held: HeldPacking | undefined;
      let fresh: HeldMlpParameters | null = null;
      if (p.key && p.versions) {
        held = packedWeights.get(p.key);
        if (!held) {
          held = { slot: addon.mlpPackedNew(), params: null, layers: [] };
          packedWeights.set(p.key, held);
          freePacked.register(p.key, held.slot);
        }
        if (held.params?.matches(p)) {
          // the slot alone where the rows read only the packed weights; else the layers again
          if (!addon.mlpForwardHeld(x, p.rows, out, held.slot)) addon.mlpForward(x, p.rows, out, p.sizes[0]!, held.slot, 0, ...held.layers);
          fromScratch(p.out, 2);
          return true;
        }
        held.params = null; // (until this call has packed them)
        fresh = HeldMlpParameters.of(p, HeldMlpParameters.arraysOf(p));
      }
      const layers: (Float32Array | number | null)[] = [];
      for (let l = 0; l < p.weights.length; l++) layers.push(p.weights[l]!, p.biases[l] ?? null, p.sizes[l + 1]!, p.acts[l]!);
      addon.mlpForward(x, p.rows, out, p.sizes[0]!, held ? held.slot : -1, 1, ...layers);
      if (held && fresh) {
        held.params = fresh;
        held.layers = layers;
      }
      fromScratch(p.out, 2);
      return true;
    },
    lstmGatesF32: (gates, c, out, act, b, h, add, ldc) => addon.lstmGates(gates, c, out, act, b, h, add ?? null, ldc ?? h),
    lstmGatesGradF32: (grad, c, act, dGates, dC, b, h, dhIn, dcIn, ldc) => addon.lstmGatesGrad(grad, c, act, dGates, dC, b, h, dhIn ?? null, dcIn ?? null, ldc ?? h),
    adamF32: (param, grad, m, v, vmax, h) => {
      if (param.length < MIN_NATIVE_ELEMENTS) return false;
      addon.adam(param, grad, m, v, vmax, h.sign, h.l2, h.decay, h.b1, h.b2, h.c1, h.c2, h.stepSize, h.invBc2Sqrt, h.eps);
      return true;
    },
    im2colF32: (x, xo, g, cols) => addon.im2col(x, xo, cols, 0, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.ho, g.wo),
    col2imF32: (cols, g, dx, dxo) => addon.col2im(cols, 0, dx, dxo, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.ho, g.wo),
    conv2dF32: (x, w, bias, out, n, groups, o, g, act) =>
      addon.conv2d(x, w, bias, out, n, groups, o, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.ho, g.wo, act ? UNARY_CODES[act]! : -1),
    conv2dGradF32: (x, w, gy, dx, dw, n, groups, o, g, act, y, db) => act
      ? addon.conv2dGrad(x, w, gy, dx, dw, n, groups, o, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.ho, g.wo, UNARY_CODES[act]!, y ?? null, db ?? null)
      : addon.conv2dGrad(x, w, gy, dx, dw, n, groups, o, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.ho, g.wo),
    sgdF32: (param, grad, buf, h) => {
      if (param.length < MIN_NATIVE_ELEMENTS) return false;
      addon.sgd(param, grad, buf, h.sign, h.weightDecay, h.lr, h.bm, h.bg, h.cg, h.cb);
      return true;
    },
  };
}
