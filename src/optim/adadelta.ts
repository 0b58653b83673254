// Adadelta: step sizes from running averages of squared gradients and squared updates.
import type { Tensor } from '../tensor/index.ts';
import { Optimizer, allocLike, checkNonNegative, checkRange, definedOnly, nextStep, stateBuffer } from './optimizer.ts';
import type { FloatArray, OptimizerOptions, ParamGroup, ParamGroupInput, ParamState } from './optimizer.ts';

/** Adadelta's options (PyTorch's defaults): v = ρ·v + (1-ρ)·g²; Δ = √(u + eps)/√(v + eps)·g; u = ρ·u + (1-ρ)·Δ²; p -= lr·Δ. */
export interface AdadeltaOptions extends OptimizerOptions {
  /** Learning rate γ scaling the update Δ (default 1.0). */
  lr: number;
  /** Decay rate ρ of both running averages, in [0, 1] (default 0.9). */
  rho: number;
  /** Added inside both square roots for stability (default 1e-6). */
  eps: number;
  /** L2 penalty added to the gradient: g += λ·p (default 0). */
  weightDecay: number;
  /** Maximize the objective (the gradient's sign is flipped first). */
  maximize: boolean;
}

/**
 * Adadelta's update of one parameter over flat arrays (PyTorch's algorithm): g = ±∇ + λ·p; v = ρ·v + (1-ρ)·g²;
 * Δ = √(u + eps)/√(v + eps)·g; u = ρ·u + (1-ρ)·Δ²; p -= lr·Δ.
 */
export function adadeltaUpdate(param: FloatArray, grad: FloatArray, squareAvg: FloatArray, accDelta: FloatArray, h: Readonly<AdadeltaOptions>): void {
  const { lr, rho, eps, weightDecay: wd } = h;
  const sign = h.maximize ? -1 : 1;
  const c = 1 - rho;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    const g = sign * grad[i]! + wd * p;
    const v = rho * squareAvg[i]! + c * g * g;
    squareAvg[i] = v;
    const u = accDelta[i]!;
    const delta = (Math.sqrt(u + eps) / Math.sqrt(v + eps)) * g;
    accDelta[i] = rho * u + c * delta * delta;
    param[i] = p - lr * delta;
  }
}

/** Adadelta (torch.optim.Adadelta): Δ = √(u + eps)/√(v + eps)·g with running averages v of g² and u of Δ²; p -= lr·Δ. */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<AdadeltaOptions>>, options: Partial<AdadeltaOptions> = {}) {
    super(params, { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false, ...definedOnly(options) });
  }

  override get name(): string {
    return 'Adadelta';
  }

  protected override checkOptions(o: AdadeltaOptions): void {
    super.checkOptions(o);
    checkRange(this.name, 'rho', o.rho, 0, 1, true);
    checkNonNegative(this.name, 'eps', o.eps);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
  }

  protected initState(param: FloatArray): ParamState {
    return { step: 0, squareAvg: allocLike(param), accDelta: allocLike(param) };
  }

  protected updateParam(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<AdadeltaOptions>): void {
    nextStep(state);
    adadeltaUpdate(param, grad, stateBuffer(state, 'squareAvg', param), stateBuffer(state, 'accDelta', param), group);
  }
}
