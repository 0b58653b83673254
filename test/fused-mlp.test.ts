// fit's fused small-MLP path (model/fused-mlp.ts over the native backend's mlpSgdEpochF32): it must train
// exactly as the eager step does (same sample order, same updates up to float32 rounding), report the
// same logs, stay out of the way whenever anything needs the eager step, and refuse bad arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, listBackends, manualSeed, randn, randint, setBackend } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import * as K from '../src/model/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam, SGD } from '../src/optim/index.ts';
import { oneHot } from '../src/data/index.ts';
import { loadNativeAddon } from '../src/backend/native/index.ts';

const skip = getBackend().mlpSgdEpochF32 === undefined ? `the ${getBackend().name} backend has no fused MLP kernel` : false;

/** Runs fn on every backend with the fused kernel (native, wasm), then restores the default. */
function onFusedBackends(fn: () => void): void {
  const before = getBackend().name;
  const names = listBackends().filter((b) => {
    setBackend(b);
    return getBackend().mlpSgdEpochF32 !== undefined;
  });
  try {
    assert.ok(names.length > 0);
    for (const b of names) {
      setBackend(b);
      fn();
    }
  } finally {
    setBackend(before);
  }
}

/** Counts the fused kernel's calls while fn runs. */
function fusedCalls(fn: () => void): number {
  const be = getBackend();
  const orig = be.mlpSgdEpochF32!;
  let n = 0;
  be.mlpSgdEpochF32 = (a) => {
    n++;
    return orig(a);
  };
  try {
    fn();
  } finally {
    be.mlpSgdEpochF32 = orig;
  }
  return n;
}

interface Run {
  params: number[][];
  history: Record<string, number[]>;
  calls: number;
}

/** Trains a fresh model (built by make under seed 1) both ways from the same seed. */
function bothWays(make: () => { model: nn.Module; opts: K.CompileOptions }, x: Tensor, y: Tensor, fit: K.FitOptions): [Run, Run] {
  const runs: Run[] = [];
  for (const on of [true, false]) {
    const before = K.setFusedMlp(on);
    try {
      manualSeed(1);
      const { model, opts } = make();
      const t = K.compile(model, opts);
      let h!: K.History;
      const calls = fusedCalls(() => {
        h = t.fit(x, y, { verbose: 0, ...fit });
      });
      runs.push({ params: model.parameters().map((p) => [...p.contiguousData()]), history: h.history, calls });
    } finally {
      K.setFusedMlp(before);
    }
  }
  return runs as [Run, Run];
}

function assertClose(a: number[], b: number[], tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1e-3 + Math.abs(b[i]!)));
  assert.ok(worst <= tol, `${what}: max relative difference ${worst} > ${tol}`);
}

function assertSameTraining([fused, eager]: [Run, Run], tol = 1e-4): void {
  assert.ok(fused.calls > 0, 'the fused path ran');
  assert.equal(eager.calls, 0, 'the eager run did not use the kernel');
  fused.params.forEach((p, i) => assertClose(p, eager.params[i]!, tol, `parameter ${i}`));
  assert.deepEqual(Object.keys(fused.history).sort(), Object.keys(eager.history).sort());
  for (const k of Object.keys(eager.history)) assertClose(fused.history[k]!, eager.history[k]!, tol, `history.${k}`);
}

test('fused fit equals the eager step (every backend with the kernel): the seed\'s tanh/sigmoid net, MSE, batch 1, shuffled', { skip }, () => {
  onFusedBackends(() => {
    manualSeed(0);
    const x = randn([60, 12]);
    const y = oneHot(randint(0, 4, [60]), 4);
    const runs = bothWays(() => {
      const init = (t: Tensor): Tensor => nn.init.uniform_(t, -0.5, 0.5);
      const model = new nn.Sequential(new nn.Linear(12, 8, { weightInit: init, biasInit: init }), new nn.Tanh(), new nn.Linear(8, 4, { weightInit: init, biasInit: init }), new nn.Sigmoid());
      return { model, opts: { optimizer: new SGD(model.parameters(), { lr: 0.5 }), loss: 'mse', metrics: ['accuracy'] } };
    }, x, y, { epochs: 3, batchSize: 1 });
    assertSameTraining(runs);
    // it learned something (both ways): the loss fell
    const l = runs[0].history.loss!;
    assert.ok(l[2]! < l[0]!, `loss ${l.join(', ')}`);
  });
});

test('fused fit equals the eager step: Keras dense relu/softmax with categorical and sparse cross-entropy, batches of 4 with a short last one', { skip }, () => {
  onFusedBackends(() => {
    manualSeed(0);
    const x = randn([50, 6]);
    const labels = randint(0, 3, [50]);
    for (const [loss, y] of [['categoricalCrossentropy', oneHot(labels, 3)], ['sparse_categorical_crossentropy', labels]] as const) {
      const runs = bothWays(() => {
        const model = K.sequential([K.dense({ units: 10, activation: 'relu', inputShape: [6] }), K.dense({ units: 7, activation: 'tanh' }), K.dense({ units: 3, activation: 'softmax' })]);
        return { model, opts: { optimizer: 'sgd', loss, metrics: ['accuracy'] } };
      }, x, y, { epochs: 2, batchSize: 4 });
      assertSameTraining(runs);
    }
  });
});

test('fused fit equals the eager step: a single sigmoid output with binary accuracy, no shuffling, a validation split', { skip }, () => {
  onFusedBackends(() => {
    manualSeed(0);
    const x = randn([40, 3]);
    const y = x.narrow(1, 0, 1).gt(0).cast('float32');
    const runs = bothWays(() => {
      const model = new nn.Sequential(new nn.Linear(3, 5), new nn.ReLU(), new nn.Linear(5, 1), new nn.Sigmoid());
      return { model, opts: { optimizer: new SGD(model.parameters(), { lr: 0.3 }), loss: 'mse', metrics: ['binary_accuracy'] } };
    }, x, y, { epochs: 3, batchSize: 2, shuffle: false, validationSplit: 0.25 });
    assertSameTraining(runs);
    assert.ok('val_loss' in runs[0].history);
  });
});

test('fused fit equals the eager step: SGD with momentum (also Nesterov, dampening, weight decay), binary cross-entropy, continued over two fit calls', { skip }, () => {
  onFusedBackends(() => {
    manualSeed(0);
    const x = randn([40, 5]);
    const y = x.narrow(1, 0, 2).gt(0).cast('float32');
    for (const o of [{ momentum: 0.9 }, { momentum: 0.8, nesterov: true, weightDecay: 0.01 }, { momentum: 0.5, dampening: 0.3, maximize: false }]) {
      const runs = bothWays(() => {
        const model = new nn.Sequential(new nn.Linear(5, 6), new nn.Tanh(), new nn.Linear(6, 2), new nn.Sigmoid());
        const opt = new SGD(model.parameters(), { lr: 0.05, ...o });
        // a first fit makes the momentum buffers; the second continues from them (on the fused path: first = false)
        K.compile(model, { optimizer: opt, loss: 'binaryCrossentropy', metrics: ['accuracy'] }).fit(x, y, { verbose: 0, epochs: 1, batchSize: 3 });
        return { model, opts: { optimizer: opt, loss: 'binary_crossentropy', metrics: ['accuracy'] } };
      }, x, y, { epochs: 2, batchSize: 3 });
      assertSameTraining(runs);
    }
  });
});

test('fit stays eager when anything needs the eager step', { skip }, () => {
  manualSeed(0);
  const x = randn([20, 4]);
  const y = oneHot(randint(0, 2, [20]), 2);
  const net = (): nn.Sequential => new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh(), new nn.Linear(3, 2), new nn.Sigmoid());
  const calls = (opts: (m: nn.Sequential) => K.CompileOptions, fit: K.FitOptions = {}, model = net()): number =>
    fusedCalls(() => K.compile(model, opts(model)).fit(x, y, { verbose: 0, epochs: 1, batchSize: 2, ...fit }));
  const sgd = (m: nn.Module): K.CompileOptions => ({ optimizer: new SGD(m.parameters(), { lr: 0.1 }), loss: 'mse' });
  assert.ok(calls(sgd) > 0, 'the plain case is fused');
  assert.equal(calls((m) => ({ optimizer: new SGD([{ params: m.parameters().slice(0, 2), lr: 0.1 }, { params: m.parameters().slice(2), lr: 0.2 }]), loss: 'mse' })), 0, 'two learning rates');
  assert.equal(calls((m) => ({ optimizer: new Adam(m.parameters()), loss: 'mse' })), 0, 'Adam');
  // batch 2 x 18 weights is far below the limit; 20 samples x (4 x 20000 + 20000 x 2) weights is above it
  const wide = (): nn.Sequential => new nn.Sequential(new nn.Linear(4, 20000), new nn.Tanh(), new nn.Linear(20000, 2), new nn.Sigmoid());
  assert.ok(20 * 120000 > K.FUSED_MLP_MAX_WORK);
  assert.ok(calls(sgd, { batchSize: 1 }, wide()) > 0, 'a wide net, one sample a batch');
  assert.equal(calls(sgd, { batchSize: 20 }, wide()), 0, 'a wide net, big batches');
  assert.equal(calls(sgd, { callbacks: [new K.LambdaCallback({ onBatchEnd: () => {} })] }), 0, 'a per-batch callback');
  assert.equal(calls(sgd, { sampleWeight: randn([20]).abs() }), 0, 'sample weights');
  assert.equal(calls((m) => ({ ...sgd(m), loss: 'mae' })), 0, 'a loss it has not');
  assert.equal(calls((m) => ({ ...sgd(m), metrics: ['precision'] })), 0, 'a metric it has not');
  assert.equal(calls(sgd, {}, new nn.Sequential(new nn.Linear(4, 3), new nn.Dropout(0.5), new nn.Linear(3, 2))), 0, 'dropout');
  const frozen = net();
  frozen.parameters()[0]!.requiresGrad_(false);
  assert.equal(calls((m) => ({ optimizer: new SGD(m.parameters().filter((p) => p.requiresGrad), { lr: 0.1 }), loss: 'mse' }), {}, frozen), 0, 'a frozen layer');
  // and the switch turns it off
  const before = K.setFusedMlp(false);
  try {
    assert.equal(calls(sgd), 0, 'setFusedMlp(false)');
  } finally {
    K.setFusedMlp(before);
  }
});

test('a diverging fused fit stops with the eager path\'s message', { skip }, () => {
  onFusedBackends(() => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Linear(4, 2));
    const x = randn([30, 3]).mul(1e3);
    const y = randn([30, 2]);
    const t = K.compile(model, { optimizer: new SGD(model.parameters(), { lr: 10 }), loss: 'mse' });
    assert.throws(() => t.fit(x, y, { verbose: 0, epochs: 3, batchSize: 1 }), /fit: a finite loss; got (NaN|Infinity) at epoch 1, batch \d+\. The model diverged/);
  });
});

test('the native fused kernel refuses bad arguments with a clear message', { skip: loadNativeAddon() === null ? 'no native addon' : false }, () => {
  const a = loadNativeAddon()!;
  const sizes = Int32Array.from([3, 2]);
  const w = new Float32Array(6);
  const b = new Float32Array(2);
  const acts = Int32Array.from([0]);
  const x = new Float32Array(12);
  const y = new Float32Array(8);
  const order = Int32Array.from([0, 1, 2, 3]);
  // SGD coefficients (sign, weightDecay, lr, bm, bg, cg, cb) of a plain step and of one with momentum 0.9
  const plainStep = [1, 0, 0.1, 0, 0, 0, 0];
  const momentumStep = [1, 0, 0.1, 0.9, 1, 0, 1];
  const call = (o: Partial<Record<string, unknown>>): unknown =>
    a.mlpSgdEpoch((o.sizes ?? sizes) as Int32Array, (o.w ?? [w]) as Float32Array[], [b], (o.acts ?? acts) as Int32Array, (o.x ?? x) as Float32Array, y, (o.labels ?? null) as Int32Array | null,
      (o.order ?? order) as Int32Array, 0, 4, 1, (o.loss ?? 0) as number, 0, null, null, ...(o.momentum ? momentumStep : plainStep), ...(o.momentum ? momentumStep : plainStep));
  assert.deepEqual((call({}) as number[])[0], 4);
  assert.throws(() => call({ w: [new Float32Array(5)] }), /mlpSgdEpoch: layer 0: a weight \[2, 3\]/);
  assert.throws(() => call({ order: Int32Array.from([0, 1, 2, 4]) }), /mlpSgdEpoch: order entries in \[0, n\)/);
  assert.throws(() => call({ order: Int32Array.from([0, 1]) }), /mlpSgdEpoch: an order of the n = 4 samples/);
  assert.throws(() => call({ x: new Float32Array(13) }), /mlpSgdEpoch: x of shape \[n, 3\]/);
  assert.throws(() => call({ acts: Int32Array.from([4]) }), /mlpSgdEpoch: a softmax last layer exactly with a cross-entropy loss/);
  assert.throws(() => call({ acts: Int32Array.from([4]), loss: 2, labels: Int32Array.from([0, 1, 2, 1]) }), /mlpSgdEpoch: class indices in \[0, 2\)/);
  assert.throws(() => call({ sizes: Int32Array.from([3, 2, 2]) }), /mlpSgdEpoch: at least one layer, with sizes = layers \+ 1/);
  assert.throws(() => call({ x: new Float64Array(12) }), /mlpSgdEpoch x as a Float32Array/);
  assert.throws(() => call({ momentum: 0.9 }), /mlpSgdEpoch: momentum buffers for every weight and bias with a momentum/);
});

test('the WASM fused kernel refuses bad arguments with a clear message', { skip: listBackends().includes('wasm') ? false : 'no WASM backend' }, () => {
  const before = getBackend().name;
  setBackend('wasm');
  try {
    const be = getBackend();
    const ok = {
      sizes: Int32Array.from([3, 2]), weights: [new Float32Array(6)], biases: [new Float32Array(2)], acts: Int32Array.from([0]),
      x: new Float32Array(12), y: new Float32Array(8), labels: null, order: Int32Array.from([0, 1, 2, 3]), start: 0, batches: 4, batchSize: 1,
      loss: 0 as const, accuracy: 0 as const, weightBuffers: null, biasBuffers: null,
      sgd: { sign: 1, weightDecay: 0, lr: 0.1, bm: 0, bg: 0, cg: 0, cb: 0 }, sgdFirst: { sign: 1, weightDecay: 0, lr: 0.1, bm: 0, bg: 0, cg: 0, cb: 0 },
    };
    assert.equal(be.mlpSgdEpochF32!(ok).batches, 4);
    assert.throws(() => be.mlpSgdEpochF32!({ ...ok, weights: [new Float32Array(5)] }), /wasm mlpSgdEpoch: layer 0: a weight \[2, 3\]/);
    assert.throws(() => be.mlpSgdEpochF32!({ ...ok, order: Int32Array.from([0, 1, 2, 4]) }), /wasm mlpSgdEpoch: order entries in \[0, n\)/);
    assert.throws(() => be.mlpSgdEpochF32!({ ...ok, acts: Int32Array.from([4]) }), /wasm mlpSgdEpoch: a softmax last layer exactly with a cross-entropy loss/);
    const momentumStep = { sign: 1, weightDecay: 0, lr: 0.1, bm: 0.9, bg: 1, cg: 0, cb: 1 };
    assert.throws(() => be.mlpSgdEpochF32!({ ...ok, sgd: momentumStep, sgdFirst: momentumStep }), /wasm mlpSgdEpoch: momentum buffers for every weight and bias/);
  } finally {
    setBackend(before);
  }
});
