// Weight and activity regularisers (Keras' l1, l2, l1l2): penalties added to the training loss.
import { ValueError } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';

/** A penalty on a tensor: l1·sum(|w|) + l2·sum(w²) (Keras' L1L2 convention: no 1/2 factor). */
export class Regularizer {
  constructor(readonly l1 = 0, readonly l2 = 0) {
    if (!(l1 >= 0) || !(l2 >= 0)) throw new ValueError(`Regularizer: non-negative l1 and l2; got l1=${l1}, l2=${l2}`);
  }
  /** The penalty for `w`. */
  penalty(w: Tensor): Tensor {
    let p: Tensor | null = null;
    if (this.l1 > 0) p = w.abs().sum().mul(this.l1);
    if (this.l2 > 0) {
      const q = w.square().sum().mul(this.l2);
      p = p ? p.add(q) : q;
    }
    return p ?? w.sum().mul(0);
  }
  getConfig(): { l1: number; l2: number } {
    return { l1: this.l1, l2: this.l2 };
  }
}

/** l1(λ): λ·sum(|w|). */
export const l1 = (l = 0.01): Regularizer => new Regularizer(l, 0);
/** l2(λ): λ·sum(w²). */
export const l2 = (l = 0.01): Regularizer => new Regularizer(0, l);
/** l1l2({ l1, l2 }): both penalties. */
export const l1l2 = (o: { l1?: number; l2?: number } = {}): Regularizer => new Regularizer(o.l1 ?? 0.01, o.l2 ?? 0.01);

const paramRegularizers = new WeakMap<Tensor, Regularizer>();

/** Attaches a penalty to a parameter; training adds it to the loss every step. */
export function setRegularizer(p: Tensor, r: Regularizer | null | undefined): void {
  if (r) paramRegularizers.set(p, r);
  else paramRegularizers.delete(p);
}
/** The penalty attached to a parameter, if any. */
export function getRegularizer(p: Tensor): Regularizer | undefined {
  return paramRegularizers.get(p);
}
