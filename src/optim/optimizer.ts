// Optimizer base class: parameter groups, per-parameter state, step/zeroGrad and state dicts.
import { DTypeError, ShapeError, ValueError, fmtShape, isFloat } from '../core/index.ts';
import { Tensor, enableGrad, noGrad } from '../tensor/index.ts';

/** The flat storage an update kernel reads and writes: a float parameter's or state buffer's elements. */
export type FloatArray = Float32Array | Float64Array;

/** One parameter's optimizer state: buffers shaped like the parameter (flat) and counters such as `step`. */
export type ParamState = Record<string, Float32Array | Float64Array | number>;

/** What every optimizer's options have: the learning rate (a scheduler also records `initialLr`). */
export interface OptimizerOptions {
  lr: number;
  initialLr?: number;
}

/** A param group as the optimizer keeps it: its tensors and its full set of options (defaults filled in). */
export type ParamGroup<O extends OptimizerOptions = OptimizerOptions> = O & { params: Tensor[] };

/** A param group as given to a constructor or addParamGroup: tensors plus the options it overrides. */
export type ParamGroupInput<O extends OptimizerOptions = OptimizerOptions> = Partial<O> & { params: Iterable<Tensor> };

/** A param group in a state dict: its options, and its parameters as indices into the optimizer's order. */
export interface ParamGroupState {
  params: number[];
  [option: string]: unknown;
}

/** The JSON-able state of an optimizer: per-parameter state keyed by parameter index, and the groups' options. */
export interface OptimizerStateDict {
  state: Record<string, Record<string, number | number[]>>;
  param_groups: ParamGroupState[];
}

/** The flat elements of a contiguous tensor (its storage, or a subarray view when it starts at an offset). */
export function flatData(t: Tensor): FloatArray {
  const d = t.data() as FloatArray;
  return t.offset === 0 && d.length === t.size ? d : d.subarray(t.offset, t.offset + t.size);
}

/** A zeroed buffer of `n` elements of the same float type as `like`. */
export function allocLike(like: FloatArray, n: number = like.length): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** The options object without its undefined entries (so `{ lr: undefined }` keeps the default). */
export function definedOnly<T extends object>(o: T): T {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Throws `<optimizer>: <key> >= 0; got <v>` unless v >= 0 (NaN fails). */
export function checkNonNegative(optimizer: string, key: string, v: number): void {
  if (!(v >= 0)) throw new ValueError(`${optimizer}: ${key} >= 0; got ${v}`);
}

/** Throws `<optimizer>: <key> in [lo, hi) ...` unless lo <= v < hi (or <= hi when `closed`). */
export function checkRange(optimizer: string, key: string, v: number, lo: number, hi: number, closed = false): void {
  if (!(v >= lo && (closed ? v <= hi : v < hi))) {
    throw new ValueError(`${optimizer}: ${key} in [${lo}, ${hi}${closed ? ']' : ')'}; got ${v}`);
  }
}

/**
 * Base class of the optimizers (PyTorch's shape): `paramGroups` of tensors with their options, per-parameter
 * `state`, and `step()`, which for every parameter with a gradient runs the subclass's flat update
 * `p ← update(p, ∇p, state)` directly on the parameter's storage and bumps its version.
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions> {
  /** The options a param group gets for anything it does not set. */
  readonly defaults: O;
  /** The param groups, each `{ params, lr, ...options }`; schedulers change `lr` here. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (moment buffers, step counts), created at a parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<O>>, defaults: O) {
    this.checkOptions(defaults);
    this.defaults = { ...defaults };
    if (params instanceof Tensor) {
      throw new ValueError(
        `${this.name}: an iterable of tensors or of param groups; got a single Tensor. Wrap it in an array: [p]`,
      );
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new ValueError(`${this.name}: a non-empty list of parameters; got an empty one`);
    if (list.every((x) => x instanceof Tensor)) this.addParamGroup({ params: list as Tensor[] } as unknown as ParamGroupInput<O>);
    else if (list.some((x) => x instanceof Tensor)) {
      throw new ValueError(`${this.name}: either tensors or param groups ({ params, ...options }); got a mix of both`);
    } else for (const g of list as ParamGroupInput<O>[]) this.addParamGroup(g);
  }

  /** The optimizer's name, for messages. */
  get name(): string {
    return 'Optimizer';
  }

  /** Checks a full set of options (defaults, or a group with defaults filled in); throws a ValueError. */
  protected checkOptions(opts: O): void {
    checkNonNegative(this.name, 'lr', opts.lr);
  }

  /** Creates the state of a parameter at its first update (allocate every buffer here, once). */
  protected abstract initState(param: FloatArray, group: ParamGroup<O>): ParamState;

  /** Updates one parameter in place from its gradient: the per-parameter math over flat arrays. */
  protected abstract updateParam(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<O>): void;

  /** Adds a param group `{ params, ...options }`; options it leaves out come from the defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== 'object' || !('params' in group)) {
      throw new ValueError(`${this.name}: a param group { params, ...options }; got ${String(group)}`);
    }
    const gi = this.paramGroups.length;
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    if (params.length === 0) throw new ValueError(`${this.name}: param group ${gi} with at least one parameter; got none`);
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    params.forEach((p, i) => {
      const at = `param group ${gi}, parameter ${i}`;
      if (!(p instanceof Tensor)) throw new ValueError(`${this.name}: tensors to optimize; got ${typeof p} at ${at}`);
      if (!isFloat(p.dtype)) throw new DTypeError(`${this.name}: float parameters; got ${p.dtype} at ${at}`);
      if (!p.isLeaf) {
        throw new ValueError(`${this.name}: leaf tensors to optimize; got a result of ${p.gradFn!.name} at ${at}. Optimize the leaf (a Parameter) instead`);
      }
      if (!p.isContiguous) {
        throw new ValueError(
          `${this.name}: contiguous parameters (updates write straight into storage); got a strided view of shape ${fmtShape(p.shape)} at ${at}. ` +
            'Wrap it in a Parameter, or pass p.contiguous().detach() as a new leaf',
        );
      }
      if (seen.has(p)) throw new ValueError(`${this.name}: each parameter in one param group only; got a duplicate at ${at}`);
      seen.add(p);
    });
    const merged = { ...this.defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(group)) if (k !== 'params' && v !== undefined) merged[k] = v;
    merged.params = params;
    const full = merged as unknown as ParamGroup<O>;
    this.checkOptions(full);
    this.paramGroups.push(full);
  }

  /**
   * One optimization step over every parameter with a gradient (parameters whose grad is null are
   * skipped). `closure`, if given, re-evaluates the loss first (with gradients on) and its result is returned.
   */
  step<T = void>(closure?: () => T): T | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    for (const group of this.paramGroups) {
      const params = group.params;
      for (let i = 0; i < params.length; i++) {
        const p = params[i]!;
        const g = p.grad;
        if (g === null) continue;
        const pd = flatData(p);
        const gd = this.gradData(p, g);
        let st = this.state.get(p);
        if (st === undefined) {
          st = this.initState(pd, group);
          this.state.set(p, st);
        }
        this.updateParam(pd, gd, st, group);
        p.storage.version++;
      }
    }
    return loss;
  }

  /** The gradient's elements in the parameter's order (no copy unless the gradient is a strided view). */
  private gradData(p: Tensor, g: Tensor): FloatArray {
    if (g.size !== p.size || !isFloat(g.dtype)) {
      throw new ShapeError(
        `${this.name}.step: a float gradient shaped like its parameter ${fmtShape(p.shape)}; got ${g.dtype} ${fmtShape(g.shape)}`,
      );
    }
    return g.isContiguous ? flatData(g) : (g.contiguousData() as FloatArray);
  }

  /** Clears the gradients: sets them to null (default, PyTorch's set_to_none), or zeroes them in place. */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else if (p.grad.isContiguous) {
          flatData(p.grad).fill(0);
          p.grad.storage.version++;
        } else {
          const g = p.grad;
          noGrad(() => g.zero_());
        }
      }
    }
  }

  /** The optimizer's state as plain JSON-able data: state by parameter index, and the groups' options. */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    const paramGroups: ParamGroupState[] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const entry: ParamGroupState = { params: [] };
      for (const [k, v] of Object.entries(group)) {
        if (k !== 'params') entry[k] = Array.isArray(v) ? [...(v as number[])] : v;
      }
      for (const p of group.params) {
        const st = this.state.get(p);
        if (st) {
          const out: Record<string, number | number[]> = {};
          for (const [k, v] of Object.entries(st)) out[k] = typeof v === 'number' ? v : Array.from(v);
          state[String(index)] = out;
        }
        entry.params.push(index++);
      }
      paramGroups.push(entry);
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Restores a state from `stateDict()` of an optimizer over the same parameters (same group count and
   * sizes, same order): the groups' options and every parameter's state. Nothing changes if it throws.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.param_groups) || sd.state === null || typeof sd.state !== 'object') {
      throw new ValueError(`${op}: a state dict { state, param_groups } from stateDict(); got ${sd === null ? 'null' : typeof sd}`);
    }
    const saved = sd.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new ValueError(
        `${op}: a state dict with ${this.paramGroups.length} param group(s), like this optimizer; got ${saved.length}. ` +
          'Load a state saved from an optimizer over the same parameters',
      );
    }
    const byIndex = new Map<number, Tensor>();
    const groups = saved.map((sg, i) => {
      const group = this.paramGroups[i]!;
      if (!Array.isArray(sg.params) || sg.params.length !== group.params.length) {
        throw new ValueError(
          `${op}: param group ${i} with ${group.params.length} parameter(s); got ${Array.isArray(sg.params) ? sg.params.length : 'none'}. ` +
            'Load a state saved from an optimizer over the same parameters',
        );
      }
      sg.params.forEach((idx, j) => byIndex.set(idx, group.params[j]!));
      const opts = { ...group } as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(sg)) if (k !== 'params') opts[k] = Array.isArray(v) ? [...(v as number[])] : v;
      this.checkOptions(opts as unknown as ParamGroup<O>);
      return opts;
    });
    const state = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new ValueError(`${op}: state for the parameters of param_groups; got state for unknown parameter ${key}`);
      const st: ParamState = {};
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v === 'number') st[k] = v;
        else if (Array.isArray(v)) {
          if (v.length !== p.size) {
            throw new ShapeError(`${op}: state '${k}' of parameter ${key} with ${p.size} elements (shape ${fmtShape(p.shape)}); got ${v.length}`);
          }
          const buf = p.dtype === 'float64' ? new Float64Array(p.size) : new Float32Array(p.size);
          buf.set(v);
          st[k] = buf;
        } else throw new ValueError(`${op}: numbers or number arrays in state '${k}' of parameter ${key}; got ${typeof v}`);
      }
      state.set(p, st);
    }
    groups.forEach((opts, i) => {
      const group = this.paramGroups[i]! as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(opts)) if (k !== 'params') group[k] = v;
    });
    this.state.clear();
    for (const [p, st] of state) this.state.set(p, st);
  }
}

/** Increments and returns a parameter's step count `t` (1 on its first update). */
export function nextStep(state: ParamState): number {
  const t = (typeof state.step === 'number' ? state.step : 0) + 1;
  state.step = t;
  return t;
}

/** Reads a state buffer by key; a missing one is allocated (zeroed, or filled with `fill`) like the parameter. */
export function stateBuffer(state: ParamState, key: string, like: FloatArray, fill = 0): FloatArray {
  const b = state[key];
  if (typeof b === 'object') return b;
  const nb = allocLike(like);
  if (fill !== 0) nb.fill(fill);
  state[key] = nb;
  return nb;
}
