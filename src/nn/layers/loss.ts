// Loss modules over the functional losses.
import { Tensor } from '../../tensor/index.ts';
import { Module } from '../module.ts';
import * as F from '../functional.ts';
import type { CrossEntropyOptions, Reduction } from '../functional.ts';

/** mean((input − target)²). */
export class MSELoss extends Module {
  constructor(readonly reduction: Reduction = 'mean') { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, this.reduction); }
}
/** mean(|input − target|). */
export class L1Loss extends Module {
  constructor(readonly reduction: Reduction = 'mean') { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, this.reduction); }
}
/** Binary cross-entropy on probabilities (logs clamped at −100). */
export class BCELoss extends Module {
  constructor(readonly reduction: Reduction = 'mean') { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return F.bceLoss(input, target, this.reduction); }
}
/** Binary cross-entropy on logits (stable). */
export class BCEWithLogitsLoss extends Module {
  constructor(readonly reduction: Reduction = 'mean', readonly posWeight?: Tensor) { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return F.bceWithLogitsLoss(input, target, this.reduction, this.posWeight); }
}
/** logSoftmax + NLL over logits; targets as int32 indices or probabilities. */
export class CrossEntropyLoss extends Module {
  constructor(readonly opts: CrossEntropyOptions = {}) { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return F.crossEntropy(input, target, this.opts); }
}
/** NLL over log-probabilities. */
export class NLLLoss extends Module {
  constructor(readonly reduction: Reduction = 'mean', readonly weight?: Tensor) { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return F.nllLoss(input, target, this.reduction, this.weight); }
}
