// Where a search keeps its trials: the TrialStore interface, and the in-memory store (browsers, tests,
// and the default). neurona/node's tunerProject is the project directory on disk.
import type { HpDef } from './hyperparameters.ts';
import type { TrialOutcome } from './hypermodel.ts';
import type { TrialRecord } from './trial.ts';

/** What identifies a search: the tuner, its settings and the space (a resumed search must match). */
export interface ProjectMeta {
  tuner: string;
  settings: Record<string, unknown>;
  space: HpDef[];
}

/** What opening a store finds: the project's saved meta (null when new), finished trials, and problems met. */
export interface StoreContents {
  meta: ProjectMeta | null;
  trials: TrialRecord[];
  /** Unreadable files, each reported once (what, where, and what was done). */
  problems: string[];
}

/** Storage of a search's trials and checkpoints. */
export interface TrialStore {
  /** A name for the project (also names its jobs on a distributed queue). */
  readonly name: string;
  /** Opens the project: reads what an earlier run left (writes `meta` when new). */
  open(meta: ProjectMeta): Promise<StoreContents>;
  /** Records a finished trial (its checkpoint first, then its record, so a record implies its checkpoint). */
  saveTrial(outcome: TrialOutcome): Promise<void>;
  /** A trial's best-epoch checkpoint, or null if there is none. */
  loadCheckpoint(id: string): Promise<Uint8Array | null>;
}

/** Keeps trials and checkpoints in memory; a second search() on the same tuner continues where the first stopped. */
export class MemoryStore implements TrialStore {
  private meta: ProjectMeta | null = null;
  private readonly trials = new Map<string, TrialRecord>();
  private readonly checkpoints = new Map<string, Uint8Array>();
  constructor(readonly name = 'untitled_project') {}
  async open(meta: ProjectMeta): Promise<StoreContents> {
    const before = this.meta;
    this.meta ??= meta;
    return { meta: before, trials: [...this.trials.values()], problems: [] };
  }
  async saveTrial(o: TrialOutcome): Promise<void> {
    if (o.checkpoint) this.checkpoints.set(o.record.id, o.checkpoint);
    this.trials.set(o.record.id, o.record);
  }
  async loadCheckpoint(id: string): Promise<Uint8Array | null> {
    return this.checkpoints.get(id) ?? null;
  }
}
