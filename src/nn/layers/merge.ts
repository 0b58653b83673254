// Merge layers for multi-input graphs: Add (residual connections) and Concatenate.
import { ShapeError } from '../../core/index.ts';
import { Tensor, concat } from '../../tensor/index.ts';
import { Module } from '../module.ts';

/** Elementwise sum of its inputs (all of one shape, or broadcastable). */
export class Add extends Module {
  forward(...xs: Tensor[]): Tensor {
    if (xs.length < 1) throw new ShapeError('Add: at least one input; got none');
    return xs.slice(1).reduce((a, b) => a.add(b), xs[0]!);
  }
}

/** Joins its inputs along `axis` (default the last). */
export class Concatenate extends Module {
  constructor(readonly axis = -1) {
    super();
  }
  forward(...xs: Tensor[]): Tensor {
    return concat(xs, this.axis < 0 ? xs[0]!.ndim + this.axis : this.axis);
  }
  override extraRepr(): string {
    return `axis=${this.axis}`;
  }
}

/** Applies an activation by function (Keras' Activation layer). */
export class Activation extends Module {
  constructor(readonly fn: (x: Tensor) => Tensor, readonly activationName = 'custom') {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
  override extraRepr(): string {
    return this.activationName;
  }
}
