// Linear, Identity and Flatten layers.
import { ShapeError, ValueError, fmtShape } from '../../core/index.ts';
import { Tensor, zeros } from '../../tensor/index.ts';
import type { DType } from '../../core/index.ts';
import type { LinearActivation } from '../../ops/index.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { kaimingUniform_, uniform_ } from '../init.ts';

/** An initialiser: fills a tensor in place. */
export type Initializer = (t: Tensor) => Tensor;

export interface LinearOptions {
  bias?: boolean;
  dtype?: DType;
  /** Weight initialiser (default: PyTorch's kaiming_uniform_ with a=√5, i.e. U(±1/√in)). */
  weightInit?: Initializer;
  /** Bias initialiser (default: U(±1/√in), as PyTorch). */
  biasInit?: Initializer;
}

/**
 * y = x·Wᵀ + b, with W of shape [out, in] (PyTorch's layout). `inFeatures` may be null: the layer
 * is then built from the first input it sees (Keras' lazy build).
 *
 * Shape: [..., in] -> [..., out].
 * Default init (PyTorch): W ~ U(−1/√in, 1/√in), b ~ U(−1/√in, 1/√in).
 */
export class Linear extends Module {
  weight!: Parameter;
  bias: Parameter | null = null;
  inFeatures: number | null;
  readonly outFeatures: number;
  private readonly opts: LinearOptions;

  constructor(inFeatures: number | null, outFeatures: number, opts: LinearOptions = {}) {
    super();
    if (!Number.isInteger(outFeatures) || outFeatures <= 0) throw new ValueError(`Linear: a positive integer outFeatures; got ${outFeatures}`);
    if (inFeatures !== null && (!Number.isInteger(inFeatures) || inFeatures <= 0)) {
      throw new ValueError(`Linear: a positive integer inFeatures (or null to infer it); got ${inFeatures}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.opts = opts;
    if (inFeatures !== null) this.build(inFeatures);
  }

  /** Creates the parameters for `inFeatures` inputs. */
  build(inFeatures: number): void {
    this.inFeatures = inFeatures;
    const dtype = this.opts.dtype ?? 'float32';
    this.weight = new Parameter(zeros([this.outFeatures, inFeatures], { dtype }));
    this.bias = this.opts.bias === false ? null : new Parameter(zeros([this.outFeatures], { dtype }));
    this.resetParameters();
  }

  /** Re-draws the parameters with the layer's initialisers. */
  resetParameters(): void {
    if (!this.inFeatures) return;
    const bound = 1 / Math.sqrt(this.inFeatures);
    (this.opts.weightInit ?? ((t: Tensor) => kaimingUniform_(t, { a: Math.sqrt(5) })))(this.weight);
    if (this.bias) (this.opts.biasInit ?? ((t: Tensor) => uniform_(t, -bound, bound)))(this.bias);
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivation(x);
  }

  /**
   * forward, with the activation applied inside the same op when asked (nn.Sequential's Linear + ReLU,
   * Tanh or Sigmoid; Keras' dense with activation 'relu', 'tanh' or 'sigmoid').
   */
  forwardActivation(x: Tensor, activation?: LinearActivation): Tensor {
    if (this.inFeatures === null) {
      if (x.ndim < 1) throw new ShapeError(`Linear: an input of shape [..., in]; got ${fmtShape(x.shape)}`);
      this.build(x.shape[x.ndim - 1]!);
    }
    return x.linear(this.weight, this.bias, activation ? { activation } : undefined);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures ?? '?'}, outFeatures=${this.outFeatures}, bias=${this.bias !== null || this.opts.bias !== false}`;
  }
}

/** Returns its input. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Flattens dims startDim..endDim (default: all but the batch dim). Shape: [N, *] -> [N, prod(*)]. */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
