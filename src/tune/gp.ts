// A small Gaussian-process regressor for Bayesian optimisation over the unit cube: a Matérn 5/2 kernel
// with one length scale per dimension, targets standardised, the length scales and the noise chosen
// by maximising the log marginal likelihood (a coarse grid, then coordinate steps), and the expected
// improvement / upper confidence bound acquisition functions. Plain arrays; n is at most a few hundred.
import { ValueError } from '../core/index.ts';

/** Matérn 5/2 covariance at scaled distance r (signal variance 1). */
function matern52(r: number): number {
  const s = Math.sqrt(5) * r;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

function kernel(a: readonly number[], b: readonly number[], ls: readonly number[]): number {
  let r2 = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i]! - b[i]!) / ls[i]!;
    r2 += d * d;
  }
  return matern52(Math.sqrt(r2));
}

/** Lower Cholesky factor of a symmetric matrix (row-major n*n), or null if not positive definite. */
function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  }
  return l;
}

/** Solves L z = b (forward substitution). */
function solveLower(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * z[k]!;
    z[i] = s / l[i * n + i]!;
  }
  return z;
}

/** Solves Lᵀ z = b (back substitution). */
function solveUpper(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const z = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * z[k]!;
    z[i] = s / l[i * n + i]!;
  }
  return z;
}

interface Factor {
  l: Float64Array;
  alpha: Float64Array;
  lml: number;
}

function factor(x: readonly number[][], y: Float64Array, ls: readonly number[], noise: number): Factor | null {
  const n = x.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = kernel(x[i]!, x[j]!, ls);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
    k[i * n + i] = k[i * n + i]! + noise + 1e-10;
  }
  const l = cholesky(k, n);
  if (!l) return null;
  const alpha = solveUpper(l, n, solveLower(l, n, y));
  let fit = 0;
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    fit += y[i]! * alpha[i]!;
    logDet += Math.log(l[i * n + i]!);
  }
  return { l, alpha, lml: -0.5 * fit - logDet - 0.5 * n * Math.log(2 * Math.PI) };
}

/** Options of GaussianProcess.fit. */
export interface GPFitOptions {
  /** Fix the noise variance (of the standardised targets) instead of fitting it. */
  noise?: number;
}

/** A fitted Gaussian process: predictive mean and standard deviation anywhere in the cube. */
export class GaussianProcess {
  private constructor(
    readonly x: number[][],
    readonly y: number[],
    readonly lengthScales: number[],
    readonly noise: number,
    private readonly mu: number,
    private readonly sd: number,
    private readonly f: Factor,
  ) {}

  /** The log marginal likelihood of the standardised targets under the fitted hyperparameters. */
  get logMarginalLikelihood(): number {
    return this.f.lml;
  }

  /** Fits to points `x` (each in [0, 1]^d) and targets `y`, choosing length scales and noise by marginal likelihood. */
  static fit(x: number[][], y: number[], o: GPFitOptions = {}): GaussianProcess {
    if (x.length === 0 || x.length !== y.length) throw new ValueError(`GaussianProcess.fit: as many targets as points (at least one); got ${x.length} points, ${y.length} targets`);
    const d = x[0]!.length;
    const mu = y.reduce((a, b) => a + b, 0) / y.length;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - mu) ** 2, 0) / y.length) || 1;
    const ys = Float64Array.from(y, (v) => (v - mu) / sd);
    const noises = o.noise !== undefined ? [o.noise] : [1e-6, 1e-4, 1e-3, 1e-2, 0.05];
    let best: { ls: number[]; noise: number; f: Factor } | null = null;
    const tryFit = (ls: number[], noise: number): boolean => {
      const f = factor(x, ys, ls, noise);
      if (f && (!best || f.lml > best.f.lml)) {
        best = { ls, noise, f };
        return true;
      }
      return false;
    };
    for (let e = -3.5; e <= 1.01; e += 0.375) for (const nz of noises) tryFit(new Array<number>(d).fill(Math.exp(e)), nz);
    if (!best) {
      // only if every kernel matrix failed to factor (duplicate points and no noise): a large noise always works
      tryFit(new Array<number>(d).fill(0.3), 1);
    }
    // Per-dimension length scales by coordinate steps from the best shared one.
    if (d > 1) {
      for (let sweep = 0; sweep < 3; sweep++) {
        let improved = false;
        for (let i = 0; i < d; i++) {
          for (const m of [0.25, 0.5, 0.7, 1.4, 2, 4]) {
            const b = best as unknown as { ls: number[]; noise: number };
            const ls = b.ls.slice();
            ls[i] = Math.min(Math.max(ls[i]! * m, 0.01), 20);
            if (tryFit(ls, b.noise)) improved = true;
          }
        }
        if (!improved) break;
      }
    }
    const b = best as unknown as { ls: number[]; noise: number; f: Factor };
    return new GaussianProcess(x.map((r) => r.slice()), y.slice(), b.ls, b.noise, mu, sd, b.f);
  }

  /** The same kernel with one more observation (used for "kriging believer" batches). */
  withObservation(x: number[], y: number): GaussianProcess {
    const xs = [...this.x, x];
    const ys = [...this.y, y];
    const yn = Float64Array.from(ys, (v) => (v - this.mu) / this.sd);
    const f = factor(xs, yn, this.lengthScales, this.noise) ?? factor(xs, yn, this.lengthScales, this.noise + 1e-4)!;
    return new GaussianProcess(xs, ys, this.lengthScales, this.noise, this.mu, this.sd, f);
  }

  /** Predictive mean and standard deviation (of the latent function, in the targets' units) at `x`. */
  predict(x: readonly number[]): { mean: number; std: number } {
    const n = this.x.length;
    const ks = new Float64Array(n);
    for (let i = 0; i < n; i++) ks[i] = kernel(this.x[i]!, x, this.lengthScales);
    let m = 0;
    for (let i = 0; i < n; i++) m += ks[i]! * this.f.alpha[i]!;
    const v = solveLower(this.f.l, n, ks);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += v[i]! * v[i]!;
    const variance = Math.max(1 - vv, 1e-12);
    return { mean: this.mu + this.sd * m, std: this.sd * Math.sqrt(variance) };
  }
}

/** The standard normal density. */
function pdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** The standard normal CDF (via erfc, W. J. Cody's rational approximation as in Numerical Recipes; |error| < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/** Expected improvement over `best` (maximising) of a normal prediction, with exploration margin `xi`. */
export function expectedImprovement(mean: number, std: number, best: number, xi = 0.01): number {
  const imp = mean - best - xi;
  if (std <= 1e-12) return Math.max(imp, 0);
  const z = imp / std;
  return imp * normalCdf(z) + std * pdf(z);
}

/** Upper confidence bound (maximising): mean + beta * std. */
export function upperConfidenceBound(mean: number, std: number, beta = 2.6): number {
  return mean + beta * std;
}
