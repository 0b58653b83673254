// Learning-rate schedulers stepped once per epoch: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR.
import { ValueError } from '../core/index.ts';
import type { Optimizer } from './optimizer.ts';

/** A scheduler's JSON-able progress: the epoch counter, the base lrs and the last lrs it set. */
export interface LRSchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
}

/**
 * Base class of the epoch schedulers (PyTorch's LRScheduler): each `step()` advances `lastEpoch` and sets every
 * group's lr to `computeLr()`; construction records `initialLr` in the groups and performs step 0.
 */
export abstract class LRScheduler {
  /** The lr each group started from (its `initialLr`). */
  baseLrs: number[];
  /** The epoch of the last step (0 right after construction). */
  lastEpoch = -1;
  private lastLr: number[] = [];

  constructor(readonly optimizer: Optimizer) {
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** The scheduler's name, for messages. */
  abstract get name(): string;

  /** The lr of every group at epoch `lastEpoch` (the groups still hold the previous epoch's lrs). */
  protected abstract computeLr(): number[];

  /** Advances one epoch (call after the epoch's optimizer steps) and sets the groups' lrs. */
  step(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.baseLrs.length) {
      throw new ValueError(
        `${this.name}.step: the optimizer's ${this.baseLrs.length} param group(s) it was created with; got ${groups.length}. ` +
          'Create the scheduler after adding every param group',
      );
    }
    this.lastEpoch++;
    const lrs = this.computeLr();
    for (let i = 0; i < groups.length; i++) groups[i]!.lr = lrs[i]!;
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The lrs the last step set, one per param group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's progress as JSON-able data (its configuration comes from the constructor). */
  stateDict(): LRSchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restores progress saved by stateDict() (the optimizer's lrs come from its own state dict). */
  loadStateDict(sd: LRSchedulerStateDict): void {
    const n = this.optimizer.paramGroups.length;
    if (sd === null || typeof sd !== 'object' || typeof sd.lastEpoch !== 'number' || !Array.isArray(sd.baseLrs) || !Array.isArray(sd.lastLr)) {
      throw new ValueError(`${this.name}.loadStateDict: a state dict { lastEpoch, baseLrs, lastLr } from stateDict(); got ${JSON.stringify(sd)}`);
    }
    if (sd.baseLrs.length !== n || sd.lastLr.length !== n) {
      throw new ValueError(`${this.name}.loadStateDict: lrs for ${n} param group(s); got ${sd.baseLrs.length} base and ${sd.lastLr.length} last lrs`);
    }
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = [...sd.baseLrs];
    this.lastLr = [...sd.lastLr];
  }

  /** The groups' current lrs. */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/** Options of StepLR. */
export interface StepLROptions {
  /** Epochs between decays (a positive integer). */
  stepSize: number;
  /** Multiplicative decay (default 0.1). */
  gamma?: number;
}

/** StepLR (torch's StepLR): lr = lr·γ every `stepSize` epochs, i.e. lr_e = base·γ^⌊e/stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, { stepSize, gamma = 0.1 }: StepLROptions) {
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new ValueError(`StepLR: stepSize a positive integer; got ${stepSize}`);
    checkGamma('StepLR', gamma);
    super(optimizer);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.step();
  }

  get name(): string {
    return 'StepLR';
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch;
    const lrs = this.currentLrs();
    return e === 0 || e % this.stepSize !== 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

/** Options of MultiStepLR. */
export interface MultiStepLROptions {
  /** Epochs at which to decay (non-negative integers; a repeated one decays once per repeat). */
  milestones: readonly number[];
  /** Multiplicative decay (default 0.1). */
  gamma?: number;
}

/** MultiStepLR (torch's MultiStepLR): lr = lr·γ at each milestone epoch, i.e. lr_e = base·γ^(milestones ≤ e). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: readonly number[];
  readonly gamma: number;
  private readonly counts = new Map<number, number>();

  constructor(optimizer: Optimizer, { milestones, gamma = 0.1 }: MultiStepLROptions) {
    for (const m of milestones) {
      if (!Number.isInteger(m) || m < 0) throw new ValueError(`MultiStepLR: milestones of non-negative integers; got ${m}`);
    }
    checkGamma('MultiStepLR', gamma);
    super(optimizer);
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    for (const m of milestones) this.counts.set(m, (this.counts.get(m) ?? 0) + 1);
    this.step();
  }

  get name(): string {
    return 'MultiStepLR';
  }

  protected computeLr(): number[] {
    const k = this.counts.get(this.lastEpoch);
    const lrs = this.currentLrs();
    return k === undefined ? lrs : lrs.map((lr) => lr * this.gamma ** k);
  }
}

/** Options of ExponentialLR. */
export interface ExponentialLROptions {
  /** Multiplicative decay per epoch. */
  gamma: number;
}

/** ExponentialLR (torch's ExponentialLR): lr = lr·γ every epoch, i.e. lr_e = base·γ^e. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, { gamma }: ExponentialLROptions) {
    checkGamma('ExponentialLR', gamma);
    super(optimizer);
    this.gamma = gamma;
    this.step();
  }

  get name(): string {
    return 'ExponentialLR';
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

/** Options of CosineAnnealingLR. */
export interface CosineAnnealingLROptions {
  /** Epochs of the half cosine from base lr down to etaMin (> 0). */
  tMax: number;
  /** The lowest lr (default 0). */
  etaMin?: number;
}

/** CosineAnnealingLR (closed form of torch's): lr_e = etaMin + (base - etaMin)·(1 + cos(π·e/tMax))/2. */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, { tMax, etaMin = 0 }: CosineAnnealingLROptions) {
    if (!(tMax > 0)) throw new ValueError(`CosineAnnealingLR: tMax > 0; got ${tMax}`);
    if (!(etaMin >= 0)) throw new ValueError(`CosineAnnealingLR: etaMin >= 0; got ${etaMin}`);
    super(optimizer);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.step();
  }

  get name(): string {
    return 'CosineAnnealingLR';
  }

  protected computeLr(): number[] {
    const c = (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax)) / 2;
    return this.baseLrs.map((base) => this.etaMin + (base - this.etaMin) * c);
  }
}

/** Options of LambdaLR. */
export interface LambdaLROptions {
  /** The factor of the base lr at each epoch: one function, or one per param group. */
  lrLambda: ((epoch: number) => number) | readonly ((epoch: number) => number)[];
}

/** LambdaLR (torch's LambdaLR): lr_e = base·λ(e), with λ per param group or shared. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: readonly ((epoch: number) => number)[];

  constructor(optimizer: Optimizer, { lrLambda }: LambdaLROptions) {
    const n = optimizer.paramGroups.length;
    if (typeof lrLambda !== 'function' && (!Array.isArray(lrLambda) || lrLambda.length !== n)) {
      throw new ValueError(
        `LambdaLR: lrLambda a function or an array of ${n} functions (one per param group); got ${Array.isArray(lrLambda) ? `${lrLambda.length} functions` : typeof lrLambda}`,
      );
    }
    super(optimizer);
    this.lrLambdas = typeof lrLambda === 'function' ? new Array<(epoch: number) => number>(n).fill(lrLambda) : [...lrLambda];
    this.step();
  }

  get name(): string {
    return 'LambdaLR';
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}

function checkGamma(name: string, gamma: number): void {
  if (!(gamma >= 0) || !Number.isFinite(gamma)) throw new ValueError(`${name}: a finite gamma >= 0; got ${gamma}`);
}
