// Linear and logistic regression by full-batch gradient descent with the gradients written out, and the normal equations (S4-3).
import { ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';
import { checkFinite, checkInt, checkNumber, toMatrix } from './input.ts';
import type { Matrix } from './input.ts';

/** A 1-d target: an array or a tensor of shape [n] (or [n, 1]). */
export type Vector = Tensor | readonly number[];

function toVector(op: string, y: Vector, n: number): Tensor {
  let t: Tensor;
  if (y instanceof Tensor) {
    if (!(y.ndim === 1 || (y.ndim === 2 && y.shape[1] === 1))) throw new ShapeError(`${op}: y of shape [n] (one target per sample); got ${fmtShape(y.shape)}`);
    t = y.reshape([-1]).cast('float64').contiguous();
  } else {
    if (!Array.isArray(y)) throw new ValueError(`${op}: y as an array or a 1-d tensor; got ${y === null ? 'null' : typeof y}`);
    t = Tensor.fromData(Float64Array.from(y as number[]), [y.length], 'float64');
  }
  if (t.shape[0] !== n) throw new ShapeError(`${op}: one target per sample (${n}); got ${t.shape[0]}`);
  checkFinite(op, 'y', t.contiguousData(), 0);
  return t;
}

/** Loss and gradient of a model at (w, b). */
export interface Gradient {
  /** The loss J(w, b). */
  loss: number;
  /** ∂J/∂w, float64 [features]. */
  dw: Tensor;
  /** ∂J/∂b. */
  db: number;
}

/**
 * The mean squared error of ŷ = Xw + b and its exact gradient: J = (1/n) Σ (xᵢ·w + b − yᵢ)²,
 * ∂J/∂w = (2/n) Xᵀ(Xw + b − y), ∂J/∂b = (2/n) Σ (xᵢ·w + b − yᵢ). x float64 [n, f], w [f], y [n].
 */
export function mseGradient(x: Tensor, y: Tensor, w: Tensor, b: number): Gradient {
  const n = x.shape[0]!;
  const r = x.matmul(w).add(b).sub(y); // the residuals Xw + b − y
  return { loss: r.square().mean().item(), dw: x.T.matmul(r).mul(2 / n), db: (2 / n) * r.sum().item() };
}

/**
 * The mean binary cross-entropy of p = σ(Xw + b) against 0/1 targets and its gradient:
 * J = −(1/n) Σ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)], ∂J/∂w = Xᵀ(σ(Xw + b) − y)/n, ∂J/∂b = Σ (pᵢ − yᵢ)/n.
 */
export function crossEntropyGradient(x: Tensor, y: Tensor, w: Tensor, b: number): Gradient {
  const n = x.shape[0]!;
  const z = x.matmul(w).add(b);
  const r = z.sigmoid().sub(y); // p − y
  // −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y·z, computed stably.
  const loss = z.softplus().sub(y.mul(z)).mean().item();
  return { loss, dw: x.T.matmul(r).div(n), db: r.sum().item() / n };
}

/** Options of the gradient-descent regressions. */
export interface GDOptions {
  /** The learning rate λ of w ← w − λ ∇J(w) (default 0.01 for linear, 0.1 for logistic regression). */
  lr?: number;
  /** The number of full-batch steps (default 1000). */
  epochs?: number;
  /** Stop early when the loss improves by less than tol in one step (default 0: run every epoch). */
  tol?: number;
}

abstract class GDRegression {
  readonly lr: number;
  readonly epochs: number;
  readonly tol: number;
  /** The loss before each step of the last fit. */
  lossCurve: number[] = [];
  protected w: Tensor | null = null;
  protected b = 0;

  constructor(op: string, opts: GDOptions, lr: number) {
    this.lr = opts.lr ?? lr;
    this.epochs = opts.epochs ?? 1000;
    this.tol = opts.tol ?? 0;
    checkNumber(op, 'lr', this.lr, 0, Infinity, true, true);
    checkInt(op, 'epochs', this.epochs, 1);
    checkNumber(op, 'tol', this.tol, 0, Infinity, false, true);
  }

  protected abstract gradient(x: Tensor, y: Tensor, w: Tensor, b: number): Gradient;
  protected abstract checkTargets(op: string, y: Tensor): void;

  /** Runs gradient descent from w = 0, b = 0: w ← w − lr·∂J/∂w, b ← b − lr·∂J/∂b. */
  fit(x: Matrix, y: Vector): this {
    const op = `${this.constructor.name}.fit`;
    const xt = toMatrix(op, x, { dtype: 'float64' });
    const yt = toVector(op, y, xt.shape[0]!);
    this.checkTargets(op, yt);
    let w = Tensor.fromData(new Float64Array(xt.shape[1]!), [xt.shape[1]!], 'float64');
    let b = 0;
    this.lossCurve = [];
    for (let e = 0; e < this.epochs; e++) {
      const g = this.gradient(xt, yt, w, b);
      if (!Number.isFinite(g.loss)) {
        throw new ValueError(`${op}: a finite loss; got ${g.loss} at epoch ${e}. Gradient descent diverged: lower lr (now ${this.lr}) or scale the features`);
      }
      const prev = this.lossCurve[this.lossCurve.length - 1];
      this.lossCurve.push(g.loss);
      if (this.tol > 0 && prev !== undefined && prev - g.loss < this.tol) break;
      w = w.sub(g.dw.mul(this.lr));
      b -= this.lr * g.db;
    }
    this.w = w;
    this.b = b;
    return this;
  }

  /** The learned weights, one per feature. */
  get weights(): number[] {
    return Array.from(this.fitted('weights').contiguousData());
  }
  /** The learned intercept. */
  get bias(): number {
    this.fitted('bias');
    return this.b;
  }

  protected fitted(op: string): Tensor {
    if (!this.w) throw new ValueError(`${this.constructor.name}.${op}: a fitted model; got one not fitted yet. Call fit() first`);
    return this.w;
  }

  /** xw + b for each row: float64 [n]. */
  protected linear(op: string, x: Matrix): Tensor {
    const w = this.fitted(op);
    return toMatrix(`${this.constructor.name}.${op}`, x, { dtype: 'float64', features: w.shape[0] }).matmul(w).add(this.b);
  }
}

/**
 * Linear regression ŷ = Xw + b fitted by full-batch gradient descent on the mean squared error with
 * its exact gradient ∂J/∂w = (2/n) Xᵀ(Xw + b − y) (see `mseGradient`); compare with `closedForm`.
 *
 * ```ts
 * const lr = new LinearRegressionGD({ lr: 0.1, epochs: 500 }).fit(x, y);
 * lr.weights; lr.bias; lr.predict(x);
 * ```
 */
export class LinearRegressionGD extends GDRegression {
  constructor(opts: GDOptions = {}) {
    super('LinearRegressionGD', opts, 0.01);
  }
  protected gradient(x: Tensor, y: Tensor, w: Tensor, b: number): Gradient {
    return mseGradient(x, y, w, b);
  }
  protected checkTargets(): void {}

  /** ŷ = Xw + b: float64 [n]. */
  predict(x: Matrix): Tensor {
    return this.linear('predict', x);
  }
  /** The coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)². */
  score(x: Matrix, y: Vector): number {
    const p = this.predict(x);
    return r2(p.contiguousData(), toVector('LinearRegressionGD.score', y, p.shape[0]!).contiguousData());
  }
}

/**
 * Logistic regression p = σ(Xw + b) fitted by full-batch gradient descent on the mean binary
 * cross-entropy with its gradient ∂J/∂w = Xᵀ(σ(Xw + b) − y)/n (see `crossEntropyGradient`); targets 0/1.
 */
export class LogisticRegressionGD extends GDRegression {
  constructor(opts: GDOptions = {}) {
    super('LogisticRegressionGD', opts, 0.1);
  }
  protected gradient(x: Tensor, y: Tensor, w: Tensor, b: number): Gradient {
    return crossEntropyGradient(x, y, w, b);
  }
  protected checkTargets(op: string, y: Tensor): void {
    const d = y.contiguousData();
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== 0 && d[i] !== 1) throw new ValueError(`${op}: targets 0 or 1; got ${d[i]} at position ${i}`);
    }
  }
  /** P(y = 1 | x) = σ(xw + b): float64 [n]. */
  predictProba(x: Matrix): Tensor {
    return this.linear('predictProba', x).sigmoid();
  }
  /** 1 where σ(xw + b) >= 0.5, else 0: int32 [n]. */
  predict(x: Matrix): Tensor {
    return this.predictProba(x).ge(0.5).int();
  }
  /** The accuracy of predict against 0/1 targets. */
  score(x: Matrix, y: Vector): number {
    const p = this.predict(x).contiguousData();
    const t = toVector('LogisticRegressionGD.score', y, p.length).contiguousData();
    let right = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === t[i]) right++;
    return right / p.length;
  }
}

/** R² = 1 − SS_res / SS_tot (1 for a perfect fit of constant targets, 0 otherwise, like scikit-learn). */
export function r2(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  mean /= y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i]! - pred[i]!) ** 2;
    tot += (y[i]! - mean) ** 2;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

/**
 * Solves A x = b for a symmetric positive definite A by Cholesky: A = L Lᵀ, then L z = b and
 * Lᵀ x = z by substitution. A is n x n (row arrays); throws when A is not positive definite.
 */
export function choleskySolve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = a.length;
  checkSquare('choleskySolve', a, b);
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 1e-12 * Math.max(1, Math.abs(a[i]![i]!)))) {
          throw new ValueError(`choleskySolve: a positive definite matrix; got a non-positive pivot ${s} at row ${i}. The features may be collinear (or constant)`);
        }
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * z[k]!;
    z[i] = s / l[i]![i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * x[k]!;
    x[i] = s / l[i]![i]!;
  }
  return Array.from(x);
}

/** Solves A x = b for any non-singular square A by Gaussian elimination with partial pivoting. */
export function gaussSolve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = a.length;
  checkSquare('gaussSolve', a, b);
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    const scale = Math.max(...m.map((r) => Math.abs(r[c]!)), 1e-300);
    if (Math.abs(m[p]![c]!) <= 1e-12 * scale) throw new ValueError(`gaussSolve: a non-singular matrix; got no pivot in column ${c}`);
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i]![n]!;
    for (let k = i + 1; k < n; k++) s -= m[i]![k]! * x[k]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

function checkSquare(op: string, a: readonly (readonly number[])[], b: readonly number[]): void {
  const n = a.length;
  if (n === 0 || a.some((r) => r.length !== n)) throw new ShapeError(`${op}: a square matrix (n x n rows); got ${n} rows of lengths ${a.map((r) => r.length).join(', ')}`);
  if (b.length !== n) throw new ShapeError(`${op}: a right-hand side of ${n} values; got ${b.length}`);
}

/**
 * Least squares by the normal equations: with A = [X, 1] (the column of ones only with fitIntercept),
 * solves (AᵀA) θ = Aᵀy by Cholesky and returns θ as { weights, bias }.
 */
export function closedForm(x: Matrix, y: Vector, opts: { fitIntercept?: boolean } = {}): { weights: number[]; bias: number } {
  const op = 'closedForm';
  const { fitIntercept = true } = opts;
  const xt = toMatrix(op, x, { dtype: 'float64' });
  const [n, f] = xt.shape as [number, number];
  const yd = toVector(op, y, n).contiguousData();
  const xd = xt.contiguousData();
  const m = f + (fitIntercept ? 1 : 0);
  const ata = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const aty = new Array<number>(m).fill(0);
  const row = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) row[j] = xd[i * f + j]!;
    if (fitIntercept) row[f] = 1;
    for (let p = 0; p < m; p++) {
      aty[p]! += row[p]! * yd[i]!;
      for (let q = 0; q <= p; q++) ata[p]![q]! += row[p]! * row[q]!;
    }
  }
  for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) ata[p]![q] = ata[q]![p]!;
  const theta = choleskySolve(ata, aty);
  return { weights: theta.slice(0, f), bias: fitIntercept ? theta[f]! : 0 };
}
