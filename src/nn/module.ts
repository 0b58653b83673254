// Module: the base of every layer and model. Parameters and submodules are found by walking the
// instance's own fields (Parameters, Modules, arrays of them) — no registration calls needed.
import { ShapeError, ValueError, fmtShape, sameShape } from '../core/index.ts';
import { Tensor, noGrad, zeros } from '../tensor/index.ts';
import { Parameter } from './parameter.ts';
import { SymbolicTensor } from './symbolic.ts';

const bufferNames = new WeakMap<Module, Set<string>>();

/**
 * Base class for layers and models (PyTorch's nn.Module). Subclasses set fields (Parameters,
 * Modules, arrays of Modules) in the constructor and implement `forward`.
 *
 * ```ts
 * class Net extends Module {
 *   fc1 = new Linear(784, 256);
 *   fc2 = new Linear(256, 10);
 *   forward(x: Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * ```
 */
export abstract class Module {
  /** True in training mode (dropout active, batch statistics used). */
  training = true;
  /** Losses added during the last forward pass (activity regularisation); see addLoss. */
  #losses: Tensor[] = [];

  /** The computation: subclasses define it. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /**
   * Runs `forward` (the PyTorch `module(x)` call). Called on symbolic tensors (functional API), it
   * records the call and returns a symbolic output whose shape comes from one forward pass on a
   * dummy batch of one (in eval mode, without gradients), which also builds lazy layers.
   */
  call(...inputs: Tensor[]): Tensor;
  call(...inputs: SymbolicTensor[]): SymbolicTensor;
  call(...inputs: (Tensor | SymbolicTensor)[]): Tensor | SymbolicTensor {
    if (inputs.length && inputs.every((x) => x instanceof SymbolicTensor)) return this.callSymbolic(inputs as SymbolicTensor[]);
    if (inputs.some((x) => x instanceof SymbolicTensor)) {
      throw new ValueError(`${this.constructor.name}.call: all tensors or all symbolic tensors; got a mix`);
    }
    return this.forward(...(inputs as Tensor[]));
  }

  private callSymbolic(inputs: SymbolicTensor[]): SymbolicTensor {
    for (const x of inputs) {
      if (x.shape[0] !== null || x.shape.slice(1).some((d) => d === null)) {
        throw new ShapeError(`${this.constructor.name}.call: symbolic inputs with a null batch dim and known other dims; got ${x.toString()}`);
      }
    }
    const modes = this.modules().map((m) => m.training);
    this.eval();
    let out: Tensor;
    try {
      out = noGrad(() => this.forward(...inputs.map((x) => zeros([1, ...(x.shape.slice(1) as number[])]))));
    } finally {
      this.modules().forEach((m, i) => (m.training = modes[i] ?? true));
      this.clearLosses();
    }
    return new SymbolicTensor([null, ...out.shape.slice(1)], this, inputs, `${this.name ?? this.constructor.name}/output`);
  }

  /** An optional name (Keras-style models name their layers: dense, dense_1, ...). */
  declare name?: string;

  /** Adds a loss term for this forward pass (Keras' add_loss; used by activity regularisers). */
  addLoss(loss: Tensor): void {
    this.#losses.push(loss);
  }
  /** The loss terms added by this module and all below it since the last clearLosses. */
  losses(): Tensor[] {
    return this.modules().flatMap((m) => m.#losses);
  }
  /** Drops the added loss terms (the training loop calls this before each forward). */
  clearLosses(): void {
    for (const m of this.modules()) m.#losses = [];
  }

  /** Marks a field as a buffer: a tensor saved in stateDict but not trained (e.g. running stats). */
  protected registerBuffer(name: string, value: Tensor): void {
    let s = bufferNames.get(this);
    if (!s) bufferNames.set(this, (s = new Set()));
    s.add(name);
    (this as unknown as Record<string, unknown>)[name] = value;
  }

  /** Direct submodules with their field names (array entries as `field.i`). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (k === 'name') continue;
      if (v instanceof Module) out.push([k, v]);
      else if (Array.isArray(v)) v.forEach((m, i) => m instanceof Module && out.push([`${k}.${i}`, m]));
    }
    return out;
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }
  /** This module and all below it, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k));
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** This module's own parameters (not its children's), by field name. */
  protected ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Parameter) out.push([k, v]);
      else if (Array.isArray(v)) v.forEach((p, i) => p instanceof Parameter && out.push([`${k}.${i}`, p]));
    }
    return out;
  }

  /** All parameters with dotted names (`0.weight`, `fc1.bias`), each once even if shared. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [mn, m] of this.namedModules(prefix)) {
      for (const [pn, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([mn ? `${mn}.${pn}` : pn, p]);
      }
    }
    return out;
  }
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }
  /** Buffers (running statistics...) with dotted names. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [mn, m] of this.namedModules()) {
      for (const b of bufferNames.get(m) ?? []) {
        const t = (m as unknown as Record<string, unknown>)[b];
        if (t instanceof Tensor) out.push([mn ? `${mn}.${b}` : b, t]);
      }
    }
    return out;
  }

  /** Total number of parameter elements (trainable ones only with `trainableOnly`). */
  numParameters(trainableOnly = false): number {
    return this.parameters().reduce((a, p) => a + (trainableOnly && !p.requiresGrad ? 0 : p.size), 0);
  }

  /** Sets training mode on this module and all below it. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Sets evaluation mode (dropout off, running statistics used). */
  eval(): this {
    return this.train(false);
  }
  /** Calls `fn` on every submodule, children first, then this one (like PyTorch). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }
  /**
   * Freezes parameters (requiresGrad false, so optimizers built afterwards skip them and summary
   * counts them as non-trainable): all of them, or those whose dotted name matches `pattern`
   * (a RegExp, or a string prefix such as 'features.').
   */
  freeze(pattern?: RegExp | string): this {
    return this.setTrainable(false, pattern);
  }
  /** Unfreezes parameters (all, or those matching `pattern`), for fine-tuning. */
  unfreeze(pattern?: RegExp | string): this {
    return this.setTrainable(true, pattern);
  }
  private setTrainable(on: boolean, pattern?: RegExp | string): this {
    const match = (n: string): boolean => pattern === undefined || (typeof pattern === 'string' ? n.startsWith(pattern) : pattern.test(n));
    let hits = 0;
    for (const [n, p] of this.namedParameters()) {
      if (!match(n)) continue;
      p.requiresGrad = on;
      if (!on) p.grad = null;
      hits++;
    }
    if (pattern !== undefined && hits === 0) {
      throw new ValueError(`${on ? 'unfreeze' : 'freeze'}: a pattern matching some parameter names (${this.namedParameters().slice(0, 6).map(([n]) => n).join(', ')}...); got ${String(pattern)}`);
    }
    return this;
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by dotted name (tensors detached from the graph, sharing data). */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [n, p] of this.namedParameters()) sd[n] = p.detach();
    for (const [n, b] of this.namedBuffers()) sd[n] = b.detach();
    return sd;
  }

  /**
   * Copies values from a state dict. With `strict` (default), missing or unexpected keys are an
   * error; shapes must always match.
   */
  loadStateDict(sd: Record<string, Tensor>, strict = true): { missingKeys: string[]; unexpectedKeys: string[] } {
    const targets = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    const missingKeys = [...targets.keys()].filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !targets.has(k));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      throw new ValueError(
        `loadStateDict: the keys of this model; got missing [${missingKeys.join(', ')}] and unexpected [${unexpectedKeys.join(', ')}]`,
      );
    }
    noGrad(() => {
      for (const [k, t] of targets) {
        const src = sd[k];
        if (!src) continue;
        if (!sameShape(src.shape, t.shape)) {
          throw new ShapeError(`loadStateDict: '${k}' of shape ${fmtShape(t.shape)}; got ${fmtShape(src.shape)}`);
        }
        t.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Extra text shown inside the module's parentheses when printed. */
  extraRepr(): string {
    return '';
  }

  /** A PyTorch-like description of the module tree. */
  toString(): string {
    const kids = this.namedChildren();
    const name = this.constructor.name;
    if (!kids.length) return `${name}(${this.extraRepr()})`;
    const lines = kids.map(([k, m]) => `  (${k}): ${m.toString().split('\n').join('\n  ')}`);
    return `${name}(\n${lines.join('\n')}\n)`;
  }
}
