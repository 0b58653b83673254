// Dense: Keras' fully connected layer — a Linear with an activation and regularisers.
import { Tensor } from '../../tensor/index.ts';
import { ValueError } from '../../core/index.ts';
import { Linear } from './linear.ts';
import type { LinearOptions } from './linear.ts';
import { activations } from '../functional.ts';
import { Regularizer, setRegularizer } from '../regularizers.ts';

export interface DenseOptions extends LinearOptions {
  /** Activation by name ('relu', 'softmax', ...) or function; default none (linear). */
  activation?: string | ((x: Tensor) => Tensor) | null;
  kernelRegularizer?: Regularizer | null;
  biasRegularizer?: Regularizer | null;
  /** Penalty on the layer's output, added to the loss at each training step. */
  activityRegularizer?: Regularizer | null;
}

/** Resolves an activation name or function. */
export function resolveActivation(a: string | ((x: Tensor) => Tensor) | null | undefined): ((x: Tensor) => Tensor) | null {
  if (a === null || a === undefined || a === 'linear') return null;
  if (typeof a === 'function') return a;
  const f = activations[a];
  if (!f) throw new ValueError(`activation: one of ${Object.keys(activations).join(', ')}; got '${a}'`);
  return f;
}

/**
 * y = activation(x·Wᵀ + b). The same parameters and layout as Linear (weight [out, in]); Keras'
 * kernel is its transpose. Regularisers attach to the parameters and the fit loop adds their penalty.
 *
 * Shape: [..., in] -> [..., units]. Default init as Linear unless given (Keras' dense factory
 * passes glorotUniform and zeros, Keras' defaults).
 */
export class Dense extends Linear {
  readonly activationName: string | null;
  private readonly act: ((x: Tensor) => Tensor) | null;
  /** The options it was made with (activation, regularisers...). */
  readonly regs: DenseOptions;

  constructor(inFeatures: number | null, units: number, opts: DenseOptions = {}) {
    super(inFeatures, units, opts);
    this.activationName = typeof opts.activation === 'string' ? opts.activation : opts.activation ? 'custom' : null;
    this.act = resolveActivation(opts.activation);
    this.regs = opts;
    this.attachRegularizers();
  }

  override build(inFeatures: number): void {
    super.build(inFeatures);
    this.attachRegularizers();
  }

  private attachRegularizers(): void {
    if (!this.regs || !this.inFeatures) return;
    setRegularizer(this.weight, this.regs.kernelRegularizer);
    if (this.bias) setRegularizer(this.bias, this.regs.biasRegularizer);
  }

  override forward(x: Tensor): Tensor {
    let y: Tensor;
    const a = this.activationName;
    if (a === 'relu' || a === 'tanh' || a === 'sigmoid') {
      y = this.forwardActivation(x, a);
    } else {
      y = super.forward(x);
      if (this.act) y = this.act(y);
    }
    if (this.regs.activityRegularizer && this.training) this.addLoss(this.regs.activityRegularizer.penalty(y).div(y.shape[0] ?? 1));
    return y;
  }

  override extraRepr(): string {
    return `${super.extraRepr()}${this.activationName ? `, activation=${this.activationName}` : ''}`;
  }
}
