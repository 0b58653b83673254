// Worker threads for the WASM matmul: the SIMD kernel built against a shared WebAssembly.Memory
// (wasm/kernels.ts, threads build), instantiated once per worker (Node worker_threads or browser Web
// Workers) over the same memory. A call writes its parameters into a control block in that memory,
// bumps a generation counter and wakes the workers (Atomics.notify); every thread, the caller
// included, computes its own slice of C's columns with its own scratch, and the caller spins until the
// workers report done. Workers spin briefly before sleeping (Atomics.wait), since waking a sleeping
// thread costs 15-50 µs. Needs SharedArrayBuffer (Node; cross-origin-isolated pages): where it is
// missing, or until the workers have started (asynchronously), the single-threaded module runs.
import { BackendError } from '../../core/index.ts';

/** The kernel's exports in the threaded module (the memory is imported). */
export interface ThreadedExports {
  sgemm(m: number, n: number, k: number, a: number, lda: number, transA: number, b: number, ldb: number, transB: number, c: number, ldc: number, acc: number, scratch: number): void;
  scratchBytes(m: number, n: number, k: number): number;
}

/** The WebAssembly API this backend uses (typed here: the core is checked without DOM types). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBuffer; grow(pages: number): number };
}

interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): unknown;
  unref?(): void;
  on?(ev: string, f: (m: unknown) => void): void;
  addEventListener?(ev: string, f: (e: { data?: unknown; message?: string }) => void): void;
}

// Control block (int32 slots) at the start of the shared arena.
const GEN = 0;
const DONE = 1;
const P = 2; // m, n, k, a, lda, transA, b, ldb, transB, c, ldc, acc, threads, scratch, scratchStride
const READY = 20; // workers up: counted in shared memory, so a caller busy in a synchronous loop sees them
const CTRL_INTS = 32;
const NR = 8;

// The worker's whole program: receives {module, memory, ctrl, id}, then serves jobs forever.
const WORKER_SOURCE = `
const wt = typeof process === 'object' && typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:worker_threads') : null;
const post = (m) => (wt ? wt.parentPort.postMessage(m) : postMessage(m));
const onMessage = (f) => (wt ? wt.parentPort.once('message', f) : (onmessage = (e) => f(e.data)));
onMessage(({ module, memory, ctrl, id }) => {
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const i32 = new Int32Array(memory.buffer, ctrl, ${CTRL_INTS});
  let gen = Atomics.load(i32, ${GEN});
  Atomics.add(i32, ${READY}, 1);
  post('ready');
  for (;;) {
    let spins = 0;
    while (Atomics.load(i32, ${GEN}) === gen) {
      if (++spins > 20000) Atomics.wait(i32, ${GEN}, gen);
    }
    gen = Atomics.load(i32, ${GEN});
    const p = (i) => Atomics.load(i32, ${P} + i);
    const m = p(0), n = p(1), k = p(2), threads = p(12);
    if (id < threads) {
      const panels = Math.ceil(n / ${NR});
      const j0 = Math.floor((panels * id) / threads) * ${NR}, j1 = Math.min(n, Math.floor((panels * (id + 1)) / threads) * ${NR});
      if (j1 > j0) {
        const transB = p(8), ldb = p(7);
        const b = p(6) + 4 * (transB ? j0 * ldb : j0);
        ex.sgemm(m, j1 - j0, k, p(3), p(4), p(5), b, ldb, transB, p(9) + 4 * j0, p(10), p(11), p(13) + id * p(14));
      }
    }
    Atomics.add(i32, ${DONE}, 1);
  }
});
`;

/** A pool of workers sharing one memory with the calling thread's instance of the threaded kernel. */
export class WasmThreadPool {
  readonly memory: { buffer: ArrayBuffer; grow(pages: number): number };
  readonly ex: ThreadedExports;
  private readonly workers: WorkerLike[] = [];
  private readyCount = 0;
  private failed = false;
  private ctrl: Int32Array;
  private settle: (ok: boolean) => void = () => {};
  /** Resolves true once every worker has started, false if one failed. */
  readonly started: Promise<boolean> = new Promise((r) => (this.settle = r));

  /** `threads` counts the caller; `arena` is the byte offset where the control block and operands go. */
  constructor(private readonly wa: WasmApi, module: object, readonly threads: number, readonly arena: number, makeWorker: (source: string) => WorkerLike) {
    this.memory = new wa.Memory({ initial: Math.ceil((arena + CTRL_INTS * 4) / 65536) + 1, maximum: 16384, shared: true });
    this.ex = new wa.Instance(module, { env: { memory: this.memory } }).exports as ThreadedExports;
    this.ctrl = new Int32Array(this.memory.buffer, arena, CTRL_INTS);
    for (let id = 1; id < threads; id++) {
      const w = makeWorker(WORKER_SOURCE);
      const onReady = (m: unknown): void => {
        if (m !== 'ready') return;
        // Node: once up, the workers must not keep the process alive (they serve jobs forever).
        w.unref?.();
        if (++this.readyCount === threads - 1) this.settle(true);
      };
      const onError = (): void => {
        this.failed = true;
        this.settle(false);
      };
      if (w.on) {
        w.on('message', onReady);
        w.on('error', onError);
        w.on('exit', onError);
      } else if (w.addEventListener) {
        w.addEventListener('message', (e) => onReady(e.data));
        w.addEventListener('error', onError);
      }
      w.postMessage({ module, memory: this.memory, ctrl: arena, id });
      this.workers.push(w);
    }
  }

  /**
   * All workers started and none failed. Read from the shared counter: a training loop that never
   * yields to the event loop (where the workers' 'ready' messages arrive) still gets its threads.
   */
  get ready(): boolean {
    return !this.failed && (this.readyCount === this.threads - 1 || Atomics.load(this.control(), READY) === this.threads - 1);
  }

  /** The control block's view (made again after the memory grew). */
  private control(): Int32Array {
    return this.ctrl.buffer === this.memory.buffer ? this.ctrl : (this.ctrl = new Int32Array(this.memory.buffer, this.arena, CTRL_INTS));
  }

  /** Where operands may start (after the control block). */
  get operandBase(): number {
    return this.arena + CTRL_INTS * 4;
  }

  /**
   * C = op(A)·op(B) over pointers into the shared memory, split by columns over all threads;
   * `scratch` is the start of `threads` scratch regions of `scratchStride` bytes.
   */
  sgemm(m: number, n: number, k: number, a: number, lda: number, transA: boolean, b: number, ldb: number, transB: boolean, c: number, ldc: number, acc: boolean, scratch: number, scratchStride: number): void {
    const ctrl = this.control();
    const t = Math.min(this.threads, Math.ceil(n / NR));
    const params = [m, n, k, a, lda, transA ? 1 : 0, b, ldb, transB ? 1 : 0, c, ldc, acc ? 1 : 0, t, scratch, scratchStride];
    for (let i = 0; i < params.length; i++) Atomics.store(ctrl, P + i, params[i]!);
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    // the caller's share: thread 0's columns
    const panels = Math.ceil(n / NR);
    const j1 = Math.min(n, Math.floor(panels / t) * NR);
    if (j1 > 0) this.ex.sgemm(m, j1, k, a, lda, transA ? 1 : 0, b, ldb, transB ? 1 : 0, c, ldc, acc ? 1 : 0, scratch);
    const workers = this.threads - 1;
    const deadline = performance.now() + 30_000;
    let spins = 0;
    while (Atomics.load(ctrl, DONE) < workers) {
      if ((++spins & 0xffff) === 0 && (this.failed || performance.now() > deadline)) {
        this.failed = true;
        throw new BackendError('wasm matmul: worker threads that answer; got none within 30 s (a worker died). The pool is disabled; later calls run on one thread');
      }
    }
  }

  /** Stops the workers. */
  close(): void {
    this.failed = true;
    this.settle(false);
    for (const w of this.workers) w.terminate();
  }
}

/** How to start a worker from source here: Node's worker_threads, or a browser Web Worker from a Blob; null if neither. */
export function workerFactory(): ((source: string) => WorkerLike) | null {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
    Worker?: new (url: string) => WorkerLike;
    Blob?: new (parts: string[], o: { type: string }) => unknown;
    URL?: { createObjectURL(b: unknown): string };
  };
  const gbm = g.process?.getBuiltinModule;
  if (typeof gbm === 'function') {
    const wt = gbm('node:worker_threads') as { Worker: new (src: string, o: { eval: boolean }) => WorkerLike };
    return (src) => new wt.Worker(src, { eval: true });
  }
  if (g.Worker && g.Blob && g.URL?.createObjectURL) {
    const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    return () => new g.Worker!(url);
  }
  return null;
}

/** The cores this host reports (Node: os.availableParallelism; browsers: navigator.hardwareConcurrency). */
export function hostCores(): number {
  const g = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown }; navigator?: { hardwareConcurrency?: number } };
  const gbm = g.process?.getBuiltinModule;
  if (typeof gbm === 'function') {
    const os = gbm('node:os') as { availableParallelism?: () => number; cpus: () => unknown[] };
    return os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  }
  return g.navigator?.hardwareConcurrency ?? 1;
}

/** Whether shared WebAssembly memory can exist here (SharedArrayBuffer and Atomics). */
export function sharedMemoryAvailable(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; Atomics?: unknown; crossOriginIsolated?: boolean };
  return typeof g.SharedArrayBuffer === 'function' && typeof g.Atomics === 'object' && g.crossOriginIsolated !== false;
}
