// Callbacks for the fit loop (Keras' hooks), a progress line, History, and the usual set:
// EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, LambdaCallback.
import { ValueError } from '../core/index.ts';
import { Tensor, noGrad } from '../tensor/index.ts';
import type { Module } from '../nn/index.ts';
import type { Optimizer } from '../optim/index.ts';

/** Numbers by name: loss, metrics, val_ versions. */
export type Logs = Record<string, number>;

/** What a callback may reach of the training run. */
export interface TrainingContext {
  readonly module: Module;
  readonly optimizer: Optimizer | null;
  /** Set true (from any hook) to stop after the current batch or epoch. */
  stopTraining: boolean;
  readonly params: { epochs: number; steps: number; verbose: number };
}

/** A set of hooks into fit/evaluate/predict. Subclass it or use LambdaCallback. */
export class Callback {
  ctx!: TrainingContext;
  setContext(ctx: TrainingContext): void {
    this.ctx = ctx;
  }
  onTrainBegin(_logs: Logs): void {}
  onTrainEnd(_logs: Logs): void {}
  onEpochBegin(_epoch: number, _logs: Logs): void {}
  onEpochEnd(_epoch: number, _logs: Logs): void {}
  onBatchBegin(_batch: number, _logs: Logs): void {}
  onBatchEnd(_batch: number, _logs: Logs): void {}
}

/** Hooks given as functions: `new LambdaCallback({ onEpochEnd: (e, logs) => ... })`. */
export class LambdaCallback extends Callback {
  constructor(hooks: Partial<Pick<Callback, 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd'>>) {
    super();
    Object.assign(this, hooks);
  }
}

/** Per-epoch values of every log key (`history.loss`, `history.val_accuracy`), and the epochs. */
export class History extends Callback {
  /** Epoch indices recorded. */
  epoch: number[] = [];
  /** Values by log key, one per epoch. */
  history: Record<string, number[]> = {};
  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      (this.history[k] ??= []).push(v);
      if (!(k in this) || Array.isArray((this as unknown as Record<string, unknown>)[k])) {
        (this as unknown as Record<string, number[]>)[k] = this.history[k]!;
      }
    }
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4);
}

function logLine(logs: Logs): string {
  return Object.entries(logs).map(([k, v]) => `${k}: ${fmt(v)}`).join(' - ');
}

/** Where the progress output goes: a terminal line rewritten in place, or whole lines. */
export interface ProgressSink {
  isTTY: boolean;
  write(text: string): void;
}

interface ProcessLike {
  stdout?: { isTTY?: boolean; write(s: string): boolean };
}

function defaultSink(): ProgressSink {
  const proc = (globalThis as { process?: ProcessLike }).process;
  const out = proc?.stdout;
  if (out) return { isTTY: out.isTTY === true, write: (s) => void out.write(s) };
  return { isTTY: false, write: (s) => console.log(s.replace(/\n$/, '')) };
}

/**
 * Keras' progress output: in a terminal, `1875/1875 [=====] - 8s 4ms/step - loss: 0.5700 - ...`
 * rewritten in place and finished with the validation values; not in a terminal, one line per epoch.
 * verbose 0 prints nothing, 2 one line per epoch.
 */
export class ProgbarLogger extends Callback {
  private t0 = 0;
  private last = 0;
  constructor(private readonly sink: ProgressSink = defaultSink(), private readonly width = 30) {
    super();
  }
  private get verbose(): number {
    return this.ctx.params.verbose;
  }
  override onEpochBegin(epoch: number): void {
    this.t0 = performance.now();
    this.last = 0;
    if (this.verbose >= 1) this.sink.write(`Epoch ${epoch + 1}/${this.ctx.params.epochs}\n`);
  }
  private bar(step: number, logs: Logs, final: boolean): string {
    const total = this.ctx.params.steps;
    const done = Math.min(this.width, Math.round((step / Math.max(total, 1)) * this.width));
    const arrow = done < this.width ? '>' : '';
    const bar = '='.repeat(Math.max(0, done - (arrow ? 1 : 0))) + arrow + '.'.repeat(this.width - done);
    const secs = (performance.now() - this.t0) / 1000;
    const per = (secs * 1000) / Math.max(step, 1);
    const time = final ? `${Math.round(secs)}s ${per >= 1 ? `${Math.round(per)}ms` : `${Math.round(per * 1000)}us`}/step` : `ETA: ${Math.round((per * (total - step)) / 1000)}s`;
    const w = String(total).length;
    return `${String(step).padStart(w)}/${total} [${bar}] - ${time}${Object.keys(logs).length ? ' - ' + logLine(logs) : ''}`;
  }
  override onBatchEnd(batch: number, logs: Logs): void {
    if (this.verbose !== 1 || !this.sink.isTTY) return;
    const now = performance.now();
    if (now - this.last < 50) return;
    this.last = now;
    this.sink.write(`\r${this.bar(batch + 1, logs, false)}\x1b[K`);
  }
  override onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.verbose === 0) return;
    const line = this.bar(this.ctx.params.steps, logs, true);
    this.sink.write(this.sink.isTTY && this.verbose === 1 ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}

type Mode = 'auto' | 'min' | 'max';
function better(mode: Mode, monitor: string): (a: number, b: number, delta: number) => boolean {
  const max = mode === 'max' || (mode === 'auto' && /acc|auc|precision|recall|f1/i.test(monitor));
  return max ? (a, b, d) => a - d > b : (a, b, d) => a + d < b;
}

function monitored(logs: Logs, monitor: string, who: string): number | undefined {
  const v = logs[monitor];
  if (v === undefined) {
    console.warn(`${who}: the monitored value '${monitor}' is not in the logs (${Object.keys(logs).join(', ')}); skipping`);
  }
  return v;
}

export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: Mode;
  baseline?: number;
  restoreBestWeights?: boolean;
  startFromEpoch?: number;
}

/** Stops training when `monitor` has not improved by `minDelta` for `patience` epochs; can restore the best weights. */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly restoreBestWeights: boolean;
  private readonly cmp: (a: number, b: number, d: number) => boolean;
  private best = NaN;
  private wait = 0;
  private bestWeights: Record<string, Tensor> | null = null;
  /** The epoch training stopped at (0 if it did not stop early). */
  stoppedEpoch = 0;
  /** The epoch of the best value. */
  bestEpoch = 0;

  constructor(private readonly o: EarlyStoppingOptions = {}) {
    super();
    this.monitor = o.monitor ?? 'val_loss';
    this.minDelta = Math.abs(o.minDelta ?? 0);
    this.patience = o.patience ?? 0;
    this.restoreBestWeights = o.restoreBestWeights ?? false;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new ValueError(`EarlyStopping: a non-negative integer patience; got ${this.patience}`);
    this.cmp = better(o.mode ?? 'auto', this.monitor);
  }
  override onTrainBegin(): void {
    this.best = this.o.baseline ?? NaN;
    this.wait = 0;
    this.bestWeights = null;
    this.stoppedEpoch = 0;
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    const v = monitored(logs, this.monitor, 'EarlyStopping');
    if (v === undefined || epoch < (this.o.startFromEpoch ?? 0)) return;
    if (Number.isNaN(this.best) || this.cmp(v, this.best, this.minDelta)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = snapshot(this.ctx.module);
      return;
    }
    this.wait++;
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.ctx.stopTraining = true;
    }
  }
  override onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights) this.ctx.module.loadStateDict(this.bestWeights);
  }
}

/** A deep copy of a module's state (parameters and buffers). */
export function snapshot(m: Module): Record<string, Tensor> {
  return noGrad(() => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.clone()])));
}

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  factor?: number;
  patience?: number;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
  mode?: Mode;
  verbose?: boolean;
}

/** Multiplies the learning rate by `factor` when `monitor` stops improving for `patience` epochs. */
export class ReduceLROnPlateau extends Callback {
  private best = NaN;
  private wait = 0;
  private cooldownLeft = 0;
  private readonly cmp: (a: number, b: number, d: number) => boolean;
  constructor(private readonly o: ReduceLROnPlateauOptions = {}) {
    super();
    if (!((o.factor ?? 0.1) < 1)) throw new ValueError(`ReduceLROnPlateau: a factor below 1; got ${o.factor}`);
    this.cmp = better(o.mode ?? 'auto', o.monitor ?? 'val_loss');
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    const monitor = this.o.monitor ?? 'val_loss';
    const v = monitored(logs, monitor, 'ReduceLROnPlateau');
    const opt = this.ctx.optimizer;
    if (opt) logs.lr = opt.paramGroups[0]!.lr;
    if (v === undefined || !opt) return;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
    }
    if (Number.isNaN(this.best) || this.cmp(v, this.best, this.o.minDelta ?? 1e-4)) {
      this.best = v;
      this.wait = 0;
    } else if (this.cooldownLeft === 0 && ++this.wait >= (this.o.patience ?? 10)) {
      for (const g of opt.paramGroups) {
        const next = Math.max(g.lr * (this.o.factor ?? 0.1), this.o.minLr ?? 0);
        if (this.o.verbose && next < g.lr) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next}.`);
        g.lr = next;
      }
      this.cooldownLeft = this.o.cooldown ?? 0;
      this.wait = 0;
    }
  }
}

/** Sets the learning rate at each epoch start from `schedule(epoch, lr)`. */
export class LearningRateScheduler extends Callback {
  constructor(private readonly schedule: (epoch: number, lr: number) => number) {
    super();
  }
  override onEpochBegin(epoch: number): void {
    const opt = this.ctx.optimizer;
    if (!opt) return;
    const lr = this.schedule(epoch, opt.paramGroups[0]!.lr);
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new ValueError(`LearningRateScheduler: a finite non-negative learning rate; got ${lr} at epoch ${epoch}`);
    for (const g of opt.paramGroups) g.lr = lr;
  }
  override onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.ctx.optimizer) logs.lr = this.ctx.optimizer.paramGroups[0]!.lr;
  }
}

/** Stops training (without an error) when the loss becomes NaN or infinite. */
export class TerminateOnNaN extends Callback {
  override onBatchEnd(batch: number, logs: Logs): void {
    const l = logs.loss;
    if (l !== undefined && !Number.isFinite(l)) {
      console.log(`Batch ${batch}: Invalid loss, terminating training`);
      this.ctx.stopTraining = true;
    }
  }
}

/** Writes one CSV row per epoch through `write` (Node: see neurona/node's csvLogger for a file). */
export class CSVLogger extends Callback {
  private keys: string[] | null = null;
  constructor(private readonly write: (text: string) => void, private readonly separator = ',') {
    super();
  }
  override onTrainBegin(): void {
    this.keys = null;
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    if (!this.keys) {
      this.keys = Object.keys(logs).sort();
      this.write(['epoch', ...this.keys].join(this.separator) + '\n');
    }
    this.write([epoch, ...this.keys.map((k) => logs[k] ?? '')].join(this.separator) + '\n');
  }
}
