// Autograd like PyTorch's: leaves, gradFn, accumulation, noGrad, detach, vector-Jacobian products, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AutogradError, noGrad, ones, tensor } from '../src/index.ts';

test('leaves, gradFn names, isLeaf, requiresGrad propagation', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const c = tensor([1, 1, 1]);
  assert.equal(x.isLeaf, true);
  assert.equal(x.gradFn, null);
  const y = x.mul(2).add(c);
  assert.equal(y.isLeaf, false);
  assert.equal(y.requiresGrad, true);
  assert.equal(y.gradFn!.name, 'AddBackward');
  assert.equal(c.add(1).requiresGrad, false);
  assert.throws(() => (y.requiresGrad = false), AutogradError);
  assert.throws(() => (tensor([1], { dtype: 'int32' }).requiresGrad = true), /only floats have gradients/);
});

test('backward on a scalar; gradients accumulate until zeroGrad', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [2, 4, 6]);
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [4, 8, 12]);
  x.zeroGrad();
  assert.equal(x.grad, null);
  x.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [1, 1, 1]);
});

test('backward(gradient) computes the vector-Jacobian product (seed S4-4)', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(x).mul(2); // dy_i/dx_i = 4 x_i
  y.backward(tensor([0.1, 1, 0.0001]));
  assert.deepEqual((x.grad!.toArray() as number[]).map((v: number) => Math.round(v * 1e6) / 1e6), [0.4, 8, 0.0012]);
  assert.throws(() => x.mul(2).backward(), /backward: a scalar output, or a gradient argument/);
});

test('a value used twice gets both contributions; broadcasting is reduced', () => {
  const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const b = tensor([10, 20], { requiresGrad: true });
  a.add(b).mul(a).sum().backward();
  // d/da = 2a + b ; d/db = sum over rows of a
  assert.deepEqual(a.grad!.toArray(), [[12, 24], [16, 28]]);
  assert.deepEqual(b.grad!.toArray(), [4, 6]);
});

test('noGrad and detach stop recording', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  const d = x.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.isLeaf, true);
  d.data()[0] = 5; // shares storage
  assert.equal((x.toArray() as number[])[0], 5);
});

test('backward twice through a freed graph is a clear error; retainGraph allows it', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.exp().sum();
  y.backward();
  assert.throws(() => y.backward(), (e: Error) => e instanceof AutogradError && /already freed by an earlier backward.*retainGraph/.test(e.message));
  const z = x.exp().sum();
  z.backward(undefined, { retainGraph: true });
  z.backward();
});

test('in-place changes that would break the graph are refused clearly', () => {
  const w = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => w.add_(1), /add_: .*a leaf tensor that requires grad/);
  noGrad(() => w.add_(1));
  assert.deepEqual(w.toArray(), [2, 3]);
  // Changing a tensor saved for backward is detected at backward time.
  const x = tensor([1, 2]);
  const y = w.mul(x);
  x.add_(1);
  assert.throws(() => y.sum().backward(), /MulBackward: its saved input 1 .*modified in place/);
  // Non-leaf results in the graph cannot be changed in place.
  const z = w.mul(2);
  assert.throws(() => z.mul_(2), /mul_: .*in the autograd graph/);
  // The same with a tensor operand of the same shape (written straight into the elements).
  assert.throws(() => w.add_(tensor([1, 1])), /add_: .*a leaf tensor that requires grad/);
  const x2 = tensor([1, 2]);
  const y2 = w.mul(x2);
  x2.mul_(tensor([3, 3]));
  assert.deepEqual(x2.toArray(), [3, 6]);
  assert.throws(() => y2.sum().backward(), /MulBackward: its saved input 1 .*modified in place/);
});

test('in-place arithmetic on overlapping views reads the values from before the op', () => {
  const v = tensor([1, 2, 3, 4, 5]);
  v.narrow(0, 1, 4).add_(v.narrow(0, 0, 4)); // [1, 1+2, 2+3, 3+4, 4+5] from the old values
  assert.deepEqual(v.toArray(), [1, 3, 5, 7, 9]);
  const u = tensor([2, 4, 8]);
  u.div_(u); // the same view: each element by itself
  assert.deepEqual(u.toArray(), [1, 1, 1]);
  const big = tensor(Array.from({ length: 300 }, (_, i) => i));
  big.sub_(tensor(Array.from({ length: 300 }, () => 1)));
  assert.equal((big.toArray() as number[])[299], 298);
});

test('createGraph gives higher-order gradients for composite ops', () => {
  const x = tensor([3], { requiresGrad: true });
  const y = x.mul(x).mul(x); // y = x^3
  y.backward(undefined, { createGraph: true });
  const g = x.grad!; // 3x^2 = 27
  assert.equal(g.item(), 27);
  x.grad = null;
  g.backward(); // d/dx 3x^2 = 6x = 18
  assert.equal(x.grad!.item(), 18);
});

test('ones-seeded backward through a long chain stays exact', () => {
  let x = tensor([1], { requiresGrad: true });
  const leaf = x;
  for (let i = 0; i < 200; i++) x = x.mul(1).add(0);
  x.backward(ones([1]));
  assert.equal(leaf.grad!.item(), 1);
});
