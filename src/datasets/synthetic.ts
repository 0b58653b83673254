// Synthetic 2-d classification data (scikit-learn's make_circles/make_moons/make_blobs, two spirals, XOR), seeded.
import { ValueError } from '../core/index.ts';
import { Tensor, defaultGenerator } from '../tensor/index.ts';
import type { Generator } from '../tensor/index.ts';

/** A synthetic data set: points x float32 [n, features] and class labels y int32 [n]. */
export interface SyntheticData {
  x: Tensor;
  y: Tensor;
}

/** Options shared by the synthetic data sets. */
export interface SyntheticOptions {
  /** The number of points (default 100; 200 for makeXor). */
  nSamples?: number;
  /** The standard deviation of the Gaussian noise added to each coordinate (default 0; 0.1 for makeXor). */
  noise?: number;
  /** Shuffle the points (default true); otherwise they come class by class. */
  shuffle?: boolean;
  /** The random generator (default: the global one, seeded with manualSeed). */
  generator?: Generator;
}

/** Options of `makeCircles`. */
export interface CirclesOptions extends SyntheticOptions {
  /** The inner circle's radius relative to the outer one's (1), in [0, 1) (default 0.8). */
  factor?: number;
}

/** Options of `makeSpirals`. */
export interface SpiralsOptions {
  /** Points per arm (default 1000); the data set has 2·nPoints rows. */
  nPoints?: number;
  /** The scale of the uniform [0, noise) jitter added to each coordinate (default 0.5). */
  noise?: number;
  /** Shuffle the rows (default false, like the course notebook: first arm, then second). */
  shuffle?: boolean;
  /** The random generator (default: the global one). */
  generator?: Generator;
}

/** Options of `makeBlobs`. */
export interface BlobsOptions {
  /** The number of points, split as evenly as possible over the centers (default 100). */
  nSamples?: number;
  /** The number of centers drawn uniformly in centerBox (default 3), or the centers themselves [k][nFeatures]. */
  centers?: number | readonly (readonly number[])[];
  /** The standard deviation of each cluster: one for all, or one per center (default 1). */
  clusterStd?: number | readonly number[];
  /** The number of features (default 2; taken from the centers when they are given). */
  nFeatures?: number;
  /** The box [low, high) the random centers are drawn in (default [-10, 10]). */
  centerBox?: readonly [number, number];
  /** Shuffle the points (default true); otherwise they come cluster by cluster. */
  shuffle?: boolean;
  /** The random generator (default: the global one). */
  generator?: Generator;
}

/** The result of `makeBlobs`: also the centers used, float32 [k, nFeatures]. */
export interface BlobsData extends SyntheticData {
  centers: Tensor;
}

function checkCount(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ValueError(`${op}: ${name} a positive integer; got ${String(v)}`);
  return v;
}

function checkNonNeg(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ValueError(`${op}: ${name} a finite number >= 0; got ${String(v)}`);
  return v;
}

function checkShuffle(op: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ValueError(`${op}: shuffle true or false; got ${String(v)}`);
  return v;
}

/** Reorders the rows of x (d columns) and y by a random permutation, in place. */
function shuffleRows(x: Float64Array, y: Int32Array, d: number, g: Generator): void {
  const n = y.length;
  const p = g.permutation(n);
  const xs = x.slice();
  const ys = y.slice();
  for (let i = 0; i < n; i++) {
    const j = p[i]!;
    y[i] = ys[j]!;
    for (let k = 0; k < d; k++) x[i * d + k] = xs[j * d + k]!;
  }
}

function addNoise(x: Float64Array, noise: number, g: Generator): void {
  if (noise === 0) return;
  for (let i = 0; i < x.length; i++) x[i]! += noise * g.normal();
}

function pack(x: Float64Array, y: Int32Array, d: number): SyntheticData {
  return { x: Tensor.fromData(Float32Array.from(x), [y.length, d], 'float32'), y: Tensor.fromData(y, [y.length], 'int32') };
}

/**
 * Two concentric circles (scikit-learn's make_circles): nSamples//2 points on the unit circle
 * (label 0), the rest on a circle of radius `factor` (label 1), evenly spaced angles, then
 * shuffled, then Gaussian noise of std `noise`.
 *
 * ```ts
 * const { x, y } = makeCircles({ nSamples: 200, noise: 0.05, factor: 0.5 }); // x [200, 2], y [200]
 * ```
 */
export function makeCircles(opts: CirclesOptions = {}): SyntheticData {
  const op = 'makeCircles';
  const { nSamples = 100, noise = 0, factor = 0.8, shuffle = true, generator = defaultGenerator } = opts;
  const n = checkCount(op, 'nSamples', nSamples);
  checkNonNeg(op, 'noise', noise);
  if (typeof factor !== 'number' || !(factor >= 0 && factor < 1)) {
    throw new ValueError(`${op}: factor (the inner radius) in [0, 1); got ${String(factor)}`);
  }
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < nOut; i++) {
    const a = (2 * Math.PI * i) / nOut;
    x[2 * i] = Math.cos(a);
    x[2 * i + 1] = Math.sin(a);
  }
  for (let i = 0; i < nIn; i++) {
    const a = (2 * Math.PI * i) / nIn;
    const r = nOut + i;
    x[2 * r] = factor * Math.cos(a);
    x[2 * r + 1] = factor * Math.sin(a);
    y[r] = 1;
  }
  if (checkShuffle(op, shuffle)) shuffleRows(x, y, 2, generator);
  addNoise(x, noise, generator);
  return pack(x, y, 2);
}

/**
 * Two interleaving half circles (scikit-learn's make_moons): nSamples//2 points on the upper half
 * of the unit circle (label 0), the rest on the lower half circle centred at (1, 0.5) (label 1),
 * then shuffled, then Gaussian noise of std `noise`.
 *
 * ```ts
 * const { x, y } = makeMoons({ nSamples: 200, noise: 0.1 });
 * ```
 */
export function makeMoons(opts: SyntheticOptions = {}): SyntheticData {
  const op = 'makeMoons';
  const { nSamples = 100, noise = 0, shuffle = true, generator = defaultGenerator } = opts;
  const n = checkCount(op, 'nSamples', nSamples);
  checkNonNeg(op, 'noise', noise);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  // np.linspace(0, pi, m): m points including both ends (a single point at 0).
  const angle = (i: number, m: number): number => (m === 1 ? 0 : (Math.PI * i) / (m - 1));
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < nOut; i++) {
    const a = angle(i, nOut);
    x[2 * i] = Math.cos(a);
    x[2 * i + 1] = Math.sin(a);
  }
  for (let i = 0; i < nIn; i++) {
    const a = angle(i, nIn);
    const r = nOut + i;
    x[2 * r] = 1 - Math.cos(a);
    x[2 * r + 1] = 1 - Math.sin(a) - 0.5;
    y[r] = 1;
  }
  if (checkShuffle(op, shuffle)) shuffleRows(x, y, 2, generator);
  addNoise(x, noise, generator);
  return pack(x, y, 2);
}

/**
 * Two interleaved spirals (the course notebook's `twospirals`): for each of nPoints points
 * `t = sqrt(u) · 780 · 2π/360`, arm 0 at `(-cos(t)·t + u1·noise, sin(t)·t + u2·noise)` with uniform
 * u, u1, u2 in [0, 1) (all t first, then all u1, then all u2), arm 1 its mirror `(-x, -y)`.
 * Returns 2·nPoints rows, arm 0 first unless `shuffle`.
 *
 * ```ts
 * const { x, y } = makeSpirals({ nPoints: 500 }); // x [1000, 2], y [1000]
 * ```
 */
export function makeSpirals(opts: SpiralsOptions = {}): SyntheticData {
  const op = 'makeSpirals';
  const { nPoints = 1000, noise = 0.5, shuffle = false, generator = defaultGenerator } = opts;
  const n = checkCount(op, 'nPoints', nPoints);
  checkNonNeg(op, 'noise', noise);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = ((Math.sqrt(generator.random()) * 780 * 2 * Math.PI) / 360);
  const x = new Float64Array(4 * n);
  const y = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) x[2 * i] = -Math.cos(t[i]!) * t[i]! + generator.random() * noise;
  for (let i = 0; i < n; i++) x[2 * i + 1] = Math.sin(t[i]!) * t[i]! + generator.random() * noise;
  for (let i = 0; i < n; i++) {
    x[2 * (n + i)] = -x[2 * i]!;
    x[2 * (n + i) + 1] = -x[2 * i + 1]!;
    y[n + i] = 1;
  }
  if (checkShuffle(op, shuffle)) shuffleRows(x, y, 2, generator);
  return pack(x, y, 2);
}

/**
 * Gaussian blobs (scikit-learn's make_blobs): nSamples points split as evenly as possible over the
 * centers (the first ones get one more), each center's points drawn from N(center, clusterStd²),
 * label = the center's index. Random centers are drawn uniformly in centerBox.
 *
 * ```ts
 * const { x, y, centers } = makeBlobs({ nSamples: 300, centers: 4, clusterStd: 0.5 });
 * const two = makeBlobs({ centers: [[0, 0], [5, 5]] });
 * ```
 */
export function makeBlobs(opts: BlobsOptions = {}): BlobsData {
  const op = 'makeBlobs';
  const { nSamples = 100, centers = 3, clusterStd = 1, centerBox = [-10, 10], shuffle = true, generator = defaultGenerator } = opts;
  const n = checkCount(op, 'nSamples', nSamples);
  if (!Array.isArray(centerBox) || centerBox.length !== 2 || !centerBox.every(Number.isFinite) || !(centerBox[0] < centerBox[1])) {
    throw new ValueError(`${op}: centerBox [low, high] with finite low < high; got ${JSON.stringify(centerBox)}`);
  }
  let d: number;
  let k: number;
  let c: Float64Array;
  if (typeof centers === 'number') {
    k = checkCount(op, 'centers (a count)', centers);
    d = checkCount(op, 'nFeatures', opts.nFeatures ?? 2);
    c = new Float64Array(k * d);
    for (let i = 0; i < c.length; i++) c[i] = centerBox[0] + (centerBox[1] - centerBox[0]) * generator.random();
  } else {
    if (!Array.isArray(centers) || centers.length === 0 || !Array.isArray(centers[0]) || centers[0].length === 0) {
      throw new ValueError(`${op}: centers a positive count or a non-empty list of points [k][nFeatures]; got ${JSON.stringify(centers)}`);
    }
    k = centers.length;
    d = centers[0].length;
    if (opts.nFeatures !== undefined && opts.nFeatures !== d) {
      throw new ValueError(`${op}: nFeatures equal to the centers' length (${d}); got nFeatures ${opts.nFeatures}. Leave nFeatures out when giving centers`);
    }
    c = new Float64Array(k * d);
    centers.forEach((p, i) => {
      if (!Array.isArray(p) || p.length !== d || !p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new ValueError(`${op}: every center a list of ${d} finite numbers (like centers[0]); got ${JSON.stringify(p)} at centers[${i}]`);
      }
      c.set(p, i * d);
    });
  }
  let stds: number[];
  if (typeof clusterStd === 'number') stds = new Array<number>(k).fill(checkNonNeg(op, 'clusterStd', clusterStd));
  else {
    if (!Array.isArray(clusterStd) || clusterStd.length !== k) {
      throw new ValueError(`${op}: clusterStd a number or a list of ${k} numbers (one per center); got ${JSON.stringify(clusterStd)}`);
    }
    stds = clusterStd.map((s, i) => checkNonNeg(op, `clusterStd[${i}]`, s));
  }
  const x = new Float64Array(n * d);
  const y = new Int32Array(n);
  let row = 0;
  for (let j = 0; j < k; j++) {
    const count = Math.floor(n / k) + (j < n % k ? 1 : 0);
    for (let r = 0; r < count; r++, row++) {
      y[row] = j;
      for (let f = 0; f < d; f++) x[row * d + f] = c[j * d + f]! + stds[j]! * generator.normal();
    }
  }
  if (checkShuffle(op, shuffle)) shuffleRows(x, y, d, generator);
  return { ...pack(x, y, d), centers: Tensor.fromData(Float32Array.from(c), [k, d], 'float32') };
}

/**
 * The XOR problem: points around the four corners (±1, ±1), a quarter at each (the first corners
 * get the remainder), with Gaussian noise of std `noise`; label 1 where the corner's signs differ
 * (x·y < 0), else 0. A large noise can carry a point across an axis; its label stays its corner's.
 *
 * ```ts
 * const { x, y } = makeXor({ nSamples: 400, noise: 0.2 });
 * ```
 */
export function makeXor(opts: SyntheticOptions = {}): SyntheticData {
  const op = 'makeXor';
  const { nSamples = 200, noise = 0.1, shuffle = true, generator = defaultGenerator } = opts;
  const n = checkCount(op, 'nSamples', nSamples);
  checkNonNeg(op, 'noise', noise);
  const corners = [
    [-1, -1],
    [1, 1],
    [-1, 1],
    [1, -1],
  ] as const;
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [cx, cy] = corners[i % 4]!;
    x[2 * i] = cx;
    x[2 * i + 1] = cy;
    y[i] = cx * cy < 0 ? 1 : 0;
  }
  if (checkShuffle(op, shuffle)) shuffleRows(x, y, 2, generator);
  addNoise(x, noise, generator);
  return pack(x, y, 2);
}
