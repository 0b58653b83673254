// GaussianNoise: additive zero-mean noise in training (a regulariser), identity in eval.
import { ValueError } from '../../core/index.ts';
import { Tensor, randn } from '../../tensor/index.ts';
import { Module } from '../module.ts';

/** x + N(0, stddev²) in training mode; x in eval. Shape: any -> same. */
export class GaussianNoise extends Module {
  constructor(readonly stddev: number) {
    super();
    if (!(stddev >= 0)) throw new ValueError(`GaussianNoise: a non-negative stddev; got ${stddev}`);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.stddev === 0) return x;
    return x.add(randn(x.shape, { dtype: x.dtype }).mul(this.stddev));
  }
  override extraRepr(): string {
    return `stddev=${this.stddev}`;
  }
}
