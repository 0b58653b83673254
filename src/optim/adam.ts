// Adam: adaptive moment estimation with bias correction, L2 weight decay and the AMSGrad variant.
import type { Tensor } from '../tensor/index.ts';
import { getBackend } from '../backend/backend.ts';
import { Optimizer, allocLike, checkNonNegative, checkRange, definedOnly, nextStep, stateBuffer } from './optimizer.ts';
import type { FloatArray, OptimizerOptions, ParamGroup, ParamGroupInput, ParamState } from './optimizer.ts';

/** Adam's options (PyTorch's defaults): m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; p -= lr·m̂/(√v̂ + eps). */
export interface AdamOptions extends OptimizerOptions {
  /** Learning rate γ (default 1e-3). */
  lr: number;
  /** Decay rates [β1, β2] of the first and second moment averages, each in [0, 1) (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to the denominator √v̂ for stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient, g += λ·p (default 0). AdamW: decoupled decay p -= lr·λ·p (default 1e-2). */
  weightDecay: number;
  /** AMSGrad: divide by the running maximum of v instead of v. */
  amsgrad: boolean;
  /** Maximize the objective (the gradient's sign is flipped first). */
  maximize: boolean;
}

/**
 * Adam's update of one parameter over flat arrays at step t >= 1 (PyTorch's algorithm): g = ±∇ (+ λ·p unless
 * decoupled; decoupled: p *= 1 - lr·λ first); m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
 * vmax = max(vmax, v) with amsgrad; p -= lr/(1-β1ᵗ) · m / (√v(max)/√(1-β2ᵗ) + eps).
 * `maxExpAvgSq` is null without amsgrad.
 */
export function adamUpdate(
  param: FloatArray,
  grad: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  maxExpAvgSq: FloatArray | null,
  step: number,
  h: Readonly<AdamOptions>,
  decoupled = false,
): void {
  const { lr, eps } = h;
  const [b1, b2] = h.betas;
  const sign = h.maximize ? -1 : 1;
  const l2 = decoupled ? 0 : h.weightDecay;
  const decay = decoupled ? 1 - lr * h.weightDecay : 1;
  const stepSize = lr / (1 - b1 ** step);
  const bc2Sqrt = Math.sqrt(1 - b2 ** step);
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const be = getBackend();
  if (be.adamF32 && param instanceof Float32Array && grad instanceof Float32Array && expAvg instanceof Float32Array && expAvgSq instanceof Float32Array && (maxExpAvgSq === null || maxExpAvgSq instanceof Float32Array)) {
    if (be.adamF32(param, grad, expAvg, expAvgSq, maxExpAvgSq, { sign, l2, decay, b1, b2, c1, c2, stepSize, invBc2Sqrt: 1 / bc2Sqrt, eps })) return;
  }
  const n = param.length;
  // Branch-free loop bodies (flags become coefficients): V8 does not unswitch loops on invariant flags.
  if (maxExpAvgSq === null) {
    for (let i = 0; i < n; i++) {
      const p = param[i]!;
      const g = sign * grad[i]! + l2 * p;
      const m = b1 * expAvg[i]! + c1 * g;
      const v = b2 * expAvgSq[i]! + c2 * g * g;
      expAvg[i] = m;
      expAvgSq[i] = v;
      param[i] = p * decay - (stepSize * m) / (Math.sqrt(v) / bc2Sqrt + eps);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    const g = sign * grad[i]! + l2 * p;
    const m = b1 * expAvg[i]! + c1 * g;
    const v = b2 * expAvgSq[i]! + c2 * g * g;
    const vmax = Math.max(maxExpAvgSq[i]!, v);
    expAvg[i] = m;
    expAvgSq[i] = v;
    maxExpAvgSq[i] = vmax;
    param[i] = p * decay - (stepSize * m) / (Math.sqrt(vmax) / bc2Sqrt + eps);
  }
}

/** Adam (torch.optim.Adam): m, v moving averages of g = ∇ + λ·p and g²; p -= lr·m̂/(√v̂ + eps), m̂ = m/(1-β1ᵗ), v̂ = v/(1-β2ᵗ). */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<AdamOptions>>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...definedOnly(options) });
  }

  override get name(): string {
    return 'Adam';
  }

  /** Whether weight decay is decoupled from the gradient (AdamW) rather than an L2 term in it. */
  protected get decoupled(): boolean {
    return false;
  }

  protected override checkOptions(o: AdamOptions): void {
    super.checkOptions(o);
    checkNonNegative(this.name, 'eps', o.eps);
    checkRange(this.name, 'betas[0]', o.betas?.[0] ?? NaN, 0, 1);
    checkRange(this.name, 'betas[1]', o.betas?.[1] ?? NaN, 0, 1);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
  }

  protected initState(param: FloatArray, group: ParamGroup<AdamOptions>): ParamState {
    const st: ParamState = { step: 0, expAvg: allocLike(param), expAvgSq: allocLike(param) };
    if (group.amsgrad) stateBuffer(st, 'maxExpAvgSq', param);
    return st;
  }

  protected updateParam(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<AdamOptions>): void {
    const step = nextStep(state);
    const max = group.amsgrad ? stateBuffer(state, 'maxExpAvgSq', param) : null;
    adamUpdate(param, grad, stateBuffer(state, 'expAvg', param), stateBuffer(state, 'expAvgSq', param), max, step, group, this.decoupled);
  }
}
