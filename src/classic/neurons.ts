// The first artificial neurons: McCulloch-Pitts' threshold unit and Rosenblatt's perceptron (course notebook S3).
import { ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Generator, Tensor, defaultGenerator } from '../tensor/index.ts';
import { checkInt, checkNumber, toMatrix } from './input.ts';
import type { Matrix } from './input.ts';

/** Options of `McCullochPittsNeuron`: a threshold, and either weights or excitatory/inhibitory input indices. */
export interface McCullochPittsOptions {
  /** The unit fires (outputs 1) when the weighted count of active inputs reaches it: Σ wᵢxᵢ >= threshold. */
  threshold: number;
  /** One weight per input (the number of inputs); inputs listed in `inhibitory` still veto. */
  weights?: readonly number[];
  /** Indices of the excitatory inputs (weight 1 each; default: every input not inhibitory). */
  excitatory?: readonly number[];
  /** Indices of the inhibitory inputs: any active one forces the output to 0 (absolute inhibition). */
  inhibitory?: readonly number[];
  /** The number of inputs (default: the length of `weights`, else 1 + the largest index listed). */
  nInputs?: number;
}

/**
 * McCulloch and Pitts' neuron (1943): binary inputs x ∈ {0,1}ⁿ, output y = 1 if no inhibitory input is
 * active and Σ wᵢxᵢ >= threshold (wᵢ = 1 for excitatory inputs), else 0. Nothing is learned: the
 * threshold and the wiring are set by hand.
 *
 * ```ts
 * const and = new McCullochPittsNeuron({ threshold: 2, nInputs: 2 });
 * and.activate([1, 1]); // 1
 * const not = new McCullochPittsNeuron({ threshold: 0, inhibitory: [0] });
 * not.activate([1]);    // 0
 * ```
 */
export class McCullochPittsNeuron {
  readonly threshold: number;
  readonly nInputs: number;
  /** The weight of each input (0 for inhibitory ones, whose effect is the veto). */
  readonly weights: readonly number[];
  /** The inhibitory inputs' indices. */
  readonly inhibitory: readonly number[];

  constructor(opts: McCullochPittsOptions) {
    const op = 'McCullochPittsNeuron';
    if (opts === null || typeof opts !== 'object') throw new ValueError(`${op}: options { threshold, weights | excitatory/inhibitory }; got ${opts === null ? 'null' : typeof opts}`);
    const { threshold, weights, excitatory, inhibitory = [] } = opts;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new ValueError(`${op}: a finite threshold; got ${threshold}`);
    if (weights && excitatory) throw new ValueError(`${op}: either weights or excitatory indices; got both`);
    const listed = [...(excitatory ?? []), ...inhibitory];
    const n = opts.nInputs ?? weights?.length ?? (listed.length ? Math.max(...listed) + 1 : NaN);
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`${op}: nInputs a positive integer (or weights / input indices to infer it); got ${n}`);
    if (weights && weights.length !== n) throw new ShapeError(`${op}: one weight per input (${n}); got ${weights.length}`);
    for (const i of listed) {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new ValueError(`${op}: input indices in [0, ${n}); got ${i}`);
    }
    const exc = excitatory ?? Array.from({ length: n }, (_, i) => i).filter((i) => !inhibitory.includes(i));
    const both = exc.find((i) => inhibitory.includes(i));
    if (both !== undefined) throw new ValueError(`${op}: an input either excitatory or inhibitory; got input ${both} in both`);
    this.threshold = threshold;
    this.nInputs = n;
    this.inhibitory = [...inhibitory];
    this.weights = weights ? weights.map((w, i) => (inhibitory.includes(i) ? 0 : w)) : Array.from({ length: n }, (_, i) => (exc.includes(i) ? 1 : 0));
  }

  /** The output for one input pattern of 0s and 1s: 0 if an inhibitory input is 1, else [Σ wᵢxᵢ >= threshold]. */
  activate(inputs: readonly number[]): 0 | 1 {
    const op = 'McCullochPittsNeuron.activate';
    if (!Array.isArray(inputs) || inputs.length !== this.nInputs) {
      throw new ShapeError(`${op}: ${this.nInputs} binary inputs; got ${Array.isArray(inputs) ? inputs.length : typeof inputs}`);
    }
    inputs.forEach((v, i) => {
      if (v !== 0 && v !== 1) throw new ValueError(`${op}: binary inputs (0 or 1); got ${v} at input ${i}`);
    });
    if (this.inhibitory.some((i) => inputs[i] === 1)) return 0;
    let s = 0;
    for (let i = 0; i < this.nInputs; i++) s += this.weights[i]! * inputs[i]!;
    return s >= this.threshold ? 1 : 0;
  }

  /** The output for each row of a binary table [n, nInputs]: int32 [n]. */
  predict(x: Matrix): Tensor {
    const rows = x instanceof Tensor ? (toMatrix('McCullochPittsNeuron.predict', x, { features: this.nInputs }).toArray() as number[][]) : x;
    return Tensor.fromData(Int32Array.from(rows, (r) => this.activate(r as number[])), [rows.length], 'int32');
  }
}

/** The step functions of a threshold logic unit. */
export type StepActivation = 'heaviside' | 'sign';

/** Options of `Perceptron`. */
export interface PerceptronOptions {
  /** The number of inputs. */
  nInputs: number;
  /** The number of threshold logic units (outputs), each with its own weights and bias (default 1). */
  nOutputs?: number;
  /** 'heaviside': 1 if z >= 0 else 0 (targets 0/1); 'sign': -1, 0 or 1 (targets -1/1). Default 'heaviside'. */
  activation?: StepActivation;
  /** The learning rate η of w += η (y − ŷ) x (default 0.1). */
  eta?: number;
  /** The most passes over the data (default 100); training stops earlier after an epoch with no error. */
  maxEpochs?: number;
  /** Visit the samples in a new random order each epoch (default true). */
  shuffle?: boolean;
  /** Seed (or generator) of the initial weights and the shuffling (default: the global generator). */
  randomState?: number | Generator;
  /** Initial weights and biases: 'random' U(−0.5, 0.5) as the notebook says, or 'zeros' (default 'random'). */
  init?: 'random' | 'zeros';
}

/**
 * Rosenblatt's perceptron: nOutputs threshold logic units, ŷ = step(W x + b) with the Heaviside or sign
 * step, trained online by the perceptron rule wᵢⱼ += η (yⱼ − ŷⱼ) xᵢ, bⱼ += η (yⱼ − ŷⱼ), epoch after
 * epoch until one has no error or maxEpochs. It converges on linearly separable data and never on
 * XOR.
 *
 * ```ts
 * const p = new Perceptron({ nInputs: 2, randomState: 0 });
 * const errors = p.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1]); // AND: [.., 0]
 * p.predict([[1, 1]]); // int32 [1]
 * ```
 */
export class Perceptron {
  readonly nInputs: number;
  readonly nOutputs: number;
  readonly activation: StepActivation;
  readonly eta: number;
  readonly maxEpochs: number;
  readonly shuffle: boolean;
  /** Errors (wrong outputs) made in each epoch of the last fit. */
  errors: number[] = [];
  /** Whether the last fit ended with an epoch without error. */
  converged = false;
  private w: Float64Array;
  private b: Float64Array;
  private readonly gen: Generator;

  constructor(opts: PerceptronOptions) {
    const op = 'Perceptron';
    const { nInputs, nOutputs = 1, activation = 'heaviside', eta = 0.1, maxEpochs = 100, shuffle = true, randomState, init = 'random' } = opts;
    checkInt(op, 'nInputs', nInputs, 1);
    checkInt(op, 'nOutputs', nOutputs, 1);
    if (activation !== 'heaviside' && activation !== 'sign') throw new ValueError(`${op}: activation 'heaviside' or 'sign'; got '${activation as string}'`);
    checkNumber(op, 'eta', eta, 0, Infinity, true, true);
    checkInt(op, 'maxEpochs', maxEpochs, 1);
    if (init !== 'random' && init !== 'zeros') throw new ValueError(`${op}: init 'random' or 'zeros'; got '${init as string}'`);
    this.nInputs = nInputs;
    this.nOutputs = nOutputs;
    this.activation = activation;
    this.eta = eta;
    this.maxEpochs = maxEpochs;
    this.shuffle = shuffle;
    this.gen = randomState instanceof Generator ? randomState : randomState === undefined ? defaultGenerator : new Generator(randomState);
    this.w = new Float64Array(nOutputs * nInputs);
    this.b = new Float64Array(nOutputs);
    if (init === 'random') {
      for (let i = 0; i < this.w.length; i++) this.w[i] = this.gen.random() - 0.5;
      for (let j = 0; j < nOutputs; j++) this.b[j] = this.gen.random() - 0.5;
    }
  }

  /** The weights, one row per unit: [nOutputs][nInputs]. */
  get weights(): number[][] {
    return Array.from({ length: this.nOutputs }, (_, j) => Array.from(this.w.subarray(j * this.nInputs, (j + 1) * this.nInputs)));
  }
  /** The biases (the negated thresholds), one per unit. */
  get bias(): number[] {
    return Array.from(this.b);
  }

  private step(z: number): number {
    if (this.activation === 'heaviside') return z >= 0 ? 1 : 0;
    return z > 0 ? 1 : z < 0 ? -1 : 0;
  }

  /** The targets as rows of nOutputs values, checked against the activation's range. */
  private targets(op: string, y: Tensor | readonly number[] | readonly (readonly number[])[], n: number): Float64Array {
    let flat: number[];
    if (y instanceof Tensor) {
      const want = this.nOutputs === 1 ? [n] : [n, this.nOutputs];
      const ok = (y.ndim === 2 && y.shape[0] === n && y.shape[1] === this.nOutputs) || (this.nOutputs === 1 && y.ndim === 1 && y.shape[0] === n);
      if (!ok) throw new ShapeError(`${op}: y of shape ${fmtShape(want)}; got ${fmtShape(y.shape)}`);
      flat = Array.from(y.contiguousData());
    } else {
      if (!Array.isArray(y) || y.length !== n) throw new ShapeError(`${op}: one target per sample (${n}); got ${Array.isArray(y) ? y.length : typeof y}`);
      flat = (y as readonly (number | readonly number[])[]).flatMap((r, i) => {
        const row = typeof r === 'number' ? [r] : r;
        if (!Array.isArray(row) || row.length !== this.nOutputs) throw new ShapeError(`${op}: ${this.nOutputs} target(s) per sample; got ${JSON.stringify(r)} at row ${i}`);
        return row as number[];
      });
    }
    const allowed = this.activation === 'heaviside' ? [0, 1] : [-1, 1];
    flat.forEach((v, i) => {
      if (!allowed.includes(v)) {
        throw new ValueError(
          `${op}: targets ${allowed.join(' or ')} for the ${this.activation} activation; got ${v} at sample ${Math.floor(i / this.nOutputs)}` +
            (this.activation === 'heaviside' && v === -1 ? ". Use activation 'sign' for -1/1 targets" : ''),
        );
      }
    });
    return Float64Array.from(flat);
  }

  /**
   * Trains with the perceptron rule, one sample at a time: ŷ = step(W x + b), then
   * W += η (y − ŷ) xᵀ, b += η (y − ŷ); stops after an epoch with no error or after maxEpochs.
   * Returns the number of wrong outputs in each epoch.
   */
  fit(x: Matrix, y: Tensor | readonly number[] | readonly (readonly number[])[]): number[] {
    const op = 'Perceptron.fit';
    const xt = toMatrix(op, x, { dtype: 'float64', features: this.nInputs });
    const n = xt.shape[0]!;
    const xd = xt.contiguousData();
    const yd = this.targets(op, y, n);
    const { nInputs: f, nOutputs: k, eta } = this;
    this.errors = [];
    this.converged = false;
    const order = Array.from({ length: n }, (_, i) => i);
    for (let epoch = 0; epoch < this.maxEpochs; epoch++) {
      if (this.shuffle) {
        for (let i = n - 1; i > 0; i--) {
          const j = this.gen.int(0, i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      }
      let wrong = 0;
      for (const s of order) {
        for (let j = 0; j < k; j++) {
          let z = this.b[j]!;
          for (let i = 0; i < f; i++) z += this.w[j * f + i]! * xd[s * f + i]!;
          const err = yd[s * k + j]! - this.step(z);
          if (err === 0) continue;
          wrong++;
          for (let i = 0; i < f; i++) this.w[j * f + i]! += eta * err * xd[s * f + i]!;
          this.b[j]! += eta * err;
        }
      }
      this.errors.push(wrong);
      if (wrong === 0) {
        this.converged = true;
        break;
      }
    }
    return this.errors;
  }

  /** The net inputs z = W x + b: float64 [n, nOutputs]. */
  decisionFunction(x: Matrix): Tensor {
    const xt = toMatrix('Perceptron.decisionFunction', x, { dtype: 'float64', features: this.nInputs });
    const n = xt.shape[0]!;
    const xd = xt.contiguousData();
    const { nInputs: f, nOutputs: k } = this;
    const out = new Float64Array(n * k);
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < k; j++) {
        let z = this.b[j]!;
        for (let i = 0; i < f; i++) z += this.w[j * f + i]! * xd[s * f + i]!;
        out[s * k + j] = z;
      }
    }
    return Tensor.fromData(out, [n, k], 'float64');
  }

  /** The step outputs: int32 [n] with one unit, [n, nOutputs] with several. */
  predict(x: Matrix): Tensor {
    const z = this.decisionFunction(x);
    const out = Int32Array.from(z.contiguousData(), (v) => this.step(v));
    return Tensor.fromData(out, this.nOutputs === 1 ? [z.shape[0]!] : z.shape, 'int32');
  }

  /** The fraction of samples whose outputs are all right. */
  score(x: Matrix, y: Tensor | readonly number[] | readonly (readonly number[])[]): number {
    const p = this.predict(x).contiguousData();
    const n = p.length / this.nOutputs;
    const yd = this.targets('Perceptron.score', y, n);
    let right = 0;
    for (let s = 0; s < n; s++) {
      let ok = true;
      for (let j = 0; j < this.nOutputs; j++) if (p[s * this.nOutputs + j] !== yd[s * this.nOutputs + j]) ok = false;
      if (ok) right++;
    }
    return right / n;
  }
}
