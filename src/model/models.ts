// Keras-style models over nn modules: any module gains compile/fit/evaluate/predict/summary through
// one mixin (the fit loop is Trainer's), Sequential keeps a named layer list, Model runs a graph of
// layers built with the functional API.
import { ShapeError, ValueError } from '../core/index.ts';
import { Tensor, noGrad, zeros } from '../tensor/index.ts';
import { Module, Sequential, SymbolicTensor } from '../nn/index.ts';
import { Trainer, predict } from './training.ts';
import type { CompileOptions, EvaluateOptions, FitOptions, Inputs } from './training.ts';
import type { History, Logs } from './callbacks.ts';
import type { Dataset } from '../data/index.ts';
import { summary } from './summary.ts';

/** Input shapes (without the batch dim) hinted by Keras-style factories (`inputShape`). */
export const inputShapeHints = new WeakMap<Module, number[]>();

/** Keras' default layer name from a class name: Dense -> dense, BatchNorm1d -> batch_normalization. */
export function defaultLayerName(m: Module): string {
  const special: Record<string, string> = { BatchNorm1d: 'batch_normalization', Linear: 'linear', ReLU: 're_lu' };
  const c = m.constructor.name;
  return special[c] ?? c.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

// Mixins need `any[]` constructor arguments (TypeScript's rule for mixin classes).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ModuleClass = abstract new (...args: any[]) => Module;

/** The Keras methods Trainable adds to a module class. */
export interface TrainableMethods {
  trainer: Trainer | null;
  compile(o: CompileOptions): void;
  fit(x: Inputs | Dataset<Tensor[]> | Iterable<Tensor[]>, y?: Inputs, o?: FitOptions): History;
  evaluate(x: Inputs, y: Inputs, o?: EvaluateOptions): Logs;
  trainOnBatch(x: Inputs, y: Inputs, sampleWeight?: Tensor): Logs;
  predict(x: Inputs, o?: { batchSize?: number }): Tensor | Tensor[];
  summary(o?: { inputShape?: number[][]; print?: boolean }): string;
  readonly stopTraining: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TrainableClass<B extends ModuleClass> = B & (abstract new (...args: any[]) => TrainableMethods);

/** Adds Keras' training methods to a module class; the loop itself lives in Trainer. */
export function Trainable<B extends ModuleClass>(Base: B): TrainableClass<B> {
  abstract class TrainableModule extends Base implements TrainableMethods {
    /** The compiled state (set by compile). */
    trainer: Trainer | null = null;

    /** Configures training: `compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] })`. */
    compile(o: CompileOptions): void {
      this.trainer = new Trainer(this, o);
    }
    compiled(op: string): Trainer {
      if (!this.trainer) throw new ValueError(`${op}: a compiled model; got one without compile(). Call compile({ optimizer, loss, metrics }) first`);
      return this.trainer;
    }
    /** Trains; see Trainer.fit. */
    fit(x: Inputs | Dataset<Tensor[]> | Iterable<Tensor[]>, y?: Inputs, o?: FitOptions): History {
      return this.compiled('fit').fit(x, y, o);
    }
    evaluate(x: Inputs, y: Inputs, o?: EvaluateOptions): Logs {
      return this.compiled('evaluate').evaluate(x, y, o);
    }
    trainOnBatch(x: Inputs, y: Inputs, sampleWeight?: Tensor): Logs {
      return this.compiled('trainOnBatch').trainOnBatch(x, y, sampleWeight);
    }
    /** Outputs in eval mode, in batches (compile not needed). */
    predict(x: Inputs, o?: { batchSize?: number }): Tensor | Tensor[] {
      return predict(this, x, o);
    }
    /** The Keras-style summary table (also printed when `print` is true, the default). */
    summary(o: { inputShape?: number[][]; print?: boolean } = {}): string {
      const s = summary(this, { inputShape: o.inputShape });
      if (o.print ?? true) console.log(s);
      return s;
    }
    /** Whether a callback stopped the last fit. */
    get stopTraining(): boolean {
      return this.trainer?.stopTraining ?? false;
    }
  }
  return TrainableModule;
}

/**
 * A Keras Sequential model: an nn.Sequential with compile/fit/evaluate/predict/summary. Layers are
 * named like Keras' (dense, dense_1, ...) unless they carry a name.
 */
export class SequentialModel extends Trainable(Sequential) {
  /** Input shape (no batch dim), from an input() or an inputShape option of the first layer. */
  inputShape: number[] | null = null;

  constructor(layers: (Module | SymbolicTensor)[] = [], opts: { name?: string } = {}) {
    super();
    this.name = opts.name ?? 'sequential';
    for (const l of layers) this.add(l);
  }

  /** Appends a layer (or sets the input shape from `input({ shape })`). */
  override add(l: Module | SymbolicTensor, name?: string): this {
    if (l instanceof SymbolicTensor) {
      if (this.length || l.layer) throw new ValueError('SequentialModel.add: an input() only as the first entry; got it later or a non-input symbolic tensor');
      this.inputShape = l.shape.slice(1) as number[];
      return this;
    }
    if (!this.length && !this.inputShape) this.inputShape = inputShapeHints.get(l) ?? null;
    const taken = new Set(this.namedChildren().map(([k]) => k));
    let n = name ?? l.name ?? defaultLayerName(l);
    if (!name && !l.name && taken.has(n)) {
      let i = 1;
      while (taken.has(`${n}_${i}`)) i++;
      n = `${n}_${i}`;
    }
    l.name ??= n;
    super.add(l, n);
    // Build lazy layers as soon as the input shape is known, so parameters exist before compile.
    if (this.inputShape) this.build();
    return this;
  }

  /** Runs a dummy batch through the layers (eval mode, no gradients) so lazy layers get their sizes. */
  build(inputShape: number[] | null = this.inputShape): void {
    if (!inputShape) return;
    this.inputShape = inputShape;
    const modes = this.modules().map((m) => m.training);
    this.eval();
    try {
      noGrad(() => this.forward(zeros([1, ...inputShape])));
    } finally {
      this.modules().forEach((m, i) => (m.training = modes[i] ?? true));
      this.clearLosses();
    }
  }

  inputShapes(): number[][] | null {
    return this.inputShape ? [this.inputShape] : null;
  }
  layerList(): [string, Module][] {
    return this.namedChildren();
  }
  /** The layers in order. */
  get layers(): Module[] {
    return this.children();
  }
}

interface GraphNode {
  out: SymbolicTensor;
  layer: Module;
}

/**
 * A model from the functional API: `model({ inputs, outputs })` over symbolic tensors made by
 * `input({ shape })` and layers' `call`. Several inputs and outputs, shared layers (one set of
 * weights), and merges (add, concatenate) are supported.
 */
export class FunctionalModel extends Trainable(Module) {
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  #nodes: GraphNode[];
  #layers: [string, Module][];

  constructor(o: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor | SymbolicTensor[]; name?: string }) {
    super();
    this.name = o.name ?? 'model';
    this.inputs = Array.isArray(o.inputs) ? o.inputs : [o.inputs];
    this.outputs = Array.isArray(o.outputs) ? o.outputs : [o.outputs];
    for (const i of this.inputs) {
      if (i.layer) throw new ValueError(`model: inputs made by input(); got ${i.toString()}`);
    }
    // Topological order of the calls between the inputs and the outputs.
    const order: GraphNode[] = [];
    const seen = new Set<SymbolicTensor>();
    const visit = (t: SymbolicTensor, path: Set<SymbolicTensor>): void => {
      if (seen.has(t)) return;
      if (!t.layer) {
        if (!this.inputs.includes(t)) throw new ValueError(`model: every path from the outputs to reach one of the inputs; got a path to ${t.toString()}, which is not among them`);
        seen.add(t);
        return;
      }
      if (path.has(t)) throw new ValueError('model: an acyclic graph; got a cycle');
      path.add(t);
      for (const i of t.inputs) visit(i, path);
      path.delete(t);
      seen.add(t);
      order.push({ out: t, layer: t.layer as Module });
    };
    for (const out of this.outputs) visit(out, new Set());
    this.#nodes = order;
    const layers: [string, Module][] = [];
    const taken = new Set<string>();
    for (const { layer } of order) {
      if (layers.some(([, l]) => l === layer)) continue;
      let n = layer.name ?? defaultLayerName(layer);
      if (taken.has(n)) {
        let i = 1;
        while (taken.has(`${n}_${i}`)) i++;
        n = `${n}_${i}`;
      }
      taken.add(n);
      layer.name ??= n;
      layers.push([n, layer]);
    }
    this.#layers = layers;
  }

  override namedChildren(): [string, Module][] {
    return this.#layers.slice();
  }
  layerList(): [string, Module][] {
    return this.#layers.slice();
  }
  inputShapes(): number[][] {
    return this.inputs.map((i) => i.shape.slice(1) as number[]);
  }

  /** All outputs for the given inputs (one tensor per model input). */
  forwardAll(...xs: Tensor[]): Tensor[] {
    return this.run(xs, null);
  }
  /** The first output (use forwardAll for models with several outputs). */
  forward(...xs: Tensor[]): Tensor {
    return this.forwardAll(...xs)[0]!;
  }

  private run(xs: Tensor[], shapes: Map<Module, number[]> | null): Tensor[] {
    if (xs.length !== this.inputs.length) throw new ShapeError(`model: ${this.inputs.length} input tensor(s); got ${xs.length}`);
    const values = new Map<SymbolicTensor, Tensor>();
    this.inputs.forEach((s, i) => {
      const x = xs[i]!;
      const want = s.shape.slice(1);
      if (x.ndim !== s.shape.length || want.some((d, j) => d !== x.shape[j + 1])) {
        throw new ShapeError(`model: input '${s.name}' of shape [batch, ${want.join(', ')}]; got [${x.shape.join(', ')}]`);
      }
      values.set(s, x);
    });
    for (const { out, layer } of this.#nodes) {
      const y = layer.forward(...out.inputs.map((t) => values.get(t)!));
      values.set(out, y);
      shapes?.set(layer, y.shape);
    }
    return this.outputs.map((o) => values.get(o)!);
  }

  /** Output shapes of each layer for inputs of these shapes (a dummy batch of one). */
  outputShapesFor(inputShapes: number[][]): Map<Module, number[]> {
    const shapes = new Map<Module, number[]>();
    const modes = this.modules().map((m) => m.training);
    this.eval();
    try {
      noGrad(() => this.run(inputShapes.map((s) => zeros([1, ...s])), shapes));
    } finally {
      this.modules().forEach((m, i) => (m.training = modes[i] ?? true));
      this.clearLosses();
    }
    return shapes;
  }
}

/** A symbolic input of `shape` (without the batch dim) for the functional API or a Sequential. */
export function input(o: { shape: number[]; name?: string }): SymbolicTensor {
  if (!o.shape.every((d) => Number.isInteger(d) && d > 0)) throw new ValueError(`input: a shape of positive integers; got [${o.shape.join(', ')}]`);
  return new SymbolicTensor([null, ...o.shape], null, [], o.name ?? 'input');
}

/** Keras' Sequential: `sequential([input({ shape: [4] }), dense({ units: 3 })])`. */
export function sequential(layers: (Module | SymbolicTensor)[] = [], o: { name?: string } = {}): SequentialModel {
  return new SequentialModel(layers, o);
}

/** Keras' functional Model: `model({ inputs, outputs })`. */
export function model(o: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor | SymbolicTensor[]; name?: string }): FunctionalModel {
  return new FunctionalModel(o);
}

/** Compiles any module (a plain nn module too) into a Trainer: `compile(net, {...}).fit(x, y)`. */
export function compile(module: Module, o: CompileOptions): Trainer {
  return new Trainer(module, o);
}
