// Keras-style models: Sequential and functional graphs, compile/fit/evaluate/predict, metrics and
// losses against hand values, callbacks, regularisers, clipping, summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError, manualSeed, randn, tensor, noGrad, randint } from '../src/index.ts';
import * as K from '../src/model/index.ts';
import * as nn from '../src/nn/index.ts';
import { makeCircles } from '../src/datasets/index.ts';
import { oneHot } from '../src/data/index.ts';

const close = (a: number, b: number, tol = 1e-5): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('sequential: Keras names, lazy build from input(), summary counts (S1-8: BN has 16 params, 8 trainable)', () => {
  manualSeed(0);
  const m = K.sequential([K.input({ shape: [4] }), K.dense({ units: 4, activation: 'relu' }), K.batchNormalization(), K.dense({ units: 4 }), K.dense({ units: 3, activation: 'softmax' })]);
  assert.deepEqual(m.namedChildren().map(([n]) => n), ['dense', 'batch_normalization', 'dense_1', 'dense_2']);
  const s = m.summary({ print: false });
  assert.match(s, /batch_normalization \(BatchNorm1d\)\s+\(None, 4\)\s+16/);
  assert.match(s, /Total params: 71\nTrainable params: 63\nNon-trainable params: 8/);
  assert.deepEqual((m.predict(randn([5, 4])) as import('../src/index.ts').Tensor).shape, [5, 3]);
  const lazy = K.sequential();
  lazy.add(K.dense({ units: 2, inputShape: [3] }));
  assert.equal(lazy.numParameters(), 8);
  // summary works on plain nn modules too.
  assert.match(K.summary(new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU()), { inputShape: [[3]] }), /0 \(Linear\)\s+\(None, 2\)\s+8/);
});

test('functional API: two inputs, a shared layer, add and concatenate merges, two outputs', () => {
  manualSeed(1);
  const a = K.input({ shape: [3], name: 'a' });
  const b = K.input({ shape: [3], name: 'b' });
  const shared = K.dense({ units: 4, activation: 'tanh' });
  const ha = shared.call(a);
  const hb = shared.call(b);
  const sum = K.add().call(ha, hb);
  const cat = K.concatenate().call(sum, a);
  assert.deepEqual(cat.shape, [null, 7]);
  const out1 = K.dense({ units: 1, name: 'score' }).call(cat);
  const out2 = K.dense({ units: 2, activation: 'softmax', name: 'cls' }).call(sum);
  const m = K.model({ inputs: [a, b], outputs: [out1, out2] });
  assert.equal(m.numParameters(), 3 * 4 + 4 + 7 + 1 + 4 * 2 + 2); // the shared layer counts once
  const xa = randn([8, 3]);
  const xb = randn([8, 3]);
  const [o1, o2] = m.forwardAll(xa, xb);
  assert.deepEqual(o1!.shape, [8, 1]);
  assert.deepEqual(o2!.shape, [8, 2]);
  // The graph computes what the layers compute by hand.
  const h = noGrad(() => shared.forward(xa).add(shared.forward(xb)));
  const want = noGrad(() => m.namedChildren().find(([n]) => n === 'cls')![1].forward(h));
  assert.deepEqual(o2!.toArray(), want.toArray());
  m.compile({ optimizer: 'adam', loss: ['mse', 'sparseCategoricalCrossentropy'] });
  const y1 = randn([8, 1]);
  const y2 = randint(0, 2, [8]);
  const first = m.evaluate([xa, xb], [y1, y2]).loss!;
  m.fit([xa, xb], [y1, y2], { epochs: 30, batchSize: 8, verbose: 0 });
  assert.ok(m.evaluate([xa, xb], [y1, y2]).loss! < first);
  assert.throws(() => m.forward(xa), /model: 2 input tensor\(s\); got 1/);
});

test('fit/evaluate/predict/trainOnBatch on circles: deep ReLU + heUniform learns (>= 0.9)', () => {
  manualSeed(2);
  const { x, y } = makeCircles({ nSamples: 400, noise: 0.1, factor: 0.5 });
  const m = K.sequential([
    K.input({ shape: [2] }),
    ...[1, 2, 3].map(() => K.dense({ units: 16, activation: 'relu', kernelInitializer: 'heUniform' })),
    K.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  m.compile({ optimizer: K.optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const yf = y.float().reshape([-1, 1]);
  const h = m.fit(x, yf, { epochs: 40, batchSize: 32, validationSplit: 0.25, verbose: 0 });
  assert.equal(h.epoch.length, 40);
  assert.ok(h.history.loss!.at(-1)! < h.history.loss![0]!);
  assert.ok(h.history.val_accuracy!.at(-1)! >= 0.9, `val_accuracy ${h.history.val_accuracy!.at(-1)}`);
  const ev = m.evaluate(x, yf);
  assert.ok(ev.accuracy! >= 0.9);
  const logs = m.trainOnBatch(x.narrow(0, 0, 16), yf.narrow(0, 0, 16));
  assert.ok('loss' in logs && 'accuracy' in logs);
});

test('Keras losses against hand-computed values', () => {
  const p = tensor([[0.1, 0.6, 0.3], [0.8, 0.1, 0.1]]);
  const t = tensor([[0, 1, 0], [1, 0, 0]]);
  const cce = K.categoricalCrossentropy()(t, p).toArray() as number[];
  close(cce[0]!, -Math.log(0.6));
  close(cce[1]!, -Math.log(0.8));
  const scce = K.sparseCategoricalCrossentropy()(tensor([1, 0], { dtype: 'int32' }), p).toArray() as number[];
  close(scce[0]!, -Math.log(0.6));
  const bce = K.binaryCrossentropy()(tensor([[1], [0]]), tensor([[0.9], [0.2]])).toArray() as number[];
  close(bce[0]!, -Math.log(0.9));
  close(bce[1]!, -Math.log(0.8));
  // Clipping to [1e-7, 1 - 1e-7] keeps p = 0 finite: -log(1e-7).
  close(K.binaryCrossentropy()(tensor([[1]]), tensor([[0]])).item(), -Math.log(1e-7), 1e-3);
  close(K.meanSquaredError()(tensor([[1, 2]]), tensor([[2, 4]])).item(), 2.5);
  close(K.meanAbsoluteError()(tensor([[1, 2]]), tensor([[2, 4]])).item(), 1.5);
  assert.throws(() => K.resolveLoss('nope'), /compile: a loss among/);
  assert.throws(() => K.categoricalCrossentropy()(tensor([1, 0], { dtype: 'int32' }), p), /one-hot float targets.*sparseCategoricalCrossentropy/);
});

test('metrics against hand-computed values', () => {
  const yTrue = tensor([[1, 0], [0, 1], [1, 0], [0, 1]]);
  const yPred = tensor([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]]);
  const acc = K.resolveMetric('accuracy');
  acc.update(yTrue, yPred);
  close(acc.result(), 0.5);
  // Precision over all elements at 0.5: predicted positives 0.9, 0.6, 0.7, 0.8 -> TP 2 (0.9, 0.8) of 4.
  const prec = new K.Precision();
  prec.update(yTrue, yPred);
  close(prec.result(), 0.5);
  const rec = new K.Recall();
  rec.update(yTrue, yPred);
  close(rec.result(), 0.5);
  const auc = new K.AUC();
  auc.update(tensor([0, 0, 1, 1]), tensor([0.1, 0.4, 0.35, 0.8]));
  close(auc.result(), 0.75);
  const sparse = K.resolveMetric('accuracy');
  sparse.update(tensor([0, 1, 1], { dtype: 'int32' }), tensor([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]]));
  close(sparse.result(), 2 / 3);
  const bin = new K.BinaryAccuracy();
  bin.update(tensor([[1], [0], [1]]), tensor([[0.7], [0.6], [0.2]]));
  close(bin.result(), 1 / 3);
  const mse = K.resolveMetric('mse');
  mse.update(tensor([[0], [0]]), tensor([[1], [3]]));
  close(mse.result(), 5);
});

test('EarlyStopping with restoreBestWeights restores the best epoch\'s weights', () => {
  manualSeed(3);
  const x = randn([64, 5]);
  const y = randn([64, 1]);
  const vx = randn([32, 5]);
  const vy = randn([32, 1]);
  const m = K.sequential([K.input({ shape: [5] }), K.dense({ units: 32, activation: 'relu' }), K.dense({ units: 1 })]);
  m.compile({ optimizer: K.optimizers.adam({ learningRate: 0.05 }), loss: 'mse' });
  const snaps: Record<string, import('../src/index.ts').Tensor>[] = [];
  const record = new K.LambdaCallback({ onEpochEnd: () => void snaps.push(K.snapshot(m)) });
  const es = new K.EarlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
  const h = m.fit(x, y, { epochs: 100, batchSize: 16, validationData: [vx, vy], callbacks: [record, es], verbose: 0 });
  const vl = h.history.val_loss!;
  assert.ok(vl.length < 100, 'stopped early (random targets overfit)');
  const best = vl.indexOf(Math.min(...vl));
  assert.equal(es.bestEpoch, best);
  for (const [k, t] of Object.entries(m.stateDict())) assert.deepEqual(t.toArray(), snaps[best]![k]!.toArray());
  close(m.evaluate(vx, vy).loss!, vl[best]!, 1e-5);
});

test('callbacks: stop from a callback, LR scheduler and plateau, TerminateOnNaN, CSV logger, progress line', () => {
  manualSeed(4);
  const x = randn([32, 3]);
  const y = randn([32, 1]);
  const m = K.sequential([K.input({ shape: [3] }), K.dense({ units: 1 })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  const stopper = new K.LambdaCallback({ onEpochEnd(this: K.Callback, e: number) { if (e === 2) this.ctx.stopTraining = true; } });
  assert.equal(m.fit(x, y, { epochs: 10, verbose: 0, callbacks: [stopper] }).epoch.length, 3);
  const sched = new K.LearningRateScheduler((e) => 0.1 / (e + 1));
  const h = m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [sched] });
  assert.deepEqual(h.history.lr!.map((v) => +v.toFixed(6)), [0.1, 0.05, 0.033333]);
  const plateau = new K.ReduceLROnPlateau({ monitor: 'loss', patience: 1, factor: 0.5, minDelta: 10 });
  const h2 = m.fit(x, y, { epochs: 4, verbose: 0, callbacks: [plateau] });
  assert.ok(h2.history.lr!.at(-1)! < h2.history.lr![0]!);
  const bad = K.sequential([K.input({ shape: [3] }), K.dense({ units: 1 })]);
  bad.compile({ optimizer: K.optimizers.sgd({ learningRate: 1e30 }), loss: 'mse' });
  assert.throws(() => bad.fit(x, y.mul(1e30), { epochs: 5, verbose: 0 }), (e: Error) => e instanceof ValueError && /fit: a finite loss; got (NaN|Infinity) at epoch \d+, batch \d+/.test(e.message));
  const hn = bad.fit(x, y.mul(1e30), { epochs: 5, verbose: 0, callbacks: [new K.TerminateOnNaN()] });
  assert.ok(hn.epoch.length < 5 || !Number.isFinite(hn.history.loss!.at(-1)!));
  const rows: string[] = [];
  m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new K.CSVLogger((s) => rows.push(s))] });
  assert.equal(rows[0], 'epoch,loss\n');
  assert.match(rows[2]!, /^1,\d+\.\d+/);
  let out = '';
  const bar = new K.ProgbarLogger({ isTTY: true, write: (s) => (out += s) });
  m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [bar] });
  assert.equal(out, ''); // verbose 0 silences it
  m.trainer!.fit(x, y, { epochs: 1, batchSize: 8, verbose: 1, callbacks: [] });
  const tty: string[] = [];
  const bar2 = new K.ProgbarLogger({ isTTY: true, write: (s) => void tty.push(s) });
  bar2.setContext({ module: m, optimizer: null, stopTraining: false, params: { epochs: 1, steps: 4, verbose: 1 } });
  bar2.onEpochBegin(0);
  bar2.onEpochEnd(0, { loss: 0.57, accuracy: 0.85, val_loss: 0.6 });
  assert.match(tty.join(''), /Epoch 1\/1\n\r4\/4 \[==============================\] - \d+s \d+(ms|us)\/step - loss: 0\.5700 - accuracy: 0\.8500 - val_loss: 0\.6000/);
});

test('regularisers add their penalty; clipNorm and clipValue bound the update; classWeight weights the loss', () => {
  manualSeed(5);
  const x = randn([16, 4]);
  const y = randn([16, 2]);
  const plain = K.sequential([K.input({ shape: [4] }), K.dense({ units: 2 })]);
  const reg = K.sequential([K.input({ shape: [4] }), K.dense({ units: 2, kernelRegularizer: K.l2(0.1), biasRegularizer: K.l1(0.2) })]);
  reg.loadStateDict(plain.stateDict());
  plain.compile({ optimizer: 'sgd', loss: 'mse' });
  reg.compile({ optimizer: 'sgd', loss: 'mse' });
  const d = reg.namedParameters();
  const w = d.find(([n]) => n.endsWith('weight'))![1];
  const b = d.find(([n]) => n.endsWith('bias'))![1];
  const pen = 0.1 * w.square().sum().item() + 0.2 * b.abs().sum().item();
  close(reg.evaluate(x, y).loss! - plain.evaluate(x, y).loss!, pen, 1e-4);
  // clipValue: every gradient element within [-c, c], so with lr 1 no weight moves more than c.
  const big = y.mul(1000);
  for (const [opt, bound] of [[K.optimizers.sgd({ learningRate: 1, clipValue: 0.01 }), 0.01], [K.optimizers.sgd({ learningRate: 1, clipNorm: 0.05 }), 0.05]] as const) {
    const m = K.sequential([K.input({ shape: [4] }), K.dense({ units: 2 })]);
    m.compile({ optimizer: opt, loss: 'mse' });
    const before = m.stateDict()['dense.weight']!.clone();
    m.trainOnBatch(x, big);
    const delta = m.stateDict()['dense.weight']!.sub(before);
    if ('clipValue' in opt) assert.ok(delta.abs().max().item() <= bound + 1e-6);
    else assert.ok(delta.square().sum().sqrt().item() <= bound + 1e-6);
  }
  // classWeight: weighting class 1 by 0 leaves only class-0 samples in the loss.
  const cls = randint(0, 2, [16]);
  const m = K.sequential([K.input({ shape: [4] }), K.dense({ units: 2, activation: 'softmax' })]);
  m.compile({ optimizer: K.optimizers.sgd({ learningRate: 0 }), loss: 'categoricalCrossentropy' });
  const full = m.trainOnBatch(x, oneHot(cls, 2)).loss!;
  const h = m.fit(x, oneHot(cls, 2), { epochs: 1, batchSize: 16, verbose: 0, shuffle: false, classWeight: { 0: 1, 1: 0 } });
  const probs = m.predict(x) as import('../src/index.ts').Tensor;
  const idx = (cls.toArray() as number[]).map((c, i) => (c === 0 ? i : -1)).filter((i) => i >= 0);
  const want = idx.reduce((s, i) => s - Math.log((probs.toArray() as number[][])[i]![0]!), 0) / idx.length;
  close(h.history.loss![0]!, want, 1e-4);
  assert.ok(Math.abs(full - want) > 1e-4);
});

test('activity regularizer adds a loss during training; GaussianNoise only in training', () => {
  manualSeed(6);
  const d = K.dense({ units: 3, activityRegularizer: K.l2(1), inputShape: [2] });
  const x = randn([4, 2]);
  const y = d.forward(x);
  assert.equal(d.losses().length, 1);
  close(d.losses()[0]!.item(), y.square().sum().item() / 4);
  d.clearLosses();
  const g = K.gaussianNoise({ stddev: 0.5 });
  assert.notDeepEqual(g.forward(x).toArray(), x.toArray());
  g.eval();
  assert.equal(g.forward(x), x);
});

test('compile checks: unknown names, fit before compile', () => {
  const m = K.sequential([K.input({ shape: [2] }), K.dense({ units: 1 })]);
  assert.throws(() => m.fit(randn([2, 2]), randn([2, 1])), /fit: a compiled model; got one without compile\(\)/);
  assert.throws(() => m.compile({ optimizer: 'adamx', loss: 'mse' }), /compile: an optimizer among/);
  assert.throws(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['f2'] }), /compile: a metric among/);
  assert.throws(() => K.dense({ units: 2, activation: 'swishy' }), /activation: one of/);
});
