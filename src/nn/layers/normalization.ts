// Batch normalisation over the batch dim (BatchNorm1d) with running statistics.
import { ValueError, ShapeError, fmtShape } from '../../core/index.ts';
import { Tensor, batchNorm, noGrad, ones, zeros } from '../../tensor/index.ts';
import type { DType } from '../../core/index.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';

export interface BatchNormOptions {
  /** Added to the variance (PyTorch 1e-5; Keras 1e-3). */
  eps?: number;
  /**
   * PyTorch's convention: running = (1 − momentum)·running + momentum·batch, default 0.1.
   * (Keras' momentum m is the weight of the old value: pass momentum = 1 − m; the Keras-style
   * `batchNormalization` factory does this for you.)
   */
  momentum?: number;
  /** Learn gamma and beta (default true). */
  affine?: boolean;
  /** Update the running variance with the unbiased batch variance (PyTorch: true; Keras: false). */
  unbiasedRunningVar?: boolean;
  dtype?: DType;
}

/**
 * Normalises each feature over the batch: y = (x − mean) / sqrt(var + eps)·gamma + beta, with the
 * batch's mean and (biased) variance in training and the running ones in eval.
 * Trainable: gamma (weight), beta (bias). Non-trainable buffers: runningMean, runningVar.
 *
 * Shape: [N, C] or [N, C, L] -> same. `numFeatures` may be null (built from the first input).
 */
export class BatchNorm1d extends Module {
  weight: Parameter | null = null;
  bias: Parameter | null = null;
  declare runningMean: Tensor;
  declare runningVar: Tensor;
  numFeatures: number | null;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly unbiasedRunningVar: boolean;
  private readonly dtype: DType;

  constructor(numFeatures: number | null, opts: BatchNormOptions = {}) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.affine = opts.affine ?? true;
    this.unbiasedRunningVar = opts.unbiasedRunningVar ?? true;
    this.dtype = opts.dtype ?? 'float32';
    if (!(this.eps > 0)) throw new ValueError(`BatchNorm1d: a positive eps; got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ValueError(`BatchNorm1d: momentum in [0, 1]; got ${this.momentum}`);
    this.numFeatures = numFeatures;
    if (numFeatures !== null) this.build(numFeatures);
  }

  build(numFeatures: number): void {
    this.numFeatures = numFeatures;
    if (this.affine) {
      this.weight = new Parameter(ones([numFeatures], { dtype: this.dtype }));
      this.bias = new Parameter(zeros([numFeatures], { dtype: this.dtype }));
    }
    this.registerBuffer('runningMean', zeros([numFeatures], { dtype: this.dtype }));
    this.registerBuffer('runningVar', ones([numFeatures], { dtype: this.dtype }));
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`BatchNorm1d: input of shape [N, C] or [N, C, L]; got ${fmtShape(x.shape)}`);
    if (this.numFeatures === null) this.build(x.shape[1]!);
    if (x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`BatchNorm1d: ${this.numFeatures} features in dim 1; got ${fmtShape(x.shape)}`);
    }
    const x3 = x.ndim === 2 ? x.reshape([x.shape[0]!, this.numFeatures, 1]) : x;
    if (this.training) {
      const n = x3.shape[0]! * x3.shape[2]!;
      if (n < 2) throw new ValueError(`BatchNorm1d: more than 1 value per feature in training; got input ${fmtShape(x.shape)}. Use eval() for single samples`);
      const stats = { mean: new Float64Array(0), variance: new Float64Array(0), count: 0 };
      const y = batchNorm(x3, this.weight, this.bias, { eps: this.eps, training: true, stats });
      noGrad(() => {
        const m = this.momentum;
        const f = this.unbiasedRunningVar ? n / (n - 1) : 1;
        this.runningMean.apply_((v, c) => (1 - m) * v + m * stats.mean[c]!);
        this.runningVar.apply_((v, c) => (1 - m) * v + m * stats.variance[c]! * f);
      });
      return x.ndim === 2 ? y.reshape(x.shape) : y;
    }
    const y = batchNorm(x3, this.weight, this.bias, { eps: this.eps, training: false, runningMean: this.runningMean, runningVar: this.runningVar });
    return x.ndim === 2 ? y.reshape(x.shape) : y;
  }

  override extraRepr(): string {
    return `${this.numFeatures ?? '?'}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}`;
  }
}

/**
 * Batch normalisation of images: each channel normalised over the batch and both spatial dims, with
 * the same conventions as BatchNorm1d. Shape: [N, C, H, W] -> same.
 */
export class BatchNorm2d extends BatchNorm1d {
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new ShapeError(`BatchNorm2d: input of shape [N, C, H, W]; got ${fmtShape(x.shape)}`);
    const [n, c, h, w] = x.shape as [number, number, number, number];
    // [N, C, H, W] -> [N, C, H·W]: BatchNorm1d's 3-d path normalises over dims 0 and 2.
    return super.forward(x.reshape([n, c, h * w])).reshape([n, c, h, w]);
  }
}
