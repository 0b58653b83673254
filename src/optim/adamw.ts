// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter).
import type { Tensor } from '../tensor/index.ts';
import { Adam } from './adam.ts';
import type { AdamOptions } from './adam.ts';
import { definedOnly } from './optimizer.ts';
import type { ParamGroupInput } from './optimizer.ts';

/** AdamW's options: Adam's, with weightDecay decoupled (p -= lr·λ·p before the Adam step) and 1e-2 by default. */
export type AdamWOptions = AdamOptions;

/** AdamW (torch.optim.AdamW): p *= 1 - lr·λ, then Adam's step p -= lr·m̂/(√v̂ + eps) on the plain gradient. */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput<AdamWOptions>>, options: Partial<AdamWOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...definedOnly(options) });
  }

  override get name(): string {
    return 'AdamW';
  }

  protected override get decoupled(): boolean {
    return true;
  }
}
