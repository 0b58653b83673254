// SGD: stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay.
import { getBackend } from '../backend/backend.ts';
import type { SgdCoefficients } from '../backend/backend.ts';
import { ValueError } from '../core/index.ts';
import type { Tensor } from '../tensor/index.ts';
import { Optimizer, checkNonNegative, definedOnly, stateBuffer } from './optimizer.ts';
import type { FloatArray, OptimizerOptions, ParamGroup, ParamGroupInput, ParamState } from './optimizer.ts';

/** SGD's options (PyTorch's defaults): g = ±∇ + wd·p; b = μ·b + (1-τ)·g; p -= lr·(nesterov ? g + μ·b : b). */
export interface SGDOptions extends OptimizerOptions {
  /** Learning rate γ (default 1e-3). */
  lr: number;
  /** Momentum factor μ (default 0: plain SGD). */
  momentum: number;
  /** Dampening τ of the gradient in the momentum buffer (default 0). */
  dampening: number;
  /** Nesterov momentum: step along g + μ·b (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** L2 penalty λ added to the gradient: g += λ·p (default 0). */
  weightDecay: number;
  /** Maximize the objective (the gradient's sign is flipped first). */
  maximize: boolean;
}

/**
 * The coefficients of one SGD step (the one place they are derived from the options): g = sign·∇ + wd·p;
 * without momentum p −= lr·g (bm = bg = cg = cb = 0); with it b = bm·b + bg·g and p −= lr·(cg·g + cb·b), where
 * the first step starts the buffer (b = g) and Nesterov steps along g + μ·b.
 */
export function sgdCoefficients(h: Readonly<SGDOptions>, firstStep: boolean): SgdCoefficients {
  const sign = h.maximize ? -1 : 1;
  const mu = h.momentum;
  if (mu === 0) return { sign, weightDecay: h.weightDecay, lr: h.lr, bm: 0, bg: 0, cg: 0, cb: 0 };
  return { sign, weightDecay: h.weightDecay, lr: h.lr, bm: firstStep ? 0 : mu, bg: firstStep ? 1 : 1 - h.dampening, cg: h.nesterov ? 1 : 0, cb: h.nesterov ? mu : 1 };
}

/**
 * SGD's update of one parameter over flat arrays (PyTorch's algorithm): g = ±∇ + wd·p;
 * b = g on the first step, else μ·b + (1-τ)·g; p -= lr·(nesterov ? g + μ·b : b); without momentum p -= lr·g.
 * `momentumBuffer` is null when momentum is 0.
 */
export function sgdUpdate(param: FloatArray, grad: FloatArray, momentumBuffer: FloatArray | null, firstStep: boolean, h: Readonly<SGDOptions>): void {
  // Branch-free loop bodies (flags become coefficients): V8 does not unswitch loops on invariant flags.
  const c = sgdCoefficients(h, firstStep);
  const { lr, sign, weightDecay: wd } = c;
  const n = param.length;
  const be = getBackend();
  const fused = be.sgdF32 && param instanceof Float32Array && grad instanceof Float32Array && (momentumBuffer === null || momentumBuffer instanceof Float32Array);
  if (momentumBuffer === null || h.momentum === 0) {
    if (fused && be.sgdF32!(param as Float32Array, grad as Float32Array, null, c)) return;
    if (wd === 0) {
      // Plain SGD, the common case (the seed's per-sample training): one multiply-add per element.
      const step = sign * lr;
      for (let i = 0; i < n; i++) param[i]! -= step * grad[i]!;
      return;
    }
    for (let i = 0; i < n; i++) {
      const p = param[i]!;
      param[i] = p - lr * (sign * grad[i]! + wd * p);
    }
    return;
  }
  const buf = momentumBuffer;
  if (firstStep) buf.fill(0);
  // b = bm·b + bg·g (b = g on the first step); p -= lr·(cg·g + cb·b).
  const { bm, bg, cg, cb } = c;
  if (fused && be.sgdF32!(param as Float32Array, grad as Float32Array, buf as Float32Array, c)) return;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    const g = sign * grad[i]! + wd * p;
    const b = bm * buf[i]! + bg * g;
    buf[i] = b;
    param[i] = p - lr * (cg * g + cb * b);
  }
}

/** Stochastic gradient descent (torch.optim.SGD): p -= lr·b with b = μ·b + (1-τ)·(∇ + wd·p), or Nesterov's g + μ·b. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<SGDOptions>>, options: Partial<SGDOptions> = {}) {
    super(params, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
      ...definedOnly(options),
    });
  }

  override get name(): string {
    return 'SGD';
  }

  protected override checkOptions(o: SGDOptions): void {
    super.checkOptions(o);
    checkNonNegative(this.name, 'momentum', o.momentum);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
    if (!Number.isFinite(o.dampening)) throw new ValueError(`SGD: a finite dampening; got ${o.dampening}`);
    if (o.nesterov && (!(o.momentum > 0) || o.dampening !== 0)) {
      throw new ValueError(
        `SGD: nesterov with momentum > 0 and dampening 0; got momentum ${o.momentum}, dampening ${o.dampening}. ` +
          'Set a momentum (e.g. 0.9) and no dampening, or turn nesterov off',
      );
    }
  }

  protected initState(): ParamState {
    return {};
  }

  protected updateParam(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<SGDOptions>): void {
    if (group.momentum === 0) {
      sgdUpdate(param, grad, null, false, group);
      return;
    }
    const first = state.momentumBuffer === undefined;
    sgdUpdate(param, grad, stateBuffer(state, 'momentumBuffer', param), first, group);
  }
}
