// Tests of neurona/data: TensorDataset, DataLoader, trainTestSplit, oneHot, scalers and encoders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, ShapeError, DTypeError, ValueError, arange, tensor } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import {
  DataLoader,
  LabelEncoder,
  MinMaxScaler,
  OrdinalEncoder,
  StandardScaler,
  TensorDataset,
  collate,
  oneHot,
  trainTestSplit,
} from '../src/data/index.ts';
import type { Dataset } from '../src/data/index.ts';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void => {
  assert.equal(a.length, b.length, `lengths ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `at ${i}: ${a[i]} vs ${b[i]}`);
};
const flat = (t: Tensor): number[] => Array.from(t.contiguousData());

// x[i] = [i, 10 + i] and y[i] = i, so a batch is aligned iff x[:, 0] == y.
function toy(n: number): { x: Tensor; y: Tensor; ds: TensorDataset } {
  const x = tensor(Array.from({ length: n }, (_, i) => [i, 10 + i]));
  const y = arange(n);
  return { x, y, ds: new TensorDataset(x, y) };
}

test('TensorDataset: rows per sample, fast getBatch, checks on dim 0', () => {
  const { ds } = toy(5);
  assert.equal(ds.length, 5);
  const [xi, yi] = ds.get(3);
  assert.deepEqual(xi!.toArray(), [3, 13]);
  assert.equal(yi!.item(), 3);
  assert.deepEqual(ds.get(-1)[1]!.item(), 4);
  const [xb, yb] = ds.getBatch(new Int32Array([4, 0]));
  assert.deepEqual(xb!.toArray(), [[4, 14], [0, 10]]);
  assert.deepEqual(yb!.toArray(), [4, 0]);
  assert.equal(yb!.dtype, 'int32');
  assert.throws(() => new TensorDataset(tensor([[1], [2]]), arange(3)), (e: Error) => e instanceof ShapeError && /same size of dim 0.*\[2,1\], \[3\]/.test(e.message));
  assert.throws(() => ds.get(5), /TensorDataset.get: an index in \[-5, 4\]; got 5/);
  assert.throws(() => new TensorDataset(), ValueError);
});

test('DataLoader: batch counts, smaller last batch, dropLast', () => {
  const { ds } = toy(10);
  const dl = new DataLoader(ds, { batchSize: 4 });
  assert.equal(dl.length, 3); // ceil(10 / 4)
  const batches = [...dl];
  assert.deepEqual(batches.map((b) => b[0]!.shape), [[4, 2], [4, 2], [2, 2]]);
  assert.deepEqual(batches.map((b) => flat(b[1]!)), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]); // in order without shuffle
  const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(dropped.length, 2); // floor(10 / 4)
  assert.deepEqual([...dropped].map((b) => b[1]!.shape[0]), [4, 4]);
  assert.equal(new DataLoader(ds).length, 10); // batchSize defaults to 1
  assert.equal(new DataLoader(ds, { batchSize: 64 }).length, 1);
  assert.equal(new DataLoader(ds, { batchSize: 64, dropLast: true }).length, 0);
});

test('DataLoader: clear errors for bad options', () => {
  const { ds } = toy(3);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), (e: Error) => e instanceof ValueError && /DataLoader: batchSize a positive integer; got 0/.test(e.message));
  assert.throws(() => new DataLoader(ds, { batchSize: 2.5 }), /got 2.5/);
  assert.throws(() => new DataLoader(null as unknown as Dataset<number>), /DataLoader: a dataset with length and get/);
});

test('DataLoader: shuffling keeps samples aligned, covers every sample, reshuffles each epoch', () => {
  const { ds } = toy(50);
  const dl = new DataLoader(ds, { batchSize: 8, shuffle: true, generator: new Generator(1) });
  const epoch = (): number[] => {
    const seen: number[] = [];
    for (const [xb, yb] of dl) {
      assert.deepEqual(flat(xb!.index(null, 0)), flat(yb!)); // x[:, 0] == y
      assert.deepEqual(flat(xb!.index(null, 1)), flat(yb!).map((v) => v + 10));
      seen.push(...flat(yb!));
    }
    return seen;
  };
  const e1 = epoch();
  const e2 = epoch();
  assert.deepEqual([...e1].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(e1, Array.from({ length: 50 }, (_, i) => i)); // shuffled
  assert.notDeepEqual(e1, e2); // a new order each epoch
});

test('DataLoader: the same seed gives the same order', () => {
  const { ds } = toy(30);
  const order = (seed: number): number[] => [...new DataLoader(ds, { batchSize: 7, shuffle: true, generator: new Generator(seed) })].flatMap((b) => flat(b[1]!));
  assert.deepEqual(order(123), order(123));
  assert.notDeepEqual(order(123), order(124));
});

test('DataLoader: generic datasets are collated field by field', () => {
  const ds: Dataset<{ x: Tensor; y: number }> = { length: 5, get: (i) => ({ x: tensor([i, 2 * i]), y: i % 2 }) };
  const batches = [...new DataLoader(ds, { batchSize: 2 })];
  assert.equal(batches.length, 3);
  assert.deepEqual(batches[1]!.x.toArray(), [[2, 4], [3, 6]]);
  assert.deepEqual(batches[1]!.y.toArray(), [0, 1]);
  assert.equal(batches[1]!.y.dtype, 'int32'); // integer numbers -> int32
  assert.deepEqual(batches[2]!.x.shape, [1, 2]);
  assert.equal(collate([0.5, 1]).dtype, 'float32');
  assert.deepEqual(collate([[tensor([1]), 1], [tensor([2]), 0]])[0].toArray(), [[1], [2]]);
  assert.throws(() => collate([tensor([1, 2]), tensor([1])]), /collate: samples of one shape at batch; got \[2\], \[1\]/);
  assert.throws(() => collate(['a', 'b']), /collate: tensors, numbers, or arrays\/objects of them at batch; got string/);
});

test('trainTestSplit: sizes like scikit-learn, rows stay aligned, parts are disjoint', () => {
  const { x, y } = toy(10);
  const { train, test: te } = trainTestSplit([x, y], { generator: new Generator(0) });
  // n_test = ceil(0.25 * 10) = 3, n_train = 7
  assert.deepEqual(train[0]!.shape, [7, 2]);
  assert.deepEqual(te[1]!.shape, [3]);
  for (const part of [train, te]) assert.deepEqual(flat(part[0]!.index(null, 0)), flat(part[1]!));
  assert.deepEqual([...flat(train[1]!), ...flat(te[1]!)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(trainTestSplit([x], { testSize: 4 }).test[0]!.shape[0], 4); // a count
  assert.equal(trainTestSplit([x], { trainSize: 0.55 }).train[0]!.shape[0], 5); // floor(5.5), the rest is test
  // shuffle false: the test part is the last samples
  const ns = trainTestSplit([y], { testSize: 0.2, shuffle: false });
  assert.deepEqual(flat(ns.train[0]!), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(flat(ns.test[0]!), [8, 9]);
  // the same seed gives the same split
  const a = trainTestSplit([y], { generator: new Generator(5) });
  const b = trainTestSplit([y], { generator: new Generator(5) });
  assert.deepEqual(flat(a.test[0]!), flat(b.test[0]!));
  assert.throws(() => trainTestSplit([x], { testSize: 10 }), /testSize a fraction in \(0, 1\) or an integer count in \[1, 9\]/);
  assert.throws(() => trainTestSplit([x, arange(4)]), ShapeError);
});

test('trainTestSplit: stratify keeps class proportions', () => {
  // 12 samples of class 0, 8 of class 1, 20 in all; testSize 0.25 -> 5 test, 15 train.
  // train per class = 15 * 12/20 = 9 and 15 * 8/20 = 6; test = 3 and 2 (scikit-learn gives the same).
  const labels = tensor([...Array(12).fill(0), ...Array(8).fill(1)], { dtype: 'int32' });
  const ids = arange(20);
  for (const seed of [0, 1, 2]) {
    const { train, test: te } = trainTestSplit([ids, labels], { stratify: labels, generator: new Generator(seed) });
    const count = (t: Tensor, c: number): number => flat(t).filter((v) => v === c).length;
    assert.deepEqual([count(train[1]!, 0), count(train[1]!, 1)], [9, 6]);
    assert.deepEqual([count(te[1]!, 0), count(te[1]!, 1)], [3, 2]);
    // labels still match the ids (ids 0..11 are class 0)
    for (const part of [train, te]) assert.deepEqual(flat(part[0]!).map((i) => (i < 12 ? 0 : 1)), flat(part[1]!));
  }
  // 3 classes of 4, 4, 2 with testSize 0.3: n_test = ceil(3) = 3, n_train = 7 -> train 2.8, 2.8, 1.4 ->
  // floor 2, 2, 1 and the 2 largest remainders (.8, .8) get one more: train 3, 3, 1; test 1, 1, 1.
  const l3 = tensor([0, 0, 0, 0, 1, 1, 1, 1, 2, 2], { dtype: 'int32' });
  const s3 = trainTestSplit([l3], { testSize: 0.3, stratify: l3 });
  assert.deepEqual([...flat(s3.test[0]!)].sort(), [0, 1, 2]);
  assert.throws(() => trainTestSplit([l3], { stratify: tensor([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], { dtype: 'int32' }) }), /at least 2 samples of every class to stratify; got 1 of class 1/);
  assert.throws(() => trainTestSplit([l3], { stratify: l3.float() }), DTypeError);
  assert.throws(() => trainTestSplit([l3], { stratify: l3, shuffle: false }), /shuffle true with stratify/);
});

test('oneHot: float rows, numClasses, errors naming oneHot', () => {
  const oh = oneHot(tensor([0, 2, 1], { dtype: 'int32' }));
  assert.equal(oh.dtype, 'float32');
  assert.deepEqual(oh.toArray(), [[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  assert.deepEqual(oneHot(tensor([1], { dtype: 'int32' }), 4).toArray(), [[0, 1, 0, 0]]);
  assert.deepEqual(oneHot(tensor([[0], [1]], { dtype: 'int32' }), 2).shape, [2, 1, 2]);
  assert.throws(() => oneHot(tensor([0, 1])), (e: Error) => e instanceof DTypeError && /^oneHot: int32 class labels; got float32/.test(e.message));
  assert.throws(() => oneHot(tensor([0, 3], { dtype: 'int32' }), 3), (e: Error) => e instanceof ValueError && /^oneHot: labels in \[0, 3\) for numClasses=3; got 3 at flat index 1/.test(e.message));
  assert.throws(() => oneHot(tensor([0, -1], { dtype: 'int32' })), (e: Error) => e instanceof ValueError && /^oneHot: non-negative class labels; got -1 at flat index 1/.test(e.message));
  assert.throws(() => oneHot(tensor([0], { dtype: 'int32' }), 0), /oneHot: numClasses a positive integer; got 0/);
});

// scikit-learn's documentation example for both scalers.
const X = (): Tensor => tensor([[1, -1, 2], [2, 0, 0], [0, 1, -1]]);

test('MinMaxScaler: scikit-learn values, featureRange, constant columns, round trip', () => {
  const s = new MinMaxScaler();
  const xs = s.fitTransform(X());
  // columns: (x - min) / (max - min): [1,2,0] -> [.5,1,0]; [-1,0,1] -> [0,.5,1]; [2,0,-1] -> [1, 1/3, 0]
  close(xs.contiguousData(), [0.5, 0, 1, 1, 0.5, 1 / 3, 0, 1, 0]);
  close(s.dataMin!, [0, -1, -1]);
  close(s.dataMax!, [2, 1, 2]);
  close(s.scale!, [0.5, 0.5, 1 / 3]);
  close(s.min!, [0, 0.5, 1 / 3]); // min_ = 0 - dataMin * scale
  close(s.inverseTransform(xs).contiguousData(), X().contiguousData());
  // featureRange [-1, 1]: 2 * (x - min) / range - 1; new data may fall outside the range
  const r = new MinMaxScaler({ featureRange: [-1, 1] }).fit(X());
  close(r.transform(tensor([[3, 0, 0.5]])).contiguousData(), [2, 0, 0]);
  close(new MinMaxScaler({ featureRange: [-1, 1], clip: true }).fit(X()).transform(tensor([[3, 0, 0.5]])).contiguousData(), [1, 0, 0]);
  // a constant column maps to the range min (range 0 is treated as 1)
  const c = new MinMaxScaler({ featureRange: [-1, 1] }).fitTransform(tensor([[5, 1], [5, 2]]));
  close(c.contiguousData(), [-1, -1, -1, 1]);
  assert.equal(new MinMaxScaler().fitTransform(X().double()).dtype, 'float64');
  assert.throws(() => new MinMaxScaler().transform(X()), /MinMaxScaler.transform: a fitted scaler; got one not fitted yet/);
  assert.throws(() => new MinMaxScaler({ featureRange: [1, 0] }), ValueError);
  assert.throws(() => s.transform(tensor([[1, 2]])), /MinMaxScaler.transform: 3 features \(columns\), as in fit; got shape \[1,2\]/);
  assert.throws(() => s.fit(tensor([1, 2])), /a 2-D tensor \[samples, features\]; got shape \[2\]/);
});

test('StandardScaler: population std, zero std as 1, flags, round trip', () => {
  const s = new StandardScaler();
  const xs = s.fitTransform(X());
  // col 0 [1,2,0]: mean 1, var 2/3; col 1 [-1,0,1]: mean 0, var 2/3; col 2 [2,0,-1]: mean 1/3, var 14/9
  close(s.mean!, [1, 0, 1 / 3]);
  close(s.var!, [2 / 3, 2 / 3, 14 / 9]);
  close(s.scale!, [Math.sqrt(2 / 3), Math.sqrt(2 / 3), Math.sqrt(14 / 9)]);
  // scikit-learn: [[0, -1.2247, 1.3363], [1.2247, 0, -0.2673], [-1.2247, 1.2247, -1.0690]]
  close(xs.contiguousData(), [0, -1.2247449, 1.3363062, 1.2247449, 0, -0.2672612, -1.2247449, 1.2247449, -1.0690450]);
  close(s.inverseTransform(xs).contiguousData(), X().contiguousData());
  // a constant column: std 0 is treated as 1, so it becomes 0 (0.1 is not exact in binary: var ~ 1e-35 still counts as 0)
  const c = new StandardScaler().fit(tensor([[0.1, 1], [0.1, 3], [0.1, 5]], { dtype: 'float64' }));
  close(c.scale!, [1, Math.sqrt(8 / 3)]);
  close(c.transform(tensor([[0.1, 3]], { dtype: 'float64' })).contiguousData(), [0, 0], 1e-12);
  // withMean false: only divide; withStd false: only centre
  close(new StandardScaler({ withMean: false }).fitTransform(X()).contiguousData().slice(0, 3), [1 / Math.sqrt(2 / 3), -1 / Math.sqrt(2 / 3), 2 / Math.sqrt(14 / 9)]);
  close(new StandardScaler({ withStd: false }).fitTransform(X()).contiguousData().slice(0, 3), [0, -1, 5 / 3]);
  assert.throws(() => new StandardScaler().inverseTransform(X()), /StandardScaler.inverseTransform: a fitted scaler/);
});

test('LabelEncoder: sorted classes, transform, inverse, unseen labels', () => {
  const enc = new LabelEncoder<string>().fit(['paris', 'paris', 'tokyo', 'amsterdam']);
  assert.deepEqual(enc.classes, ['amsterdam', 'paris', 'tokyo']);
  const codes = enc.transform(['tokyo', 'tokyo', 'paris']);
  assert.equal(codes.dtype, 'int32');
  assert.deepEqual(codes.toArray(), [2, 2, 1]);
  assert.deepEqual(enc.inverseTransform(codes), ['tokyo', 'tokyo', 'paris']);
  assert.throws(() => enc.transform(['rome']), (e: Error) => e instanceof ValueError && /unseen label 'rome' at position 0/.test(e.message));
  // numbers sort numerically (scikit-learn's example: [1, 2, 2, 6] -> classes [1, 2, 6])
  const n = new LabelEncoder<number>();
  assert.deepEqual(n.fitTransform([1, 2, 2, 6]).toArray(), [0, 1, 1, 2]);
  assert.deepEqual(n.classes, [1, 2, 6]);
  assert.deepEqual(new LabelEncoder().fit([10, 9, 100]).classes, [9, 10, 100]);
  assert.throws(() => new LabelEncoder().transform([1]), /LabelEncoder.transform: a fitted encoder; got one not fitted yet/);
  assert.throws(() => new LabelEncoder().fit(['a', 1]), /all strings or all numbers/);
  assert.throws(() => n.inverseTransform([3]), /codes in \[0, 3\); got 3/);
});

test('OrdinalEncoder: per-column categories, float32 codes, errors', () => {
  // scikit-learn's example: [['Male', 1], ['Female', 3], ['Female', 2]]
  const enc = new OrdinalEncoder().fit([['Male', 1], ['Female', 3], ['Female', 2]]);
  assert.deepEqual(enc.categories, [['Female', 'Male'], [1, 2, 3]]);
  const t = enc.transform([['Female', 3], ['Male', 1]]);
  assert.equal(t.dtype, 'float32');
  assert.deepEqual(t.toArray(), [[0, 2], [1, 0]]);
  assert.deepEqual(enc.inverseTransform(t), [['Female', 3], ['Male', 1]]);
  assert.throws(() => enc.transform([['Other', 1]]), /column 0 \['Female', 'Male'\]; got unseen 'Other' in row 0/);
  assert.throws(() => enc.transform([['Male']]), (e: Error) => e instanceof ShapeError && /rows of 2 features; got 1 in row 0/.test(e.message));
  assert.throws(() => new OrdinalEncoder().transform([['a']]), /a fitted encoder/);
});
