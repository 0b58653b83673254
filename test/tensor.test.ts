// Tensor creation, broadcasting, shape ops, reductions, indexing, printing and error messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DTypeError, ShapeError, ValueError, arange, concat, eye, full, linspace, manualSeed, ones, rand, randint, randn, randperm,
  stack, tensor, where, zeros,
} from '../src/index.ts';

const close = (a: unknown, b: unknown, tol = 1e-5): void => {
  const fa = [a].flat(Infinity as 1) as number[];
  const fb = [b].flat(Infinity as 1) as number[];
  assert.equal(fa.length, fb.length);
  fa.forEach((v, i) => assert.ok(Math.abs(v - fb[i]!) <= tol, `index ${i}: ${v} vs ${fb[i]}`));
};

test('creation from nested arrays, typed arrays and constants', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(tensor([true, false]).dtype, 'bool');
  assert.equal(tensor(new Int32Array([1, 2, 3, 4]), { shape: [2, 2] }).dtype, 'int32');
  assert.deepEqual(zeros([2]).toArray(), [0, 0]);
  assert.deepEqual(ones([1, 2]).toArray(), [[1, 1]]);
  assert.deepEqual(full([2], 7, { dtype: 'int32' }).toArray(), [7, 7]);
  assert.deepEqual(arange(5).toArray(), [0, 1, 2, 3, 4]);
  assert.equal(arange(5).dtype, 'int32');
  close(arange(0, 1, 0.25).toArray(), [0, 0.25, 0.5, 0.75]);
  close(linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
  assert.equal(tensor(3.5).item(), 3.5);
  assert.throws(() => tensor([[1, 2], [3]]), ShapeError);
  assert.throws(() => tensor([1.5], { dtype: 'int32' }), DTypeError);
});

test('seeded random: same seed, same numbers; sensible moments', () => {
  manualSeed(7);
  const a = randn([1000]).toArray();
  manualSeed(7);
  const b = randn([1000]).toArray();
  assert.deepEqual(a, b);
  const x = randn([20000]);
  assert.ok(Math.abs(x.mean().item()) < 0.03);
  assert.ok(Math.abs(x.std().item() - 1) < 0.03);
  const u = rand([20000]);
  assert.ok(u.min().item() >= 0 && u.max().item() < 1);
  const r = randint(2, 5, [1000]);
  assert.equal(r.dtype, 'int32');
  assert.ok(r.min().item() === 2 && r.max().item() === 4);
  const p = randperm(10).toArray() as number[];
  assert.deepEqual([...p].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('broadcasting follows NumPy', () => {
  const a = tensor([[1], [2], [3]]);
  const b = tensor([10, 20]);
  assert.deepEqual(a.add(b).toArray(), [[11, 21], [12, 22], [13, 23]]);
  assert.deepEqual(a.mul(2).shape, [3, 1]);
  assert.throws(() => tensor([[1, 2, 3]]).add(tensor([1, 2])), (e: Error) => e instanceof ShapeError && /add: shapes must be broadcastable.*\[1,3\] and \[2\]/.test(e.message));
});

test('dtype promotion and comparisons', () => {
  const i = tensor([1, 2, 3], { dtype: 'int32' });
  assert.equal(i.add(1).dtype, 'int32');
  assert.equal(i.add(0.5).dtype, 'float32');
  assert.equal(i.div(2).dtype, 'float32');
  close(i.div(2).toArray(), [0.5, 1, 1.5]);
  assert.equal(i.gt(1).dtype, 'bool');
  assert.deepEqual(i.gt(1).toArray(), [0, 1, 1]);
  assert.deepEqual(where(i.gt(1), i, 0).toArray(), [0, 2, 3]);
  assert.deepEqual(i.double().add(tensor([1, 1, 1])).dtype, 'float64');
});

test('shape ops: reshape, permute, transpose, squeeze, expand, flatten, concat, stack, split', () => {
  const x = arange(24).reshape([2, 3, 4]);
  assert.deepEqual(x.reshape([-1, 4]).shape, [6, 4]);
  assert.throws(() => x.reshape([5, -1]), /reshape|view/);
  const p = x.permute(2, 0, 1);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.equal(p.index(1, 1, 2).item(), 1 * 12 + 2 * 4 + 1);
  assert.deepEqual(Array.from(x.transpose(0, 2).contiguous().reshape([-1]).dataSync().slice(0, 3)), [0, 12, 4]);
  assert.deepEqual(tensor([[[1], [2]]]).squeeze().shape, [2]);
  assert.deepEqual(tensor([1, 2]).unsqueeze(1).shape, [2, 1]);
  assert.deepEqual(tensor([[1], [2]]).expand([2, 3]).toArray(), [[1, 1, 1], [2, 2, 2]]);
  assert.deepEqual(x.flatten(1).shape, [2, 12]);
  assert.deepEqual(concat([zeros([2, 1]), ones([2, 2])], 1).toArray(), [[0, 1, 1], [0, 1, 1]]);
  assert.deepEqual(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(), [[1, 3], [2, 4]]);
  const parts = arange(5).split(2);
  assert.deepEqual(parts.map((t) => t.toArray()), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(arange(6).chunk(3).map((t) => t.size), [2, 2, 2]);
  assert.throws(() => concat([zeros([2, 1]), ones([3, 2])], 1), /concat: tensors of the same shape except in dim 1/);
});

test('indexing and slicing (views share storage)', () => {
  const x = arange(12).reshape([3, 4]);
  assert.deepEqual(x.index(1).toArray(), [4, 5, 6, 7]);
  assert.deepEqual(x.index(null, [1, 3]).toArray(), [[1, 2], [5, 6], [9, 10]]);
  assert.deepEqual(x.index([0, 3, 2], -1).toArray(), [3, 11]);
  assert.deepEqual(x.index('...', 0).toArray(), [0, 4, 8]);
  assert.deepEqual(x.index(tensor([2, 0], { dtype: 'int32' })).toArray(), [[8, 9, 10, 11], [0, 1, 2, 3]]);
  assert.deepEqual(x.narrow(1, 1, 2).shape, [3, 2]);
  assert.deepEqual(x.select(0, -1).toArray(), [8, 9, 10, 11]);
  assert.deepEqual(x.gather(1, tensor([[0], [1], [3]], { dtype: 'int32' })).toArray(), [[0], [5], [11]]);
  const v = x.index(0);
  v.fill_(-1);
  assert.deepEqual(x.index(0).toArray(), [-1, -1, -1, -1]);
  assert.throws(() => x.index(3), /index: an index in \[-3, 2\] for dim 0; got 3/);
  assert.throws(() => x.indexSelect(0, tensor([0, 5], { dtype: 'int32' })), /indexSelect: indices in \[0, 3\); got 5/);
  assert.throws(() => x.indexSelect(0, tensor([0, 1])), /indexSelect: int32 indices; got float32/);
  // long rows (copied as blocks), selected along a middle dim, with repeats
  const big = arange(2 * 3 * 40).reshape([2, 3, 40]);
  const sel = big.indexSelect(1, tensor([2, 0, 2], { dtype: 'int32' }));
  assert.deepEqual(sel.shape, [2, 3, 40]);
  const at = (t: typeof big, i: number, j: number, k: number): number => (t.toArray() as number[][][])[i]![j]![k]!;
  for (const [i, j, src] of [[0, 0, 2], [0, 1, 0], [0, 2, 2], [1, 0, 2], [1, 1, 0]] as const) {
    for (const k of [0, 17, 39]) assert.equal(at(sel, i, j, k), i * 120 + src * 40 + k);
  }
});

test('reductions over any dims with keepdim; max/min with indices; var/std; logsumexp', () => {
  const x = tensor([[1, 5, 3], [4, 2, 6]]);
  assert.deepEqual(x.sum().item(), 21);
  assert.deepEqual(x.sum(0).toArray(), [5, 7, 9]);
  assert.deepEqual(x.sum(1, true).shape, [2, 1]);
  assert.deepEqual(x.sum([0, 1], true).shape, [1, 1]);
  close(x.mean(1).toArray(), [3, 4]);
  const m = x.max(1);
  assert.deepEqual(m.values.toArray(), [5, 6]);
  assert.deepEqual(m.indices.toArray(), [1, 2]);
  assert.deepEqual(x.min(0).indices.toArray(), [0, 1, 0]);
  assert.equal(x.argmax().item(), 5);
  assert.deepEqual(x.argmin(1).toArray(), [0, 1]);
  close(x.var(1).toArray(), [4, 4]);
  close(x.var(1, false, 0).toArray(), [8 / 3, 8 / 3]);
  close(x.std().item(), Math.sqrt(17.5 / 5));
  close(x.logsumexp(1).toArray(), [Math.log(Math.exp(1) + Math.exp(5) + Math.exp(3)), Math.log(Math.exp(4) + Math.exp(2) + Math.exp(6))]);
  close(tensor([1000, 1000]).logsumexp().item(), 1000 + Math.log(2), 1e-3);
  assert.equal(x.prod().item(), 720);
  assert.throws(() => x.sum(2), /sum: dim must be an integer in \[-2, 1\]; got 2/);
});

test('elementwise math, clamp, softmax', () => {
  close(tensor([-1, 0, 2]).relu().toArray(), [0, 0, 2]);
  close(tensor([0]).sigmoid().toArray(), [0.5]);
  close(tensor([-3, 0.5, 3]).clamp(-1, 1).toArray(), [-1, 0.5, 1]);
  close(tensor([1, 2, 3]).softmax().sum().item(), 1);
  close(tensor([1, 2, 3]).logSoftmax().exp().toArray(), tensor([1, 2, 3]).softmax().toArray());
  close(tensor([-1, 1]).gelu().toArray(), [-0.158655, 0.841345]);
  close(tensor([4]).pow(0.5).toArray(), [2]);
  close(tensor([2]).pow(tensor([3])).toArray(), [8]);
  assert.throws(() => tensor([1]).clamp(2, 1), ValueError);
});

test('matmul: batched, broadcast, 1-d operands, transposed views', () => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6], [7, 8]]);
  assert.deepEqual(a.matmul(b).toArray(), [[19, 22], [43, 50]]);
  assert.deepEqual(a.matmul(b.T).toArray(), [[17, 23], [39, 53]]);
  assert.deepEqual(a.T.matmul(b).toArray(), [[26, 30], [38, 44]]);
  assert.deepEqual(tensor([1, 1]).matmul(a).toArray(), [4, 6]);
  assert.deepEqual(a.matmul(tensor([1, 1])).toArray(), [3, 7]);
  const batch = stack([a, b]).matmul(eye(2));
  assert.deepEqual(batch.toArray(), [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
  // A larger product against a naive loop (exercises the packed kernel and its edges).
  manualSeed(0);
  const x = randn([37, 53]);
  const y = randn([53, 29]);
  const z = x.matmul(y).toArray() as number[][];
  const xa = x.toArray() as number[][];
  const ya = y.toArray() as number[][];
  for (const [i, j] of [[0, 0], [36, 28], [17, 5]] as const) {
    let s = 0;
    for (let k = 0; k < 53; k++) s += xa[i]![k]! * ya[k]![j]!;
    assert.ok(Math.abs(z[i]![j]! - s) < 1e-4);
  }
  assert.throws(() => randn([2, 3]).matmul(randn([4, 5])), /matmul: inner dimensions must match; got \[2,3\] @ \[4,5\]/);
  assert.throws(() => randn([2, 3]).matmul(randn([3, 2]).int()), /matmul: float tensors; got int32/);
});

test('pretty printing like PyTorch', () => {
  assert.equal(String(tensor([[1, 2], [3, 4]])), 'tensor([[1., 2.],\n        [3., 4.]])');
  assert.equal(String(tensor([0.5, -1.25])), 'tensor([ 0.5000, -1.2500])');
  assert.equal(String(tensor([1, 2], { dtype: 'int32' })), 'tensor([1, 2], dtype=int32)');
  assert.equal(String(tensor([1, 2], { requiresGrad: true })), 'tensor([1., 2.], requires_grad=True)');
  assert.match(String(tensor([1, 2], { requiresGrad: true }).mul(2)), /grad_fn=<MulBackward>/);
  assert.match(String(arange(2000)), /tensor\(\[   0,    1,    2, \.\.\., 1997, 1998, 1999\], dtype=int32\)/);
});
