// ReduceLROnPlateau: lower the learning rate when a metric stops improving.
import { ValueError } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';
import type { Optimizer } from './optimizer.ts';

/** Options of ReduceLROnPlateau (PyTorch's defaults). */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** The lr is multiplied by this on a plateau, in [0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better than the best counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** The lowest lr: one for all param groups, or one each (default 0). */
  minLr?: number | readonly number[];
  /** A reduction smaller than this is skipped (default 1e-8). */
  eps?: number;
}

/** ReduceLROnPlateau's JSON-able progress (`best` is null before the first metric). */
export interface ReduceLROnPlateauStateDict {
  lastEpoch: number;
  best: number | null;
  numBadEpochs: number;
  cooldownCounter: number;
  lastLr: number[];
}

/**
 * ReduceLROnPlateau (torch's): after more than `patience` epochs without improvement of the metric passed to
 * `step(metric)`, lr = max(lr·factor, minLr) (skipped when the change is below eps), then `cooldown` quiet epochs.
 */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** The best metric so far (Infinity in 'min' mode, -Infinity in 'max' mode before any). */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** The number of step() calls. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: Optimizer,
    {
      mode = 'min',
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = 'rel',
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
    }: ReduceLROnPlateauOptions = {},
  ) {
    const name = 'ReduceLROnPlateau';
    if (mode !== 'min' && mode !== 'max') throw new ValueError(`${name}: mode 'min' or 'max'; got ${String(mode)}`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new ValueError(`${name}: thresholdMode 'rel' or 'abs'; got ${String(thresholdMode)}`);
    if (!(factor >= 0 && factor < 1)) throw new ValueError(`${name}: factor in [0, 1); got ${factor}`);
    if (!Number.isInteger(patience) || patience < 0) throw new ValueError(`${name}: patience a non-negative integer; got ${patience}`);
    if (!Number.isInteger(cooldown) || cooldown < 0) throw new ValueError(`${name}: cooldown a non-negative integer; got ${cooldown}`);
    if (!(threshold >= 0)) throw new ValueError(`${name}: threshold >= 0; got ${threshold}`);
    if (!(eps >= 0)) throw new ValueError(`${name}: eps >= 0; got ${eps}`);
    const n = optimizer.paramGroups.length;
    const minLrs = typeof minLr === 'number' ? new Array<number>(n).fill(minLr) : [...minLr];
    if (minLrs.length !== n) throw new ValueError(`${name}: minLr a number or ${n} numbers (one per param group); got ${minLrs.length}`);
    for (const m of minLrs) if (!(m >= 0)) throw new ValueError(`${name}: minLr >= 0; got ${m}`);
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.minLrs = minLrs;
    this.eps = eps;
    this.best = this.modeWorse;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private get modeWorse(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether a cooldown is running (bad epochs are not counted). */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Whether `a` improves on `best`: min/rel a < best·(1 - t), min/abs a < best - t, max/rel a > best·(1 + t), max/abs a > best + t. */
  isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (1 + t) : a > best + t;
  }

  /** Records one epoch's metric (a number or a one-element tensor) and reduces the lrs after a plateau. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const old = g.lr;
      const lr = Math.max(old * this.factor, this.minLrs[i] ?? 0);
      if (old - lr > this.eps) g.lr = lr;
    });
  }

  /** The lrs after the last step, one per param group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's progress as JSON-able data (its configuration comes from the constructor). */
  stateDict(): ReduceLROnPlateauStateDict {
    return {
      lastEpoch: this.lastEpoch,
      best: this.best === this.modeWorse ? null : this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastLr: [...this.lastLr],
    };
  }

  /** Restores progress saved by stateDict(). */
  loadStateDict(sd: ReduceLROnPlateauStateDict): void {
    if (sd === null || typeof sd !== 'object' || typeof sd.lastEpoch !== 'number' || typeof sd.numBadEpochs !== 'number' || !Array.isArray(sd.lastLr)) {
      throw new ValueError(`ReduceLROnPlateau.loadStateDict: a state dict from stateDict(); got ${JSON.stringify(sd)}`);
    }
    const n = this.optimizer.paramGroups.length;
    if (sd.lastLr.length !== n) throw new ValueError(`ReduceLROnPlateau.loadStateDict: lrs for ${n} param group(s); got ${sd.lastLr.length}`);
    this.lastEpoch = sd.lastEpoch;
    this.best = sd.best ?? this.modeWorse;
    this.numBadEpochs = sd.numBadEpochs;
    this.cooldownCounter = sd.cooldownCounter ?? 0;
    this.lastLr = [...sd.lastLr];
  }
}
