// Gradient checking against central finite differences.
import { AutogradError, DTypeError } from '../core/index.ts';
import { defaultGenerator } from './random.ts';
import { Tensor, noGrad } from './tensor.ts';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw on mismatch (default) or return false. */
  raise?: boolean;
}

/**
 * Checks the gradients autograd computes for `fn` at `inputs` against finite differences. The
 * output is projected on a fixed random vector r (the check is of d(sum(r * fn))/dx), so one
 * backward covers the whole Jacobian's action. Use float64 inputs; only those with requiresGrad
 * are checked.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raise = true } = opts;
  for (const x of inputs) {
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new DTypeError(`gradcheck: float64 inputs (finite differences need the precision); got ${x.dtype}`);
    }
  }
  const out0 = fn(...inputs);
  const saved = defaultGenerator.getState();
  const r = Tensor.fromData(Float64Array.from({ length: out0.size }, () => defaultGenerator.random() * 2 - 1), out0.shape, 'float64');
  defaultGenerator.setState(saved);
  const project = (o: Tensor): number => {
    const d = o.contiguousData();
    const rd = r.contiguousData();
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i]! * rd[i]!;
    return s;
  };
  for (const x of inputs) x.grad = null;
  out0.backward(r.cast(out0.dtype));
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k]!;
    if (!x.requiresGrad) continue;
    const analytic = x.grad ? x.grad.contiguousData() : new Float64Array(x.size);
    if (!x.isContiguous || x.offset !== 0) throw new AutogradError('gradcheck: contiguous leaf inputs; got a view');
    const buf = x.data();
    for (let i = 0; i < x.size; i++) {
      const orig = buf[i]!;
      buf[i] = orig + eps;
      const fp = noGrad(() => project(fn(...inputs)));
      buf[i] = orig - eps;
      const fm = noGrad(() => project(fn(...inputs)));
      buf[i] = orig;
      const numeric = (fp - fm) / (2 * eps);
      const a = analytic[i]!;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        if (!raise) return false;
        throw new AutogradError(
          `gradcheck: analytic and numeric gradients to agree; got ${a} vs ${numeric} for input ${k} at flat index ${i}`,
        );
      }
    }
  }
  return true;
}
