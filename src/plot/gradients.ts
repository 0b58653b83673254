// GradientRecorder: per-layer mean |dW| and mean |W| across training, for vanishing and exploding
// gradient demos. A Callback for `fit`, and callable by hand from any training loop.
import { ValueError } from '../core/index.ts';
import type { Module, Parameter } from '../nn/index.ts';
import { Callback } from '../model/index.ts';

/** One record: per-layer means over the steps since the previous record (weights: at the record). */
export interface GradientRecord {
  /** Steps recorded so far (1-based count of `record` calls) when this record was closed. */
  step: number;
  /** Epochs ended so far when this record was closed (0 during the first epoch). */
  epoch: number;
  /** Mean |dW| per layer (in `names` order), averaged over the steps of the record. */
  grad: number[];
  /** Mean |W| per layer at the end of the record. */
  weight: number[];
}

/** Options of {@link GradientRecorder}. */
export interface GradientRecorderOptions {
  /** Close a record every `every` steps, or at each epoch's end ('epoch', the default). */
  every?: number | 'epoch';
  /** Which parameters count as layers (default: those with 2 or more dims, i.e. weights, not biases). */
  filter?: (name: string, p: Parameter) => boolean;
}

function meanAbs(d: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += Math.abs(d[i]!);
  return d.length ? s / d.length : 0;
}

/**
 * Records the mean absolute gradient and weight of each layer while a model trains. With `fit`, pass
 * it as a callback (it records after every batch, so it sees the gradients fit stepped with, clipped if
 * fit clips); in a hand-written loop, call `record(model)` after `backward()` and `endEpoch()` after
 * each epoch. Plot it with {@link gradientMagnitudes}.
 *
 * ```ts
 * const rec = new GradientRecorder();
 * model.fit(x, y, { epochs: 10, callbacks: [rec] });
 * // or: loss.backward(); rec.record(model); opt.step();  ...  rec.endEpoch();
 * await savePlot('grads.png', gradientMagnitudes(rec));
 * ```
 */
export class GradientRecorder extends Callback {
  /** Parameter names of the recorded layers, in the model's order (input side first). */
  names: string[] = [];
  /** The closed records, oldest first. */
  records: GradientRecord[] = [];
  private readonly every: number | 'epoch';
  private readonly filter: (name: string, p: Parameter) => boolean;
  private sums: number[] = [];
  private pending = 0;
  private steps = 0;
  private epochs = 0;
  private params: Parameter[] = [];

  constructor(opts: GradientRecorderOptions = {}) {
    super();
    this.every = opts.every ?? 'epoch';
    if (this.every !== 'epoch' && !(Number.isInteger(this.every) && this.every >= 1)) {
      throw new ValueError(`GradientRecorder: every as a positive integer or 'epoch'; got ${String(this.every)}`);
    }
    this.filter = opts.filter ?? ((_n, p) => p.ndim >= 2);
  }

  /** Adds the current gradients of `module`'s layers to the open record (call after backward). */
  record(module: Module): void {
    if (!this.names.length) {
      const chosen = module.namedParameters().filter(([n, p]) => p.requiresGrad && this.filter(n, p));
      if (!chosen.length) throw new ValueError('GradientRecorder.record: a module with parameters the filter accepts; got none');
      this.names = chosen.map(([n]) => n);
      this.params = chosen.map(([, p]) => p);
      this.sums = new Array<number>(this.names.length).fill(0);
    }
    this.params.forEach((p, i) => {
      if (p.grad) this.sums[i]! += meanAbs(p.grad.contiguousData() as ArrayLike<number>);
    });
    this.pending++;
    this.steps++;
    if (this.every !== 'epoch' && this.pending >= this.every) this.flush();
  }

  /** Closes the open record (if any step was recorded since the last one). */
  flush(): void {
    if (!this.pending) return;
    this.records.push({
      step: this.steps,
      epoch: this.epochs,
      grad: this.sums.map((s) => s / this.pending),
      weight: this.params.map((p) => meanAbs(p.contiguousData() as ArrayLike<number>)),
    });
    this.sums.fill(0);
    this.pending = 0;
  }

  /** Marks an epoch's end in a hand-written loop (closes the record when `every` is 'epoch'). */
  endEpoch(): void {
    this.epochs++;
    if (this.every === 'epoch') this.flush();
  }

  /** Per-layer mean |dW| averaged over all records (or of the last record with `at: 'last'`). */
  layerMeans(quantity: 'grad' | 'weight' = 'grad', at: 'mean' | 'last' = 'mean'): number[] {
    if (!this.records.length) this.flush();
    const rs = at === 'last' ? this.records.slice(-1) : this.records;
    if (!rs.length) throw new ValueError('GradientRecorder: at least one recorded step; got none (call record(model) after backward, or pass it to fit)');
    return this.names.map((_, i) => rs.reduce((a, r) => a + r[quantity][i]!, 0) / rs.length);
  }

  /** Forgets everything recorded (the next `record` picks the layers again). */
  reset(): void {
    this.names = [];
    this.params = [];
    this.records = [];
    this.pending = 0;
    this.steps = 0;
    this.epochs = 0;
  }
  override onBatchEnd(): void {
    this.record(this.ctx.module);
  }
  override onEpochEnd(): void {
    this.endEpoch();
  }
  override onTrainEnd(): void {
    this.flush();
  }
}
