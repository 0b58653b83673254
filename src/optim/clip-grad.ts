// Gradient clipping: rescale all gradients to a maximum total norm, or clamp them elementwise.
import { ValueError } from '../core/index.ts';
import { Tensor, noGrad } from '../tensor/index.ts';
import { flatData } from './optimizer.ts';
import type { FloatArray } from './optimizer.ts';

/** Options of clipGradNorm. */
export interface ClipGradNormOptions {
  /** Throw a ValueError when the total norm is NaN or infinite (default false: return it, grads untouched). */
  errorIfNonfinite?: boolean;
}

function gradsOf(params: Iterable<Tensor> | Tensor): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  const out: Tensor[] = [];
  for (const p of list) if (p.grad !== null) out.push(p.grad);
  return out;
}

function readable(g: Tensor): FloatArray {
  return (g.isContiguous ? flatData(g) : g.contiguousData()) as FloatArray;
}

/** g *= s in place (a strided gradient goes through an in-place op). */
function scaleGrad(g: Tensor, s: number): void {
  if (!g.isContiguous) {
    noGrad(() => g.mul_(s));
    return;
  }
  const d = flatData(g);
  for (let i = 0; i < d.length; i++) d[i] = d[i]! * s;
  g.storage.version++;
}

/** g = clamp(g, -c, c) in place (NaN stays NaN). */
function clampGrad(g: Tensor, c: number): void {
  if (!g.isContiguous) {
    noGrad(() => g.clamp_(-c, c));
    return;
  }
  const d = flatData(g);
  for (let i = 0; i < d.length; i++) {
    const x = d[i]!;
    if (x > c) d[i] = c;
    else if (x < -c) d[i] = -c;
  }
  g.storage.version++;
}

/**
 * Rescales the gradients of `params` in place so their total norm ‖(‖g₁‖, ‖g₂‖, …)‖ₚ is at most `maxNorm`:
 * g *= min(1, maxNorm/(total + 1e-6)) (PyTorch's clip_grad_norm_). Returns the total norm before clipping.
 * `normType` is any p > 0 or Infinity (max |g|). A NaN or infinite total leaves the gradients as they are
 * and is returned (or throws with `errorIfNonfinite`). Parameters without a gradient are skipped.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2, opts: ClipGradNormOptions = {}): number {
  if (!(normType > 0)) throw new ValueError(`clipGradNorm: normType > 0 (or Infinity); got ${normType}`);
  if (!(maxNorm >= 0)) throw new ValueError(`clipGradNorm: maxNorm >= 0; got ${maxNorm}`);
  const grads = gradsOf(params);
  let acc = 0;
  for (const g of grads) {
    const d = readable(g);
    const n = d.length;
    if (normType === Infinity) for (let i = 0; i < n; i++) acc = Math.max(acc, Math.abs(d[i]!));
    else if (normType === 2) for (let i = 0; i < n; i++) acc += d[i]! * d[i]!;
    else if (normType === 1) for (let i = 0; i < n; i++) acc += Math.abs(d[i]!);
    else for (let i = 0; i < n; i++) acc += Math.abs(d[i]!) ** normType;
  }
  const total = normType === Infinity || normType === 1 ? acc : normType === 2 ? Math.sqrt(acc) : acc ** (1 / normType);
  if (!Number.isFinite(total)) {
    if (opts.errorIfNonfinite) {
      throw new ValueError(
        `clipGradNorm: a finite total norm of order ${normType} of the gradients; got ${total}. ` +
          'Some gradient holds NaN or infinity: check the loss, or lower the learning rate',
      );
    }
    return total;
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const g of grads) scaleGrad(g, coef);
  return total;
}

/** Clamps every gradient element of `params` in place to [-clipValue, clipValue] (PyTorch's clip_grad_value_). */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ValueError(`clipGradValue: clipValue >= 0; got ${clipValue}`);
  for (const g of gradsOf(params)) clampGrad(g, clipValue);
}
