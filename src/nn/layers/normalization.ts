// Batch normalisation over the batch dim (BatchNorm1d) with running statistics.
import { ValueError, ShapeError, fmtShape } from '../../core/index.ts';
import { Tensor, noGrad, ones, zeros } from '../../tensor/index.ts';
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
    const dims = x.ndim === 2 ? [0] : [0, 2];
    const bshape = x.ndim === 2 ? [1, this.numFeatures] : [1, this.numFeatures, 1];
    let mean: Tensor;
    let v: Tensor;
    if (this.training) {
      const n = x.size / this.numFeatures;
      if (n < 2) throw new ValueError(`BatchNorm1d: more than 1 value per feature in training; got input ${fmtShape(x.shape)}. Use eval() for single samples`);
      mean = x.mean(dims, true);
      v = x.sub(mean).square().mean(dims, true);
      noGrad(() => {
        const m = this.momentum;
        const unbiased = this.unbiasedRunningVar ? v.mul(n / (n - 1)) : v;
        this.runningMean.mul_(1 - m).add_(mean.reshape([-1]).mul(m));
        this.runningVar.mul_(1 - m).add_(unbiased.reshape([-1]).mul(m));
      });
    } else {
      mean = this.runningMean.reshape(bshape);
      v = this.runningVar.reshape(bshape);
    }
    let y = x.sub(mean).div(v.add(this.eps).sqrt());
    if (this.weight && this.bias) y = y.mul(this.weight.reshape(bshape)).add(this.bias.reshape(bshape));
    return y;
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
