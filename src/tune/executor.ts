// Where trials run: the TrialExecutor interface and the in-process executor (one trial at a time in
// this thread). neurona/node adds worker threads (workerThreads) and a BullMQ job queue (redisQueue).
import { ValueError } from '../core/index.ts';
import type { Callback } from '../model/index.ts';
import { runTrial } from './hypermodel.ts';
import type { HyperModel, HypermodelRef, TrialData, TrialFitOptions, TrialOutcome } from './hypermodel.ts';
import type { HpDef } from './hyperparameters.ts';
import type { Objective, TrialSpec } from './trial.ts';

/** What a search hands its executor before the first trial. */
export interface ExecutorSetup {
  /** The hypermodel, resolved in this thread. */
  hypermodel: HyperModel;
  /** The hypermodel's module, when given as one (required by executors outside this thread). */
  ref: HypermodelRef | null;
  space: HpDef[];
  objective: Objective;
  fit: TrialFitOptions;
  executionsPerTrial: number;
  /** Callbacks given to search (functions: in-process executors only). */
  callbacks: Callback[];
  /** Data given to search as tensors (null: the hypermodel module's data export loads it). */
  data: TrialData | null;
  /** Arguments for the module's data(args). */
  dataArgs: unknown;
  /** Loads the data in this thread (the tensors given, or the module's data export). */
  loadData(): Promise<TrialData>;
  /** The project's name and a fingerprint of its settings (names jobs on a shared queue). */
  project: string;
  fingerprint: string;
}

/** Runs trials: in this thread, worker threads, or worker processes on other machines. */
export interface TrialExecutor {
  /** For messages ('in-process', 'worker threads', 'redis queue'). */
  readonly name: string;
  /** Trials it runs at once; the search keeps this many in flight. */
  readonly concurrency: number;
  start(setup: ExecutorSetup): Promise<void>;
  /** Runs one trial; a failing hypermodel gives a failed record, not a rejection (rejections stop the search). */
  run(spec: TrialSpec, parentCheckpoint: Uint8Array | null): Promise<TrialOutcome>;
  close(): Promise<void>;
}

/** Runs trials one at a time in this thread (the default; works in browsers). */
export class InProcessExecutor implements TrialExecutor {
  readonly name = 'in-process';
  readonly concurrency = 1;
  private setup: ExecutorSetup | null = null;
  private data: TrialData | null = null;
  async start(setup: ExecutorSetup): Promise<void> {
    this.setup = setup;
    this.data = await setup.loadData();
  }
  async run(spec: TrialSpec, parentCheckpoint: Uint8Array | null): Promise<TrialOutcome> {
    const s = this.setup;
    if (!s || !this.data) throw new ValueError('InProcessExecutor.run: start() first; got a run before it');
    // Let pending I/O (progress output, timers) through between trials: fit itself is synchronous.
    await new Promise<void>((r) => setTimeout(() => r(), 0));
    return runTrial({ hypermodel: s.hypermodel, space: s.space, objective: s.objective, fit: s.fit, data: this.data, executionsPerTrial: s.executionsPerTrial, callbacks: s.callbacks, worker: 'main' }, spec, parentCheckpoint);
  }
  async close(): Promise<void> {
    this.setup = null;
    this.data = null;
  }
}
