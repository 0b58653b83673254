// The tuners (Keras Tuner's API): RandomSearch, GridSearch, Hyperband, BayesianOptimization. A tuner
// joins a hypermodel, an oracle (the decisions), a store (the project: trials and checkpoints) and an
// executor (where trials run); search() runs the oracle's plan, resultsSummary() / getBestHyperparameters()
// / getBestModels() read the results.
import { NeuronaError, ValueError } from '../core/index.ts';
import { Tensor, defaultGenerator } from '../tensor/index.ts';
import type { Callback, Inputs } from '../model/index.ts';
import { HyperParameters, describeDef } from './hyperparameters.ts';
import type { HpDef, HpValue } from './hyperparameters.ts';
import { isHypermodelRef, loadHypermodelModule, restoreCheckpoint, toHyperModel } from './hypermodel.ts';
import type { HyperModel, HypermodelLike, HypermodelRef, TrialData, TrialFitOptions, TunableModel } from './hypermodel.ts';
import { BayesianOracle, GridSearchOracle, HyperbandOracle, RandomSearchOracle } from './oracles.ts';
import type { BayesianOptions, Oracle, OracleContext } from './oracles.ts';
import { MemoryStore } from './store.ts';
import type { ProjectMeta, TrialStore } from './store.ts';
import { InProcessExecutor } from './executor.ts';
import type { TrialExecutor } from './executor.ts';
import { deriveSeed } from './seeds.ts';
import { formatValue, rankTrials, resolveObjective, trialsTable } from './trial.ts';
import type { Objective, ObjectiveLike, TrialRecord, TrialSpec } from './trial.ts';

/** Options every tuner takes. */
export interface TunerOptions {
  /** `(hp) => compiled model`, a HyperModel, or `{ module, export }` (required for worker threads and queues). */
  hypermodel: HypermodelLike;
  /** 'val_accuracy', 'val_loss' (default), any logged metric with its direction: `{ name, direction }`. */
  objective?: ObjectiveLike;
  /** Models trained per trial (scores averaged; default 1). */
  executionsPerTrial?: number;
  /** Seeds the trials' values and their models' initial weights (default 0). */
  seed?: number;
  /** A space declared beforehand: restricts ranges, and `hp.fixed` values override the hypermodel's. */
  hyperparameters?: HyperParameters;
  /** Whether hyperparameters the hypermodel declares beyond `hyperparameters` are tuned (default true) or kept at their defaults. */
  tuneNewEntries?: boolean;
  /** Where trials are kept (default: in memory; neurona/node's `tunerProject(dir, name)` for a project directory). */
  store?: TrialStore;
  /** Where trials run (default: in this thread; neurona/node's `workerThreads()` or `redisQueue()`). */
  executor?: TrialExecutor;
  /** 1 (default): a line per finished trial; 0: quiet. */
  verbose?: 0 | 1;
  /** Called after each finished trial (progress tables). */
  onTrialEnd?: (record: TrialRecord, tuner: Tuner) => void;
  /** Stop the search after this many failed trials in a row (default 3). */
  maxConsecutiveFailedTrials?: number;
}

/** search()'s options: fit settings for every trial (serializable ones reach workers), callbacks in-process. */
export interface SearchOptions extends TrialFitOptions {
  /** Epochs per trial (Hyperband sets its own). Default 1. */
  epochs?: number;
  validationData?: [Inputs, Inputs];
  /** Extra callbacks per trial (in-process searches only: functions cannot reach workers). */
  callbacks?: Callback[];
  /** Passed to the hypermodel module's `data(args)` when no tensors are given. */
  dataArgs?: unknown;
}

const isInputs = (v: unknown): v is Inputs => v instanceof Tensor || (Array.isArray(v) && v.length > 0 && v.every((t) => t instanceof Tensor));

/** A short stable hash of JSON text (names a search's jobs on a shared queue). */
function fingerprintOf(meta: ProjectMeta): string {
  return deriveSeed(JSON.stringify(meta)).toString(16).padStart(8, '0');
}

/** The base of every tuner: the search loop and the results. */
export abstract class Tuner {
  readonly objective: Objective;
  readonly seed: number;
  readonly executionsPerTrial: number;
  readonly store: TrialStore;
  /** Finished trials by id (after search, or after `reload()`). */
  readonly trials = new Map<string, TrialRecord>();
  /** Unreadable project files met when opening the project (each also printed as a warning). */
  readonly problems: string[] = [];
  /** The search space (after search or reload). */
  space: HpDef[] = [];
  private hm: HyperModel | null = null;
  private dataFn: ((args?: unknown) => TrialData | Promise<TrialData>) | null = null;
  private readonly ref: HypermodelRef | null;
  private oracleCache: Oracle | null = null;

  constructor(protected readonly o: TunerOptions) {
    this.objective = resolveObjective(o.objective);
    this.seed = o.seed ?? 0;
    this.executionsPerTrial = o.executionsPerTrial ?? 1;
    const kind = new.target.name;
    if (!Number.isInteger(this.seed)) throw new ValueError(`${kind}: an integer seed; got ${o.seed}`);
    if (!Number.isInteger(this.executionsPerTrial) || this.executionsPerTrial < 1) throw new ValueError(`${kind}: a positive integer executionsPerTrial; got ${o.executionsPerTrial}`);
    this.store = o.store ?? new MemoryStore();
    if (isHypermodelRef(o.hypermodel)) this.ref = o.hypermodel;
    else {
      this.ref = null;
      this.hm = toHyperModel(o.hypermodel);
    }
  }

  /** The tuner's name ('RandomSearch', ...). */
  abstract get kind(): string;
  /** The settings that define the plan (a resumed project must have the same). */
  protected abstract settings(epochs: number): Record<string, unknown>;
  protected abstract makeOracle(ctx: OracleContext): Oracle;

  /** The hypermodel (`tuner.hypermodel.build(best)`); a module hypermodel is loaded by search() or loadHypermodel(). */
  get hypermodel(): HyperModel {
    if (!this.hm) throw new ValueError(`${this.kind}.hypermodel: a loaded hypermodel; got a module not imported yet. Call await tuner.loadHypermodel() (search() does)`);
    return this.hm;
  }

  /** Imports the hypermodel module (when given as { module, export }). */
  async loadHypermodel(): Promise<HyperModel> {
    if (!this.hm && this.ref) {
      const m = await loadHypermodelModule(this.ref);
      this.hm = m.hypermodel;
      this.dataFn = m.data;
    }
    return this.hypermodel;
  }

  /** Builds the hypermodel with default values (and each untaken conditional branch) to find the space. */
  private discoverSpace(): HpDef[] {
    const pre = this.o.hyperparameters;
    const defs = new Map<string, HpDef>(pre ? pre.space : []);
    const preNames = new Set(defs.keys());
    const fixedValues: Record<string, HpValue> = {};
    for (const d of defs.values()) if (d.type === 'fixed') fixedValues[d.name] = d.value;
    const queue: Record<string, HpValue>[] = [{}];
    const visited = new Set<string>(['{}']);
    const state = defaultGenerator.getState();
    try {
      for (let builds = 0; queue.length && builds < 64; builds++) {
        const overrides = queue.shift()!;
        const hp = new HyperParameters({ space: defs.values(), values: { ...fixedValues, ...overrides } });
        try {
          this.hypermodel.build(hp);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          throw new ValueError(`${this.kind}: a hypermodel that builds with default values${Object.keys(overrides).length ? ` and ${JSON.stringify(overrides)}` : ''}; got ${e instanceof NeuronaError ? e.name + ': ' : ''}${msg}`);
        }
        for (const d of hp.space.values()) if (!defs.has(d.name)) defs.set(d.name, d);
        for (const s of hp.inactiveScopes) {
          const next = { ...overrides, [s.parent]: s.values[0]! };
          const key = JSON.stringify(next);
          if (!visited.has(key)) {
            visited.add(key);
            queue.push(next);
          }
        }
      }
    } finally {
      defaultGenerator.setState(state);
    }
    let space = [...defs.values()];
    if (this.o.tuneNewEntries === false) {
      space = space.map((d) => (preNames.has(d.name) || d.type === 'fixed' ? d : { type: 'fixed', name: d.name, value: d.default, default: d.default, conditions: d.conditions }));
    }
    return space;
  }

  /** The plan's oracle (after search). */
  get oracle(): Oracle {
    if (!this.oracleCache) throw new ValueError(`${this.kind}.oracle: a search started; got none yet`);
    return this.oracleCache;
  }

  /**
   * Runs the search: every trial of the plan not finished yet in the project (so an interrupted search
   * resumes where it stopped). `search(x, y, { epochs, validationData, batchSize, earlyStopping })`,
   * or `search({ ... })` when the hypermodel module loads the data (`export function data(args)`).
   */
  async search(x?: Inputs | SearchOptions | null, y?: Inputs | null, opts: SearchOptions = {}): Promise<this> {
    if (x !== undefined && x !== null && !isInputs(x)) {
      opts = x as SearchOptions;
      x = undefined;
    }
    const o = opts;
    const epochs = o.epochs ?? 1;
    if (!Number.isInteger(epochs) || epochs < 1) throw new ValueError(`${this.kind}.search: a positive integer number of epochs; got ${o.epochs}`);
    if ((x === undefined || x === null) !== (y === undefined || y === null)) throw new ValueError(`${this.kind}.search: both x and y, or neither (the module's data export); got only ${x ? 'x' : 'y'}`);
    await this.loadHypermodel();
    const data: TrialData | null = x ? { x: x as Inputs, y: y as Inputs, ...(o.validationData ? { validationData: o.validationData } : {}) } : null;
    if (!data && !this.dataFn) {
      throw new ValueError(`${this.kind}.search: training data: search(x, y, options), or a hypermodel module exporting data(); got neither`);
    }
    this.space = this.discoverSpace();
    const meta: ProjectMeta = {
      tuner: this.kind,
      settings: { ...this.settings(epochs), objective: this.objective, seed: this.seed, executionsPerTrial: this.executionsPerTrial },
      space: this.space,
    };
    const opened = await this.store.open(meta);
    if (opened.meta) this.checkSameProject(opened.meta, meta);
    for (const p of opened.problems) {
      console.warn(p);
      this.problems.push(p);
    }
    this.trials.clear();
    for (const t of opened.trials) this.trials.set(t.id, t);
    const oracle = this.makeOracle({ space: this.space, objective: this.objective, seed: this.seed, epochs });
    this.oracleCache = oracle;
    const executor = this.o.executor ?? new InProcessExecutor();
    const callbacks = o.callbacks ?? [];
    if (callbacks.length && !(executor instanceof InProcessExecutor)) {
      throw new ValueError(`${this.kind}.search: callbacks only in an in-process search (functions cannot reach ${executor.name}); got ${callbacks.length}. Use the earlyStopping option, or a HyperModel whose fit adds them`);
    }
    const fit: TrialFitOptions = {};
    for (const k of ['batchSize', 'validationSplit', 'shuffle', 'classWeight', 'earlyStopping', 'verbose'] as const) if (o[k] !== undefined) (fit as Record<string, unknown>)[k] = o[k];
    const dataFn = this.dataFn;
    const running = new Map<string, Promise<{ spec: TrialSpec; out: Awaited<ReturnType<TrialExecutor['run']>> }>>();
    let failedInRow = 0;
    const maxFailed = this.o.maxConsecutiveFailedTrials ?? 3;
    try {
      await executor.start({
        hypermodel: this.hypermodel,
        ref: this.ref,
        space: this.space,
        objective: this.objective,
        fit,
        executionsPerTrial: this.executionsPerTrial,
        callbacks,
        data,
        dataArgs: o.dataArgs,
        loadData: async () => data ?? (await dataFn!(o.dataArgs)),
        project: this.store.name,
        fingerprint: fingerprintOf(meta),
      });
      if (this.o.verbose ?? 1) {
        const done = [...this.trials.values()].length;
        console.log(`${this.kind}: ${oracle.planned} trials planned${done ? `, ${done} already finished in ${this.store.name}` : ''}; running ${executor.name} (${executor.concurrency === 1 ? 'one at a time' : `${executor.concurrency} at a time`})`);
        console.log(`search space: ${this.space.map(describeDef).join('; ')}`);
      }
      for (;;) {
        const ready = oracle.ready(this.trials).filter((s) => !running.has(s.id));
        while (running.size < executor.concurrency && ready.length) {
          let spec = ready.shift()!;
          let parent: Uint8Array | null = null;
          if (spec.parentId) {
            parent = await this.store.loadCheckpoint(spec.parentId);
            if (!parent) {
              const p = `${this.kind}: the checkpoint of trial ${spec.parentId} to continue trial ${spec.id} from; got none in ${this.store.name}. Trial ${spec.id} trains from scratch`;
              console.warn(p);
              this.problems.push(p);
              spec = { ...spec, initialEpoch: 0 };
            }
          }
          const s = spec;
          const p = executor.run(s, parent).then((out) => ({ spec: s, out }));
          p.catch(() => undefined); // a rejection surfaces through the race below; this keeps late ones handled
          running.set(s.id, p);
        }
        if (!running.size) {
          if (oracle.done(this.trials)) break;
          throw new ValueError(`${this.kind}.search: a trial ready to run or a finished plan; got neither (an oracle bug)`);
        }
        const { spec, out } = await Promise.race(running.values());
        running.delete(spec.id);
        const rec = out.record;
        if (rec.id !== spec.id) throw new ValueError(`${this.kind}.search: the result of trial ${spec.id}; got one for ${rec.id}`);
        if (this.trials.get(rec.id)?.status === 'completed') continue; // already recorded: completions are idempotent
        await this.store.saveTrial(out);
        this.trials.set(rec.id, rec);
        this.report(rec, oracle);
        if (rec.status === 'failed') {
          failedInRow++;
          if (failedInRow >= maxFailed) {
            throw new ValueError(`${this.kind}.search: trials that run; got ${failedInRow} failures in a row, the last (trial ${rec.id}): ${rec.error}`);
          }
        } else failedInRow = 0;
      }
    } finally {
      await executor.close(); // also ends trials still running after an error
    }
    return this;
  }

  private checkSameProject(saved: ProjectMeta, now: ProjectMeta): void {
    const diff: string[] = [];
    if (saved.tuner !== now.tuner) diff.push(`tuner ${saved.tuner} vs ${now.tuner}`);
    for (const k of new Set([...Object.keys(saved.settings), ...Object.keys(now.settings)])) {
      const a = JSON.stringify(saved.settings[k]);
      const b = JSON.stringify(now.settings[k]);
      if (a !== b) diff.push(`${k} ${a ?? 'unset'} vs ${b ?? 'unset'}`);
    }
    if (JSON.stringify(saved.space) !== JSON.stringify(now.space)) {
      diff.push(`space [${saved.space.map(describeDef).join('; ')}] vs [${now.space.map(describeDef).join('; ')}]`);
    }
    if (diff.length) {
      throw new ValueError(`${this.kind}.search: the settings the project ${this.store.name} was started with, to resume it; got different ${diff.join(', ')}. Pass overwrite: true to the project to start over, or use another project name`);
    }
  }

  private report(rec: TrialRecord, oracle: Oracle): void {
    this.o.onTrialEnd?.(rec, this);
    if (!(this.o.verbose ?? 1)) return;
    const best = this.getBestTrials(1)[0];
    const vals = Object.entries(rec.values).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
    const epochs = rec.initialEpoch ? `epochs ${rec.initialEpoch}->${rec.epochs}` : `epochs ${rec.epochs}`;
    const what = rec.status === 'failed' ? `FAILED: ${rec.error}` : `${this.objective.name} ${rec.score === null ? 'NaN' : rec.score.toFixed(4)}`;
    const bestText = best && best.score !== null ? ` (best ${best.score.toFixed(4)}, trial ${best.id})` : '';
    console.log(`trial ${rec.id} [${this.trials.size}/${oracle.planned}] ${rec.seconds.toFixed(1)}s ${epochs} ${vals}: ${what}${bestText}`);
  }

  /** The finished trials, best first (failed ones last). */
  getBestTrials(n = 1): TrialRecord[] {
    return rankTrials(this.trials.values(), this.objective).filter((t) => t.status === 'completed' && t.score !== null).slice(0, n);
  }

  /** The hyperparameters of the `n` best trials (`hp.get('units')`, `hp.values`). */
  getBestHyperparameters(n = 1): HyperParameters[] {
    return this.getBestTrials(n).map((t) => new HyperParameters({ space: this.allDefs(), values: t.values }));
  }

  /** The `n` best models: rebuilt from their hyperparameters with the weights of their best epoch. */
  async getBestModels(n = 1): Promise<TunableModel[]> {
    await this.loadHypermodel();
    const out: TunableModel[] = [];
    for (const t of this.getBestTrials(n)) {
      const state = defaultGenerator.getState();
      let model: TunableModel;
      try {
        model = this.hypermodel.build(new HyperParameters({ space: this.allDefs(), values: t.values }));
      } finally {
        defaultGenerator.setState(state);
      }
      const ck = await this.store.loadCheckpoint(t.id);
      if (!ck) throw new ValueError(`${this.kind}.getBestModels: the checkpoint of trial ${t.id}; got none in ${this.store.name}`);
      restoreCheckpoint(model, model.trainer?.optimizer ?? null, ck, `the checkpoint of trial ${t.id}`);
      out.push(model);
    }
    return out;
  }

  private allDefs(): HpDef[] {
    const defs = new Map(this.space.map((d) => [d.name, d]));
    for (const t of this.trials.values()) for (const d of t.newDefs ?? []) if (!defs.has(d.name)) defs.set(d.name, d);
    return [...defs.values()];
  }

  /**
   * The results table: the `n` best trials (default 10), their hyperparameters, objective, epochs and
   * time, and any unreadable trial files reported. Printed unless `print: false`; returned either way.
   */
  resultsSummary(n = 10, o: { print?: boolean } = {}): string {
    const ranked = rankTrials(this.trials.values(), this.objective);
    const names = this.allDefs().map((d) => d.name);
    const best = this.getBestTrials(1)[0];
    const failed = ranked.filter((t) => t.status === 'failed').length;
    const lines = [
      `Results summary (${this.kind}, project ${this.store.name})`,
      `objective: ${this.objective.name} (${this.objective.direction === 'max' ? 'higher' : 'lower'} is better); ${this.trials.size} trials finished${failed ? `, ${failed} failed` : ''}`,
      best ? `best: trial ${best.id}, ${this.objective.name} ${best.score!.toFixed(4)}` : 'best: none yet',
      '',
      trialsTable(ranked.slice(0, n), this.objective, names),
    ];
    if (ranked.length > n) lines.push(`(${ranked.length - n} more)`);
    if (this.problems.length) lines.push('', 'problems:', ...this.problems.map((p) => `  ${p}`));
    const s = lines.join('\n');
    if (o.print ?? true) console.log(s);
    return s;
  }
}

/** Options of RandomSearch. */
export interface RandomSearchOptions extends TunerOptions {
  /** Trials to run (default 10; fewer if the space has fewer distinct points). */
  maxTrials?: number;
}

/** Random search: each trial draws every hyperparameter at random (from the seed and its id), no two alike. */
export class RandomSearch extends Tuner {
  readonly maxTrials: number;
  constructor(o: RandomSearchOptions) {
    super(o);
    this.maxTrials = o.maxTrials ?? 10;
    if (!Number.isInteger(this.maxTrials) || this.maxTrials < 1) throw new ValueError(`RandomSearch: a positive integer maxTrials; got ${o.maxTrials}`);
  }
  get kind(): string {
    return 'RandomSearch';
  }
  protected settings(epochs: number): Record<string, unknown> {
    return { maxTrials: this.maxTrials, epochs };
  }
  protected makeOracle(ctx: OracleContext): Oracle {
    return new RandomSearchOracle(ctx, this.maxTrials);
  }
}

/** Options of GridSearch. */
export interface GridSearchOptions extends TunerOptions {
  /** Stop after this many grid points (default: the whole grid). */
  maxTrials?: number;
}

/**
 * Grid search: every combination of the values, first hyperparameter slowest; int ranges step through
 * their values, floats through their `step` (or 10 values spaced by their sampling when they have none).
 */
export class GridSearch extends Tuner {
  readonly maxTrials: number | undefined;
  constructor(o: GridSearchOptions) {
    super(o);
    this.maxTrials = o.maxTrials;
    if (this.maxTrials !== undefined && (!Number.isInteger(this.maxTrials) || this.maxTrials < 1)) throw new ValueError(`GridSearch: a positive integer maxTrials; got ${o.maxTrials}`);
  }
  get kind(): string {
    return 'GridSearch';
  }
  protected settings(epochs: number): Record<string, unknown> {
    return { maxTrials: this.maxTrials ?? null, epochs };
  }
  protected makeOracle(ctx: OracleContext): Oracle {
    return new GridSearchOracle(ctx, this.maxTrials);
  }
}

/** Options of Hyperband. */
export interface HyperbandOptions extends TunerOptions {
  /** Epochs of the longest-trained models (the last round of each bracket). */
  maxEpochs: number;
  /** Keep 1/factor of the models at each round (default 3). */
  factor?: number;
  /** Times the whole set of brackets is run (default 1). */
  hyperbandIterations?: number;
}

/**
 * Hyperband: successive halving in brackets (Keras Tuner's schedule); models that go on to the next
 * round continue from their best-epoch weights and optimizer state instead of starting over.
 * For maxEpochs 9, factor 3: brackets of 9+3+1, 5+2 and 3 trials (23), 75 epochs in all.
 */
export class Hyperband extends Tuner {
  readonly maxEpochs: number;
  readonly factor: number;
  readonly iterations: number;
  constructor(o: HyperbandOptions) {
    super(o);
    this.maxEpochs = o.maxEpochs;
    this.factor = o.factor ?? 3;
    this.iterations = o.hyperbandIterations ?? 1;
    new HyperbandOracle({ space: [], objective: this.objective, seed: 0, epochs: 1 }, this.maxEpochs, this.factor, this.iterations); // validates
  }
  get kind(): string {
    return 'Hyperband';
  }
  protected settings(): Record<string, unknown> {
    return { maxEpochs: this.maxEpochs, factor: this.factor, hyperbandIterations: this.iterations };
  }
  protected makeOracle(ctx: OracleContext): Oracle {
    return new HyperbandOracle(ctx, this.maxEpochs, this.factor, this.iterations);
  }
}

/** Options of BayesianOptimization. */
export interface BayesianOptimizationOptions extends TunerOptions, Partial<Omit<BayesianOptions, 'maxTrials'>> {
  /** Trials to run (default 10). */
  maxTrials?: number;
}

/**
 * Bayesian optimisation with a Gaussian-process surrogate and expected improvement (or UCB): random
 * trials first, then each batch where the surrogate expects the most improvement.
 */
export class BayesianOptimization extends Tuner {
  readonly options: BayesianOptions;
  constructor(o: BayesianOptimizationOptions) {
    super(o);
    const maxTrials = o.maxTrials ?? 10;
    if (!Number.isInteger(maxTrials) || maxTrials < 1) throw new ValueError(`BayesianOptimization: a positive integer maxTrials; got ${o.maxTrials}`);
    if (o.acquisition !== undefined && o.acquisition !== 'ei' && o.acquisition !== 'ucb') throw new ValueError(`BayesianOptimization: acquisition 'ei' or 'ucb'; got '${String(o.acquisition)}'`);
    this.options = { maxTrials };
    for (const k of ['numInitialPoints', 'acquisition', 'xi', 'beta', 'batchSize', 'candidates'] as const) if (o[k] !== undefined) (this.options as unknown as Record<string, unknown>)[k] = o[k];
  }
  get kind(): string {
    return 'BayesianOptimization';
  }
  protected settings(epochs: number): Record<string, unknown> {
    return { ...this.options, epochs };
  }
  protected makeOracle(ctx: OracleContext): Oracle {
    return new BayesianOracle(ctx, this.options);
  }
}
