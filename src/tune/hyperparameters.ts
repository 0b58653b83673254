// The search space (Keras Tuner's HyperParameters): a hypermodel asks `hp.int(...)`, `hp.float(...)`,
// `hp.choice(...)`, `hp.boolean(...)`, `hp.fixed(...)` for its settings; each call registers the
// hyperparameter (its definition) and returns the value of the current trial. Conditional spaces:
// hyperparameters declared inside `hp.conditionalScope(parent, values, fn)` exist only while the parent
// takes one of `values`. Definitions are plain JSON, so a space travels to worker threads and machines.
import { ValueError } from '../core/index.ts';

/** A hyperparameter's value. */
export type HpValue = number | string | boolean;

/** How a numeric range is sampled: uniformly, or uniformly in log space. */
export type Sampling = 'linear' | 'log';

/** "Active only when `name` takes one of `values`" (from a conditional scope). */
export interface Condition {
  name: string;
  values: HpValue[];
}

interface DefBase {
  name: string;
  /** The scopes it was declared in (all must hold for it to be active). */
  conditions: Condition[];
}
/** An integer range. With `step`, values are min, min+step, ... (linear) or min, min*step, ... (log). */
export interface IntDef extends DefBase {
  type: 'int';
  min: number;
  max: number;
  step: number | null;
  sampling: Sampling;
  default: number;
}
/** A float range (optionally on a grid of `step`, additive for linear, multiplicative for log). */
export interface FloatDef extends DefBase {
  type: 'float';
  min: number;
  max: number;
  step: number | null;
  sampling: Sampling;
  default: number;
}
/** One of a list of values (all numbers, all strings or all booleans). */
export interface ChoiceDef extends DefBase {
  type: 'choice';
  values: HpValue[];
  /** Whether the values have an order (numbers do), which the Bayesian surrogate uses. */
  ordered: boolean;
  default: HpValue;
}
export interface BooleanDef extends DefBase {
  type: 'boolean';
  default: boolean;
}
/** A value that is not tuned (recorded with the trial). */
export interface FixedDef extends DefBase {
  type: 'fixed';
  value: HpValue;
  default: HpValue;
}
/** The definition of one hyperparameter. */
export type HpDef = IntDef | FloatDef | ChoiceDef | BooleanDef | FixedDef;

/** Options of `hp.int` and `hp.float`. */
export interface RangeOptions {
  min: number;
  max: number;
  step?: number;
  sampling?: Sampling;
  default?: number;
}

/** A scope that was not entered (its parent had another value): space discovery explores it. */
export interface InactiveScope {
  parent: string;
  values: HpValue[];
}

const fmt = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

function checkName(op: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new ValueError(`${op}: a non-empty name; got ${fmt(name)}`);
  return name;
}

function makeRange(op: string, type: 'int' | 'float', name: string, o: RangeOptions, conditions: Condition[]): IntDef | FloatDef {
  if (o === null || typeof o !== 'object') throw new ValueError(`${op}: options { min, max, step?, sampling? }; got ${fmt(o)}`);
  const { min, max } = o;
  const sampling = o.sampling ?? 'linear';
  const step = o.step ?? null;
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new ValueError(`${op}: finite numbers min and max for '${name}'; got min ${min}, max ${max}`);
  if (type === 'int' && (!Number.isInteger(min) || !Number.isInteger(max))) throw new ValueError(`${op}: integers min and max for '${name}'; got min ${min}, max ${max}`);
  if (min > max) throw new ValueError(`${op}: min <= max for '${name}'; got min ${min}, max ${max}`);
  if (sampling !== 'linear' && sampling !== 'log') throw new ValueError(`${op}: sampling 'linear' or 'log' for '${name}'; got ${fmt(sampling)}`);
  if (sampling === 'log' && min <= 0) throw new ValueError(`${op}: min > 0 with sampling 'log' for '${name}'; got min ${min}`);
  if (step !== null) {
    if (!Number.isFinite(step) || step <= 0) throw new ValueError(`${op}: a positive step for '${name}'; got ${step}`);
    if (sampling === 'log' && step <= 1) throw new ValueError(`${op}: a step > 1 with sampling 'log' (values are multiplied by it) for '${name}'; got ${step}`);
    if (type === 'int' && sampling === 'linear' && !Number.isInteger(step)) throw new ValueError(`${op}: an integer step for '${name}'; got ${step}`);
  }
  const def = { type, name, min, max, step, sampling, default: min, conditions } as IntDef | FloatDef;
  if (o.default !== undefined) {
    if (!(o.default >= min && o.default <= max) || (type === 'int' && !Number.isInteger(o.default))) {
      throw new ValueError(`${op}: a default in [${min}, ${max}] for '${name}'; got ${o.default}`);
    }
    def.default = o.default;
  }
  return def;
}

/** The values of a range on its grid (`step`), or null for a continuous one. */
function rangeGrid(d: IntDef | FloatDef): number[] | null {
  if (d.step === null) {
    if (d.type === 'float') return null;
    if (d.sampling === 'linear' || d.max - d.min <= 64) return Array.from({ length: d.max - d.min + 1 }, (_, i) => d.min + i);
    return null; // a wide log int range: continuous in log space, rounded
  }
  const out: number[] = [];
  const tol = 1e-9 * Math.max(Math.abs(d.max), 1);
  for (let v = d.min, i = 0; v <= d.max + tol && i < 1_000_000; i++) {
    out.push(d.type === 'int' ? Math.round(v) : roundFloat(v));
    v = d.sampling === 'log' ? d.min * d.step ** (i + 1) : d.min + d.step * (i + 1);
  }
  return out;
}

/** Rounds away float noise from repeated steps (0.1 + 0.2 -> 0.3). */
function roundFloat(v: number): number {
  return Number.parseFloat(v.toPrecision(12));
}

/** The finite list of values a hyperparameter can take, or null for a continuous one. */
export function valuesOf(d: HpDef): HpValue[] | null {
  switch (d.type) {
    case 'int':
    case 'float':
      return rangeGrid(d);
    case 'choice':
      return d.values;
    case 'boolean':
      return [false, true];
    case 'fixed':
      return [d.value];
  }
}

/**
 * The value at cumulative probability `p` in [0, 1): uniform sampling is `valueFromProb(d, rng())`,
 * and the Bayesian surrogate works in this [0, 1] coordinate.
 */
export function valueFromProb(d: HpDef, p: number): HpValue {
  const q = Math.min(Math.max(p, 0), 1 - 1e-12);
  const grid = valuesOf(d);
  if (grid) return grid[Math.floor(q * grid.length)]!;
  const r = d as IntDef | FloatDef;
  const v = r.sampling === 'log' ? r.min * (r.max / r.min) ** q : r.min + (r.max - r.min) * q;
  return r.type === 'int' ? Math.min(r.max, Math.max(r.min, Math.round(v))) : v;
}

/** The [0, 1] coordinate of a value (the middle of its bucket for a finite list). */
export function probOfValue(d: HpDef, v: HpValue): number {
  const grid = valuesOf(d);
  if (grid) {
    let i = grid.indexOf(v);
    if (i < 0 && typeof v === 'number') {
      // nearest grid value (a value given by hand, off the grid)
      let best = Infinity;
      grid.forEach((g, j) => {
        const dist = Math.abs((g as number) - v);
        if (dist < best) [best, i] = [dist, j];
      });
    }
    return (Math.max(i, 0) + 0.5) / grid.length;
  }
  const r = d as IntDef | FloatDef;
  const x = v as number;
  if (r.max === r.min) return 0.5;
  return r.sampling === 'log' ? Math.log(x / r.min) / Math.log(r.max / r.min) : (x - r.min) / (r.max - r.min);
}

/** Whether a definition's conditions hold for these values. */
export function isActive(d: HpDef, values: Record<string, HpValue>): boolean {
  return d.conditions.every((c) => Object.hasOwn(values, c.name) && c.values.includes(values[c.name]!));
}

/** One line describing a definition: `units int 32..512 step 32`. */
export function describeDef(d: HpDef): string {
  switch (d.type) {
    case 'int':
    case 'float':
      return `${d.name} ${d.type} ${d.min}..${d.max}${d.step !== null ? ` step ${d.step}` : ''}${d.sampling === 'log' ? ' log' : ''}`;
    case 'choice':
      return `${d.name} choice [${d.values.map(fmt).join(', ')}]`;
    case 'boolean':
      return `${d.name} boolean`;
    case 'fixed':
      return `${d.name} fixed ${fmt(d.value)}`;
  }
}

function sameDef(a: HpDef, b: HpDef): boolean {
  const strip = (d: HpDef): unknown => ({ ...d, conditions: undefined, default: d.type === 'fixed' ? d.default : undefined });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** Whether `v` is a value `d` can take. */
export function isValidValue(d: HpDef, v: HpValue): boolean {
  switch (d.type) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= d.min && v <= d.max;
    case 'float':
      return typeof v === 'number' && v >= d.min * (1 - 1e-12) && v <= d.max * (1 + 1e-12);
    case 'choice':
      return d.values.includes(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'fixed':
      return v === d.value;
  }
}

/**
 * A search space and the values of one trial. A hypermodel calls its methods to declare and read its
 * hyperparameters: `hp.int('units', { min: 32, max: 512, step: 32 })` returns the trial's value (the
 * default, `min`, outside a search). `new HyperParameters()` declares a space by hand (for `fixed`
 * values or to restrict a search); `getBestHyperparameters()` returns ones holding the best values.
 */
export class HyperParameters {
  /** The definitions, in the order they were first declared. */
  readonly space = new Map<string, HpDef>();
  /** The values of this trial (every active hyperparameter read so far, and those set beforehand). */
  readonly values: Record<string, HpValue> = {};
  /** Scopes skipped because their parent had another value (for space discovery). */
  readonly inactiveScopes: InactiveScope[] = [];
  private readonly scopes: Condition[] = [];
  /** Chooses the value of a hyperparameter that has none yet (default: its default). */
  sampler: ((d: HpDef) => HpValue) | null = null;

  constructor(o: { space?: Iterable<HpDef>; values?: Record<string, HpValue> } = {}) {
    for (const d of o.space ?? []) this.space.set(d.name, d);
    Object.assign(this.values, o.values ?? {});
  }

  /** An integer in [min, max] (with `step`: min, min+step, ...; with sampling 'log' and step: min, min*step, ...). */
  int(name: string, o: RangeOptions): number {
    return this.declare(makeRange('hp.int', 'int', checkName('hp.int', name), o, this.scopes.slice())) as number;
  }

  /** A float in [min, max], uniform or log-uniform (`sampling: 'log'`), optionally on a grid of `step`. */
  float(name: string, o: RangeOptions): number {
    return this.declare(makeRange('hp.float', 'float', checkName('hp.float', name), o, this.scopes.slice())) as number;
  }

  /** One of `values` (numbers, strings or booleans, all of one type); the default is the first. */
  choice<T extends HpValue>(name: string, values: readonly T[], o: { default?: T; ordered?: boolean } = {}): T {
    const op = 'hp.choice';
    checkName(op, name);
    if (!Array.isArray(values) || values.length === 0) throw new ValueError(`${op}: a non-empty list of values for '${name}'; got ${Array.isArray(values) ? '[]' : fmt(values)}`);
    const t = typeof values[0];
    if (!['number', 'string', 'boolean'].includes(t) || values.some((v) => typeof v !== t)) {
      throw new ValueError(`${op}: values of one type (numbers, strings or booleans) for '${name}'; got [${values.map(fmt).join(', ')}]`);
    }
    if (new Set(values).size !== values.length) throw new ValueError(`${op}: distinct values for '${name}'; got [${values.map(fmt).join(', ')}]`);
    if (o.default !== undefined && !values.includes(o.default)) throw new ValueError(`${op}: a default among the values for '${name}'; got ${fmt(o.default)}`);
    const ordered = o.ordered ?? t === 'number';
    if (ordered && t !== 'number') throw new ValueError(`${op}: ordered values only for numbers ('${name}'); got ${t}s`);
    return this.declare({ type: 'choice', name, values: [...values], ordered, default: o.default ?? values[0]!, conditions: this.scopes.slice() }) as T;
  }

  /** true or false (default false). */
  boolean(name: string, o: { default?: boolean } = {}): boolean {
    checkName('hp.boolean', name);
    return this.declare({ type: 'boolean', name, default: o.default ?? false, conditions: this.scopes.slice() }) as boolean;
  }

  /** A value that is not tuned but recorded with each trial. */
  fixed<T extends HpValue>(name: string, value: T): T {
    checkName('hp.fixed', name);
    if (!['number', 'string', 'boolean'].includes(typeof value)) throw new ValueError(`hp.fixed: a number, string or boolean for '${name}'; got ${fmt(value)}`);
    return this.declare({ type: 'fixed', name, value, default: value, conditions: this.scopes.slice() }) as T;
  }

  /**
   * Runs `fn` (declaring hyperparameters that exist only in this branch) when the hyperparameter
   * `parent` has one of `values`; returns its result, or undefined when the branch is not taken.
   *
   * ```ts
   * const kind = hp.choice('kind', ['mlp', 'wide']);
   * hp.conditionalScope('kind', ['mlp'], () => hp.int('layers', { min: 1, max: 4 }));
   * ```
   */
  conditionalScope<R>(parent: string, values: readonly HpValue[], fn: () => R): R | undefined {
    const op = 'hp.conditionalScope';
    if (!this.space.has(parent)) throw new ValueError(`${op}: a parent hyperparameter declared before the scope; got '${parent}', not declared yet`);
    if (!Array.isArray(values) || values.length === 0) throw new ValueError(`${op}: a non-empty list of parent values; got ${fmt(values)}`);
    const pd = this.space.get(parent)!;
    const bad = values.filter((v) => !isValidValue(pd, v));
    if (bad.length) throw new ValueError(`${op}: parent values that '${parent}' can take (${describeDef(pd)}); got ${bad.map(fmt).join(', ')}`);
    const v = this.values[parent];
    if (v === undefined || !values.includes(v)) {
      this.inactiveScopes.push({ parent, values: [...values] });
      return undefined;
    }
    this.scopes.push({ name: parent, values: [...values] });
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** The value of a hyperparameter (throws if it has none). */
  get(name: string): HpValue {
    const v = this.values[name];
    if (v === undefined) {
      const known = Object.keys(this.values);
      throw new ValueError(`hp.get: a hyperparameter with a value; got '${name}' (values: ${known.length ? known.join(', ') : 'none'})`);
    }
    return v;
  }

  /** Whether a hyperparameter is declared and active for the current values. */
  isActive(name: string): boolean {
    const d = this.space.get(name);
    return d !== undefined && isActive(d, this.values);
  }

  /** A copy (space and values). */
  copy(): HyperParameters {
    return new HyperParameters({ space: this.space.values(), values: this.values });
  }

  /** Space and values as JSON-able data. */
  toJSON(): { space: HpDef[]; values: Record<string, HpValue> } {
    return { space: [...this.space.values()], values: { ...this.values } };
  }

  /** Rebuilds from `toJSON()`. */
  static fromJSON(o: { space: HpDef[]; values: Record<string, HpValue> }): HyperParameters {
    return new HyperParameters(o);
  }

  private declare(def: HpDef): HpValue {
    const prev = this.space.get(def.name);
    if (prev && !sameDef(prev, def)) {
      throw new ValueError(`hp.${def.type}: one definition per name ('${def.name}' is ${describeDef(prev)}); got ${describeDef(def)}`);
    }
    if (!prev) this.space.set(def.name, def);
    const d = prev ?? def;
    if (d.type === 'fixed') return (this.values[d.name] = d.value);
    const have = this.values[d.name];
    if (have !== undefined) return have;
    const v = this.sampler ? this.sampler(d) : d.default;
    this.values[d.name] = v;
    return v;
  }
}
