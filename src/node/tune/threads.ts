// Trials in worker threads on this machine: `workerThreads({ workers })` is a TrialExecutor (default:
// one worker per core). Each worker imports the hypermodel module (a worker cannot receive a function)
// and gets the data once (the tensors given to search, copied as bytes, or loaded by the module's
// data export); trials run with the same seeds as a sequential search, so the results are identical.
//
// TypeScript: the worker's script and the hypermodel module may be .ts files; the worker then registers
// tsx (a neurona dependency) before importing them (Node 20 does not pass the parent's loader hooks
// to workers), so this works from src/*.ts under tsx and from the built dist/*.js alike.
import { Worker } from 'node:worker_threads';
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
   * Threads of the native kernels while the workers run (process-wide). Default: 1 when there are
   * several workers (the trials are the parallelism, and the native thread pool takes one caller at a
   * time), unchanged for one worker.
   */
  nativeThreads?: number;
  /** A prefix for the `worker` field of the records (default 'thread'). */
  label?: string;
}

const isTs = (href: string): boolean => /\.[cm]?ts$/.test(new URL(href).pathname);

/** tsx's ESM register API, resolved from neurona (null if tsx is not installed). A hypermodel in TypeScript must be an ES module (a package with "type": "module", or .mts). */
function tsxApi(): string[] | null {
  try {
    return [import.meta.resolve('tsx/esm/api')];
  } catch {
    return null;
  }
}

/** Starts a worker thread running `entry` (registering tsx first when TypeScript is involved). */
export function startTsWorker(entry: URL, needTs: boolean): Worker {
  const api = needTs ? tsxApi() : null;
  if (needTs && !api) throw new ValueError('workerThreads: the tsx package to run TypeScript in worker threads; got none installed. Install tsx, or build the hypermodel module to .js');
  const register = api ? api.map((a) => `(await import(${JSON.stringify(a)})).register();`).join(' ') : '';
  const code = `(async () => { ${register} await import(${JSON.stringify(entry.href)}); })().catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(code, { eval: true });
}

interface Slot {
  worker: Worker;
  busy: boolean;
  /** The pending request's settle functions. */
  settle: { resolve(v: ThreadReply): void; reject(e: Error): void } | null;
  dead: Error | null;
}

/** A pool of tuning worker threads (a TrialExecutor). */
export class WorkerThreadsExecutor implements TrialExecutor {
  readonly name = 'worker threads';
  readonly concurrency: number;
  private slots: Slot[] = [];
  private waiting: ((s: Slot) => void)[] = [];
  private prevThreads: number | null = null;
  private closed = false;

  constructor(private readonly o: WorkerThreadsOptions = {}) {
    this.concurrency = o.workers ?? availableParallelism();
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new ValueError(`workerThreads: a positive integer number of workers; got ${o.workers}`);
  }

  async start(setup: ExecutorSetup): Promise<void> {
    if (!setup.ref) {
      throw new ValueError('workerThreads: a hypermodel given as { module, export } (worker threads cannot receive a function); got a function or object. Move the hypermodel to a module and pass { module: new URL(\'./hypermodel.ts\', import.meta.url), export: \'build\' }');
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
    if (native !== undefined && native !== getNumThreads()) {
      this.prevThreads = getNumThreads();
      setNumThreads(native);
    }
    const here = import.meta.url;
    const entry = new URL(`./thread-worker${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
    const needTs = isTs(entry.href) || isTs(init.ref.module);
    const label = this.o.label ?? 'thread';
    try {
      await Promise.all(
        Array.from({ length: this.concurrency }, async (_, i) => {
          const slot: Slot = { worker: startTsWorker(entry, needTs), busy: true, settle: null, dead: null };
          this.slots.push(slot);
          slot.worker.on('message', (m: ThreadReply) => {
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
          slot.worker.on('error', (e) => fail(e as Error));
          slot.worker.on('exit', (code) => fail(new ValueError(`workerThreads: a worker thread that stays up; got worker ${i + 1} exiting with code ${code}`)));
          const reply = await this.request(slot, { ...init, worker: this.concurrency > 1 ? `${label} ${i + 1}` : label });
          if (reply.type !== 'ready') throw new ValueError(`workerThreads: a worker thread that loads the hypermodel and data; got ${reply.type === 'error' ? reply.message : reply.type}`);
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
      slot.worker.postMessage(msg, transfer);
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
    if (this.slots.every((s) => s.dead)) return Promise.reject(new ValueError('workerThreads: a live worker thread; got all of them stopped'));
    return new Promise((r) => this.waiting.push(r));
  }

  async run(spec: TrialSpec, parentCheckpoint: Uint8Array | null): Promise<TrialOutcome> {
    if (this.closed) throw new ValueError('workerThreads.run: a started executor; got a closed one');
    const slot = await this.acquire();
    const parent = parentCheckpoint ? parentCheckpoint.slice() : null;
    try {
      const reply = await this.request(slot, { type: 'run', spec, parent }, parent ? [parent.buffer as ArrayBuffer] : []);
      if (reply.type !== 'result') throw new ValueError(`workerThreads: the result of trial ${spec.id}; got ${reply.type === 'error' ? reply.message : reply.type}`);
      return { record: reply.record, checkpoint: reply.checkpoint };
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) s.dead ??= new ValueError('workerThreads: a running executor; got it closed');
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

