// Adagrad: per-element learning rates from the sum of all past squared gradients.
import type { Tensor } from '../tensor/index.ts';
import { Optimizer, allocLike, checkNonNegative, definedOnly, nextStep, stateBuffer } from './optimizer.ts';
import type { FloatArray, OptimizerOptions, ParamGroup, ParamGroupInput, ParamState } from './optimizer.ts';

/** Adagrad's options (PyTorch's defaults): s += g²; p -= lr/(1 + (t-1)·lrDecay) · g/(√s + eps). */
export interface AdagradOptions extends OptimizerOptions {
  /** Learning rate γ (default 1e-2). */
  lr: number;
  /** Learning-rate decay η: the step uses γ/(1 + (t-1)·η) (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient: g += λ·p (default 0). */
  weightDecay: number;
  /** The starting value of the squared-gradient sum s (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator √s for stability (default 1e-10). */
  eps: number;
  /** Maximize the objective (the gradient's sign is flipped first). */
  maximize: boolean;
}

/**
 * Adagrad's update of one parameter over flat arrays at step t >= 1 (PyTorch's algorithm): g = ±∇ + λ·p;
 * s += g²; p -= γ/(1 + (t-1)·η) · g/(√s + eps).
 */
export function adagradUpdate(param: FloatArray, grad: FloatArray, sum: FloatArray, step: number, h: Readonly<AdagradOptions>): void {
  const { eps, weightDecay: wd } = h;
  const clr = h.lr / (1 + (step - 1) * h.lrDecay);
  const sign = h.maximize ? -1 : 1;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    const g = sign * grad[i]! + wd * p;
    const s = sum[i]! + g * g;
    sum[i] = s;
    param[i] = p - (clr * g) / (Math.sqrt(s) + eps);
  }
}

/** Adagrad (torch.optim.Adagrad): s += g²; p -= lr/(1 + (t-1)·lrDecay) · g/(√s + eps). */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<AdagradOptions>>, options: Partial<AdagradOptions> = {}) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...definedOnly(options) });
  }

  override get name(): string {
    return 'Adagrad';
  }

  protected override checkOptions(o: AdagradOptions): void {
    super.checkOptions(o);
    checkNonNegative(this.name, 'lrDecay', o.lrDecay);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
    checkNonNegative(this.name, 'initialAccumulatorValue', o.initialAccumulatorValue);
    checkNonNegative(this.name, 'eps', o.eps);
  }

  protected initState(param: FloatArray, group: ParamGroup<AdagradOptions>): ParamState {
    return { step: 0, sum: allocLike(param).fill(group.initialAccumulatorValue) };
  }

  protected updateParam(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<AdagradOptions>): void {
    const step = nextStep(state);
    adagradUpdate(param, grad, stateBuffer(state, 'sum', param, group.initialAccumulatorValue), step, group);
  }
}
