// Activation layers and Dropout: thin modules over the functional forms.
import { ValueError } from '../../core/index.ts';
import { Tensor } from '../../tensor/index.ts';
import { Module } from '../module.ts';
import * as F from '../functional.ts';

/** max(0, x). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return F.relu(x); }
}
/** 1 / (1 + exp(−x)). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return F.sigmoid(x); }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return F.tanh(x); }
}
/** max(0, x) + negativeSlope·min(0, x). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}
/** x if x > 0 else alpha·(exp(x) − 1). */
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return F.elu(x, this.alpha); }
  override extraRepr(): string { return `alpha=${this.alpha}`; }
}
/** Self-normalising ELU (pair with lecunNormal_ init). */
export class SELU extends Module {
  forward(x: Tensor): Tensor { return F.selu(x); }
}
export class Softplus extends Module {
  forward(x: Tensor): Tensor { return F.softplus(x); }
}
export class GELU extends Module {
  forward(x: Tensor): Tensor { return F.gelu(x); }
}
/** Softmax along `dim` (default: the last). */
export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return F.softmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return F.logSoftmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
/** Step function for perceptrons (gradient 0: see F.heaviside). */
export class Heaviside extends Module {
  forward(x: Tensor): Tensor { return F.heaviside(x); }
}
/** Sign function for perceptrons (gradient 0). */
export class Sign extends Module {
  forward(x: Tensor): Tensor { return F.sign(x); }
}
/** Zeroes elements with probability p in training mode, scaling the rest by 1/(1−p); identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`Dropout: a probability p in [0, 1]; got ${p}`);
  }
  forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training); }
  override extraRepr(): string { return `p=${this.p}`; }
}
