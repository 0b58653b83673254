// Helpers of generative models: the Gaussian KL term and reparametrised sampling of a VAE, the VAE
// loss, the GAN losses of the minimax game (on logits, with the non-saturating generator loss), and an
// exponential moving average of a model's weights (the averaged generator GANs are sampled from).
import { DTypeError, ShapeError, ValueError, fmtShape, isFloat, sameShape } from '../core/index.ts';
import { noGrad, ones, randn, zeros } from '../tensor/index.ts';
import type { Generator, Tensor } from '../tensor/index.ts';
import { bceLoss, bceWithLogitsLoss, mseLoss } from './functional.ts';
import type { Module } from './module.ts';

/** How a generative loss is reduced: summed, averaged per element, summed per sample then averaged over the batch, or kept. */
export type GenerativeReduction = 'sum' | 'mean' | 'batchmean' | 'none';

function pairCheck(op: string, a: Tensor, b: Tensor, names: [string, string]): void {
  if (!isFloat(a.dtype) || !isFloat(b.dtype)) {
    throw new DTypeError(`${op}: float ${names[0]} and ${names[1]}; got ${a.dtype} and ${b.dtype}`);
  }
  if (!sameShape(a.shape, b.shape)) {
    throw new ShapeError(`${op}: ${names[0]} and ${names[1]} of the same shape; got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
}

function reduceGen(op: string, l: Tensor, reduction: GenerativeReduction): Tensor {
  switch (reduction) {
    case 'sum': return l.sum();
    case 'mean': return l.mean();
    case 'batchmean': return l.sum().div(l.ndim === 0 ? 1 : l.shape[0]!);
    case 'none': return l;
    default: throw new ValueError(`${op}: reduction 'sum', 'mean', 'batchmean' or 'none'; got '${reduction as string}'`);
  }
}

/**
 * KL divergence of N(mu, exp(logVar)) (diagonal) from N(0, I) in closed form:
 * −0.5·Σ(1 + logVar − mu² − exp(logVar)). Default reduction 'sum' (the VAE paper's, as PyTorch's VAE
 * example writes it); 'batchmean' sums per sample and averages over dim 0; 'none' keeps the elementwise terms.
 */
export function gaussianKl(mu: Tensor, logVar: Tensor, reduction: GenerativeReduction = 'sum'): Tensor {
  pairCheck('gaussianKl', mu, logVar, ['mu', 'logVar']);
  const l = logVar.add(1).sub(mu.square()).sub(logVar.exp()).mul(-0.5);
  return reduceGen('gaussianKl', l, reduction);
}

/**
 * The reparametrisation trick: z = mu + exp(0.5·logVar)·eps with eps ~ N(0, I) drawn from `generator`
 * (default: the seeded global one), so gradients flow to mu and logVar and not through the sampling.
 */
export function reparameterize(mu: Tensor, logVar: Tensor, generator?: Generator): Tensor {
  pairCheck('reparameterize', mu, logVar, ['mu', 'logVar']);
  const eps = randn(mu.shape, { dtype: mu.dtype, ...(generator ? { generator } : {}) });
  return mu.add(logVar.mul(0.5).exp().mul(eps));
}

/** Options of {@link vaeLoss}. */
export interface VaeLossOptions {
  /**
   * 'sum' (default) totals the batch; 'batchmean' is the per-sample loss averaged over the batch;
   * 'mean' divides the total by the number of input elements (the course notebook's
   * BCE-mean + KL/(batch·784)).
   */
  reduction?: Exclude<GenerativeReduction, 'none'>;
  /** Weight of the KL term (β-VAE); default 1. */
  beta?: number;
  /** The reconstruction term: 'bce' on probabilities (default), 'bceWithLogits' on logits, or 'mse'. */
  reconstruction?: 'bce' | 'bceWithLogits' | 'mse';
}

/**
 * The VAE loss (negative ELBO): reconstruction error of `recon` against `target` (summed) plus
 * beta·gaussianKl(mu, logVar), then reduced as `opts.reduction` says. mu and logVar are [N, latent];
 * recon and target have the same leading N.
 */
export function vaeLoss(recon: Tensor, target: Tensor, mu: Tensor, logVar: Tensor, opts: VaeLossOptions = {}): Tensor {
  const { reduction = 'sum', beta = 1, reconstruction = 'bce' } = opts;
  if (recon.ndim === 0 || mu.ndim === 0 || recon.shape[0] !== mu.shape[0]) {
    throw new ShapeError(`vaeLoss: recon and mu with the same batch size in dim 0; got ${fmtShape(recon.shape)} and ${fmtShape(mu.shape)}`);
  }
  if (!(Number.isFinite(beta) && beta >= 0)) throw new ValueError(`vaeLoss: a finite beta >= 0; got ${beta}`);
  let rec: Tensor;
  if (reconstruction === 'bce') rec = bceLoss(recon, target, 'sum');
  else if (reconstruction === 'bceWithLogits') rec = bceWithLogitsLoss(recon, target, 'sum');
  else if (reconstruction === 'mse') rec = mseLoss(recon, target, 'sum');
  else throw new ValueError(`vaeLoss: reconstruction 'bce', 'bceWithLogits' or 'mse'; got '${reconstruction as string}'`);
  const total = rec.add(gaussianKl(mu, logVar, 'sum').mul(beta));
  if (reduction === 'sum') return total;
  if (reduction === 'batchmean') return total.div(recon.shape[0]!);
  if (reduction === 'mean') return total.div(target.size);
  throw new ValueError(`vaeLoss: reduction 'sum', 'mean' or 'batchmean'; got '${reduction as string}'`);
}

/**
 * The discriminator's loss in the GAN minimax game, on logits: BCE(D(real), realLabel) + BCE(D(fake), 0),
 * each averaged over its batch. `realLabel` < 1 is one-sided label smoothing (e.g. 0.9). Detach the
 * fake batch (`G(z).detach()`) so this step does not reach the generator.
 */
export function ganDiscriminatorLoss(realLogits: Tensor, fakeLogits: Tensor, realLabel = 1): Tensor {
  if (!(realLabel > 0 && realLabel <= 1)) throw new ValueError(`ganDiscriminatorLoss: realLabel in (0, 1]; got ${realLabel}`);
  const real = bceWithLogitsLoss(realLogits, ones(realLogits.shape, { dtype: realLogits.dtype }).mul(realLabel));
  const fake = bceWithLogitsLoss(fakeLogits, zeros(fakeLogits.shape, { dtype: fakeLogits.dtype }));
  return real.add(fake);
}

/**
 * The generator's non-saturating loss, on logits: BCE(D(G(z)), 1) = −mean(log D(G(z))) (Goodfellow et
 * al.'s practical form of minimising log(1 − D(G(z))), which saturates early in training).
 */
export function ganGeneratorLoss(fakeLogits: Tensor): Tensor {
  return bceWithLogitsLoss(fakeLogits, ones(fakeLogits.shape, { dtype: fakeLogits.dtype }));
}

/**
 * Moves `ema`'s parameters towards `model`'s: e ← decay·e + (1 − decay)·p, and copies the buffers
 * (batch-norm statistics). `ema` is a second instance of the same architecture (start it with
 * `ema.loadStateDict(model.stateDict())`); call this after each optimizer step and sample from `ema`
 * (Polyak averaging, which steadies a GAN generator's oscillating weights).
 */
export function updateEma(ema: Module, model: Module, decay = 0.999): void {
  if (!(decay >= 0 && decay <= 1)) throw new ValueError(`updateEma: decay in [0, 1]; got ${decay}`);
  const src = new Map<string, Tensor>(model.namedParameters());
  const dst = ema.namedParameters();
  if (dst.length !== src.size || dst.some(([n, e]) => !src.has(n) || !sameShape(src.get(n)!.shape, e.shape))) {
    const shapes = (ps: [string, Tensor][]): string => ps.map(([n, t]) => `${n}${fmtShape(t.shape)}`).join(', ');
    throw new ShapeError(`updateEma: two models with the same parameters; got ${shapes(dst)} and ${shapes([...src])}`);
  }
  noGrad(() => {
    for (const [n, e] of dst) e.mul_(decay).add_(src.get(n)!, 1 - decay);
    const bufs = new Map<string, Tensor>(model.namedBuffers());
    for (const [n, b] of ema.namedBuffers()) {
      const s = bufs.get(n);
      if (s && sameShape(s.shape, b.shape)) b.copy_(s);
    }
  });
}
