// Tests of the synthetic data sets (circles, moons, spirals, blobs, XOR) and Iris in neurona/datasets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, ValueError, manualSeed } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import { loadIris, makeBlobs, makeCircles, makeMoons, makeSpirals, makeXor } from '../src/datasets/index.ts';

function counts(y: Tensor): number[] {
  const out: number[] = [];
  for (const v of y.contiguousData()) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function rows(x: Tensor): number[][] {
  return x.toArray() as number[][];
}

test('makeCircles: shapes, dtypes, labels and radii 1 and factor without noise', () => {
  const { x, y } = makeCircles({ nSamples: 101, factor: 0.5, generator: new Generator(1) });
  assert.deepEqual(x.shape, [101, 2]);
  assert.deepEqual(y.shape, [101]);
  assert.equal(x.dtype, 'float32');
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(counts(y), [50, 51]); // n//2 outer (label 0), the rest inner (label 1)
  const xs = rows(x);
  const labels = [...y.contiguousData()];
  xs.forEach(([a, b], i) => {
    const r = Math.hypot(a!, b!);
    assert.ok(Math.abs(r - (labels[i] === 0 ? 1 : 0.5)) < 1e-6, `radius ${r} for label ${labels[i]}`);
  });
  // Unshuffled: outer circle first, angles 2πi/n starting at (1, 0).
  const plain = makeCircles({ nSamples: 8, shuffle: false });
  assert.deepEqual([...plain.y.contiguousData()], [0, 0, 0, 0, 1, 1, 1, 1]);
  const p = rows(plain.x);
  assert.ok(Math.abs(p[0]![0]! - 1) < 1e-7 && Math.abs(p[1]![1]! - 1) < 1e-7 && Math.abs(p[4]![0]! - 0.8) < 1e-7);
  // With noise the radii spread around 1 and factor.
  const noisy = makeCircles({ nSamples: 400, noise: 0.05, generator: new Generator(2) });
  const lab = [...noisy.y.contiguousData()];
  const mean = (c: number): number => {
    const rs = rows(noisy.x).filter((_, i) => lab[i] === c).map(([a, b]) => Math.hypot(a!, b!));
    return rs.reduce((s, r) => s + r, 0) / rs.length;
  };
  assert.ok(Math.abs(mean(0) - 1) < 0.02 && Math.abs(mean(1) - 0.8) < 0.02);
});

test('synthetic data sets are deterministic under manualSeed and a seeded generator', () => {
  const fns = [
    () => makeCircles({ noise: 0.1 }),
    () => makeMoons({ noise: 0.1 }),
    () => makeSpirals({ nPoints: 50 }),
    () => makeBlobs(),
    () => makeXor(),
  ];
  for (const f of fns) {
    manualSeed(7);
    const a = f();
    manualSeed(7);
    const b = f();
    assert.deepEqual(a.x.toArray(), b.x.toArray());
    assert.deepEqual(a.y.toArray(), b.y.toArray());
    const c = f(); // the global generator moved on
    assert.notDeepEqual(a.x.toArray(), c.x.toArray());
  }
  const g1 = makeMoons({ noise: 0.2, generator: new Generator(3) });
  const g2 = makeMoons({ noise: 0.2, generator: new Generator(3) });
  assert.deepEqual(g1.x.toArray(), g2.x.toArray());
});

test('makeMoons: scikit-learn layout without noise', () => {
  const { x, y } = makeMoons({ nSamples: 6, shuffle: false });
  assert.deepEqual([...y.contiguousData()], [0, 0, 0, 1, 1, 1]);
  const expect = [
    [1, 0],
    [0, 1],
    [-1, 0],
    [0, 0.5],
    [1, -0.5],
    [2, 0.5],
  ];
  rows(x).forEach((r, i) => r.forEach((v, j) => assert.ok(Math.abs(v - expect[i]![j]!) < 1e-6, `x[${i}][${j}] = ${v}`)));
  const big = makeMoons({ nSamples: 201, noise: 0.1 });
  assert.deepEqual(big.x.shape, [201, 2]);
  assert.deepEqual(counts(big.y), [100, 101]);
});

test('makeSpirals: the notebook formula, draw order and mirrored second arm', () => {
  const nPoints = 20;
  const noise = 0.5;
  const { x, y } = makeSpirals({ nPoints, noise, generator: new Generator(11) });
  assert.deepEqual(x.shape, [40, 2]);
  assert.deepEqual(counts(y), [20, 20]);
  assert.deepEqual([...y.contiguousData()].slice(0, 20), new Array(20).fill(0)); // not shuffled by default
  // Recompute with the same draws: all n first, then the x jitters, then the y jitters.
  const g = new Generator(11);
  const t = Array.from({ length: nPoints }, () => (Math.sqrt(g.random()) * 780 * 2 * Math.PI) / 360);
  const dx = t.map((n) => -Math.cos(n) * n + g.random() * noise);
  const dy = t.map((n) => Math.sin(n) * n + g.random() * noise);
  const xs = rows(x);
  for (const i of [0, 7, 19]) {
    assert.ok(Math.abs(xs[i]![0]! - dx[i]!) < 1e-5 && Math.abs(xs[i]![1]! - dy[i]!) < 1e-5, `row ${i}`);
    assert.ok(Math.abs(xs[nPoints + i]![0]! + dx[i]!) < 1e-5 && Math.abs(xs[nPoints + i]![1]! + dy[i]!) < 1e-5, `mirrored row ${i}`);
  }
  const shuffled = makeSpirals({ nPoints: 100, shuffle: true });
  assert.deepEqual(counts(shuffled.y), [100, 100]);
  assert.notDeepEqual([...shuffled.y.contiguousData()].slice(0, 100), new Array(100).fill(0));
});

test('makeBlobs: counts per center, given centers and spread, nFeatures', () => {
  const { x, y, centers } = makeBlobs({ nSamples: 100, generator: new Generator(5) });
  assert.deepEqual(x.shape, [100, 2]);
  assert.deepEqual(centers.shape, [3, 2]);
  assert.deepEqual(counts(y), [34, 33, 33]);
  for (const v of centers.contiguousData()) assert.ok(v >= -10 && v < 10);
  const given = makeBlobs({ nSamples: 2000, centers: [[0, 0, 0], [20, 20, 20]], clusterStd: [0.5, 2], generator: new Generator(6) });
  assert.deepEqual(given.x.shape, [2000, 3]);
  const xs = rows(given.x);
  const lab = [...given.y.contiguousData()];
  for (const [c, loc, std] of [[0, 0, 0.5], [1, 20, 2]] as const) {
    const v = xs.filter((_, i) => lab[i] === c).map((r) => r[1]!);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    assert.ok(Math.abs(m - loc) < 0.2 && Math.abs(s - std) < 0.15, `cluster ${c}: mean ${m} std ${s}`);
  }
  assert.deepEqual(makeBlobs({ nFeatures: 5, centers: 4 }).x.shape, [100, 5]);
});

test('makeXor: four corners, xor labels, balanced', () => {
  const { x, y } = makeXor({ nSamples: 200, noise: 0.1, generator: new Generator(9) });
  assert.deepEqual(x.shape, [200, 2]);
  assert.deepEqual(counts(y), [100, 100]);
  const lab = [...y.contiguousData()];
  rows(x).forEach(([a, b], i) => {
    assert.ok(Math.abs(Math.abs(a!) - 1) < 0.6 && Math.abs(Math.abs(b!) - 1) < 0.6);
    assert.equal(lab[i], a! * b! < 0 ? 1 : 0);
  });
  const clean = makeXor({ nSamples: 4, noise: 0, shuffle: false });
  assert.deepEqual(clean.x.toArray(), [[-1, -1], [1, 1], [-1, 1], [1, -1]]);
  assert.deepEqual(clean.y.toArray(), [0, 0, 1, 1]);
});

test('synthetic data sets refuse bad options with a ValueError naming them', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => makeCircles({ nSamples: 0 }), /makeCircles: nSamples a positive integer; got 0/],
    [() => makeCircles({ nSamples: 2.5 }), /nSamples a positive integer; got 2.5/],
    [() => makeCircles({ factor: 1 }), /makeCircles: factor \(the inner radius\) in \[0, 1\); got 1/],
    [() => makeMoons({ noise: -1 }), /makeMoons: noise a finite number >= 0; got -1/],
    [() => makeMoons({ noise: NaN }), /noise a finite number >= 0; got NaN/],
    [() => makeSpirals({ nPoints: -3 }), /makeSpirals: nPoints a positive integer; got -3/],
    [() => makeBlobs({ centers: 0 }), /makeBlobs: centers \(a count\) a positive integer; got 0/],
    [() => makeBlobs({ centers: [[0, 0], [1]] }), /every center a list of 2 finite numbers.*centers\[1\]/],
    [() => makeBlobs({ centers: [[0, 0]], nFeatures: 3 }), /nFeatures equal to the centers' length \(2\); got nFeatures 3/],
    [() => makeBlobs({ clusterStd: [1, 2] }), /clusterStd a number or a list of 3 numbers/],
    [() => makeBlobs({ centerBox: [5, -5] }), /centerBox \[low, high\] with finite low < high; got \[5,-5\]/],
    [() => makeXor({ shuffle: 'yes' as unknown as boolean }), /makeXor: shuffle true or false; got yes/],
  ];
  for (const [f, re] of cases) assert.throws(f, (e: Error) => e instanceof ValueError && re.test(e.message), String(re));
});

test('loadIris: 150 x 4 float32, 50 per class, names', () => {
  const { x, y, featureNames, targetNames } = loadIris();
  assert.deepEqual(x.shape, [150, 4]);
  assert.equal(x.dtype, 'float32');
  assert.deepEqual(y.shape, [150]);
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(counts(y), [50, 50, 50]);
  assert.deepEqual(targetNames, ['setosa', 'versicolor', 'virginica']);
  assert.equal(featureNames.length, 4);
  const first = rows(x)[0]!;
  [5.1, 3.5, 1.4, 0.2].forEach((v, i) => assert.ok(Math.abs(first[i]! - v) < 1e-6));
  const labels = y.toArray() as number[];
  assert.equal(labels[0], 0);
  assert.equal(labels[149], 2);
});
