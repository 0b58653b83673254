// Every differentiable op in the op table is checked against finite differences (float64).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../src/ops/index.ts';
import type { OpSpec } from '../src/ops/index.ts';
import type { GradcheckOptions } from '../src/index.ts';
import { Tensor, avgPool2d, batchNorm, concat, interpolateBilinear, conv2d, convTranspose2d, gradcheck, upsampleNearest, gruGates, lstmGates, lstmSequence, maxPool2d, manualSeed, rand, randn, squaredError, stack, tensor, where } from '../src/index.ts';

const f64 = (shape: number[], lo?: number): Tensor => {
  const t = lo === undefined ? randn(shape, { dtype: 'float64' }) : rand(shape, { dtype: 'float64' }).add(lo);
  return new Tensor(t.storage, t.shape, t.strides, 0, 'float64').requiresGrad_();
};

// One case per op name: a function of float64 leaves built from that op.
const cases: Record<string, () => [(...xs: Tensor[]) => Tensor, Tensor[], GradcheckOptions?]> = {
  neg: () => [(x) => x.neg(), [f64([3, 4])]],
  abs: () => [(x) => x.abs(), [f64([3, 4])]],
  exp: () => [(x) => x.exp(), [f64([3, 4])]],
  log: () => [(x) => x.log(), [f64([3, 4], 0.5)]],
  log1p: () => [(x) => x.log1p(), [f64([3, 4], 0.5)]],
  expm1: () => [(x) => x.expm1(), [f64([3, 4])]],
  sqrt: () => [(x) => x.sqrt(), [f64([3, 4], 0.5)]],
  rsqrt: () => [(x) => x.rsqrt(), [f64([3, 4], 0.5)]],
  square: () => [(x) => x.square(), [f64([3, 4])]],
  reciprocal: () => [(x) => x.reciprocal(), [f64([3, 4], 0.5)]],
  sin: () => [(x) => x.sin(), [f64([3, 4])]],
  cos: () => [(x) => x.cos(), [f64([3, 4])]],
  tanh: () => [(x) => x.tanh(), [f64([3, 4])]],
  sigmoid: () => [(x) => x.sigmoid(), [f64([3, 4])]],
  relu: () => [(x) => x.relu(), [f64([3, 4])]],
  heaviside: () => [(x) => x.heaviside().add(x), [f64([3, 4])]],
  sign: () => [(x) => x.sign().add(x), [f64([3, 4])]],
  floor: () => [(x) => x.floor().add(x), [f64([3, 4])]],
  ceil: () => [(x) => x.ceil().add(x), [f64([3, 4])]],
  round: () => [(x) => x.round().add(x), [f64([3, 4])]],
  softplus: () => [(x) => x.softplus(), [f64([3, 4])]],
  selu: () => [(x) => x.selu(), [f64([3, 4])]],
  gelu: () => [(x) => x.gelu(), [f64([3, 4])]],
  leakyRelu: () => [(x) => x.leakyRelu(0.1), [f64([3, 4])]],
  elu: () => [(x) => x.elu(0.7), [f64([3, 4])]],
  powScalar: () => [(x) => x.pow(3), [f64([3, 4])]],
  clamp: () => [(x) => x.clamp(-0.5, 0.5), [f64([3, 4])]],
  add: () => [(a, b) => a.add(b), [f64([3, 4]), f64([4])]],
  sub: () => [(a, b) => a.sub(b), [f64([3, 1]), f64([1, 4])]],
  mul: () => [(a, b) => a.mul(b), [f64([2, 3, 4]), f64([3, 1])]],
  div: () => [(a, b) => a.div(b), [f64([3, 4]), f64([4], 1)]],
  pow: () => [(a, b) => a.pow(b), [f64([3, 4], 0.5), f64([4])]],
  maximum: () => [(a, b) => a.maximum(b), [f64([3, 4]), f64([3, 4])]],
  minimum: () => [(a, b) => a.minimum(b), [f64([3, 4]), f64([4])]],
  where: () => [(a, b) => where(a.gt(0), a, b), [f64([3, 4]), f64([4])]],
  sum: () => [(x) => x.sum([0, 2]), [f64([2, 3, 4])]],
  prod: () => [(x) => x.prod(1, true), [f64([3, 4], 0.5)]],
  amax: () => [(x) => x.amax(1), [f64([3, 5])]],
  amin: () => [(x) => x.amin([0, 1]), [f64([3, 5])]],
  softmax: () => [(x) => x.softmax(1), [f64([3, 5])]],
  logSoftmax: () => [(x) => x.logSoftmax(0), [f64([3, 5])]],
  view: () => [(x) => x.reshape([4, 3]).mul(x.reshape([4, 3])), [f64([3, 4])]],
  permute: () => [(x) => x.permute(2, 0, 1).mul(tensor([1, 2, 3, 4], { dtype: 'float64' }).reshape([4, 1, 1])), [f64([2, 3, 4])]],
  expand: () => [(x) => x.expand([2, 3, 4]), [f64([3, 1])]],
  slice: () => [(x) => x.index([1, 3], [0, 4, 2]), [f64([3, 4])]],
  sliceScatter: () => [(x) => x.sliceBackward([4, 6], [{ start: 1, stop: 4, step: 1 }, { start: 0, stop: 6, step: 2 }]), [f64([3, 3])]],
  contiguous: () => [(x) => x.T.contiguous(), [f64([3, 4])]],
  // float32 in the middle: finite differences need a larger step.
  cast: () => [(x) => x.cast('float32').cast('float64'), [f64([3, 4])], { eps: 1e-2, atol: 1e-4 }],
  concat: () => [(a, b) => concat([a, b], 1), [f64([2, 3]), f64([2, 2])]],
  indexSelect: () => [(x) => x.indexSelect(1, tensor([2, 0, 2], { dtype: 'int32' })), [f64([3, 4])]],
  indexAdd: () => [(x) => x.indexAddInto([3, 4], 1, tensor([2, 0, 2], { dtype: 'int32' })), [f64([3, 3])]],
  gather: () => [(x) => x.gather(1, tensor([[0, 0], [1, 3], [2, 1]], { dtype: 'int32' })), [f64([3, 4])]],
  scatterAdd: () => [(x) => x.scatterAddInto([3, 4], 1, tensor([[0, 0], [1, 3], [2, 1]], { dtype: 'int32' })), [f64([3, 2])]],
  matmul: () => [(a, b) => a.matmul(b), [f64([2, 3, 4]), f64([4, 5])]],
  linear: () => [(x, w, b) => x.linear(w, b), [f64([5, 4]), f64([3, 4]), f64([3])]],
  linearRelu: () => [(x, w, b) => x.linear(w, b, { activation: 'relu' }), [f64([5, 4]), f64([3, 4]), f64([3])]],
  linearTanh: () => [(x, w, b) => x.linear(w, b, { activation: 'tanh' }), [f64([5, 4]), f64([3, 4]), f64([3])]],
  linearSigmoid: () => [(x, w, b) => x.linear(w, b, { activation: 'sigmoid' }), [f64([5, 4]), f64([3, 4]), f64([3])]],
  // mean and sum; both the input's and the target's gradients
  mseLoss: () => [(x, t) => squaredError(x, t, true).add(squaredError(x, t).mul(0.3)), [f64([3, 4]), f64([3, 4])]],
  conv2d: () => [(x, w, b) => conv2d(x, w, b, { stride: [2, 1], padding: 1, dilation: [1, 2] }), [f64([2, 3, 6, 7]), f64([4, 3, 3, 2]), f64([4])]],
  conv2dRelu: () => [(x, w, b) => conv2d(x, w, b, { padding: 1, activation: 'relu' }), [f64([2, 3, 5, 4]), f64([4, 3, 3, 2]), f64([4])]],
  conv2dTanh: () => [(x, w, b) => conv2d(x, w, b, { stride: 2, activation: 'tanh' }), [f64([2, 3, 5, 5]), f64([2, 3, 2, 2]), f64([2])]],
  conv2dSigmoid: () => [(x, w) => conv2d(x, w, null, { groups: 3, activation: 'sigmoid' }), [f64([1, 3, 4, 4]), f64([3, 1, 2, 2])]],
  convTranspose2d: () => [(x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), [f64([2, 3, 3, 4]), f64([3, 2, 3, 3]), f64([2])]],
  upsampleNearest: () => [(x) => upsampleNearest(x, [2, 3]), [f64([1, 2, 2, 3])]],
  maxPool2d: () => [(x) => maxPool2d(x, 2, { stride: 1, padding: 1 }), [f64([2, 2, 4, 5])]],
  avgPool2d: () => [(x) => avgPool2d(x, 3, { stride: 2, padding: 1 }), [f64([2, 2, 5, 6])]],
  lstmGates: () => [(g, c) => lstmGates(g, c), [f64([3, 8]), f64([3, 2])]],
  // Both directions; every input (gates, h0, c0, W_hh) gets its gradient through all steps.
  lstmSequence: () => [(x, h, c, w) => concat([lstmSequence(x, h, c, w), lstmSequence(x, h, c, w, true)], 2), [f64([3, 2, 8]), f64([2, 2]), f64([2, 2]), f64([8, 2])]],
  interpolateBilinear: () => [(x) => interpolateBilinear(x, [5, 3]), [f64([2, 1, 3, 4])]],
  batchNorm: () => [(x, w, b) => batchNorm(x, w!, b!, { eps: 1e-5, training: true }), [f64([3, 2, 4]), f64([2]), f64([2])]],
  gruGates: () => [(x, h, p) => gruGates(x, h, p), [f64([3, 6]), f64([3, 6]), f64([3, 2])]],
};

// Ops without a backward rule (comparisons, arg-reductions...) are not differentiable by design.
function allSpecs(): OpSpec<unknown>[] {
  const found: OpSpec<unknown>[] = [];
  const visit = (v: unknown): void => {
    if (v && typeof v === 'object') {
      if ('forward' in v && 'name' in v) found.push(v as OpSpec<unknown>);
      else for (const x of Object.values(v)) visit(x);
    }
  };
  for (const v of Object.values(ops)) visit(v);
  return found;
}

test('every differentiable op has a gradient check case', () => {
  const missing = allSpecs().filter((s) => s.backward && !(s.name in cases)).map((s) => s.name);
  assert.deepEqual(missing, []);
});

for (const [name, make] of Object.entries(cases)) {
  test(`gradcheck ${name}`, () => {
    manualSeed(42);
    const [fn, inputs, opts] = make();
    assert.equal(gradcheck(fn, inputs, opts), true);
  });
}

test('gradcheck of composites: stack, split, index with tensors, var/std, logsumexp, max along dim', () => {
  manualSeed(1);
  const x = f64([3, 4]);
  assert.ok(gradcheck((a) => stack([a, a.mul(2)], 1), [x]));
  assert.ok(gradcheck((a) => a.split([1, 3], 1)[1]!.mul(a.split(2, 1)[0]!.sum(1, true)), [x]));
  assert.ok(gradcheck((a) => a.var(1).add(a.std(0).sum()), [x]));
  assert.ok(gradcheck((a) => a.logsumexp(1), [x]));
  assert.ok(gradcheck((a) => a.max(1).values.add(a.min(0, true).values.sum()), [x]));
  assert.ok(gradcheck((a) => a.index(tensor([2, 0], { dtype: 'int32' }), [1, null]), [x]));
  assert.ok(gradcheck((a) => a.mean([0, 1], true).mul(a), [x]));
  assert.ok(gradcheck((a, b) => a.matmul(b), [f64([4]), f64([4, 2])]));
  assert.ok(gradcheck((a, b) => a.matmul(b), [f64([3, 4]), f64([4])]));
  assert.ok(gradcheck((a, b) => a.matmul(b), [f64([2, 1, 3, 4]), f64([3, 4, 2])]));
  assert.ok(gradcheck((a, b) => a.mT.matmul(b.mT), [f64([4, 3]), f64([2, 4])]));
  // transposed views with batch dims, one of them broadcast (the gradients come back in the views' layout)
  assert.ok(gradcheck((a, b) => a.mT.matmul(b.mT), [f64([2, 4, 3]), f64([2, 4])]));
  assert.ok(gradcheck((a, b) => a.matmul(b.mT), [f64([3, 4]), f64([2, 1, 5, 4])]));
});

test('a weight used through its transpose receives its gradient, contiguous, in its own layout', () => {
  manualSeed(6);
  const w = f64([3, 5]);
  const x = f64([2, 5]);
  x.matmul(w.T).square().sum().backward();
  assert.ok(w.grad!.isContiguous);
  const ref = x.matmul(w.T).mul(2).T.matmul(x); // d/dW Σ (x·Wᵀ)² = (2·x·Wᵀ)ᵀ·x
  const got = w.grad!.contiguousData();
  const want = ref.contiguous().contiguousData();
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-9, `${got[i]} vs ${want[i]}`);
});

test('gradcheck of grouped and depthwise convolution, same padding', () => {
  manualSeed(5);
  assert.ok(gradcheck((x, w) => conv2d(x, w, null, { groups: 2, padding: 'same' }), [f64([1, 4, 5, 5]), f64([6, 2, 2, 3])]));
  assert.ok(gradcheck((x, w) => conv2d(x, w, null, { groups: 3, stride: 2 }), [f64([2, 3, 5, 5]), f64([3, 1, 3, 3])]));
});

test('gradcheck catches a wrong gradient', () => {
  manualSeed(3);
  const x = f64([3]);
  // A function whose recorded gradient is wrong: detach one factor.
  assert.equal(gradcheck((a) => a.mul(a.detach()), [x], { raise: false }), false);
});

test('batchNorm: gradients in eval mode and without the affine parameters; higher-order gradients refused clearly', () => {
  manualSeed(4);
  const rm = rand([3], { dtype: 'float64' });
  const rv = rand([3], { dtype: 'float64' }).add(0.5);
  assert.ok(gradcheck((x, w, b) => batchNorm(x!, w!, b!, { eps: 1e-5, training: false, runningMean: rm, runningVar: rv }), [f64([2, 3, 5]), f64([3]), f64([3])]));
  assert.ok(gradcheck((x) => batchNorm(x!, null, null, { eps: 1e-3, training: true }), [f64([4, 3, 2])]));
  const x = f64([4, 3, 2]);
  const bn = batchNorm(x, null, null, { eps: 1e-5, training: true });
  const y = bn.mul(bn).sum();
  assert.throws(() => y.backward(undefined, { createGraph: true }), /batchNorm: a first-order gradient; got a request for a higher-order one/);
});
