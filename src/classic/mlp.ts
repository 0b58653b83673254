// scikit-learn's MLPClassifier and MLPRegressor, built on neurona's nn (Sequential of Linear + activations) and optim (SGD, Adam).
import { ShapeError, ValueError } from '../core/index.ts';
import { getBackend } from '../backend/backend.ts';
import type { TypedArray } from '../core/index.ts';
import { Generator, Tensor, concat, defaultGenerator, noGrad } from '../tensor/index.ts';
import { Identity, Linear, ReLU, Sequential, Sigmoid, Tanh, bceWithLogitsLoss, crossEntropy } from '../nn/index.ts';
import type { Module } from '../nn/index.ts';
import { Adam, SGD, flatData } from '../optim/index.ts';
import { trainTestSplit } from '../data/index.ts';
import { checkInt, checkNumber, labelArray, showLabels, toMatrix, toTargets, uniqueSorted } from './input.ts';
import type { Label, Labels, Matrix } from './input.ts';
import { r2 } from './regression.ts';

/** The hidden-layer activations of scikit-learn's MLPs. */
export type MLPActivation = 'identity' | 'logistic' | 'tanh' | 'relu';
/** The solvers: 'adam' and 'sgd' ('lbfgs' is accepted by the type and refused with a clear error: not available in neurona yet). */
export type MLPSolver = 'adam' | 'sgd' | 'lbfgs';
/** The learning-rate schedules of solver 'sgd'. */
export type MLPLearningRate = 'constant' | 'invscaling' | 'adaptive';

/** The options of MLPClassifier and MLPRegressor: scikit-learn's names (camelCase) and defaults. */
export interface MLPOptions {
  /** The width of each hidden layer (default [100]). */
  hiddenLayerSizes?: readonly number[];
  /** The hidden layers' activation (default 'relu'). */
  activation?: MLPActivation;
  /** The optimizer (default 'adam'); 'lbfgs' is not available in neurona. */
  solver?: MLPSolver;
  /** The L2 penalty: alpha/(2·batch)·Σ‖W‖² is added to each batch's loss (weights only, not biases) (default 1e-4). */
  alpha?: number;
  /** Samples per minibatch; 'auto' = min(200, n) (default 'auto'). */
  batchSize?: number | 'auto';
  /** Solver 'sgd' only: 'constant', 'invscaling' (lr = lrInit / (t + 1)^powerT, t = samples seen) or 'adaptive' (lr / 5 when the loss stalls) (default 'constant'). */
  learningRate?: MLPLearningRate;
  /** The initial (or constant) learning rate (default 1e-3). */
  learningRateInit?: number;
  /** The exponent of 'invscaling' (default 0.5). */
  powerT?: number;
  /** The most epochs (passes over the data) (default 200). */
  maxIter?: number;
  /** Shuffle the samples each epoch (default true). */
  shuffle?: boolean;
  /** A seed (the same each fit) or a generator for the init, the shuffling and the validation split (default: the global generator). */
  randomState?: number | Generator;
  /** The improvement of the loss (or validation score) that counts as progress (default 1e-4). */
  tol?: number;
  /** Print the loss of each epoch (default false). */
  verbose?: boolean;
  /** fit continues from the current weights instead of re-initialising (default false). */
  warmStart?: boolean;
  /** Solver 'sgd': momentum (default 0.9). */
  momentum?: number;
  /** Solver 'sgd': Nesterov's momentum (default true). */
  nesterovsMomentum?: boolean;
  /** Hold out validationFraction of the data and stop when its score stalls; keep the best weights (default false). */
  earlyStopping?: boolean;
  /** The held-out fraction for earlyStopping (default 0.1). */
  validationFraction?: number;
  /** Solver 'adam': β1 (default 0.9). */
  beta1?: number;
  /** Solver 'adam': β2 (default 0.999). */
  beta2?: number;
  /** Solver 'adam': ε (default 1e-8). */
  epsilon?: number;
  /** Stop after this many epochs without an improvement of tol (default 10). */
  nIterNoChange?: number;
  /** The float type of the weights and the computation (default 'float32'; scikit-learn uses float64 for float64 input). */
  dtype?: 'float32' | 'float64';
}

type Resolved = Required<Omit<MLPOptions, 'randomState'>> & { randomState: number | Generator | undefined };

function resolve(name: string, o: MLPOptions): Resolved {
  if (o === null || typeof o !== 'object') throw new ValueError(`${name}: an options object; got ${o === null ? 'null' : typeof o}`);
  const r: Resolved = {
    hiddenLayerSizes: [100], activation: 'relu', solver: 'adam', alpha: 1e-4, batchSize: 'auto', learningRate: 'constant',
    learningRateInit: 1e-3, powerT: 0.5, maxIter: 200, shuffle: true, tol: 1e-4, verbose: false, warmStart: false, momentum: 0.9,
    nesterovsMomentum: true, earlyStopping: false, validationFraction: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, nIterNoChange: 10,
    dtype: 'float32', randomState: undefined,
  };
  for (const [k, v] of Object.entries(o)) {
    if (!(k in r)) throw new ValueError(`${name}: known options (${Object.keys(r).join(', ')}); got '${k}'`);
    if (v !== undefined) (r as unknown as Record<string, unknown>)[k] = v;
  }
  const h = r.hiddenLayerSizes;
  if (!Array.isArray(h) || h.some((s) => !Number.isInteger(s) || s <= 0)) {
    throw new ValueError(`${name}: hiddenLayerSizes an array of positive integers; got ${JSON.stringify(h)}`);
  }
  r.hiddenLayerSizes = [...h];
  if (!['identity', 'logistic', 'tanh', 'relu'].includes(r.activation)) {
    throw new ValueError(`${name}: activation 'identity', 'logistic', 'tanh' or 'relu'; got '${r.activation}'`);
  }
  if (r.solver === 'lbfgs') {
    throw new ValueError(`${name}: solver 'adam' or 'sgd'; got 'lbfgs', which neurona does not implement. Use solver 'adam' (the default) or 'sgd'`);
  }
  if (r.solver !== 'adam' && r.solver !== 'sgd') throw new ValueError(`${name}: solver 'adam' or 'sgd'; got '${r.solver as string}'`);
  if (!['constant', 'invscaling', 'adaptive'].includes(r.learningRate)) {
    throw new ValueError(`${name}: learningRate 'constant', 'invscaling' or 'adaptive'; got '${r.learningRate}'`);
  }
  if (r.batchSize !== 'auto') checkInt(name, "batchSize ('auto' or)", r.batchSize, 1);
  checkNumber(name, 'alpha', r.alpha, 0, Infinity, false, true);
  checkNumber(name, 'learningRateInit', r.learningRateInit, 0, Infinity, true, true);
  checkNumber(name, 'powerT', r.powerT, 0, Infinity, false, true);
  checkInt(name, 'maxIter', r.maxIter, 1);
  checkNumber(name, 'tol', r.tol, 0, Infinity, false, true);
  checkNumber(name, 'momentum', r.momentum, 0, 1);
  checkNumber(name, 'validationFraction', r.validationFraction, 0, 1, true, true);
  checkNumber(name, 'beta1', r.beta1, 0, 1, false, true);
  checkNumber(name, 'beta2', r.beta2, 0, 1, false, true);
  checkNumber(name, 'epsilon', r.epsilon, 0, Infinity, true, true);
  checkInt(name, 'nIterNoChange', r.nIterNoChange, 1);
  if (r.dtype !== 'float32' && r.dtype !== 'float64') throw new ValueError(`${name}: dtype 'float32' or 'float64'; got '${r.dtype as string}'`);
  if (!(r.randomState === undefined || r.randomState instanceof Generator || Number.isInteger(r.randomState))) {
    throw new ValueError(`${name}: randomState an integer seed or a Generator; got ${String(r.randomState)}`);
  }
  return r;
}

/** The output activation scikit-learn picks: softmax (multiclass), logistic (binary), identity (regression). */
export type MLPOutActivation = 'identity' | 'logistic' | 'softmax';

/**
 * What MLPClassifier and MLPRegressor share: scikit-learn's BaseMultilayerPerceptron, with the network an
 * nn.Sequential (Linear, activation, ..., Linear) and the updates done by neurona's SGD or Adam.
 */
export abstract class BaseMLP {
  /** The options, with the defaults filled in (change them with setParams). */
  params: Readonly<Resolved>;
  /** The network after fit: Linear, activation, ..., Linear (outputs before the output activation). */
  net: Sequential | null = null;
  /** The training loss of each epoch (data loss + L2 term, averaged over the samples as scikit-learn does). */
  lossCurve: number[] = [];
  /** The last epoch's loss. */
  loss: number | null = null;
  /** The lowest training loss (null with earlyStopping). */
  bestLoss: number | null = null;
  /** The validation score of each epoch with earlyStopping (accuracy or R²), else null. */
  validationScores: number[] | null = null;
  /** The best validation score with earlyStopping, else null. */
  bestValidationScore: number | null = null;
  /** Epochs run (accumulated over partialFit calls). */
  nIter = 0;
  /** Samples seen in training (scikit-learn's t_). */
  t = 0;
  /** Features seen in fit. */
  nFeaturesIn = 0;
  /** Output units. */
  nOutputs = 0;
  /** Layers including input and output: hiddenLayerSizes.length + 2. */
  nLayers = 0;
  /** The output activation. */
  outActivation: MLPOutActivation = 'identity';
  /** Whether the last fit stopped on the tol rule (false when it ran out of maxIter). */
  converged = false;
  private optimizer: SGD | Adam | null = null;
  private noImprovementCount = 0;

  constructor(
    protected readonly name: string,
    opts: MLPOptions,
  ) {
    this.params = resolve(name, opts);
  }

  /** Changes options (scikit-learn's set_params), e.g. `setParams({ warmStart: true, maxIter: 50 })`; the weights stay. */
  setParams(opts: MLPOptions): this {
    const { randomState, ...rest } = this.params;
    this.params = resolve(this.name, { ...rest, ...(randomState === undefined ? {} : { randomState }), ...opts });
    return this;
  }

  /** The weight matrices, [in][out] per layer as scikit-learn's coefs_ (a copy). */
  get coefs(): number[][][] {
    return this.linears('coefs').map((l) => {
      const [o, i] = l.weight.shape as [number, number];
      const w = l.weight.contiguousData();
      return Array.from({ length: i }, (_, r) => Array.from({ length: o }, (_, c) => w[c * i + r]!));
    });
  }
  /** The bias vectors, one per layer, as scikit-learn's intercepts_ (a copy). */
  get intercepts(): number[][] {
    return this.linears('intercepts').map((l) => Array.from(l.bias!.contiguousData()));
  }

  private linears(op: string): Linear[] {
    return this.fittedNet(op)
      .children()
      .filter((m): m is Linear => m instanceof Linear);
  }

  protected fittedNet(op: string): Sequential {
    if (!this.net) throw new ValueError(`${this.name}.${op}: a fitted model; got one not fitted yet. Call fit() first`);
    return this.net;
  }

  /** Checks and converts x for prediction (fitted, same feature count, finite). */
  protected input(op: string, x: Matrix): Tensor {
    this.fittedNet(op);
    return toMatrix(`${this.name}.${op}`, x, { dtype: this.params.dtype, features: this.nFeaturesIn });
  }

  /** The network's outputs before the output activation, without gradients: [n, nOutputs]. */
  protected raw(x: Tensor): Tensor {
    const net = this.net!;
    return noGrad(() => net.forward(x));
  }

  /** The loss of one batch of raw outputs: the tensor to differentiate and scikit-learn's reported value. */
  protected abstract dataLoss(out: Tensor, y: Tensor): { loss: Tensor; value: number };
  /** The validation score for earlyStopping (accuracy or R²) of encoded targets. */
  protected abstract encodedScore(x: Tensor, y: Tensor): number;
  /** Whether to stratify the earlyStopping split by these encoded targets (class indices), or null. */
  protected abstract strata(y: Tensor): Tensor | null;

  private generator(): Generator {
    const rs = this.params.randomState;
    return rs instanceof Generator ? rs : rs === undefined ? defaultGenerator : new Generator(rs);
  }

  /** Builds the network with scikit-learn's init: W, b ~ U(±√(factor/(fanIn + fanOut))), factor 6 (2 for logistic). */
  private initialize(nFeatures: number, nOutputs: number, out: MLPOutActivation, gen: Generator): void {
    const { hiddenLayerSizes, activation, dtype, earlyStopping } = this.params;
    const units = [nFeatures, ...hiddenLayerSizes, nOutputs];
    const layers: Module[] = [];
    const factor = activation === 'logistic' ? 2 : 6;
    for (let l = 0; l + 1 < units.length; l++) {
      const fanIn = units[l]!;
      const fanOut = units[l + 1]!;
      const bound = Math.sqrt(factor / (fanIn + fanOut));
      const lin = new Linear(fanIn, fanOut, { dtype });
      // Drawn in scikit-learn's order: coef [fanIn][fanOut] row by row, then the intercept.
      const w = lin.weight.data();
      for (let i = 0; i < fanIn; i++) for (let o = 0; o < fanOut; o++) w[o * fanIn + i] = -bound + 2 * bound * gen.random();
      const b = lin.bias!.data();
      for (let o = 0; o < fanOut; o++) b[o] = -bound + 2 * bound * gen.random();
      lin.weight.storage.version++;
      lin.bias!.storage.version++;
      layers.push(lin);
      if (l + 2 < units.length) {
        layers.push(activation === 'relu' ? new ReLU() : activation === 'tanh' ? new Tanh() : activation === 'logistic' ? new Sigmoid() : new Identity());
      }
    }
    this.net = new Sequential(...layers);
    this.nFeaturesIn = nFeatures;
    this.nOutputs = nOutputs;
    this.nLayers = units.length;
    this.outActivation = out;
    this.nIter = 0;
    this.t = 0;
    this.lossCurve = [];
    this.noImprovementCount = 0;
    this.validationScores = earlyStopping ? [] : null;
    this.bestValidationScore = earlyStopping ? -Infinity : null;
    this.bestLoss = earlyStopping ? null : Infinity;
    this.optimizer = null;
  }

  private makeOptimizer(): SGD | Adam {
    const p = this.params;
    // Two groups: the weights, whose L2 gradient alpha·W/nb the optimizer adds as its weight decay (set per
    // batch in train(), so it runs inside the fused update), and the biases, which scikit-learn does not penalise.
    const all = this.net!.parameters();
    const params = [{ params: all.filter((q) => q.ndim === 2) }, { params: all.filter((q) => q.ndim !== 2) }];
    if (p.solver === 'sgd') {
      return new SGD(params, { lr: p.learningRateInit, momentum: p.momentum, nesterov: p.nesterovsMomentum && p.momentum > 0 });
    }
    return new Adam(params, { lr: p.learningRateInit, betas: [p.beta1, p.beta2], eps: p.epsilon });
  }

  /**
   * Changes the learning rate. scikit-learn's SGD keeps a velocity v = μv − lr·g (the rate inside), PyTorch's
   * a buffer b = μb + g with v = −lr·b; rescaling b by lr_old/lr_new keeps v, so the steps match scikit-learn's.
   */
  private setLr(optimizer: SGD | Adam, lr: number): void {
    const old = optimizer.paramGroups[0]!.lr;
    if (optimizer instanceof SGD && lr !== old) {
      const f = old / lr;
      for (const st of optimizer.state.values()) {
        const b = st.momentumBuffer;
        if (typeof b === 'object') for (let i = 0; i < b.length; i++) b[i]! *= f;
      }
    }
    for (const group of optimizer.paramGroups) group.lr = lr;
  }

  /**
   * scikit-learn's _fit_stochastic: epochs of shuffled minibatches, loss = data loss + alpha/(2·batch)·Σ‖W‖²,
   * one optimizer step per batch; stop when the loss (or validation score) has not improved by tol for
   * more than nIterNoChange epochs ('adaptive' divides the rate by 5 instead, down to 1e-6).
   */
  protected train(op: string, x: Tensor, y: Tensor, nOutputs: number, out: MLPOutActivation, incremental: boolean): void {
    const p = this.params;
    const gen = this.generator();
    const first = !this.net || (!p.warmStart && !incremental);
    if (first) this.initialize(x.shape[1]!, nOutputs, out, gen);
    if (!incremental || !this.optimizer) this.optimizer = this.makeOptimizer();
    const optimizer = this.optimizer;
    const net = this.net!;
    net.train();
    const weights = net.parameters().filter((q) => q.ndim === 2);
    const firstParam = weights[0]!;
    const earlyStopping = p.earlyStopping && !incremental;
    let xVal: Tensor | null = null;
    let yVal: Tensor | null = null;
    let best: TypedArray[] | null = null;
    if (earlyStopping) {
      if (x.shape[0]! < 2) throw new ValueError(`${op}: at least 2 samples with earlyStopping (to hold out a validation part); got ${x.shape[0]}`);
      const strata = this.strata(y);
      const s = trainTestSplit([x, y], { testSize: p.validationFraction, generator: gen, ...(strata ? { stratify: strata } : {}) });
      [x, y] = s.train as [Tensor, Tensor];
      [xVal, yVal] = s.test as [Tensor, Tensor];
    }
    const n = x.shape[0]!;
    const batch = p.batchSize === 'auto' ? Math.min(200, n) : Math.min(Math.max(p.batchSize, 1), n);
    this.converged = false;
    let order: Int32Array | null = null;
    for (let it = 0; it < p.maxIter; it++) {
      if (p.shuffle) order = gen.permutation(n);
      let accumulated = 0;
      for (let start = 0; start < n; start += batch) {
        const nb = Math.min(batch, n - start);
        let xb: Tensor;
        let yb: Tensor;
        if (order) {
          const idx = Tensor.fromData(order.slice(start, start + nb), [nb], 'int32');
          xb = x.indexSelect(0, idx);
          yb = y.indexSelect(0, idx);
        } else {
          xb = x.narrow(0, start, nb);
          yb = y.narrow(0, start, nb);
        }
        optimizer.zeroGrad();
        const { loss, value } = this.dataLoss(net.forward(xb), yb);
        if (!Number.isFinite(value)) {
          throw new ValueError(
            `${op}: a finite loss; got ${value} in epoch ${this.nIter + 1}. Training diverged: lower learningRateInit (now ${p.learningRateInit}) or scale the features`,
          );
        }
        loss.backward();
        // The L2 term alpha/(2·nb)·Σ‖W‖²: its value here, and its gradient alpha·W/nb as the weights'
        // group weight decay (g += λ·W inside the optimizer's fused step, as scikit-learn adds it to the gradient).
        let penalty = 0;
        const c = p.alpha / nb;
        optimizer.paramGroups[0]!.weightDecay = c;
        if (p.alpha > 0) {
          let sq = 0;
          const sumSquares = getBackend().sumSquaresF32;
          for (const w of weights) {
            const wd = flatData(w);
            if (sumSquares && wd instanceof Float32Array) {
              sq += sumSquares(wd);
              continue;
            }
            for (let i = 0; i < wd.length; i++) sq += wd[i]! * wd[i]!;
          }
          penalty = (c / 2) * sq;
        }
        const batchLoss = value + penalty;
        if (optimizer instanceof Adam) {
          // scikit-learn divides by √v + ε where PyTorch's Adam uses √v̂ + ε = (√v + ε·√(1 − β2ᵗ))/√(1 − β2ᵗ): this ε makes them equal.
          const st = optimizer.state.get(firstParam)?.step;
          const eps = p.epsilon / Math.sqrt(1 - p.beta2 ** ((typeof st === 'number' ? st : 0) + 1));
          for (const group of optimizer.paramGroups) group.eps = eps;
        }
        optimizer.step();
        accumulated += batchLoss * nb;
      }
      this.nIter++;
      this.loss = accumulated / n;
      this.t += n;
      this.lossCurve.push(this.loss);
      if (p.verbose) console.log(`Iteration ${this.nIter}, loss = ${this.loss.toFixed(8)}`);
      // scikit-learn's _update_no_improvement_count.
      if (earlyStopping) {
        const score = this.encodedScore(xVal!, yVal!);
        net.train();
        this.validationScores!.push(score);
        if (p.verbose) console.log(`Validation score: ${score.toFixed(6)}`);
        if (score < this.bestValidationScore! + p.tol) this.noImprovementCount++;
        else this.noImprovementCount = 0;
        if (score > this.bestValidationScore!) {
          this.bestValidationScore = score;
          best = net.parameters().map((q) => q.contiguousData().slice());
        }
      } else {
        if (this.loss > this.bestLoss! - p.tol) this.noImprovementCount++;
        else this.noImprovementCount = 0;
        if (this.loss < this.bestLoss!) this.bestLoss = this.loss;
      }
      // The learning-rate schedules (solver 'sgd' only, as in scikit-learn).
      const group = optimizer.paramGroups[0]!;
      if (p.solver === 'sgd' && p.learningRate === 'invscaling') this.setLr(optimizer, p.learningRateInit / (this.t + 1) ** p.powerT);
      if (this.noImprovementCount > p.nIterNoChange) {
        const what = earlyStopping ? 'Validation score' : 'Training loss';
        const msg = `${what} did not improve more than tol=${p.tol} for ${p.nIterNoChange} consecutive epochs.`;
        if (p.solver === 'sgd' && p.learningRate === 'adaptive' && group.lr > 1e-6) {
          this.setLr(optimizer, group.lr / 5);
          this.noImprovementCount = 0;
          if (p.verbose) console.log(`${msg} Setting learning rate to ${group.lr}`);
        } else {
          if (p.verbose) console.log(`${msg} Stopping.`);
          this.converged = true;
          break;
        }
      }
      if (incremental) break;
    }
    if (earlyStopping && best) {
      net.parameters().forEach((q, i) => {
        (q.data() as Float64Array).set(best![i]! as Float64Array);
        q.storage.version++;
      });
    }
    net.eval();
  }
}

/**
 * scikit-learn's MLPClassifier: a multi-layer perceptron trained on the log-loss (softmax output for
 * three or more classes, one logistic unit for two), L2 penalty alpha/(2n)·Σ‖W‖², by Adam or SGD on
 * minibatches. Labels may be numbers or strings; `classes` are the sorted unique labels.
 *
 * ```ts
 * const clf = new MLPClassifier({ hiddenLayerSizes: [3], solver: 'sgd', learningRateInit: 0.05, randomState: 1 });
 * clf.fit(xTrain, yTrain);
 * clf.score(xTest, yTest); clf.coefs; clf.intercepts; clf.lossCurve;
 * ```
 */
export class MLPClassifier<L extends Label = number> extends BaseMLP {
  /** The class labels, sorted (the columns of predictProba). */
  classes: L[] = [];
  private index = new Map<L, number>();

  constructor(opts: MLPOptions = {}) {
    super('MLPClassifier', opts);
  }

  private setClasses(op: string, classes: L[]): void {
    if (classes.length < 2) throw new ValueError(`${op}: at least 2 classes; got ${classes.length === 0 ? 'none' : `only ${showLabels(classes)}`}`);
    this.classes = classes;
    this.index = new Map(classes.map((c, i) => [c, i]));
  }

  /** Class indices of `labels`, throwing on a label not in `classes`. */
  private encode(op: string, labels: readonly L[]): Int32Array {
    return Int32Array.from(labels, (v, i) => {
      const k = this.index.get(v);
      if (k === undefined) {
        throw new ValueError(`${op}: labels seen in fit ${showLabels(this.classes)}; got unseen label ${typeof v === 'string' ? `'${v}'` : v} at position ${i}`);
      }
      return k;
    });
  }

  /** The training targets: float 0/1 [n, 1] for two classes, int32 indices [n] for more. */
  private targets(codes: Int32Array): Tensor {
    if (this.classes.length === 2) return Tensor.fromData(Float64Array.from(codes), [codes.length, 1], 'float64').cast(this.params.dtype);
    return Tensor.fromData(codes, [codes.length], 'int32');
  }

  private run(op: string, x: Matrix, y: Labels<L>, incremental: boolean, classes?: readonly L[]): this {
    const first = !this.net || (!this.params.warmStart && !incremental);
    const xt = toMatrix(op, x, { dtype: this.params.dtype, features: first ? undefined : this.nFeaturesIn });
    const labels = labelArray(op, y, xt.shape[0]);
    if (incremental && !this.net) {
      if (!classes) throw new ValueError(`${op}: the classes argument on the first call (all the labels the model will see); got none`);
      this.setClasses(op, uniqueSorted(op, labelArray(op, classes)));
    } else if (incremental && classes && (classes.length !== this.classes.length || uniqueSorted(op, [...classes]).some((c, i) => c !== this.classes[i]))) {
      throw new ValueError(`${op}: the same classes as on the first call ${showLabels(this.classes)}; got ${showLabels([...classes])}`);
    } else if (first) {
      this.setClasses(op, uniqueSorted(op, labels));
    } else if (this.params.warmStart && !incremental) {
      const seen = uniqueSorted(op, labels);
      if (seen.length !== this.classes.length || seen.some((c, i) => c !== this.classes[i])) {
        throw new ValueError(`${op}: with warmStart, the classes of the previous fit ${showLabels(this.classes)}; got ${showLabels(seen)}`);
      }
    }
    const codes = this.encode(op, labels);
    const k = this.classes.length;
    this.train(op, xt, this.targets(codes), k === 2 ? 1 : k, k === 2 ? 'logistic' : 'softmax', incremental);
    return this;
  }

  /** Trains from scratch (unless warmStart) for up to maxIter epochs. */
  fit(x: Matrix, y: Labels<L>): this {
    return this.run(`${this.name}.fit`, x, y, false);
  }

  /** One epoch over (x, y), continuing from the current weights; the first call needs `classes` (all labels). */
  partialFit(x: Matrix, y: Labels<L>, classes?: readonly L[]): this {
    return this.run(`${this.name}.partialFit`, x, y, true, classes);
  }

  protected dataLoss(out: Tensor, y: Tensor): { loss: Tensor; value: number } {
    // Binary: −Σ[y log p + (1−y) log(1−p)]/n with p = σ(z); multiclass: −Σ log softmax(z)_y / n (both from logits).
    const loss = this.classes.length === 2 ? bceWithLogitsLoss(out, y, 'sum').div(out.shape[0]!) : crossEntropy(out, y);
    return { loss, value: loss.item() };
  }

  protected encodedScore(x: Tensor, y: Tensor): number {
    const pred = this.indices(this.raw(x));
    const t = y.contiguousData();
    let right = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === t[i]) right++;
    return right / pred.length;
  }

  protected strata(y: Tensor): Tensor {
    return y.ndim === 2 ? y.reshape([-1]).int() : y;
  }

  /** Class indices from raw outputs: z > 0 (p > 0.5) for two classes, the argmax otherwise. */
  private indices(raw: Tensor): Int32Array {
    if (this.classes.length === 2) return Int32Array.from(raw.contiguousData(), (z) => (z > 0 ? 1 : 0));
    return raw.argmax(1).contiguousData() as Int32Array;
  }

  /** The predicted label of each row. */
  predict(x: Matrix): L[] {
    const xt = this.input('predict', x);
    return Array.from(this.indices(this.raw(xt)), (k) => this.classes[k]!);
  }

  /** Class probabilities [n, classes] (columns in the order of `classes`): softmax, or [1 − p, p] for two classes. */
  predictProba(x: Matrix): Tensor {
    const xt = this.input('predictProba', x);
    const z = this.raw(xt);
    if (this.classes.length > 2) return z.softmax(-1);
    const p = z.sigmoid();
    return noGrad(() => concat([p.neg().add(1), p], 1));
  }

  /** log of predictProba. */
  predictLogProba(x: Matrix): Tensor {
    return this.predictProba(x).log();
  }

  /** The mean accuracy of predict(x) against y; every label must be one seen in fit. */
  score(x: Matrix, y: Labels<L>): number {
    const op = `${this.name}.score`;
    const xt = this.input('score', x);
    const codes = this.encode(op, labelArray(op, y, xt.shape[0]));
    return this.encodedScore(xt, Tensor.fromData(codes, [codes.length], 'int32'));
  }
}

/**
 * scikit-learn's MLPRegressor: a multi-layer perceptron with an identity output trained on the squared
 * error Σ(ŷ − y)²/(2n) plus alpha/(2n)·Σ‖W‖², by Adam or SGD on minibatches; one or several outputs.
 *
 * ```ts
 * const reg = new MLPRegressor({ hiddenLayerSizes: [32], maxIter: 500, randomState: 0 }).fit(x, y);
 * reg.predict(x); reg.score(x, y); // R²
 * ```
 */
export class MLPRegressor extends BaseMLP {
  constructor(opts: MLPOptions = {}) {
    super('MLPRegressor', opts);
  }

  private run(op: string, x: Matrix, y: Tensor | readonly number[] | readonly (readonly number[])[], incremental: boolean): this {
    const first = !this.net || (!this.params.warmStart && !incremental);
    const xt = toMatrix(op, x, { dtype: this.params.dtype, features: first ? undefined : this.nFeaturesIn });
    const { t } = toTargets(op, y, xt.shape[0]!, this.params.dtype);
    if (!first && t.shape[1] !== this.nOutputs) throw new ShapeError(`${op}: ${this.nOutputs} target(s) per sample, as in fit; got ${t.shape[1]}`);
    this.train(op, xt, t, t.shape[1]!, 'identity', incremental);
    return this;
  }

  /** Trains from scratch (unless warmStart) for up to maxIter epochs. y: [n] or [n, outputs]. */
  fit(x: Matrix, y: Tensor | readonly number[] | readonly (readonly number[])[]): this {
    return this.run(`${this.name}.fit`, x, y, false);
  }

  /** One epoch over (x, y), continuing from the current weights (initialising them on the first call). */
  partialFit(x: Matrix, y: Tensor | readonly number[] | readonly (readonly number[])[]): this {
    return this.run(`${this.name}.partialFit`, x, y, true);
  }

  protected dataLoss(out: Tensor, y: Tensor): { loss: Tensor; value: number } {
    // scikit-learn differentiates Σ(ŷ − y)²/(2n) but reports mean((ŷ − y)²)/2 (over n·outputs entries).
    const loss = out.sub(y).square().sum().div(2 * out.shape[0]!);
    return { loss, value: loss.item() / out.shape[1]! };
  }

  protected encodedScore(x: Tensor, y: Tensor): number {
    return r2Multi(this.raw(x), y);
  }

  protected strata(): null {
    return null;
  }

  /** The predictions: [n] with one output, [n, outputs] with several. */
  predict(x: Matrix): Tensor {
    const z = this.raw(this.input('predict', x));
    return this.nOutputs === 1 ? z.reshape([-1]) : z;
  }

  /** R² of predict(x), averaged over the outputs (scikit-learn's uniform average). */
  score(x: Matrix, y: Tensor | readonly number[] | readonly (readonly number[])[]): number {
    const op = `${this.name}.score`;
    const xt = this.input('score', x);
    const { t } = toTargets(op, y, xt.shape[0]!, this.params.dtype);
    if (t.shape[1] !== this.nOutputs) throw new ShapeError(`${op}: ${this.nOutputs} target(s) per sample, as in fit; got ${t.shape[1]}`);
    return r2Multi(this.raw(xt), t);
  }
}

/** R² per output column of [n, k] predictions against targets, averaged. */
function r2Multi(pred: Tensor, y: Tensor): number {
  const [n, k] = y.shape as [number, number];
  const p = pred.contiguousData();
  const t = y.contiguousData();
  let sum = 0;
  for (let j = 0; j < k; j++) {
    const pc = new Float64Array(n);
    const tc = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      pc[i] = p[i * k + j]!;
      tc[i] = t[i * k + j]!;
    }
    sum += r2(pc, tc);
  }
  return sum / k;
}

