// Trials in parallel on this machine: `workerThreads({ workers })` and `workerProcesses({ workers })`
// are TrialExecutors (default: one worker per core), the first over worker threads, the second over
// child processes started with V8's single-threaded GC: two trials side by side in one process run
// ~1.6x slower each, as V8's concurrent GC helpers of both compete for the same two cores (measured on
// the S3-6 search), so processes are the faster choice on a machine with few cores. Each worker
// imports the hypermodel module (a worker cannot receive a function) and gets the data once (the
// tensors given to search, copied as bytes, or loaded by the module's data export); trials run with
// the same seeds as a sequential search, so the results are identical.
//
// TypeScript: the worker's script and the hypermodel module may be .ts files; the worker then registers
// tsx (a neurona dependency) before importing them (Node 20 does not pass the parent's loader hooks
// to workers), so this works from src/*.ts under tsx and from the built dist/*.js alike.
import { Worker } from 'node:worker_threads';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { ValueError } from '../../core/index.ts';
import { getNumThreads, setNumThreads } from '../../backend/backend.ts';
import { packTrialData, refHref } from '../../tune/index.ts';
import type { ExecutorSetup, HpDef, Objective, TrialExecutor, TrialFitOptions, TrialOutcome, TrialRecord, TrialSpec } from '../../tune/index.ts';

/** The first message to a worker thread: everything but the trials. */
export interface ThreadInit {
  type: 'init';
  ref: { module: string; export?: string };
  space: HpDef[];
  objective: Objective;
  fit: TrialFitOptions;
  executionsPerTrial: number;
  /** packTrialData bytes, or null: the module's data(dataArgs) loads the data. */
  data: Uint8Array | null;
  dataArgs: unknown;
  worker: string;
}
/** Messages to a worker thread. */
export type ThreadRequest = ThreadInit | { type: 'run'; spec: TrialSpec; parent: Uint8Array | null };
/** Messages from a worker thread. */
export type ThreadReply = { type: 'ready' } | { type: 'error'; message: string } | { type: 'result'; record: TrialRecord; checkpoint: Uint8Array | null };

/** Options of workerThreads. */
export interface WorkerThreadsOptions {
  /** Worker threads (trials at once); default: the cores available. */
  workers?: number;
  /**
   * Threads of the native kernels while the workers run: process-wide for worker threads, each child's
   * for worker processes. Default: 1 when there are several workers (the trials are the parallelism,
   * and the native thread pool takes one caller at a time), unchanged for one worker.
   */
  nativeThreads?: number;
  /** A prefix for the `worker` field of the records (default 'thread', or 'process'). */
  label?: string;
}

/** The parent's end of one worker, a thread or a child process. */
interface Endpoint {
  post(msg: ThreadRequest, transfer: ArrayBuffer[]): void;
  onMessage(h: (m: ThreadReply) => void): void;
  onError(h: (e: Error) => void): void;
  onExit(h: (code: number | null) => void): void;
  terminate(): Promise<unknown>;
}

function threadEndpoint(w: Worker): Endpoint {
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer),
    onMessage: (h) => w.on('message', h),
    onError: (h) => w.on('error', h),
    onExit: (h) => w.on('exit', h),
    terminate: () => w.terminate(),
  };
}

function processEndpoint(c: ChildProcess): Endpoint {
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  return {
    post: (msg) => void c.send(msg),
    onMessage: (h) => c.on('message', h as (m: unknown) => void),
    onError: (h) => c.on('error', h),
    onExit: (h) => c.on('exit', (code) => h(code)),
    terminate: () => {
      if (c.exitCode === null && c.signalCode === null) c.kill();
      return exited;
    },
  };
}

const isTs = (href: string): boolean => /\.[cm]?ts$/.test(new URL(href).pathname);

/**
 * A module of tsx resolved from neurona ('tsx/esm', the loader for --import; 'tsx/esm/api', its register
 * API): workers need it when the worker script or the hypermodel is TypeScript. A hypermodel in
 * TypeScript must be an ES module (a package with "type": "module", or .mts).
 */
function tsxModule(specifier: 'tsx/esm' | 'tsx/esm/api', api: string): string {
  try {
    return import.meta.resolve(specifier);
  } catch {
    throw new ValueError(`${api}: the tsx package to run TypeScript in its workers; got none installed. Install tsx, or build the hypermodel module to .js`);
  }
}

/**
 * Starts a child process running `entry` over an IPC channel (advanced serialization), with tsx's
 * loader when TypeScript is involved, V8's single-threaded GC, and `nativeThreads` native kernel threads.
 */
function startProcessWorker(entry: URL, needTs: boolean, nativeThreads: number | undefined): ChildProcess {
  return fork(fileURLToPath(entry), [], {
    execArgv: [...(needTs ? ['--import', tsxModule('tsx/esm', 'workerProcesses')] : []), '--single-threaded-gc'],
    serialization: 'advanced',
    env: { ...process.env, ...(nativeThreads !== undefined ? { NEURONA_NUM_THREADS: String(nativeThreads) } : {}) },
  });
}

/** Starts a worker thread running `entry` (registering tsx first when TypeScript is involved). */
function startTsWorker(entry: URL, needTs: boolean): Worker {
  const register = needTs ? `(await import(${JSON.stringify(tsxModule('tsx/esm/api', 'workerThreads'))})).register();` : '';
  const code = `(async () => { ${register} await import(${JSON.stringify(entry.href)}); })().catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(code, { eval: true });
}

interface Slot {
  worker: Endpoint;
  busy: boolean;
  /** The pending request's settle functions. */
  settle: { resolve(v: ThreadReply): void; reject(e: Error): void } | null;
  dead: Error | null;
}

/** A pool of tuning workers, threads or child processes (a TrialExecutor). */
export class WorkerThreadsExecutor implements TrialExecutor {
  readonly name: string;
  readonly concurrency: number;
  /** The factory's name, for messages. */
  private readonly api: string;
  private slots: Slot[] = [];
  private waiting: ((s: Slot) => void)[] = [];
  private prevThreads: number | null = null;
  private closed = false;

  constructor(
    private readonly o: WorkerThreadsOptions = {},
    private readonly processes = false,
  ) {
    this.name = processes ? 'worker processes' : 'worker threads';
    this.api = processes ? 'workerProcesses' : 'workerThreads';
    this.concurrency = o.workers ?? availableParallelism();
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new ValueError(`${this.api}: a positive integer number of workers; got ${o.workers}`);
  }

  async start(setup: ExecutorSetup): Promise<void> {
    if (!setup.ref) {
      throw new ValueError(`${this.api}: a hypermodel given as { module, export } (worker ${this.processes ? 'processes' : 'threads'} cannot receive a function); got a function or object. Move the hypermodel to a module and pass { module: new URL('./hypermodel.ts', import.meta.url), export: 'build' }`);
    }
    await this.startFrom({
      type: 'init',
      ref: { module: refHref(setup.ref), ...(setup.ref.export !== undefined ? { export: setup.ref.export } : {}) },
      space: setup.space,
      objective: setup.objective,
      fit: setup.fit,
      executionsPerTrial: setup.executionsPerTrial,
      data: setup.data ? packTrialData(setup.data) : null,
      dataArgs: setup.dataArgs,
      worker: '',
    });
  }

  /** Starts the workers from a serializable init message (the distributed worker uses this directly). */
  async startFrom(init: ThreadInit): Promise<void> {
    this.closed = false;
    const native = this.o.nativeThreads ?? (this.concurrency > 1 ? 1 : undefined);
    if (!this.processes && native !== undefined && native !== getNumThreads()) {
      this.prevThreads = getNumThreads();
      setNumThreads(native);
    }
    const here = import.meta.url;
    const entry = new URL(`./thread-worker${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
    const procEntry = new URL(`./process-worker${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
    const needTs = isTs(entry.href) || isTs(init.ref.module);
    const label = this.o.label ?? (this.processes ? 'process' : 'thread');
    try {
      await Promise.all(
        Array.from({ length: this.concurrency }, async (_, i) => {
          const worker = this.processes ? processEndpoint(startProcessWorker(procEntry, needTs, native)) : threadEndpoint(startTsWorker(entry, needTs));
          const slot: Slot = { worker, busy: true, settle: null, dead: null };
          this.slots.push(slot);
          slot.worker.onMessage((m) => {
            const s = slot.settle;
            slot.settle = null;
            s?.resolve(m);
          });
          const fail = (e: Error): void => {
            slot.dead = e;
            const s = slot.settle;
            slot.settle = null;
            s?.reject(e);
          };
          slot.worker.onError(fail);
          slot.worker.onExit((code) => fail(new ValueError(`${this.api}: a worker that stays up; got worker ${i + 1} exiting with code ${code}`)));
          const reply = await this.request(slot, { ...init, worker: this.concurrency > 1 ? `${label} ${i + 1}` : label });
          if (reply.type !== 'ready') throw new ValueError(`${this.api}: a worker that loads the hypermodel and data; got ${reply.type === 'error' ? reply.message : reply.type}`);
          this.release(slot);
        }),
      );
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  private request(slot: Slot, msg: ThreadRequest, transfer: ArrayBuffer[] = []): Promise<ThreadReply> {
    if (slot.dead) return Promise.reject(slot.dead);
    return new Promise<ThreadReply>((resolve, reject) => {
      slot.settle = { resolve, reject };
      slot.worker.post(msg, transfer);
    });
  }

  private release(slot: Slot): void {
    slot.busy = false;
    const next = this.waiting.shift();
    if (next) {
      slot.busy = true;
      next(slot);
    }
  }

  private acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy && !s.dead);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    if (this.slots.every((s) => s.dead)) return Promise.reject(new ValueError(`${this.api}: a live worker; got all of them stopped`));
    return new Promise((r) => this.waiting.push(r));
  }

  async run(spec: TrialSpec, parentCheckpoint: Uint8Array | null): Promise<TrialOutcome> {
    if (this.closed) throw new ValueError(`${this.api}.run: a started executor; got a closed one`);
    const slot = await this.acquire();
    const parent = parentCheckpoint ? parentCheckpoint.slice() : null;
    try {
      const reply = await this.request(slot, { type: 'run', spec, parent }, parent ? [parent.buffer as ArrayBuffer] : []);
      if (reply.type !== 'result') throw new ValueError(`${this.api}: the result of trial ${spec.id}; got ${reply.type === 'error' ? reply.message : reply.type}`);
      return { record: reply.record, checkpoint: reply.checkpoint };
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) s.dead ??= new ValueError(`${this.api}: a running executor; got it closed`);
    await Promise.all(slots.map((s) => s.worker.terminate()));
    for (const s of slots) s.settle?.reject(s.dead!);
    this.waiting = [];
    if (this.prevThreads !== null) {
      setNumThreads(this.prevThreads);
      this.prevThreads = null;
    }
  }
}

/**
 * Runs trials in worker threads: pass it as a tuner's `executor` with a hypermodel given as
 * `{ module, export }`. Default: one worker per core.
 *
 * ```ts
 * new RandomSearch({ hypermodel: { module: new URL('./hypermodel.ts', import.meta.url), export: 'build' }, executor: workerThreads({ workers: 2 }) });
 * ```
 */
export function workerThreads(o: WorkerThreadsOptions = {}): WorkerThreadsExecutor {
  return new WorkerThreadsExecutor(o);
}


/**
 * Runs trials in child processes (V8's single-threaded GC, 1 native kernel thread each when there are
 * several): like workerThreads, and faster on a machine with few cores, where the concurrent GC threads of
 * two trials in one process compete with the trials themselves. Default: one worker per core.
 *
 * ```ts
 * new RandomSearch({ hypermodel: { module: new URL('./hypermodel.ts', import.meta.url), export: 'build' }, executor: workerProcesses({ workers: 2 }) });
 * ```
 */
export function workerProcesses(o: WorkerThreadsOptions = {}): WorkerThreadsExecutor {
  return new WorkerThreadsExecutor(o, true);
}
