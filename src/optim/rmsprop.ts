// RMSprop: divide the gradient by a running RMS of recent gradients (optionally centered, with momentum).
import type { Tensor } from '../tensor/index.ts';
import { Optimizer, allocLike, checkNonNegative, checkRange, definedOnly, nextStep, stateBuffer } from './optimizer.ts';
import type { FloatArray, OptimizerOptions, ParamGroup, ParamGroupInput, ParamState } from './optimizer.ts';

/** RMSprop's options (PyTorch's defaults): v = α·v + (1-α)·g²; p -= lr·g/(√v + eps). */
export interface RMSpropOptions extends OptimizerOptions {
  /** Learning rate γ (default 1e-2). */
  lr: number;
  /** Smoothing constant α of the squared-gradient average, in [0, 1] (default 0.99). */
  alpha: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient: g += λ·p (default 0). */
  weightDecay: number;
  /** Momentum factor μ: b = μ·b + g/(√ṽ + eps); p -= lr·b (default 0). */
  momentum: number;
  /** Centered: normalise by an estimate of the variance, ṽ = v - ḡ² with ḡ = α·ḡ + (1-α)·g. */
  centered: boolean;
  /** Maximize the objective (the gradient's sign is flipped first). */
  maximize: boolean;
}

/**
 * RMSprop's update of one parameter over flat arrays (PyTorch's algorithm): g = ±∇ + λ·p; v = α·v + (1-α)·g²;
 * centered: ḡ = α·ḡ + (1-α)·g, ṽ = v - ḡ²; d = √ṽ + eps; momentum: b = μ·b + g/d, p -= lr·b; else p -= lr·g/d.
 * `gradAvg` is null unless centered, `momentumBuffer` null unless momentum > 0.
 */
export function rmspropUpdate(
  param: FloatArray,
  grad: FloatArray,
  squareAvg: FloatArray,
  gradAvg: FloatArray | null,
  momentumBuffer: FloatArray | null,
  h: Readonly<RMSpropOptions>,
): void {
  const { lr, alpha, eps, weightDecay: wd, momentum: mu } = h;
  const sign = h.maximize ? -1 : 1;
  const c = 1 - alpha;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    const g = sign * grad[i]! + wd * p;
    const v = alpha * squareAvg[i]! + c * g * g;
    squareAvg[i] = v;
    let d: number;
    if (gradAvg !== null) {
      const ga = alpha * gradAvg[i]! + c * g;
      gradAvg[i] = ga;
      d = Math.sqrt(v - ga * ga) + eps;
    } else d = Math.sqrt(v) + eps;
    if (momentumBuffer !== null) {
      const b = mu * momentumBuffer[i]! + g / d;
      momentumBuffer[i] = b;
      param[i] = p - lr * b;
    } else param[i] = p - (lr * g) / d;
  }
}

/** RMSprop (torch.optim.RMSprop): v = α·v + (1-α)·g²; p -= lr·g/(√v + eps), optionally centered and with momentum. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<RMSpropOptions>>, options: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...definedOnly(options) });
  }

  override get name(): string {
    return 'RMSprop';
  }

  protected override checkOptions(o: RMSpropOptions): void {
    super.checkOptions(o);
    checkRange(this.name, 'alpha', o.alpha, 0, 1, true);
    checkNonNegative(this.name, 'eps', o.eps);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
    checkNonNegative(this.name, 'momentum', o.momentum);
  }

  protected initState(param: FloatArray, group: ParamGroup<RMSpropOptions>): ParamState {
    const st: ParamState = { step: 0, squareAvg: allocLike(param) };
    if (group.momentum > 0) st.momentumBuffer = allocLike(param);
    if (group.centered) st.gradAvg = allocLike(param);
    return st;
  }

  protected updateParam(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<RMSpropOptions>): void {
    nextStep(state);
    rmspropUpdate(
      param,
      grad,
      stateBuffer(state, 'squareAvg', param),
      group.centered ? stateBuffer(state, 'gradAvg', param) : null,
      group.momentum > 0 ? stateBuffer(state, 'momentumBuffer', param) : null,
      group,
    );
  }
}
