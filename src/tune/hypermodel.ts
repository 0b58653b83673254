// Hypermodels (a function `(hp) => compiled model`, or a HyperModel with build and fit overrides, or
// a module path + export name for workers), checkpoints (best-epoch weights and optimizer state as
// safetensors bytes), and runTrial: the one function that runs a trial, in the main thread, a worker
// thread or a worker process alike.
import { ValueError } from '../core/index.ts';
import { Tensor, defaultGenerator, manualSeed } from '../tensor/index.ts';
import type { Module } from '../nn/index.ts';
import type { Optimizer, OptimizerStateDict, ParamGroupState } from '../optim/index.ts';
import { Callback, EarlyStopping, History, TerminateOnNaN } from '../model/index.ts';
import type { EarlyStoppingOptions, FitOptions, Inputs, Logs, Trainer } from '../model/index.ts';
import { decodeSafetensors, encodeSafetensors } from '../io/index.ts';
import { HyperParameters, valueFromProb } from './hyperparameters.ts';
import type { HpDef } from './hyperparameters.ts';
import { deriveSeed, generatorFor } from './seeds.ts';
import type { ExecutionRecord, Objective, TrialRecord, TrialSpec } from './trial.ts';

/** A model a hypermodel builds: any module; the default fit calls its `fit` (a compiled Keras-style model). */
export type TunableModel = Module & { fit?: (x: Inputs, y?: Inputs, o?: FitOptions) => History; trainer?: Trainer | null };

/** What a hypermodel's fit may return: the History, the final logs, or the objective's value itself. */
export type FitResult = History | Logs | number | void;

/**
 * A hypermodel with overridable steps (Keras Tuner's HyperModel): `build(hp)` returns a compiled model;
 * `fit` trains it (default: `model.fit(x, y, options)`) and may tune fit settings such as the batch size.
 *
 * ```ts
 * class MyHyperModel extends HyperModel {
 *   build(hp) { ... return model; }
 *   fit(hp, model, x, y, o) { return model.fit(x, y, { ...o, batchSize: hp.choice('batch', [16, 32]) }); }
 * }
 * ```
 */
export class HyperModel {
  /** Builds and compiles a model from the trial's hyperparameters. */
  build(_hp: HyperParameters): TunableModel {
    throw new ValueError('HyperModel.build: an override in a subclass; got the base class. Extend HyperModel and define build(hp)');
  }
  /** Trains a built model; `o` carries the epochs, validation data and callbacks of the trial. */
  fit(_hp: HyperParameters, model: TunableModel, x: Inputs, y: Inputs, o: FitOptions): FitResult {
    if (typeof model.fit !== 'function') {
      throw new ValueError(`HyperModel.fit: a compiled Keras-style model from build (with a fit method); got ${model.constructor.name}. Return sequential(...) compiled, or override fit`);
    }
    return model.fit(x, y, o);
  }
}

/** A hypermodel given as a function. */
class FunctionHyperModel extends HyperModel {
  constructor(private readonly fn: (hp: HyperParameters) => TunableModel) {
    super();
  }
  override build(hp: HyperParameters): TunableModel {
    return this.fn(hp);
  }
}

/**
 * A hypermodel in a module, for worker threads and processes (which cannot receive functions): the
 * module's export `export` (default 'default') is a build function, a HyperModel instance or a HyperModel
 * class; its optional export `data` returns the training data (`data(dataArgs)`), so workers load it themselves.
 */
export interface HypermodelRef {
  module: string | URL;
  export?: string;
}

/** A build function, a HyperModel (or anything with build/fit), or a module reference. */
export type HypermodelLike = ((hp: HyperParameters) => TunableModel) | HyperModel | { build(hp: HyperParameters): TunableModel } | HypermodelRef;

/** Training data of a search: inputs, targets, and optionally validation data. */
export interface TrialData {
  x: Inputs;
  y: Inputs;
  validationData?: [Inputs, Inputs];
}

/** Whether a hypermodel is given as a module reference. */
export function isHypermodelRef(h: unknown): h is HypermodelRef {
  return typeof h === 'object' && h !== null && 'module' in h && !('build' in h);
}

/** A HyperModel from a function, an instance or a class (anything else throws). */
export function toHyperModel(h: unknown, what = 'the hypermodel'): HyperModel {
  if (h instanceof HyperModel) return h;
  if (typeof h === 'function') {
    const proto = (h as { prototype?: { build?: unknown } }).prototype;
    if (proto && typeof proto.build === 'function') return toHyperModel(new (h as new () => unknown)(), what);
    return new FunctionHyperModel(h as (hp: HyperParameters) => TunableModel);
  }
  if (typeof h === 'object' && h !== null && typeof (h as { build?: unknown }).build === 'function') {
    const o = h as { build(hp: HyperParameters): TunableModel; fit?: HyperModel['fit'] };
    const base = new HyperModel();
    return Object.assign(Object.create(HyperModel.prototype) as HyperModel, {
      build: (hp: HyperParameters) => o.build(hp),
      fit: o.fit ? o.fit.bind(o) : base.fit.bind(base),
    });
  }
  throw new ValueError(`tune: ${what} as a build function (hp) => model, a HyperModel, or { module, export }; got ${h === null ? 'null' : typeof h}`);
}

/** The module's href (URLs and absolute paths to file URLs). */
export function refHref(ref: HypermodelRef): string {
  const m = ref.module;
  if (m instanceof URL) return m.href;
  if (typeof m !== 'string' || !m) throw new ValueError(`tune: a module URL or path in { module, export }; got ${JSON.stringify(m)}`);
  return m.startsWith('/') ? `file://${m}` : m;
}

/** Imports a hypermodel module: the hypermodel and its optional data loader. */
export async function loadHypermodelModule(ref: HypermodelRef): Promise<{ hypermodel: HyperModel; data: ((args?: unknown) => TrialData | Promise<TrialData>) | null }> {
  const href = refHref(ref);
  const name = ref.export ?? 'default';
  // A module that runs the search in its top-level await cannot be imported until the search ends: say so.
  const slow = setTimeout(() => {
    console.warn(`tune: still importing the hypermodel module ${href} after 10 s. If that module runs the search with a top-level await, the import waits for itself: call the search without awaiting it at the top level, or move the hypermodel into its own module`);
  }, 10_000);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(href)) as Record<string, unknown>;
  } finally {
    clearTimeout(slow);
  }
  if (!(name in mod)) throw new ValueError(`tune: an export '${name}' in ${href} (the hypermodel); got exports ${Object.keys(mod).join(', ') || 'none'}`);
  const data = typeof mod.data === 'function' ? (mod.data as (args?: unknown) => TrialData | Promise<TrialData>) : null;
  return { hypermodel: toHyperModel(mod[name], `export '${name}' of ${href}`), data };
}

const OPT_PREFIX = '__optimizer__/';

/** A module's weights and (when given) its optimizer's state as safetensors bytes. */
export function encodeCheckpoint(module: Module, optimizer: Optimizer | null): Uint8Array {
  const tensors: Record<string, Tensor> = { ...module.stateDict() };
  const metadata: Record<string, string> = { format: 'neurona.tune.checkpoint' };
  if (optimizer) {
    const groups: ParamGroupState[] = [];
    const scalars: Record<string, Record<string, number>> = {};
    let index = 0;
    for (const group of optimizer.paramGroups) {
      const entry: ParamGroupState = { params: [] };
      for (const [k, v] of Object.entries(group)) if (k !== 'params') entry[k] = Array.isArray(v) ? [...(v as number[])] : v;
      for (const p of group.params) {
        const st = optimizer.state.get(p);
        for (const [k, v] of Object.entries(st ?? {})) {
          if (typeof v === 'number') (scalars[index] ??= {})[k] = v;
          else tensors[`${OPT_PREFIX}${index}/${k}`] = Tensor.fromData(v.slice(), [v.length], v instanceof Float64Array ? 'float64' : 'float32');
        }
        entry.params.push(index++);
      }
      groups.push(entry);
    }
    metadata['neurona.optimizer'] = JSON.stringify({ param_groups: groups, scalars });
  }
  return encodeSafetensors(tensors, metadata);
}

/** Loads checkpoint bytes into a module (and its optimizer, when both have one). */
export function restoreCheckpoint(module: Module, optimizer: Optimizer | null, bytes: Uint8Array, name = 'the checkpoint'): void {
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  const weights: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (!k.startsWith(OPT_PREFIX)) weights[k] = t;
  module.loadStateDict(weights);
  const json = metadata['neurona.optimizer'];
  if (!optimizer || !json) return;
  const o = JSON.parse(json) as { param_groups: ParamGroupState[]; scalars: Record<string, Record<string, number>> };
  const state: OptimizerStateDict['state'] = {};
  for (const [i, sc] of Object.entries(o.scalars)) state[i] = { ...sc };
  for (const [k, t] of Object.entries(tensors)) {
    if (!k.startsWith(OPT_PREFIX)) continue;
    const [i, key] = k.slice(OPT_PREFIX.length).split('/') as [string, string];
    (state[i] ??= {})[key] = Array.from(t.contiguousData());
  }
  optimizer.loadStateDict({ state, param_groups: o.param_groups });
}

/** Serializable fit settings of a search (they travel to workers). */
export interface TrialFitOptions {
  batchSize?: number;
  validationSplit?: number;
  shuffle?: boolean;
  classWeight?: Record<number, number>;
  /** Early stopping inside each trial (EarlyStopping's options; monitor defaults to the objective). */
  earlyStopping?: EarlyStoppingOptions;
  /** Fit's verbosity inside trials (default 0). */
  verbose?: 0 | 1 | 2;
}

/** Everything a trial runner needs besides the trial itself. */
export interface TrialEnv {
  hypermodel: HyperModel;
  space: HpDef[];
  objective: Objective;
  fit: TrialFitOptions;
  data: TrialData;
  executionsPerTrial: number;
  /** Extra callbacks (in-process runs only). */
  callbacks?: Callback[];
  worker: string;
}

/** What a trial run returns: its record and the best execution's best-epoch checkpoint. */
export interface TrialOutcome {
  record: TrialRecord;
  checkpoint: Uint8Array | null;
}

/** Stops a trial on a NaN loss without printing (the trial keeps the scores it had). */
class QuietTerminateOnNaN extends TerminateOnNaN {
  override onBatchEnd(_batch: number, logs: Logs): void {
    const l = logs.loss;
    if (l !== undefined && !Number.isFinite(l)) this.ctx.stopTraining = true;
  }
}

/** Follows the objective over the epochs and snapshots weights + optimizer at its best epoch. */
class ObjectiveTracker extends Callback {
  best: number | null = null;
  bestEpoch = -1;
  bestLogs: Logs = {};
  checkpoint: Uint8Array | null = null;
  readonly history: Record<string, number[]> = {};
  epochs: number[] = [];
  constructor(private readonly obj: Objective) {
    super();
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epochs.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
    const v = logs[this.obj.name];
    if (v === undefined || !Number.isFinite(v)) return;
    if (this.best === null || (this.obj.direction === 'max' ? v > this.best : v < this.best)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.bestLogs = { ...logs };
      this.checkpoint = encodeCheckpoint(this.ctx.module, this.ctx.optimizer);
    }
  }
}

function missingObjective(obj: Objective, keys: string[]): ValueError {
  const hint = obj.name.startsWith('val_') ? ' Pass validationData (or validationSplit) to search, or pick another objective' : '';
  return new ValueError(`tune: the objective '${obj.name}' in the fit logs; got ${keys.length ? keys.join(', ') : 'no logs'}.${hint}`);
}

/** The score and logs of one execution from what fit returned and what the tracker saw. */
function scoreOf(obj: Objective, result: FitResult, tracker: ObjectiveTracker): Omit<ExecutionRecord, 'history'> & { logs: Logs; history: Record<string, number[]> } {
  const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
  if (typeof result === 'number') return { score: finite(result), bestEpoch: tracker.bestEpoch, logs: { [obj.name]: result }, history: tracker.history };
  if (result instanceof History) {
    const values = result.history[obj.name];
    if (!values) throw missingObjective(obj, Object.keys(result.history));
    let bi = -1;
    values.forEach((v, i) => {
      if (Number.isFinite(v) && (bi < 0 || (obj.direction === 'max' ? v > values[bi]! : v < values[bi]!))) bi = i;
    });
    const logs: Logs = {};
    if (bi >= 0) for (const [k, vs] of Object.entries(result.history)) if (vs[bi] !== undefined) logs[k] = vs[bi]!;
    return { score: bi >= 0 ? values[bi]! : null, bestEpoch: bi >= 0 ? result.epoch[bi] ?? bi : -1, logs, history: result.history };
  }
  if (result && typeof result === 'object') {
    if (!(obj.name in result)) throw missingObjective(obj, Object.keys(result));
    return { score: finite(result[obj.name]), bestEpoch: tracker.bestEpoch, logs: { ...result }, history: tracker.history };
  }
  if (tracker.epochs.length) {
    if (!(obj.name in tracker.history)) throw missingObjective(obj, Object.keys(tracker.history));
    return { score: tracker.best, bestEpoch: tracker.bestEpoch, logs: tracker.bestLogs, history: tracker.history };
  }
  throw new ValueError('tune: a fit that returns the History, the logs or the objective value; got nothing, and no epoch was reported to the callbacks');
}

/**
 * Runs one trial: for each execution, seeds the generator from the trial, builds the model from the
 * trial's values, restores the parent's checkpoint (Hyperband), fits with the objective tracker (and
 * early stopping), and scores it. Errors in build or fit make a failed record, not an exception.
 * The global generator's state is restored afterwards.
 */
export function runTrial(env: TrialEnv, spec: TrialSpec, parentCheckpoint: Uint8Array | null): TrialOutcome {
  const t0 = performance.now();
  const saved = defaultGenerator.getState();
  const known = new Set(env.space.map((d) => d.name));
  const executions: ExecutionRecord[] = [];
  let bestLogs: Logs = {};
  let bestScore: number | null = null;
  let checkpoint: Uint8Array | null = null;
  let values = { ...spec.values };
  let newDefs: HpDef[] = [];
  const base = {
    id: spec.id,
    epochs: spec.epochs,
    initialEpoch: spec.initialEpoch,
    parentId: spec.parentId,
    seed: spec.seed,
    worker: env.worker,
    ...(spec.bracket !== undefined ? { bracket: spec.bracket, round: spec.round } : {}),
  };
  try {
    for (let e = 0; e < env.executionsPerTrial; e++) {
      manualSeed(deriveSeed(spec.seed, e));
      const hp = new HyperParameters({ space: env.space, values: spec.values });
      hp.sampler = (d) => (spec.lazySeed === null ? d.default : valueFromProb(d, generatorFor(spec.lazySeed, d.name).random()));
      const model = env.hypermodel.build(hp);
      if (!model || typeof (model as Module).stateDict !== 'function') {
        throw new ValueError(`tune: build(hp) returning a model (a Module); got ${model === null ? 'null' : typeof model}`);
      }
      values = { ...hp.values };
      newDefs = [...hp.space.values()].filter((d) => !known.has(d.name));
      if (parentCheckpoint) restoreCheckpoint(model, model.trainer?.optimizer ?? null, parentCheckpoint, `the checkpoint of trial ${spec.parentId}`);
      const tracker = new ObjectiveTracker(env.objective);
      const callbacks: Callback[] = [tracker, new QuietTerminateOnNaN()];
      if (env.fit.earlyStopping) callbacks.push(new EarlyStopping({ monitor: env.objective.name, mode: env.objective.direction, ...env.fit.earlyStopping }));
      callbacks.push(...(env.callbacks ?? []));
      const o: FitOptions = {
        epochs: spec.epochs,
        initialEpoch: spec.initialEpoch,
        verbose: env.fit.verbose ?? 0,
        callbacks,
        ...(env.fit.batchSize !== undefined ? { batchSize: env.fit.batchSize } : {}),
        ...(env.fit.validationSplit !== undefined ? { validationSplit: env.fit.validationSplit } : {}),
        ...(env.fit.shuffle !== undefined ? { shuffle: env.fit.shuffle } : {}),
        ...(env.fit.classWeight !== undefined ? { classWeight: env.fit.classWeight } : {}),
        ...(env.data.validationData ? { validationData: env.data.validationData } : {}),
      };
      const result = env.hypermodel.fit(hp, model, env.data.x, env.data.y, o);
      const s = scoreOf(env.objective, result, tracker);
      executions.push({ score: s.score, bestEpoch: s.bestEpoch, history: s.history });
      if (e === 0 || (s.score !== null && (bestScore === null || (env.objective.direction === 'max' ? s.score > bestScore : s.score < bestScore)))) {
        bestScore = s.score;
        bestLogs = s.logs;
        checkpoint = tracker.checkpoint ?? encodeCheckpoint(model, model.trainer?.optimizer ?? null);
      }
    }
    const scores = executions.map((x) => x.score).filter((s): s is number => s !== null);
    const score = scores.length === executions.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
    const record: TrialRecord = { ...base, status: 'completed', values, score, metrics: bestLogs, executions, seconds: (performance.now() - t0) / 1000 };
    if (newDefs.length) record.newDefs = newDefs;
    return { record, checkpoint };
  } catch (err) {
    const e = err as Error;
    const record: TrialRecord = { ...base, status: 'failed', values, score: null, metrics: {}, executions, seconds: (performance.now() - t0) / 1000, error: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}` };
    return { record, checkpoint: null };
  } finally {
    defaultGenerator.setState(saved);
  }
}
