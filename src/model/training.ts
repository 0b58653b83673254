// The one fit loop: compile/fit/evaluate/predict/trainOnBatch over any Module.
import { ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor, concat, noGrad } from '../tensor/index.ts';
import { Module, getRegularizer } from '../nn/index.ts';
import { Optimizer, clipGradNorm, clipGradValue } from '../optim/index.ts';
import { DataLoader, TensorDataset } from '../data/index.ts';
import type { Dataset } from '../data/index.ts';
import { Callback, History, ProgbarLogger, TerminateOnNaN } from './callbacks.ts';
import type { Logs, TrainingContext } from './callbacks.ts';
import { resolveLoss } from './losses.ts';
import type { LossFn } from './losses.ts';
import { Metric, resolveMetric } from './metrics.ts';
import { resolveOptimizer } from './registry.ts';
import { planFusedMlp } from './fused-mlp.ts';
import type { FusedMlp } from './fused-mlp.ts';
import type { OptimizerConfig, OptimizerLike } from './registry.ts';

/** compile's options: an optimizer, a loss (one, or one per output), metrics. */
export interface CompileOptions {
  optimizer: OptimizerLike;
  loss: string | LossFn | (string | LossFn)[];
  metrics?: (string | Metric)[];
  /** Weights of the losses of a multi-output model (default 1 each). */
  lossWeights?: number[];
}

export type Inputs = Tensor | Tensor[];

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  /** 0 silent, 1 progress bar (one line per epoch when not a terminal), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  callbacks?: Callback[];
  /** Fraction of the samples (the last ones, taken before shuffling, as Keras does) held out for validation. */
  validationSplit?: number;
  validationData?: [Inputs, Inputs] | [Inputs, Inputs, Tensor];
  shuffle?: boolean;
  initialEpoch?: number;
  /** Loss weight per class index (for class-index or one-hot targets). */
  classWeight?: Record<number, number>;
  /** Loss weight per sample [N]. */
  sampleWeight?: Tensor;
  /** Batches per epoch when fitting a dataset (default: all). */
  stepsPerEpoch?: number;
}

export interface EvaluateOptions {
  batchSize?: number;
  verbose?: 0 | 1;
  sampleWeight?: Tensor;
}

const asList = (x: Inputs): Tensor[] => (Array.isArray(x) ? x : [x]);

function sliceRows(ts: Tensor[], start: number, n: number): Tensor[] {
  return ts.map((t) => t.narrow(0, start, n));
}

function divergedError(loss: number, epoch: number, batch: number): ValueError {
  return new ValueError(
    `fit: a finite loss; got ${loss} at epoch ${epoch + 1}, batch ${batch + 1}. The model diverged: lower the learning rate, clip gradients (clipNorm), or check the inputs for NaN (add TerminateOnNaN to stop quietly instead)`,
  );
}

/** The compiled training state of a module: optimizer, loss, metrics, and the fit loop. */
export class Trainer {
  optimizer: Optimizer | null = null;
  private clip: OptimizerConfig = { name: 'none' };
  private readonly losses: LossFn[];
  private readonly metrics: Metric[];
  private readonly lossWeights: number[] | undefined;
  /** Set by a callback to stop fit. */
  stopTraining = false;
  private regularized: Tensor[] = [];

  constructor(readonly module: Module, readonly opts: CompileOptions) {
    this.losses = (Array.isArray(opts.loss) ? opts.loss : [opts.loss]).map(resolveLoss);
    this.metrics = (opts.metrics ?? []).map(resolveMetric);
    this.lossWeights = opts.lossWeights;
    if (this.module.parameters().length) this.ensureOptimizer();
  }

  /** Builds the optimizer once the module has its parameters (lazy layers build on the first batch). */
  private ensureOptimizer(): Optimizer {
    if (!this.optimizer) {
      const params = this.module.parameters().filter((p) => p.requiresGrad);
      if (!params.length) throw new ValueError('fit: a module with trainable parameters; got none (all frozen or not built)');
      const r = resolveOptimizer(this.opts.optimizer, params);
      this.optimizer = r.optimizer;
      this.clip = r.clip;
      // The penalised parameters, found once rather than by walking the module every step.
      this.regularized = this.module.parameters().filter((p) => getRegularizer(p) !== undefined);
    }
    return this.optimizer;
  }

  private outputs(xs: Tensor[]): Tensor[] {
    const m = this.module as Module & { forwardAll?: (...xs: Tensor[]) => Tensor[] };
    return m.forwardAll ? m.forwardAll(...xs) : [m.forward(...xs)];
  }

  /** The total loss of a batch (weighted per sample and per output), plus regularisation. */
  private computeLoss(ys: Tensor[], outs: Tensor[], sw: Tensor | null): Tensor {
    if (ys.length !== outs.length) throw new ShapeError(`fit: one target per model output (${outs.length}); got ${ys.length}`);
    if (this.losses.length !== 1 && this.losses.length !== outs.length) {
      throw new ValueError(`compile: one loss, or one per output (${outs.length}); got ${this.losses.length}`);
    }
    let total: Tensor | null = null;
    outs.forEach((o, i) => {
      const per = (this.losses[i] ?? this.losses[0]!)(ys[i]!, o);
      const l = sw ? per.mul(sw).sum().div(sw.sum()) : per.mean();
      const w = this.lossWeights?.[i] ?? 1;
      const lw = w === 1 ? l : l.mul(w);
      total = total ? total.add(lw) : lw;
    });
    return total!;
  }

  private penalties(loss: Tensor): Tensor {
    let l = loss;
    for (const p of this.regularized) l = l.add(getRegularizer(p)!.penalty(p));
    for (const a of this.module.losses()) l = l.add(a);
    return l;
  }

  private sampleWeights(ys: Tensor[], sw: Tensor | null, classWeight: Record<number, number> | undefined): Tensor | null {
    if (!classWeight) return sw;
    const y = ys[0]!;
    const labels = y.ndim >= 2 && y.shape[y.ndim - 1]! > 1 ? y.argmax(-1) : y.reshape([-1]);
    const l = labels.contiguousData();
    const w = new Float32Array(l.length);
    for (let i = 0; i < l.length; i++) w[i] = classWeight[Math.round(l[i]!)] ?? 1;
    const cw = Tensor.fromData(w, [l.length], 'float32');
    return sw ? sw.mul(cw) : cw;
  }

  private updateMetrics(ys: Tensor[], outs: Tensor[]): void {
    for (const m of this.metrics) m.update(ys[0]!, outs[0]!);
  }

  private metricLogs(prefix = ''): Logs {
    const logs: Logs = {};
    for (const m of this.metrics) logs[prefix + m.name] = m.result();
    return logs;
  }

  /** One optimisation step on a batch; returns the batch's loss (and updates the running metrics). */
  private step(xs: Tensor[], ys: Tensor[], sw: Tensor | null): number {
    this.module.train();
    this.module.clearLosses();
    const outs = this.outputs(xs);
    const opt = this.ensureOptimizer();
    const data = this.computeLoss(ys, outs, sw);
    const loss = this.penalties(data);
    opt.zeroGrad();
    loss.backward();
    const { clipValue, clipNorm, globalClipNorm } = this.clip;
    if (clipValue !== undefined || clipNorm !== undefined || globalClipNorm !== undefined) {
      const params = opt.paramGroups.flatMap((g) => g.params);
      if (clipValue !== undefined) clipGradValue(params, clipValue);
      if (clipNorm !== undefined) for (const p of params) if (p.grad) clipGradNorm([p], clipNorm);
      if (globalClipNorm !== undefined) clipGradNorm(params, globalClipNorm);
    }
    opt.step();
    this.updateMetrics(ys, outs.map((o) => o.detach()));
    return loss.item();
  }

  /** Trains on one batch; returns the loss and metrics of that batch. */
  trainOnBatch(x: Inputs, y: Inputs, sampleWeight?: Tensor): Logs {
    for (const m of this.metrics) m.reset();
    const loss = this.step(asList(x), asList(y), sampleWeight ?? null);
    return { loss, ...this.metricLogs() };
  }

  /**
   * Trains for `epochs` over (x, y) in shuffled mini-batches, or over a dataset yielding
   * [x, y] (or [x, y, sampleWeight]) batches; returns the History.
   */
  fit(x: Inputs | Dataset<Tensor[]> | Iterable<Tensor[]>, y?: Inputs, o: FitOptions = {}): History {
    const epochs = o.epochs ?? 1;
    const batchSize = o.batchSize ?? 32;
    const verbose = o.verbose ?? 1;
    const initialEpoch = o.initialEpoch ?? 0;
    if (!Number.isInteger(epochs) || epochs < 1) throw new ValueError(`fit: a positive integer number of epochs; got ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`fit: a positive integer batchSize; got ${batchSize}`);
    let nIn = 1;
    let loader: Iterable<Tensor[]> & { length?: number };
    let validation: [Tensor[], Tensor[], Tensor | null] | null = null;
    let tensorData: { loader: DataLoader<Tensor[]>; xs: Tensor[]; ys: Tensor[]; weighted: boolean } | null = null;
    if (x instanceof Tensor || Array.isArray(x)) {
      if (y === undefined) throw new ValueError('fit: targets y for tensor inputs; got none');
      let xs = asList(x);
      let ys = asList(y);
      nIn = xs.length;
      const n = xs[0]!.shape[0]!;
      for (const t of [...xs, ...ys]) {
        if (t.shape[0] !== n) throw new ShapeError(`fit: inputs and targets with the same number of samples (${n}); got a tensor of shape ${fmtShape(t.shape)}`);
      }
      let sw = o.sampleWeight ?? null;
      if (o.validationSplit !== undefined) {
        if (!(o.validationSplit > 0 && o.validationSplit < 1)) throw new ValueError(`fit: a validationSplit in (0, 1); got ${o.validationSplit}`);
        const nVal = Math.floor(n * o.validationSplit);
        const nTrain = n - nVal;
        validation = [sliceRows(xs, nTrain, nVal), sliceRows(ys, nTrain, nVal), sw ? sw.narrow(0, nTrain, nVal) : null];
        xs = sliceRows(xs, 0, nTrain);
        ys = sliceRows(ys, 0, nTrain);
        if (sw) sw = sw.narrow(0, 0, nTrain);
      }
      const tl = new DataLoader(new TensorDataset(...xs, ...ys, ...(sw ? [sw] : [])), { batchSize, shuffle: o.shuffle ?? true });
      loader = tl;
      tensorData = { loader: tl, xs, ys, weighted: sw !== null || o.classWeight !== undefined };
      if (sw) nIn = -nIn; // marks a trailing sample-weight column
    } else {
      loader = x instanceof DataLoader || Symbol.iterator in (x as object) ? (x as Iterable<Tensor[]>) : new DataLoader(x as Dataset<Tensor[]>, { batchSize, shuffle: o.shuffle ?? true });
    }
    if (o.validationData) {
      const [vx, vy, vw] = o.validationData;
      validation = [asList(vx), asList(vy), vw ?? null];
    }
    const history = new History();
    const userCallbacks = o.callbacks ?? [];
    const callbacks: Callback[] = [...(verbose ? [new ProgbarLogger()] : []), ...userCallbacks, history];
    const steps = o.stepsPerEpoch ?? (loader.length ?? 0);
    const trainer = this as Trainer;
    const ctx: TrainingContext = {
      module: this.module,
      get optimizer() {
        return trainer.optimizer;
      },
      stopTraining: false,
      params: { epochs, steps, verbose },
    };
    for (const c of callbacks) c.setContext(ctx);
    const tolerateNaN = userCallbacks.some((c) => c instanceof TerminateOnNaN);
    // Small dense nets trained with SGD go through the backend's fused kernel when nothing needs the eager step.
    const fused = tensorData
      ? planFusedMlp({
        module: this.module, optimizer: this.optimizer, loss: this.opts.loss, lossWeights: this.lossWeights, metrics: this.metrics,
        clipping: this.clip.clipValue !== undefined || this.clip.clipNorm !== undefined || this.clip.globalClipNorm !== undefined,
        regularized: this.regularized.length > 0, callbacks: userCallbacks, x: tensorData.xs, y: tensorData.ys, batchSize,
        weighted: tensorData.weighted, stepsPerEpoch: o.stepsPerEpoch,
      })
      : null;
    for (const c of callbacks) c.onTrainBegin({});
    let logs: Logs = {};
    for (let epoch = initialEpoch; epoch < epochs && !ctx.stopTraining; epoch++) {
      for (const m of this.metrics) m.reset();
      for (const c of callbacks) c.onEpochBegin(epoch, {});
      let lossSum = 0;
      let count = 0;
      let batch = 0;
      const lrs = this.optimizer?.paramGroups.map((g) => g.lr as number) ?? [];
      if (fused && tensorData && lrs.every((v) => v === lrs[0])) {
        logs = this.fusedEpoch(fused, tensorData.loader, lrs[0]!, epoch, callbacks, ctx);
      } else for (const b of loader) {
        const withW = nIn < 0;
        const k = Math.abs(nIn);
        const xs = b.slice(0, k);
        const ys = withW ? b.slice(k, -1) : b.slice(k);
        const sw = this.sampleWeights(ys, withW ? b[b.length - 1]! : null, o.classWeight);
        for (const c of callbacks) c.onBatchBegin(batch, {});
        const loss = this.step(xs, ys, sw);
        if (!Number.isFinite(loss) && !tolerateNaN) throw divergedError(loss, epoch, batch);
        const nb = xs[0]!.shape[0]!;
        lossSum += loss * nb;
        count += nb;
        const batchLogs = { loss: lossSum / count, ...this.metricLogs() };
        for (const c of callbacks) c.onBatchEnd(batch, batchLogs);
        batch++;
        if (ctx.stopTraining || (o.stepsPerEpoch !== undefined && batch >= o.stepsPerEpoch)) break;
      }
      if (!fused || batch > 0) logs = { loss: lossSum / Math.max(count, 1), ...this.metricLogs() };
      if (validation) {
        const v = this.evaluate(validation[0], validation[1], { batchSize, verbose: 0, sampleWeight: validation[2] ?? undefined });
        for (const [key, val] of Object.entries(v)) logs[`val_${key}`] = val;
      }
      for (const c of callbacks) c.onEpochEnd(epoch, logs);
    }
    for (const c of callbacks) c.onTrainEnd(logs);
    this.stopTraining = ctx.stopTraining;
    return history;
  }

  /**
   * One epoch through the fused kernel: the DataLoader's sample order (the same generator draws), the
   * batches in runs of ~1/20 of the epoch (the callbacks see the end of each run), the eager path's logs.
   */
  private fusedEpoch(plan: FusedMlp, loader: DataLoader<Tensor[]>, lr: number, epoch: number, callbacks: Callback[], ctx: TrainingContext): Logs {
    this.module.train();
    const n = loader.dataset.length;
    const order = loader.shuffle ? loader.generator.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    const nb = loader.length;
    const run = Math.max(1, Math.ceil(nb / 20));
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    let logs: Logs = {};
    for (let b0 = 0; b0 < nb && !ctx.stopTraining; b0 += run) {
      for (const c of callbacks) c.onBatchBegin(b0, {});
      const want = Math.min(run, nb - b0);
      const r = plan.run(order, b0 * loader.batchSize, want, lr);
      lossSum += r.lossSum;
      correct += r.correct;
      count += Math.min(n, (b0 + r.batches) * loader.batchSize) - b0 * loader.batchSize;
      logs = { loss: lossSum / Math.max(count, 1) };
      for (const name of plan.metricNames) logs[name] = correct / Math.max(count * plan.perSample, 1);
      // (TerminateOnNaN has its own onBatchEnd, so a fit with it never gets here: a non-finite loss stops the epoch)
      if (r.batches < want || !Number.isFinite(r.lossSum)) throw divergedError(r.lossSum, epoch, b0 + r.batches - 1);
      for (const c of callbacks) c.onBatchEnd(b0 + r.batches - 1, logs);
    }
    for (const p of plan.params) p.grad = null;
    return logs;
  }

  /** Loss and metrics over (x, y) in eval mode, batch by batch. */
  evaluate(x: Inputs, y: Inputs, o: EvaluateOptions = {}): Logs {
    const xs = asList(x);
    const ys = asList(y);
    const n = xs[0]!.shape[0]!;
    const bs = o.batchSize ?? 32;
    for (const m of this.metrics) m.reset();
    let lossSum = 0;
    let weightSum = 0;
    this.module.eval();
    noGrad(() => {
      for (let i = 0; i < n; i += bs) {
        const k = Math.min(bs, n - i);
        const bx = sliceRows(xs, i, k);
        const by = sliceRows(ys, i, k);
        const outs = this.outputs(bx);
        const sw = o.sampleWeight ? o.sampleWeight.narrow(0, i, k) : null;
        const l = this.computeLoss(by, outs, sw).item();
        const w = sw ? sw.sum().item() : k;
        lossSum += l * w;
        weightSum += w;
        this.updateMetrics(by, outs);
      }
    });
    let loss = lossSum / Math.max(weightSum, 1e-12);
    // Regularisation penalties count in the reported loss, as in Keras.
    const pen = noGrad(() => this.module.parameters().reduce((a, p) => a + (getRegularizer(p)?.penalty(p).item() ?? 0), 0));
    loss += pen;
    return { loss, ...this.metricLogs() };
  }

  /** Outputs for `x` in eval mode, in batches (one tensor, or one per output). */
  predict(x: Inputs, o: { batchSize?: number } = {}): Tensor | Tensor[] {
    return predict(this.module, x, o);
  }
}

/** Runs a module over `x` in eval mode and batches of `batchSize` (default 32), without gradients. */
export function predict(module: Module, x: Inputs, o: { batchSize?: number } = {}): Tensor | Tensor[] {
  const xs = asList(x);
  const n = xs[0]!.shape[0]!;
  const bs = o.batchSize ?? 32;
  module.eval();
  const m = module as Module & { forwardAll?: (...xs: Tensor[]) => Tensor[] };
  const parts: Tensor[][] = [];
  noGrad(() => {
    for (let i = 0; i < n; i += bs) {
      const bx = sliceRows(xs, i, Math.min(bs, n - i));
      parts.push(m.forwardAll ? m.forwardAll(...bx) : [m.forward(...bx)]);
    }
  });
  if (!parts.length) throw new ValueError('predict: at least one sample; got none');
  const outs = parts[0]!.map((_, j) => concat(parts.map((p) => p[j]!), 0));
  return outs.length === 1 ? outs[0]! : outs;
}
