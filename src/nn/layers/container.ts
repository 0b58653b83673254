// Sequential: modules applied in order, positional or named (like PyTorch's OrderedDict form).
import { ValueError } from '../../core/index.ts';
import { Tensor, isGradEnabled } from '../../tensor/index.ts';
import { Module } from '../module.ts';
import { Linear } from './linear.ts';
import { Conv2d } from './conv.ts';
import { FusedInference, fusableActivation } from './dense-chain.ts';

const reserved = new Set(['training', 'forward', 'call', 'add', 'length', 'at', 'name']);

/**
 * Applies its modules in order. `new Sequential(a, b, c)` names them 0, 1, 2;
 * `new Sequential({ fc1: a, relu: b })` (or a Map) keeps the given names.
 */
export class Sequential extends Module {
  #entries: [string, Module][] = [];
  /** Its inference as one backend call (dense-chain.ts): undefined until tried, null when it is not a dense chain. */
  #fused: FusedInference | null | undefined = undefined;

  constructor(...layers: Module[] | [Record<string, Module> | Map<string, Module>]) {
    super();
    const first = layers[0];
    if (layers.length === 1 && !(first instanceof Module)) {
      const entries = first instanceof Map ? [...first.entries()] : Object.entries(first as Record<string, Module>);
      for (const [k, m] of entries) this.add(m, k);
    } else for (const m of layers as Module[]) this.add(m);
  }

  /** Appends a module (named by its position unless a name is given). */
  add(m: Module, name = String(this.#entries.length)): this {
    if (!(m instanceof Module)) throw new ValueError(`Sequential.add: a Module; got ${typeof m}`);
    if (reserved.has(name) || name in this || this.#entries.some(([k]) => k === name)) {
      throw new ValueError(`Sequential.add: a new, unreserved name; got '${name}'`);
    }
    this.#entries.push([name, m]);
    this.#fused = undefined;
    (this as unknown as Record<string, Module>)[name] = m;
    return this;
  }

  get length(): number {
    return this.#entries.length;
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const e = this.#entries.at(i);
    if (!e) throw new ValueError(`Sequential.at: an index in [${-this.length}, ${this.length - 1}]; got ${i}`);
    return e[1];
  }
  override namedChildren(): [string, Module][] {
    return this.#entries.slice();
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.#entries.map(([, m]) => m)[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    const es = this.#entries;
    // Inference through a chain of dense layers: one backend call (dense-chain.ts).
    if (!isGradEnabled() && x.ndim === 2) {
      if (this.#fused === undefined) this.#fused = FusedInference.of(es.map((e) => e[1]));
      const y = this.#fused?.run(x);
      if (y) return y;
    }
    for (let i = 0; i < es.length; i++) {
      const m = es[i]![1];
      // A Linear or Conv2d layer and the ReLU, Tanh or Sigmoid right after it (or a Keras Activation
      // of one of them) run as one op (the activation in place on the layer's output: one pass, one
      // buffer and one graph node fewer). Only the exact classes: a subclass may change either.
      const C = m.constructor;
      if (C === Linear || C === Conv2d) {
        const act = fusableActivation(es[i + 1]?.[1]);
        if (act && act !== 'softmax') {
          x = (m as Linear | Conv2d).forwardActivation(x, act);
          i++;
          continue;
        }
      }
      x = m.forward(x);
    }
    return x;
  }
}
