// Worker threads for the WASM matmul: the SIMD kernels built against a shared WebAssembly.Memory
// (wasm/kernels.ts, threads build), instantiated once per worker (Node worker_threads or browser Web
// Workers) over the same memory. For a product, the caller writes the job into a control block and
// wakes the workers (Atomics.notify); then every thread, the caller included, claims tasks from one
// counter (a compare-and-swap that also checks the job's generation): first the parts of op(A) to pack
// into the shared memory (packPart), then chunks of C's columns, each computed with the thread's own
// scratch (sgemmPackedA: each packs only its columns of B) once every part of A is packed. A worker
// that wakes late, or is descheduled on this shared machine, simply gets fewer tasks: the caller never
// waits for more than the tasks already claimed. Workers spin briefly before sleeping (Atomics.wait),
// since waking a sleeping thread costs 15-50 µs. Needs SharedArrayBuffer (Node; cross-origin-isolated
// pages): where it is missing, or until the workers have started (asynchronously), the single-threaded
// module runs.
import { BackendError } from '../../core/index.ts';

/** The kernels' exports in the threaded module (the memory is imported). */
export interface ThreadedExports {
  packPart(a: number, lda: number, transA: number, m: number, k: number, part: number, parts: number, dst: number): void;
  packedABytes(m: number, k: number): number;
  sgemmPackedA(m: number, n: number, k: number, pa: number, b: number, ldb: number, transB: number, c: number, ldc: number, acc: number, scratch: number): void;
  scratchPackedBytes(n: number, k: number): number;
  im2colRows(...args: number[]): void;
  col2imRows(...args: number[]): void;
  unary(code: number, x: number, out: number, n: number): void;
  unaryGrad(code: number, y: number, g: number, out: number, n: number): void;
  sumRows(x: number, rows: number, len: number, out: number): void;
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
const GEN = 0; // the job's generation (21 bits): workers wait on it
const DONE = 1; // chunks finished
const NEXT = 2; // (generation << 10) | next task (parts of A, then chunks of C); 1023 = closed (no job to claim from)
const P = 3; // m, n, k, pa, b, ldb, transB, c, ldc, acc, chunkCols, chunks, scratch, scratchStride, a, lda, transA, parts
const READY = 24; // workers up: counted in shared memory, so a caller busy in a synchronous loop sees them
const PACKED = 25; // parts of op(A) packed
const B_READY = 26; // 1 once the caller has written B (chunks start after it)
const CTRL_INTS = 32;
const NR = 8;
const CLOSED = 1023;
const MAX_TASKS = 511; // parts of A, and chunks of C, per job: together below CLOSED
const GEN_MASK = 0x1fffff;

// Claims and runs the tasks of job generation g until none is left or another job began: parts of op(A)
// to pack (indices below `parts`), then chunks of C's columns, each started only once every part is
// packed and B is in place (a part another thread claimed is being packed, and the caller writes B
// while the workers pack: the wait is short; it gives up at `deadline`, and then the caller's wait for
// the chunks reports the dead worker). `i32` is the control block, `ex` the thread's instance, `id` its
// scratch slot. Shared verbatim by the workers (as source) and the caller: a claim succeeds only while
// the job is open, so its parameters, read after the claim, are the job's (the caller rewrites them only
// once every chunk is done and the job closed). (Its source is embedded in the workers' script: it must
// not contain nested functions, which tsx's keepNames would wrap in a helper the worker does not have.)
function claimChunks(i32: Int32Array, ex: ThreadedExports, g: number, id: number, deadline: number): void {
  for (;;) {
    const v = Atomics.load(i32, NEXT);
    const idx = v & 1023; // (CLOSED is 1023: the constants are not in the workers' scope)
    const parts = Atomics.load(i32, P + 17);
    if (v >>> 10 !== g || idx >= parts + Atomics.load(i32, P + 11)) return;
    if (Atomics.compareExchange(i32, NEXT, v, v + 1) !== v) continue;
    const m = Atomics.load(i32, P), k = Atomics.load(i32, P + 2), pa = Atomics.load(i32, P + 3);
    if (idx < parts) {
      ex.packPart(Atomics.load(i32, P + 14), Atomics.load(i32, P + 15), Atomics.load(i32, P + 16), m, k, idx, parts, pa);
      Atomics.add(i32, PACKED, 1);
      continue;
    }
    let spins = 0;
    while (Atomics.load(i32, PACKED) < parts || Atomics.load(i32, B_READY) === 0) if ((++spins & 0xffff) === 0 && performance.now() > deadline) return;
    const n = Atomics.load(i32, P + 1), transB = Atomics.load(i32, P + 6), ldb = Atomics.load(i32, P + 5), cols = Atomics.load(i32, P + 10);
    const j0 = (idx - parts) * cols, j1 = Math.min(n, j0 + cols);
    const b = Atomics.load(i32, P + 4) + 4 * (transB ? j0 * ldb : j0);
    const scratch = Atomics.load(i32, P + 12) + id * Atomics.load(i32, P + 13);
    ex.sgemmPackedA(m, j1 - j0, k, pa, b, ldb, transB, Atomics.load(i32, P + 7) + 4 * j0, Atomics.load(i32, P + 8), Atomics.load(i32, P + 9), scratch);
    Atomics.add(i32, DONE, 1);
  }
}

// The worker's whole program: receives {module, memory, ctrl, id}, then serves jobs forever.
const WORKER_SOURCE = `
const NEXT = ${NEXT}, P = ${P}, DONE = ${DONE}, PACKED = ${PACKED}, B_READY = ${B_READY};
${claimChunks.toString()}
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
    claimChunks(i32, ex, gen, id, performance.now() + 30000);
  }
});
`;

/**
 * The tasks of a product on `threads` threads: C's columns in chunks of `cols` (whole panels of 8, about
 * four chunks a thread), and op(A) (m x k) packed in `parts` of at least 64K values (one, the caller's,
 * for the small products); at most MAX_TASKS of each, so that every task's index stays below CLOSED.
 */
export function jobTasks(threads: number, m: number, n: number, k: number): { cols: number; chunks: number; parts: number } {
  const cols = NR * Math.max(1, Math.ceil(Math.ceil(n / NR) / Math.min(threads * 4, MAX_TASKS)));
  const parts = Math.max(1, Math.min(threads * 4, MAX_TASKS, Math.floor((m * k) / 65536)));
  return { cols, chunks: Math.ceil(n / cols), parts };
}

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
    Atomics.store(this.ctrl, NEXT, CLOSED);
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

  /** A worker failed or the pool was closed: it will not run products again. */
  get dead(): boolean {
    return this.failed;
  }

  /** Where operands may start (after the control block). */
  get operandBase(): number {
    return this.arena + CTRL_INTS * 4;
  }

  /**
   * C (+)= op(A)·op(B) over pointers into the shared memory: op(A) packed into `pa` (packedABytes) in
   * parts by the threads, C's columns in chunks claimed by every thread; `scratch` is the start of
   * `threads` scratch regions of `scratchStride` bytes (scratchPackedBytes of `chunkColumns(n)` columns).
   * `writeB`, if given, puts B at `b` while the workers start packing A (copying B in overlaps that).
   */
  sgemm(m: number, n: number, k: number, a: number, lda: number, transA: boolean, b: number, ldb: number, transB: boolean, c: number, ldc: number, acc: boolean, pa: number, scratch: number, scratchStride: number, writeB?: () => void): void {
    const ctrl = this.control();
    const { cols, chunks, parts } = jobTasks(this.threads, m, n, k);
    const params = [m, n, k, pa, b, ldb, transB ? 1 : 0, c, ldc, acc ? 1 : 0, cols, chunks, scratch, scratchStride, a, lda, transA ? 1 : 0, parts];
    for (let i = 0; i < params.length; i++) Atomics.store(ctrl, P + i, params[i]!);
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, PACKED, 0);
    Atomics.store(ctrl, B_READY, writeB ? 0 : 1);
    const g = (Atomics.load(ctrl, GEN) + 1) & GEN_MASK;
    Atomics.store(ctrl, NEXT, g << 10); // open: task 0 of job g
    Atomics.store(ctrl, GEN, g);
    Atomics.notify(ctrl, GEN);
    const deadline = performance.now() + 30_000;
    let failure: unknown = null;
    if (writeB) {
      try {
        writeB();
      } catch (e) {
        failure = e; // (the job still runs to its end, on whatever B holds, before the error is passed on)
      }
      Atomics.store(ctrl, B_READY, 1);
    }
    claimChunks(ctrl, this.ex, g, 0, deadline);
    // Chunks still running on workers: spin (they were claimed, so they are being computed).
    let spins = 0;
    while (Atomics.load(ctrl, DONE) < chunks) {
      if ((++spins & 0xffff) === 0 && (this.failed || performance.now() > deadline)) {
        this.failed = true;
        throw new BackendError('wasm matmul: worker threads that answer; got none within 30 s (a worker died). The pool is disabled; later calls run on one thread');
      }
    }
    Atomics.store(ctrl, NEXT, (g << 10) | CLOSED);
    if (failure !== null) throw failure;
  }

  /** Columns per chunk of C (see jobTasks). */
  chunkColumns(n: number): number {
    return jobTasks(this.threads, 0, n, 0).cols;
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
