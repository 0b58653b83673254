// Oracles: the decision logic of the tuners. An oracle is a pure function of (space, seed, settings,
// finished trials): `ready(finished)` lists the trials that can run now, each with a fixed id and
// values derived from (seed, id) and from trials it waits for, never from the order trials finished
// in. So a search gives the same trials whether it runs them one by one, in worker threads or on a
// job queue, and a resumed search continues the same plan.
import { ValueError } from '../core/index.ts';
import type { Generator } from '../tensor/index.ts';
import { isActive, probOfValue, valueFromProb, valuesOf, isValidValue } from './hyperparameters.ts';
import type { HpDef, HpValue } from './hyperparameters.ts';
import { deriveSeed, generatorFor } from './seeds.ts';
import { GaussianProcess, expectedImprovement, upperConfidenceBound } from './gp.ts';
import { rankTrials } from './trial.ts';
import type { Objective, TrialRecord, TrialSpec } from './trial.ts';

/** The trial id of plan position i ('0007'). */
export function trialId(i: number): string {
  return String(i).padStart(4, '0');
}

/** What every oracle is built from. */
export interface OracleContext {
  space: HpDef[];
  objective: Objective;
  seed: number;
  /** Epochs per trial (tuners without their own schedule). */
  epochs: number;
}

/** The decision logic of a tuner: which trials to run, given the finished ones. */
export abstract class Oracle {
  constructor(protected readonly ctx: OracleContext) {}
  /** The trials that can run now (finished ones excluded), in id order. */
  abstract ready(finished: ReadonlyMap<string, TrialRecord>): TrialSpec[];
  /** Whether the plan is complete: every trial finished or dropped. */
  abstract done(finished: ReadonlyMap<string, TrialRecord>): boolean;
  /** The number of trials planned (an upper bound when some may be dropped). */
  abstract get planned(): number;

  protected spec(i: number, values: Record<string, HpValue>, extra: Partial<TrialSpec> = {}): TrialSpec {
    const id = trialId(i);
    return { id, values, epochs: this.ctx.epochs, initialEpoch: 0, parentId: null, seed: deriveSeed(this.ctx.seed, 'trial', id), lazySeed: deriveSeed(this.ctx.seed, 'lazy', id), ...extra };
  }
}

/** Values for the active hyperparameters of `space`, each from `pick(def)`, in declaration order. */
export function assignValues(space: readonly HpDef[], pick: (d: HpDef, k: number) => HpValue): Record<string, HpValue> {
  const values: Record<string, HpValue> = {};
  space.forEach((d, k) => {
    if (!isActive(d, values)) return;
    values[d.name] = d.type === 'fixed' ? d.value : pick(d, k);
  });
  return values;
}

/** The identity of a set of values (for duplicate detection). */
export function valuesKey(space: readonly HpDef[], values: Record<string, HpValue>): string {
  return JSON.stringify(space.filter((d) => Object.hasOwn(values, d.name)).map((d) => [d.name, values[d.name]]));
}

/**
 * Random candidates, unique: candidate i is sampled from (seed, tag, i, attempt), retrying up to
 * `maxCollisions` times while it equals an earlier one; null once the space looks exhausted.
 */
class RandomCandidates {
  private readonly list: (Record<string, HpValue> | null)[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly space: readonly HpDef[], private readonly seed: number, private readonly tag: string, private readonly maxCollisions = 20) {}
  get(i: number): Record<string, HpValue> | null {
    while (this.list.length <= i) {
      const k = this.list.length;
      if (k > 0 && this.list[k - 1] === null) {
        this.list.push(null);
        continue;
      }
      let found: Record<string, HpValue> | null = null;
      for (let a = 0; a <= this.maxCollisions && !found; a++) {
        const g = generatorFor(this.seed, this.tag, k, a);
        const v = assignValues(this.space, (d) => valueFromProb(d, g.random()));
        const key = valuesKey(this.space, v);
        if (!this.seen.has(key)) {
          this.seen.add(key);
          found = v;
        }
      }
      this.list.push(found);
    }
    return this.list[i]!;
  }
  /** Marks values as taken (by a trial another way chose). */
  take(values: Record<string, HpValue>): void {
    this.seen.add(valuesKey(this.space, values));
  }
  has(values: Record<string, HpValue>): boolean {
    return this.seen.has(valuesKey(this.space, values));
  }
}

/** Random search: trial i gets random values from (seed, i), distinct from earlier trials'. */
export class RandomSearchOracle extends Oracle {
  private readonly cands: RandomCandidates;
  constructor(ctx: OracleContext, private readonly maxTrials: number) {
    super(ctx);
    this.cands = new RandomCandidates(ctx.space, ctx.seed, 'random');
  }
  get planned(): number {
    return this.maxTrials;
  }
  ready(finished: ReadonlyMap<string, TrialRecord>): TrialSpec[] {
    const out: TrialSpec[] = [];
    for (let i = 0; i < this.maxTrials; i++) {
      const v = this.cands.get(i);
      if (!v) break;
      if (!finished.has(trialId(i))) out.push(this.spec(i, v));
    }
    return out;
  }
  done(finished: ReadonlyMap<string, TrialRecord>): boolean {
    return this.ready(finished).length === 0;
  }
}

/** The values of a grid axis (a continuous float without step: 10 values spaced by its sampling). */
export function gridValues(d: HpDef): HpValue[] {
  const v = valuesOf(d);
  if (v) return v;
  return Array.from({ length: 10 }, (_, i) => valueFromProb(d, (i + 0.5) / 10));
}

/** Grid search: every combination of the space's values (conditional branches included), in order. */
export class GridSearchOracle extends Oracle {
  private readonly combos: Record<string, HpValue>[] = [];
  constructor(ctx: OracleContext, maxTrials: number | undefined) {
    super(ctx);
    const limit = maxTrials ?? 100_000;
    const space = ctx.space;
    const walk = (k: number, values: Record<string, HpValue>): void => {
      if (this.combos.length >= limit) return;
      if (k === space.length) {
        this.combos.push({ ...values });
        return;
      }
      const d = space[k]!;
      if (!isActive(d, values)) return walk(k + 1, values);
      for (const v of d.type === 'fixed' ? [d.value] : gridValues(d)) {
        values[d.name] = v;
        walk(k + 1, values);
        delete values[d.name];
        if (this.combos.length >= limit) return;
      }
    };
    walk(0, {});
    if (maxTrials === undefined && this.combos.length >= limit) {
      throw new ValueError(`GridSearch: a grid of at most ${limit} points without maxTrials; got more. Give the floats a step, or pass maxTrials`);
    }
  }
  get planned(): number {
    return this.combos.length;
  }
  ready(finished: ReadonlyMap<string, TrialRecord>): TrialSpec[] {
    const out: TrialSpec[] = [];
    this.combos.forEach((v, i) => {
      if (!finished.has(trialId(i))) out.push(this.spec(i, v, { lazySeed: null }));
    });
    return out;
  }
  done(finished: ReadonlyMap<string, TrialRecord>): boolean {
    return this.combos.every((_, i) => finished.has(trialId(i)));
  }
}

/** One slot of the Hyperband plan. */
interface Slot {
  index: number;
  iteration: number;
  bracket: number;
  round: number;
  /** Position within its round. */
  position: number;
  epochs: number;
  initialEpoch: number;
  /** Slots of the previous round of its bracket (empty for round 0). */
  previous: number[];
  /** Round 0: the index of its random candidate. */
  candidate: number;
}

/**
 * Hyperband (Li et al. 2018) as Keras Tuner schedules it: brackets s = sMax..0, each a successive
 * halving: round r of bracket s trains `size(s, r)` models to `ceil(maxEpochs / factor^(s-r))` epochs;
 * the best `size(s, r+1)` of round r go on to round r+1, continuing from their best-epoch weights
 * and optimizer state (so a model trained to 3 epochs trains 6 more to reach 9).
 */
export class HyperbandOracle extends Oracle {
  readonly slots: Slot[] = [];
  private readonly cands: RandomCandidates;
  constructor(ctx: OracleContext, readonly maxEpochs: number, readonly factor: number, readonly iterations: number) {
    super(ctx);
    if (!Number.isInteger(maxEpochs) || maxEpochs < 1) throw new ValueError(`Hyperband: a positive integer maxEpochs; got ${maxEpochs}`);
    if (!(factor >= 2) || !Number.isInteger(factor)) throw new ValueError(`Hyperband: an integer factor >= 2; got ${factor}`);
    if (!Number.isInteger(iterations) || iterations < 1) throw new ValueError(`Hyperband: a positive integer number of iterations; got ${iterations}`);
    this.cands = new RandomCandidates(ctx.space, ctx.seed, 'hyperband');
    let e = maxEpochs;
    let brackets = 0;
    while (e >= 1) {
      e /= factor;
      brackets++;
    }
    const end0 = Math.ceil(1 + Math.log(maxEpochs) / Math.log(factor) - 1e-9);
    const size = (s: number, r: number): number => Math.ceil(((end0 / (s + 1)) * factor ** (s - r)) - 1e-9);
    const epochs = (s: number, r: number): number => Math.ceil(maxEpochs / factor ** (s - r) - 1e-9);
    let candidate = 0;
    for (let it = 0; it < iterations; it++) {
      for (let s = brackets - 1; s >= 0; s--) {
        let previous: number[] = [];
        for (let r = 0; r <= s; r++) {
          const here: number[] = [];
          for (let p = 0; p < size(s, r); p++) {
            const index = this.slots.length;
            this.slots.push({ index, iteration: it, bracket: s, round: r, position: p, epochs: epochs(s, r), initialEpoch: r === 0 ? 0 : epochs(s, r - 1), previous, candidate: r === 0 ? candidate++ : -1 });
            here.push(index);
          }
          previous = here;
        }
      }
    }
  }
  get planned(): number {
    return this.slots.length;
  }
  /** Each slot: its spec when it can run, 'wait' for its round's predecessors, 'drop' when it will not run. */
  private states(finished: ReadonlyMap<string, TrialRecord>): (TrialSpec | 'wait' | 'drop')[] {
    const out: (TrialSpec | 'wait' | 'drop')[] = [];
    for (const s of this.slots) {
      const extra = { bracket: s.bracket, round: s.round };
      if (s.round === 0) {
        const v = this.cands.get(s.candidate);
        out.push(v ? this.spec(s.index, v, { ...extra, epochs: s.epochs }) : 'drop');
        continue;
      }
      const prev = s.previous.map((i) => out[i]!);
      if (prev.some((p) => p === 'wait' || (typeof p !== 'string' && !finished.has(p.id)))) {
        out.push('wait');
        continue;
      }
      const recs = prev.filter((p): p is TrialSpec => typeof p !== 'string').map((p) => finished.get(p.id)!);
      const ranked = rankTrials(recs.filter((r) => r.status === 'completed' && r.score !== null), this.ctx.objective);
      const parent = ranked[s.position];
      if (!parent) {
        out.push('drop');
        continue;
      }
      out.push(this.spec(s.index, { ...parent.values }, { ...extra, epochs: s.epochs, initialEpoch: s.initialEpoch, parentId: parent.id, lazySeed: null }));
    }
    return out;
  }
  ready(finished: ReadonlyMap<string, TrialRecord>): TrialSpec[] {
    return this.states(finished).filter((s): s is TrialSpec => typeof s !== 'string' && !finished.has(s.id));
  }
  done(finished: ReadonlyMap<string, TrialRecord>): boolean {
    return this.states(finished).every((s) => s === 'drop' || (typeof s !== 'string' && finished.has(s.id)));
  }
}

/** Options of the Bayesian oracle. */
export interface BayesianOptions {
  maxTrials: number;
  /** Random trials before the surrogate is used (default: 3 per tuned hyperparameter, at least 2). */
  numInitialPoints?: number;
  /** 'ei' (expected improvement, default) or 'ucb' (upper confidence bound). */
  acquisition?: 'ei' | 'ucb';
  /** Exploration margin of EI, in standard deviations of the scores (default 0.01). */
  xi?: number;
  /** UCB's beta (default 2.6). */
  beta?: number;
  /**
   * Trials proposed together from the same results (default 1, classic sequential BO). Set it to the
   * number of workers so parallel runs stay busy; proposals within a batch use the "kriging believer"
   * (each one assumes the previous ones scored the surrogate's mean). Results do not depend on the workers.
   */
  batchSize?: number;
  /** Random candidates scored per proposal (default 2000; the best are refined locally). */
  candidates?: number;
}

/**
 * Bayesian optimisation: a Gaussian-process surrogate (Matérn 5/2, ARD) of the objective over the
 * hyperparameters mapped to [0, 1] (log ranges in log space, choices by bucket), and the next trials
 * where the acquisition function is highest. The first `numInitialPoints` trials are random; then
 * trials come in batches of `batchSize`, each batch decided from every trial before it.
 */
export class BayesianOracle extends Oracle {
  private readonly cands: RandomCandidates;
  private readonly tuned: HpDef[];
  private readonly nInit: number;
  private readonly batch: number;
  private readonly proposals = new Map<number, Record<string, HpValue>[]>();
  constructor(ctx: OracleContext, private readonly o: BayesianOptions) {
    super(ctx);
    this.tuned = ctx.space.filter((d) => d.type !== 'fixed');
    this.cands = new RandomCandidates(ctx.space, ctx.seed, 'bayesian');
    this.nInit = Math.min(o.maxTrials, o.numInitialPoints ?? Math.max(2, 3 * this.tuned.length));
    this.batch = o.batchSize ?? 1;
    if (!Number.isInteger(this.batch) || this.batch < 1) throw new ValueError(`BayesianOptimization: a positive integer batchSize; got ${this.batch}`);
    if (!Number.isInteger(this.nInit) || this.nInit < 1) throw new ValueError(`BayesianOptimization: a positive integer numInitialPoints; got ${o.numInitialPoints}`);
  }
  get planned(): number {
    return this.o.maxTrials;
  }
  /** A point of the unit cube for a set of values (inactive hyperparameters at their default's coordinate). */
  encode(values: Record<string, HpValue>): number[] {
    return this.tuned.map((d) => {
      const v = values[d.name];
      return probOfValue(d, v !== undefined && isValidValue(d, v) ? v : d.default);
    });
  }
  private decode(u: readonly number[]): Record<string, HpValue> {
    const pos = new Map(this.tuned.map((d, k) => [d.name, k]));
    return assignValues(this.ctx.space, (d) => valueFromProb(d, u[pos.get(d.name)!]!));
  }
  ready(finished: ReadonlyMap<string, TrialRecord>): TrialSpec[] {
    const out: TrialSpec[] = [];
    const n = this.o.maxTrials;
    let exhausted = false;
    for (let i = 0; i < n && !exhausted; i++) {
      if (i < this.nInit) {
        const v = this.cands.get(i);
        if (!v) exhausted = true;
        else if (!finished.has(trialId(i))) out.push(this.spec(i, v));
        continue;
      }
      const w = Math.floor((i - this.nInit) / this.batch);
      const start = this.nInit + w * this.batch;
      let wave = this.proposals.get(w);
      if (!wave) {
        for (let j = 0; j < start; j++) if (!finished.has(trialId(j))) return out; // the wave waits for every earlier trial
        wave = this.propose(w, start, Math.min(this.batch, n - start), finished);
        this.proposals.set(w, wave);
      }
      const v = wave[i - start];
      if (!v) {
        exhausted = true;
        continue;
      }
      if (!finished.has(trialId(i))) out.push(this.spec(i, v));
    }
    return out;
  }
  done(finished: ReadonlyMap<string, TrialRecord>): boolean {
    return this.ready(finished).length === 0 && [...Array(this.o.maxTrials).keys()].every((i) => finished.has(trialId(i)) || !this.planOf(i));
  }
  /** Whether trial i is (or will be) part of the plan: false for ids past an exhausted space. */
  private planOf(i: number): boolean {
    if (i < this.nInit) return this.cands.get(i) !== null;
    const w = Math.floor((i - this.nInit) / this.batch);
    const wave = this.proposals.get(w);
    return wave ? wave[i - this.nInit - w * this.batch] !== undefined : true;
  }

  private propose(w: number, start: number, count: number, finished: ReadonlyMap<string, TrialRecord>): Record<string, HpValue>[] {
    const dir = this.ctx.objective.direction === 'max' ? 1 : -1;
    const taken = new Set<string>();
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let j = 0; j < start; j++) {
      const r = finished.get(trialId(j));
      if (!r) continue;
      taken.add(valuesKey(this.ctx.space, r.values));
      if (r.status === 'completed' && r.score !== null) {
        xs.push(this.encode(r.values));
        ys.push(dir * r.score);
      }
    }
    const g = generatorFor(this.ctx.seed, 'bayesian-wave', w);
    const out: Record<string, HpValue>[] = [];
    if (xs.length < 2 || this.tuned.length === 0) {
      // too little to model: random values not tried yet
      for (let k = 0; k < count; k++) {
        const v = this.randomUnseen(g, taken);
        if (!v) break;
        out.push(v);
      }
      return out;
    }
    let gp = GaussianProcess.fit(xs, ys);
    const ysd = Math.sqrt(ys.reduce((a, b) => a + b * b, 0) / ys.length - (ys.reduce((a, b) => a + b, 0) / ys.length) ** 2) || 1;
    for (let k = 0; k < count; k++) {
      const best = Math.max(...gp.y);
      const acq = (u: number[]): number => {
        const p = gp.predict(u);
        return this.o.acquisition === 'ucb' ? upperConfidenceBound(p.mean, p.std, this.o.beta ?? 2.6) : expectedImprovement(p.mean, p.std, best, (this.o.xi ?? 0.01) * ysd);
      };
      const v = this.maximise(acq, g, taken, gp) ?? this.randomUnseen(g, taken);
      if (!v) break;
      out.push(v);
      taken.add(valuesKey(this.ctx.space, v));
      const x = this.encode(v);
      gp = gp.withObservation(x, gp.predict(x).mean);
    }
    return out;
  }

  private randomUnseen(g: Generator, taken: Set<string>): Record<string, HpValue> | null {
    for (let a = 0; a < 100; a++) {
      const v = assignValues(this.ctx.space, (d) => valueFromProb(d, g.random()));
      if (!taken.has(valuesKey(this.ctx.space, v))) return v;
    }
    return null;
  }

  /** The untried values with the highest acquisition: random points, then local steps around the best ones. */
  private maximise(acq: (u: number[]) => number, g: Generator, taken: Set<string>, gp: GaussianProcess): Record<string, HpValue> | null {
    const d = this.tuned.length;
    const scored: { x: number[]; a: number; v: Record<string, HpValue> }[] = [];
    const seen = new Set<string>();
    const consider = (u: number[]): void => {
      const v = this.decode(u.map((c) => Math.min(Math.max(c, 0), 1)));
      const key = valuesKey(this.ctx.space, v);
      if (taken.has(key) || seen.has(key)) return;
      seen.add(key);
      const x = this.encode(v);
      scored.push({ x, a: acq(x), v });
    };
    const n = this.o.candidates ?? 2000;
    for (let i = 0; i < n; i++) consider(Array.from({ length: d }, () => g.random()));
    const starts = [...scored].sort((a, b) => b.a - a.a).slice(0, 5).map((s) => s.x);
    const bestObserved = gp.x.map((x, i) => ({ x, y: gp.y[i]! })).sort((a, b) => b.y - a.y).slice(0, 3).map((o) => o.x);
    for (const s of [...starts, ...bestObserved]) {
      for (const sigma of [0.1, 0.03]) for (let i = 0; i < 20; i++) consider(s.map((c) => c + sigma * g.normal()));
    }
    if (!scored.length) return null;
    let top = scored[0]!;
    for (const s of scored) if (s.a > top.a) top = s;
    return top.v;
  }
}
