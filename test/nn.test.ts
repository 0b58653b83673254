// nn: Module tree, Linear, activations, Dropout, losses (values worked out by hand from PyTorch's
// formulas), initialisers, stateDict round trip and a training step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, ShapeError, ValueError, Tensor, conv2d, manualSeed, noGrad, randn, tensor, zeros, gradcheck, randint } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import * as K from '../src/model/index.ts';

const close = (a: number, b: number, tol = 1e-5): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('Sequential: positional and named entries, parameters, printing', () => {
  manualSeed(0);
  const seq = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
  assert.deepEqual(seq.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.equal(seq.numParameters(), 4 * 3 + 3 + 3 * 2 + 2);
  const named = new nn.Sequential({ fc1: new nn.Linear(13, 5), relu1: new nn.ReLU(), out: new nn.Linear(5, 3), softmax: new nn.Softmax(1) });
  assert.deepEqual(named.namedParameters().map(([n]) => n), ['fc1.weight', 'fc1.bias', 'out.weight', 'out.bias']);
  assert.match(named.toString(), /\(fc1\): Linear\(inFeatures=13, outFeatures=5, bias=true\)/);
  assert.deepEqual(named.forward(randn([2, 13])).shape, [2, 3]);
  assert.equal(named.at(-1) instanceof nn.Softmax, true);
});

test('a custom Module finds parameters in fields and arrays', () => {
  class Net extends nn.Module {
    fc = new nn.Linear(2, 2);
    heads = [new nn.Linear(2, 1), new nn.Linear(2, 1)];
    scale = new nn.Parameter(tensor([1]));
    forward(x: import('../src/index.ts').Tensor) {
      const h = this.fc.forward(x).relu();
      return this.heads[0]!.forward(h).add(this.heads[1]!.forward(h)).mul(this.scale);
    }
  }
  const net = new Net();
  assert.deepEqual(net.namedParameters().map(([n]) => n).sort(), ['fc.bias', 'fc.weight', 'heads.0.bias', 'heads.0.weight', 'heads.1.bias', 'heads.1.weight', 'scale'].sort());
  net.eval();
  assert.equal(net.fc.training, false);
});

test('Linear computes x·Wᵀ + b, checks shapes, builds lazily, default init bound 1/√in', () => {
  const l = new nn.Linear(2, 3);
  noGrad(() => {
    l.weight.copy_(tensor([[1, 2], [3, 4], [5, 6]]));
    l.bias!.copy_(tensor([0.5, 0, -1]));
  });
  assert.deepEqual(l.forward(tensor([[1, 1]])).toArray(), [[3.5, 7, 10]]);
  assert.throws(() => l.forward(tensor([[1, 1, 1]])), (e: Error) => e instanceof ShapeError && /linear: input \[\.\.\., in\] and weight \[out, in\].*\[1,3\].*\[3,2\]/.test(e.message));
  const lazy = new nn.Linear(null, 4);
  assert.deepEqual(lazy.forward(zeros([5, 7])).shape, [5, 4]);
  assert.deepEqual(lazy.weight.shape, [4, 7]);
  manualSeed(1);
  const big = new nn.Linear(100, 50);
  const w = big.weight.contiguousData();
  assert.ok(w.every((v) => Math.abs(v) <= 0.1));
  // Var of U(-1/√in, 1/√in) = 1/(3·in).
  close(big.weight.var().item(), 1 / 300, 3e-4);
  // Gradients through the fused op.
  manualSeed(2);
  const x = randn([3, 4], { dtype: 'float64' }).requiresGrad_();
  const f = new nn.Linear(4, 2, { dtype: 'float64' });
  assert.ok(gradcheck((a) => f.forward(a), [x]));
  assert.ok(gradcheck((wt) => x.linear(wt, f.bias), [f.weight]));
});

test('activation modules match their formulas', () => {
  const x = tensor([-2, -0.5, 0, 1.5]);
  const vals = (m: nn.Module): number[] => m.forward(x).toArray() as number[];
  assert.deepEqual(vals(new nn.ReLU()), [0, 0, 0, 1.5]);
  vals(new nn.LeakyReLU(0.1)).forEach((v, i) => close(v, [-0.2, -0.05, 0, 1.5][i]!));
  vals(new nn.ELU()).forEach((v, i) => close(v, [Math.expm1(-2), Math.expm1(-0.5), 0, 1.5][i]!));
  vals(new nn.SELU()).forEach((v, i) => close(v, 1.0507009873554805 * [1.6732632423543772 * Math.expm1(-2), 1.6732632423543772 * Math.expm1(-0.5), 0, 1.5][i]!));
  vals(new nn.Softplus()).forEach((v, i) => close(v, Math.log1p(Math.exp([-2, -0.5, 0, 1.5][i]!))));
  vals(new nn.Sigmoid()).forEach((v, i) => close(v, 1 / (1 + Math.exp(-[-2, -0.5, 0, 1.5][i]!))));
  assert.deepEqual(vals(new nn.Heaviside()), [0, 0, 1, 1]);
  assert.deepEqual(vals(new nn.Sign()), [-1, -1, 0, 1]);
  // Step functions pass no gradient (documented rule).
  const y = tensor([0.3, -0.2], { requiresGrad: true });
  nn.heaviside(y).sum().backward();
  assert.deepEqual(y.grad!.toArray(), [0, 0]);
});

test('Dropout: scaled mask in training, identity in eval', () => {
  manualSeed(3);
  const d = new nn.Dropout(0.25);
  const x = tensor(new Float32Array(20000).fill(1));
  const y = d.forward(x);
  const vals = new Set(y.toArray() as number[]);
  assert.deepEqual([...vals].sort(), [0, Math.fround(1 / 0.75)].sort());
  close(y.mean().item(), 1, 0.03);
  d.eval();
  assert.equal(d.forward(x), x);
  assert.throws(() => new nn.Dropout(1.5), /Dropout: a probability p in \[0, 1\]; got 1.5/);
});

test('losses against hand-computed values', () => {
  close(nn.mseLoss(tensor([1, 2, 3]), tensor([1, 1, 1])).item(), 5 / 3);
  close(nn.mseLoss(tensor([1, 2, 3]), tensor([1, 1, 1]), 'sum').item(), 5);
  close(nn.l1Loss(tensor([1, 2, 3]), tensor([1, 1, 1])).item(), 1);
  close(nn.bceLoss(tensor([0.8, 0.2]), tensor([1, 0])).item(), -Math.log(0.8));
  // log(0) is clamped to -100 (S0-4's guard), so the loss stays finite.
  close(nn.bceLoss(tensor([0]), tensor([1])).item(), 100, 1e-3);
  // ...and so does its gradient at the edges (0, not NaN).
  const edge = tensor([0, 1, 0.5], { requiresGrad: true });
  nn.bceLoss(edge, tensor([1, 0, 1])).backward();
  assert.ok((edge.grad!.toArray() as number[]).every(Number.isFinite));
  close(nn.bceWithLogitsLoss(tensor([0]), tensor([1])).item(), Math.log(2));
  close(nn.bceWithLogitsLoss(tensor([100]), tensor([0])).item(), 100, 1e-3);
  close(nn.bceWithLogitsLoss(tensor([0.3]), tensor([1]), 'mean', tensor([2])).item(), 2 * Math.log1p(Math.exp(-0.3)));
  const logits = tensor([[1, 2, 3]]);
  const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
  close(nn.crossEntropy(logits, tensor([2], { dtype: 'int32' })).item(), lse - 3);
  close(nn.crossEntropy(logits, tensor([[0, 0, 1]])).item(), lse - 3);
  close(nn.crossEntropy(logits, tensor([2], { dtype: 'int32' }), { labelSmoothing: 0.1 }).item(), 0.9 * (lse - 3) + 0.1 * (lse - 2));
  close(nn.nllLoss(tensor([[-1, -2], [-3, -4]]), tensor([0, 1], { dtype: 'int32' }), 'mean', tensor([1, 2])).item(), 3);
  assert.deepEqual(nn.crossEntropy(tensor([[0, 0], [0, 0]]), tensor([0, 1], { dtype: 'int32' }), { reduction: 'none' }).shape, [2]);
  close(new nn.CrossEntropyLoss().forward(logits, tensor([2], { dtype: 'int32' })).item(), lse - 3);
});

test('loss errors name the op and what they got', () => {
  const logits = randn([4, 10]);
  assert.throws(() => nn.crossEntropy(logits, tensor([0, 3, 10, 1], { dtype: 'int32' })), (e: Error) => e instanceof ValueError && /crossEntropy: class indices in \[0, 10\); got 10 at position 2/.test(e.message));
  assert.throws(() => nn.crossEntropy(logits, tensor([0, 3, 1, 1])), (e: Error) => e instanceof DTypeError && /crossEntropy: class indices of dtype int32.*got float32 \[4\]/.test(e.message));
  assert.throws(() => nn.mseLoss(randn([3]), randn([4])), /mseLoss: input and target of the same shape; got \[3\] and \[4\]/);
  assert.throws(() => nn.bceLoss(tensor([1.5]), tensor([1])), /bceLoss: probabilities in \[0, 1\]; got 1.5/);
});

test('gradients of losses by finite differences', () => {
  manualSeed(4);
  const x = randn([3, 4], { dtype: 'float64' }).requiresGrad_();
  const t = randint(0, 4, [3]);
  const p = randn([3, 4], { dtype: 'float64' }).softmax(1);
  assert.ok(gradcheck((a) => nn.crossEntropy(a, t), [x]));
  assert.ok(gradcheck((a) => nn.crossEntropy(a, p, { labelSmoothing: 0.2 }), [x]));
  assert.ok(gradcheck((a) => nn.bceWithLogitsLoss(a, p), [x]));
  assert.ok(gradcheck((a) => nn.bceLoss(a.sigmoid(), p), [x]));
  assert.ok(gradcheck((a) => nn.mseLoss(a, p).add(nn.l1Loss(a, p)), [x]));
  assert.ok(gradcheck((a) => nn.klDiv(a.logSoftmax(1), p, 'batchmean'), [x]));
});

test('initialisers: bounds and variances match their formulas', () => {
  manualSeed(5);
  const w = zeros([200, 300]);
  const v = (): number => w.var().item();
  nn.init.xavierUniform_(w);
  close(v(), 2 / 500, 2e-4);
  nn.init.xavierNormal_(w);
  close(v(), 2 / 500, 2e-4);
  nn.init.kaimingUniform_(w, { nonlinearity: 'relu' });
  close(v(), 2 / 300, 3e-4);
  nn.init.kaimingNormal_(w, { nonlinearity: 'relu', mode: 'fanOut' });
  close(v(), 2 / 200, 4e-4);
  nn.init.heNormal_(w); // truncated: the 0.8796 correction restores the variance
  close(v(), 2 / 300, 3e-4);
  assert.ok(w.abs().max().item() <= 2 * Math.sqrt(2 / 300) / 0.8796256610342398 + 1e-6);
  nn.init.lecunNormal_(w);
  close(v(), 1 / 300, 2e-4);
  nn.init.lecunUniform_(w);
  close(v(), 1 / 300, 2e-4);
  nn.init.varianceScaling_(w, { scale: 3, mode: 'fanAvg', distribution: 'untruncatedNormal' });
  close(v(), 3 / 250, 5e-4);
  nn.init.constant_(w, 0.5);
  assert.equal(w.mean().item(), 0.5);
  const q = zeros([6, 4]);
  nn.init.orthogonal_(q);
  const qtq = q.T.matmul(q).toArray() as number[][];
  qtq.forEach((row, i) => row.forEach((x, j) => close(x, i === j ? 1 : 0, 1e-5)));
  close(nn.init.calculateGain('tanh'), 5 / 3);
});

test('stateDict round trip and clear mismatch errors', () => {
  manualSeed(6);
  const a = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
  const b = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
  const x = randn([5, 3]);
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.forward(x).toArray(), a.forward(x).toArray());
  const c = new nn.Sequential(new nn.Linear(3, 5), new nn.Tanh(), new nn.Linear(5, 2));
  assert.throws(() => c.loadStateDict(a.stateDict()), /loadStateDict: '0.weight' of shape \[5,3\]; got \[4,3\]/);
  const sd = a.stateDict();
  delete sd['2.bias'];
  assert.throws(() => b.loadStateDict(sd), /missing \[2.bias\]/);
});

test('one training step lowers the loss (Linear + activations + each loss)', () => {
  manualSeed(7);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.GELU(), new nn.Linear(8, 3));
  const x = randn([16, 4]);
  const y = randint(0, 3, [16]);
  const loss = (): number => nn.crossEntropy(model.forward(x), y).item();
  const before = loss();
  nn.crossEntropy(model.forward(x), y).backward();
  noGrad(() => model.parameters().forEach((p) => p.sub_(p.grad!.mul(0.1))));
  assert.ok(loss() < before);
});

test('Linear adds its weight gradient into an existing .grad in place: the same sums as fresh gradients', () => {
  manualSeed(3);
  const lin = new nn.Linear(5, 3);
  const [x1, x2] = [randn([4, 5]), randn([4, 5])];
  const gradOf = (x: ReturnType<typeof randn>): number[] => {
    lin.zeroGrad();
    lin.forward(x).square().sum().backward();
    return [...lin.weight.grad!.contiguousData()];
  };
  const g1 = gradOf(x1);
  const g2 = gradOf(x2);
  lin.zeroGrad();
  lin.forward(x1).square().sum().backward();
  const kept = lin.weight.grad!;
  const version = kept.storage.version;
  lin.forward(x2).square().sum().backward();
  assert.equal(lin.weight.grad, kept, 'the second backward added into the same tensor');
  assert.ok(kept.storage.version > version, 'and bumped its version');
  [...kept.contiguousData()].forEach((v, i) => assert.ok(Math.abs(v - (g1[i]! + g2[i]!)) < 1e-5, `${i}: ${v} vs ${g1[i]! + g2[i]!}`));
  // zeroed in place (PyTorch 1.x's zero_grad()), then one backward: the fresh gradient again
  kept.zero_();
  lin.forward(x2).square().sum().backward();
  [...lin.weight.grad!.contiguousData()].forEach((v, i) => assert.ok(Math.abs(v - g2[i]!) < 1e-5, `${i}: ${v} vs ${g2[i]}`));
});

test('Conv2d + ReLU, Tanh or Sigmoid (and a Keras conv2d with that activation) run as one op in Sequential: the same values and gradients as apart', () => {
  for (const [act, Layer] of [['relu', nn.ReLU], ['tanh', nn.Tanh], ['sigmoid', nn.Sigmoid]] as const) {
    manualSeed(12);
    const conv = new nn.Conv2d(3, 8, 3, { padding: 1 });
    const x = randn([4, 3, 9, 9]).mul(2);
    const fused = new nn.Sequential(conv, new Layer(), new nn.Flatten(), new nn.Linear(8 * 81, 2));
    const yf = fused.forward(x);
    yf.square().sum().backward();
    const gf = [conv.weight.grad!.contiguousData(), conv.bias!.grad!.contiguousData()];
    conv.zeroGrad();
    const apart = (fused.at(3) as nn.Linear).forward(conv.forward(x)[act]().flatten(1));
    apart.square().sum().backward();
    const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-5 * (1 + Math.abs(b[i]!)), `${act} ${what} at ${i}: ${a[i]} vs ${b[i]}`);
    };
    close(yf.contiguousData(), apart.contiguousData(), 'output');
    close(gf[0]!, conv.weight.grad!.contiguousData(), 'weight gradient');
    close(gf[1]!, conv.bias!.grad!.contiguousData(), 'bias gradient');
    // the op was fused: one graph node where apart there are two
    const y1 = new nn.Sequential(conv, new Layer()).forward(x);
    assert.equal(y1.gradFn?.spec.name, 'conv2d', `${act}: the conv op's node`);
  }
  // Keras: conv2d({ activation: 'relu' }) is a Sequential of the conv and an Activation, fused the same way
  manualSeed(13);
  const kc = K.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [2, 6, 6] }) as nn.Sequential;
  const x = randn([2, 2, 6, 6]);
  const y = kc.forward(x);
  assert.equal(y.gradFn?.spec.name, 'conv2d');
  assert.deepEqual(y.toArray(), (kc.at(0) as nn.Conv2d).forward(x).relu().toArray());
  // a custom function under an activation's name is not taken for it
  const odd = new nn.Sequential(kc.at(0), new nn.Activation((t) => t.mul(2), 'relu'));
  assert.deepEqual(odd.forward(x).toArray(), (kc.at(0) as nn.Conv2d).forward(x).mul(2).toArray());
  assert.throws(() => conv2d(x, randn([4, 2, 3, 3]), null, { activation: 'gelu' as never }), /conv2d: an activation of tanh, sigmoid, relu; got "gelu"/);
});

test('Linear + ReLU run as one op in Sequential and in a relu Dense: the same values and gradients as apart; a subclass is not fused', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    manualSeed(11);
    // 70 x 32 outputs: enough elements for the native in-place kernel
    const l1 = new nn.Linear(20, 32, { dtype });
    const l2 = new nn.Linear(32, 3, { dtype });
    const x = randn([70, 20], { dtype });
    const fused = new nn.Sequential(l1, new nn.ReLU(), l2);
    const yf = fused.forward(x);
    yf.square().sum().backward();
    const gf = [l1.weight.grad!.toArray(), l1.bias!.grad!.toArray(), l2.weight.grad!.toArray()];
    l1.zeroGrad();
    l2.zeroGrad();
    const ya = l2.forward(l1.forward(x).relu());
    ya.square().sum().backward();
    assert.deepEqual(yf.toArray(), ya.toArray(), dtype);
    assert.deepEqual(gf, [l1.weight.grad!.toArray(), l1.bias!.grad!.toArray(), l2.weight.grad!.toArray()], dtype);
    // the fused op's result is the max with 0 exactly (and under noGrad too)
    const h = noGrad(() => x.linear(l1.weight, l1.bias, { activation: 'relu' }));
    assert.deepEqual(h.toArray(), l1.forward(x).relu().toArray());
  }
  class Doubling extends nn.ReLU {
    override forward(x: Tensor): Tensor { return x.mul(2); }
  }
  const l = new nn.Linear(4, 3);
  const x = randn([2, 4]);
  assert.deepEqual(new nn.Sequential(l, new Doubling()).forward(x).toArray(), l.forward(x).mul(2).toArray());
  const d = new nn.Dense(4, 3, { activation: 'relu' });
  assert.deepEqual(d.forward(x).toArray(), d.weight && x.linear(d.weight, d.bias).relu().toArray());
});
