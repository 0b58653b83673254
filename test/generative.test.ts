// Generative-model helpers (nn/generative.ts): the closed-form Gaussian KL against hand values and the
// general Gaussian KL formula, reparametrised sampling (values, statistics, gradients to mu and
// logVar), the VAE loss and its gradient by finite differences on a tiny VAE, the GAN losses and the
// detach/freeze pattern of alternating updates, the weight average (updateEma), and a small
// autoencoder that learns (a few seconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, Generator, ShapeError, ValueError, gradcheck, manualSeed, randn, tensor } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';
import { VAE } from '../examples/s4-10-vae.ts';
import { trainAutoencoder } from '../examples/s4-10-autoencoder.ts';

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const arr = (t: Tensor): number[] => Array.from(t.contiguousData(), Number);

const MU = [[0.5, -1], [0, 2]];
const LV = [[0, Math.log(2)], [-1, 0.5]];
// −0.5·(1 + lv − mu² − e^lv), worked by hand: 0.125; 1 − ln2/2; e^−1/2; (2.5 + e^0.5)/2.
const KL_HAND = [0.125, 1 - Math.log(2) / 2, Math.exp(-1) / 2, (2.5 + Math.exp(0.5)) / 2];

test('gaussianKl: elementwise terms equal hand-computed values; sum, mean, batchmean reductions', () => {
  const mu = tensor(MU, { dtype: 'float64' });
  const lv = tensor(LV, { dtype: 'float64' });
  const none = nn.gaussianKl(mu, lv, 'none');
  assert.deepEqual(none.shape, [2, 2]);
  arr(none).forEach((v, i) => close(v, KL_HAND[i]!));
  const total = KL_HAND.reduce((a, b) => a + b, 0);
  close(nn.gaussianKl(mu, lv).item(), total); // default 'sum'
  close(nn.gaussianKl(mu, lv, 'mean').item(), total / 4);
  close(nn.gaussianKl(mu, lv, 'batchmean').item(), total / 2);
  assert.equal(nn.gaussianKl(tensor([0, 0, 0]), tensor([0, 0, 0])).item(), 0);
});

test('gaussianKl: agrees with KL(N(m, s²) || N(0, 1)) = log(1/s) + (s² + m²)/2 − 1/2 and is never negative', () => {
  manualSeed(3);
  const mu = randn([50], { dtype: 'float64' }).mul(2);
  const lv = randn([50], { dtype: 'float64' }).mul(2);
  const got = arr(nn.gaussianKl(mu, lv, 'none'));
  const m = arr(mu);
  const l = arr(lv);
  got.forEach((v, i) => {
    const s = Math.exp(l[i]! / 2);
    close(v, Math.log(1 / s) + (s * s + m[i]! ** 2) / 2 - 0.5, 1e-12);
    assert.ok(v >= 0);
  });
});

test('gaussianKl: gradients are mu and (exp(logVar) − 1)/2, and pass gradcheck', () => {
  const mu = tensor(MU, { dtype: 'float64', requiresGrad: true });
  const lv = tensor(LV, { dtype: 'float64', requiresGrad: true });
  nn.gaussianKl(mu, lv).backward();
  arr(mu.grad!).forEach((g, i) => close(g, MU.flat()[i]!));
  arr(lv.grad!).forEach((g, i) => close(g, (Math.exp(LV.flat()[i]!) - 1) / 2));
  for (const r of ['sum', 'mean', 'batchmean', 'none'] as const) {
    assert.ok(gradcheck((a, b) => nn.gaussianKl(a!, b!, r), [tensor(MU, { dtype: 'float64', requiresGrad: true }), tensor(LV, { dtype: 'float64', requiresGrad: true })]));
  }
});

test('gaussianKl / reparameterize: errors read `<op>: <expected>; got <got>`', () => {
  assert.throws(() => nn.gaussianKl(tensor([[1, 2]]), tensor([1, 2])), (e: Error) => e instanceof ShapeError && e.message === 'gaussianKl: mu and logVar of the same shape; got [1,2] and [2]');
  assert.throws(() => nn.reparameterize(tensor([1], { dtype: 'int32' }), tensor([1])), (e: Error) => e instanceof DTypeError && /^reparameterize: float mu and logVar; got int32 and float32/.test(e.message));
  assert.throws(() => nn.gaussianKl(tensor([1]), tensor([1]), 'avg' as 'sum'), (e: Error) => e instanceof ValueError && /reduction 'sum', 'mean', 'batchmean' or 'none'; got 'avg'/.test(e.message));
  assert.throws(() => nn.vaeLoss(tensor([[0.5]]), tensor([[1]]), tensor([[0], [1]]), tensor([[0], [1]])), ShapeError);
  assert.throws(() => nn.vaeLoss(tensor([[0.5]]), tensor([[1]]), tensor([[0]]), tensor([[0]]), { beta: -1 }), /vaeLoss: a finite beta >= 0; got -1/);
});

test('reparameterize: z = mu + exp(logVar/2)·eps with eps from the given generator; gradients reach mu and logVar', () => {
  const mu = tensor(MU, { dtype: 'float64', requiresGrad: true });
  const lv = tensor(LV, { dtype: 'float64', requiresGrad: true });
  const z = nn.reparameterize(mu, lv, new Generator(11));
  const eps = arr(randn([2, 2], { dtype: 'float64', generator: new Generator(11) }));
  const m = MU.flat();
  const l = LV.flat();
  arr(z).forEach((v, i) => close(v, m[i]! + Math.exp(l[i]! / 2) * eps[i]!));
  assert.equal(z.dtype, 'float64');
  z.sum().backward();
  assert.deepEqual(arr(mu.grad!), [1, 1, 1, 1]);
  arr(lv.grad!).forEach((g, i) => close(g, 0.5 * Math.exp(l[i]! / 2) * eps[i]!));
  // With a fixed generator the sample is a deterministic function of (mu, logVar): gradcheck it.
  assert.ok(gradcheck((a, b) => nn.reparameterize(a!, b!, new Generator(5)), [tensor(MU, { dtype: 'float64', requiresGrad: true }), tensor(LV, { dtype: 'float64', requiresGrad: true })]));
});

test('reparameterize: samples have mean mu and standard deviation exp(logVar/2); the global generator is seeded', () => {
  const n = 20000;
  const z = nn.reparameterize(tensor(new Array(n).fill(1.5)), tensor(new Array(n).fill(Math.log(0.25))), new Generator(2));
  const d = arr(z);
  const mean = d.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  assert.ok(Math.abs(mean - 1.5) < 0.02 && Math.abs(sd - 0.5) < 0.02, `mean ${mean}, sd ${sd}`);
  manualSeed(4);
  const a = arr(nn.reparameterize(tensor([0, 1]), tensor([0, 0])));
  manualSeed(4);
  assert.deepEqual(arr(nn.reparameterize(tensor([0, 1]), tensor([0, 0]))), a);
});

test("vaeLoss: BCE (summed) + beta·KL, reduced by sum, batchmean, or the seed's per-element mean", () => {
  manualSeed(1);
  const recon = randn([3, 4]).sigmoid();
  const x = randn([3, 4]).sigmoid();
  const mu = randn([3, 2]);
  const lv = randn([3, 2]).mul(0.3);
  const bce = nn.bceLoss(recon, x, 'sum').item();
  const kl = nn.gaussianKl(mu, lv).item();
  close(nn.vaeLoss(recon, x, mu, lv).item(), bce + kl, 1e-6);
  close(nn.vaeLoss(recon, x, mu, lv, { reduction: 'batchmean' }).item(), (bce + kl) / 3, 1e-6);
  close(nn.vaeLoss(recon, x, mu, lv, { beta: 0.5 }).item(), bce + 0.5 * kl, 1e-6);
  // The notebook: F.binary_cross_entropy (mean) + KL / (bs·784), here bs·4.
  close(nn.vaeLoss(recon, x, mu, lv, { reduction: 'mean' }).item(), nn.bceLoss(recon, x).item() + kl / 12, 1e-6);
  close(nn.vaeLoss(recon.log().sub(recon.neg().add(1).log()), x, mu, lv, { reconstruction: 'bceWithLogits' }).item(), bce + kl, 1e-5);
  close(nn.vaeLoss(recon, x, mu, lv, { reconstruction: 'mse' }).item(), nn.mseLoss(recon, x, 'sum').item() + kl, 1e-6);
});

test('VAE loss: gradients of every parameter of a tiny 4-3-(2, 2)-3-4 VAE agree with finite differences (float64)', () => {
  manualSeed(0);
  const model = new VAE(4, 3, 2, 'float64');
  const x = randn([5, 4], { dtype: 'float64' }).sigmoid();
  const params = model.parameters();
  assert.equal(params.length, 10);
  for (const reduction of ['sum', 'mean'] as const) {
    const loss = (): Tensor => {
      const { mu, logVar } = model.encode(x);
      const z = nn.reparameterize(mu, logVar, new Generator(9)); // the same eps on every call
      return nn.vaeLoss(model.decode(z), x, mu, logVar, { reduction });
    };
    assert.ok(gradcheck(loss, params));
  }
});

test('GAN losses: log 2 per term at logits 0; hand values; gradcheck', () => {
  const z = tensor([[0], [0]]);
  close(nn.ganDiscriminatorLoss(z, z).item(), 2 * Math.log(2), 1e-6);
  close(nn.ganGeneratorLoss(z).item(), Math.log(2), 1e-6);
  const r = tensor([[2], [-1]], { dtype: 'float64' });
  const f = tensor([[0.5], [-3]], { dtype: 'float64' });
  const sp = (v: number): number => Math.log1p(Math.exp(v));
  close(nn.ganDiscriminatorLoss(r, f).item(), (sp(-2) + sp(1)) / 2 + (sp(0.5) + sp(-3)) / 2);
  // One-sided label smoothing: the real term is BCE against 0.9.
  close(nn.ganDiscriminatorLoss(r, f, 0.9).item(), (0.9 * sp(-2) + 0.1 * sp(2) + 0.9 * sp(1) + 0.1 * sp(-1)) / 2 + (sp(0.5) + sp(-3)) / 2);
  close(nn.ganGeneratorLoss(f).item(), (sp(-0.5) + sp(3)) / 2);
  assert.throws(() => nn.ganDiscriminatorLoss(r, f, 0), /ganDiscriminatorLoss: realLabel in \(0, 1\]; got 0/);
  assert.ok(gradcheck((a, b) => nn.ganDiscriminatorLoss(a!, b!, 0.9), [r.clone().requiresGrad_(), f.clone().requiresGrad_()]));
});

test('GAN updates: the detached fake batch keeps the D step off G; a frozen D passes gradient to G without computing its own', () => {
  manualSeed(0);
  const G = new nn.Sequential(new nn.Linear(3, 5), new nn.Tanh());
  const D = new nn.Sequential(new nn.Linear(5, 4), new nn.LeakyReLU(0.2), new nn.Linear(4, 1));
  const optG = new Adam(G.parameters(), { lr: 1e-2 });
  const optD = new Adam(D.parameters(), { lr: 1e-2 });
  const real = randn([8, 5]).tanh();
  const fake = G.forward(randn([8, 3]));
  const gBefore = arr(G.parameters()[0]!);
  optD.zeroGrad();
  nn.ganDiscriminatorLoss(D.forward(real), D.forward(fake.detach())).backward();
  assert.ok(G.parameters().every((p) => p.grad === null), 'no gradient reached G in the D step');
  assert.ok(D.parameters().every((p) => p.grad !== null));
  optD.step();
  const dAfterStep = arr(D.parameters()[0]!);
  D.freeze();
  optG.zeroGrad();
  nn.ganGeneratorLoss(D.forward(fake)).backward();
  assert.ok(D.parameters().every((p) => p.grad === null), 'frozen D computed no weight gradients');
  assert.ok(G.parameters().every((p) => p.grad !== null && arr(p.grad).some((v) => v !== 0)));
  optG.step();
  optD.step(); // no gradients: D stays where its own step left it
  D.unfreeze();
  assert.deepEqual(arr(D.parameters()[0]!), dAfterStep);
  assert.notDeepEqual(arr(G.parameters()[0]!), gBefore);
  assert.ok(D.parameters().every((p) => p.requiresGrad));
});

test('updateEma: e <- decay·e + (1 − decay)·p for every parameter, buffers copied; mismatched models refused', () => {
  manualSeed(0);
  const make = (): nn.Sequential => new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Linear(4, 2));
  const model = make();
  const ema = make();
  const e0 = ema.parameters().map(arr);
  const p0 = model.parameters().map(arr);
  model.forward(randn([8, 3])); // moves the batch-norm running statistics
  nn.updateEma(ema, model, 0.9);
  ema.parameters().forEach((e, j) => arr(e).forEach((v, i) => close(v, 0.9 * e0[j]![i]! + 0.1 * p0[j]![i]!, 1e-6)));
  const bufs = new Map(model.namedBuffers());
  for (const [n, b] of ema.namedBuffers()) assert.deepEqual(arr(b), arr(bufs.get(n)!), n);
  nn.updateEma(ema, model, 0); // decay 0 copies
  ema.parameters().forEach((e, j) => assert.deepEqual(arr(e), p0[j]));
  assert.ok(ema.parameters().every((p) => p.requiresGrad && p.grad === null));
  assert.throws(() => nn.updateEma(new nn.Linear(3, 4), new nn.Linear(3, 5)), (e: Error) => e instanceof ShapeError && /^updateEma: two models with the same parameters; got weight\[4,3\], bias\[4\] and weight\[5,3\], bias\[5\]$/.test(e.message));
  assert.throws(() => nn.updateEma(ema, model, 1.5), /updateEma: decay in \[0, 1\]; got 1.5/);
});

test('the seed autoencoder learns MNIST: test MSE falls each epoch and is < 0.03 after 3 epochs on 10,000 images (predicting the mean image gives 0.066)', () => {
  const r = trainAutoencoder({ epochs: 3, trainSize: 10000, testSize: 1000, seed: 0, log: () => {} });
  assert.ok(r.testMse.every((v, i) => i === 0 || v < r.testMse[i - 1]!), `test mse ${r.testMse.join(', ')}`);
  assert.ok(r.testMse[2]! < 0.03, `test mse ${r.testMse[2]}`);
});
