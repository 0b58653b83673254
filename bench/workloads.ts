// The benchmark workloads W1 and W2 of shared/workloads.md, on neurona. Timings exclude data loading.
import { manualSeed, noGrad } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam, SGD } from '../src/optim/index.ts';
import type { Optimizer } from '../src/optim/index.ts';
import { compile, predict } from '../src/model/index.ts';
import { DataLoader, TensorDataset, oneHot } from '../src/data/index.ts';
import { accuracy } from '../src/metrics/index.ts';
import type { Mnist } from '../src/datasets/index.ts';
import { median } from './median.ts';

export interface WorkloadResult {
  seconds: number;
  samplesPerSec: number;
  testAccuracy: number;
}

/** Accuracy of a classifier over (x, y), evaluated in batches (eval mode, no gradients). */
export function testAccuracy(model: nn.Module, x: Tensor, y: Tensor, batchSize = 1000): number {
  return accuracy(y, (predict(model, x, { batchSize }) as Tensor).argmax(1));
}

/**
 * The timed part every classification workload shares: one shuffled epoch of softmax cross-entropy in
 * batches of 64 over (x, y), then the accuracy on (xTest, yTest) (not timed).
 */
export function classificationEpoch(model: nn.Module, opt: Optimizer, x: Tensor, y: Tensor, xTest: Tensor, yTest: Tensor): WorkloadResult {
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true });
  const t0 = performance.now();
  for (const [xb, yb] of loader) {
    const loss = nn.crossEntropy(model.forward(xb!), yb!);
    opt.zeroGrad(false); // zeroed in place, as PyTorch 1.13's zero_grad() does in the peer script
    loss.backward();
    opt.step();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, samplesPerSec: x.shape[0]! / seconds, testAccuracy: testAccuracy(model, xTest, yTest) };
}

/** W1: MLP 784-256-256-10 ReLU, softmax cross-entropy, Adam 1e-3, batch 64, shuffled, one epoch of 60,000. */
export function w1(data: Mnist, seed = 0): WorkloadResult {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  return classificationEpoch(model, opt, data.train.images, data.train.labels, data.test.images, data.test.labels);
}

/**
 * W2: the seed's from-scratch net 784-16(tanh)-10(sigmoid), squared error (gradient 2(ŷ − y) as the
 * seed's mse_prime), plain SGD lr 0.1, batch size 1, 1,000 training samples, 10 epochs; tested on
 * 1,000 other samples.
 */
export function w2(data: Mnist, seed = 0): WorkloadResult {
  manualSeed(seed);
  const x = data.train.images.narrow(0, 0, 1000);
  const y = oneHot(data.train.labels.narrow(0, 0, 1000), 10);
  const xs = Array.from({ length: 1000 }, (_, i) => x.narrow(0, i, 1).contiguous());
  const ys = Array.from({ length: 1000 }, (_, i) => y.narrow(0, i, 1).contiguous());
  const init = (t: Tensor): Tensor => nn.init.uniform_(t, -0.5, 0.5);
  const model = new nn.Sequential(
    new nn.Linear(784, 16, { weightInit: init, biasInit: init }), new nn.Tanh(),
    new nn.Linear(16, 10, { weightInit: init, biasInit: init }), new nn.Sigmoid(),
  );
  const opt = new SGD(model.parameters(), { lr: 0.1 });
  const t0 = performance.now();
  for (let e = 0; e < 10; e++) {
    for (let i = 0; i < 1000; i++) {
      const loss = nn.mseLoss(model.forward(xs[i]!), ys[i]!, 'sum');
      opt.zeroGrad(false); // as PyTorch 1.13's zero_grad()
      loss.backward();
      opt.step();
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const xt = data.train.images.narrow(0, 1000, 1000);
  const yt = data.train.labels.narrow(0, 1000, 1000);
  return { seconds, samplesPerSec: 10000 / seconds, testAccuracy: testAccuracy(model, xt, yt) };
}

/**
 * W2 through Keras-style fit (what a Keras user would write): the same network, init, data order (no
 * shuffling) and updates as w2, with the loss as 'mse' (the mean over the 10 outputs, so lr 1.0 gives
 * exactly the seed's lr 0.1 on the summed squared error). fit runs it through the fused small-MLP kernel
 * where the backend has one (model/fused-mlp.ts).
 */
export function w2Fit(data: Mnist, seed = 0): WorkloadResult {
  manualSeed(seed);
  const x = data.train.images.narrow(0, 0, 1000);
  const y = oneHot(data.train.labels.narrow(0, 0, 1000), 10);
  const init = (t: Tensor): Tensor => nn.init.uniform_(t, -0.5, 0.5);
  const model = new nn.Sequential(
    new nn.Linear(784, 16, { weightInit: init, biasInit: init }), new nn.Tanh(),
    new nn.Linear(16, 10, { weightInit: init, biasInit: init }), new nn.Sigmoid(),
  );
  const trainer = compile(model, { optimizer: new SGD(model.parameters(), { lr: 1.0 }), loss: 'mse' });
  const t0 = performance.now();
  trainer.fit(x, y, { epochs: 10, batchSize: 1, shuffle: false, verbose: 0 });
  const seconds = (performance.now() - t0) / 1000;
  const xt = data.train.images.narrow(0, 1000, 1000);
  const yt = data.train.labels.narrow(0, 1000, 1000);
  return { seconds, samplesPerSec: 10000 / seconds, testAccuracy: testAccuracy(model, xt, yt) };
}

/** Timed passes over the test images per W5 run (bench/peers/torch_workloads.py uses the same number). */
export const W5_PASSES = 5;

/**
 * W5: inference of W1's network (784-256-256-10 ReLU; weights as initialised with the seed: inference cost
 * does not depend on them) over the 10,000 test images in batches of `batchSize`, without gradients.
 * Reports the time for all 10,000 (so µs/sample = seconds * 100), the median of W5_PASSES passes after
 * a warm-up pass; testAccuracy is NaN (untrained).
 */
export function w5(data: Mnist, batchSize: number, seed = 0): WorkloadResult {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
  model.eval();
  const x = data.test.images;
  const n = x.shape[0]!;
  const batches = Array.from({ length: Math.ceil(n / batchSize) }, (_, i) => x.narrow(0, i * batchSize, Math.min(batchSize, n - i * batchSize)).contiguous());
  const run = (): void => {
    noGrad(() => {
      for (const xb of batches) model.forward(xb);
    });
  };
  run(); // warm-up (JIT, allocations)
  // one pass of batch 1000 is ~20 ms: a single one is at the mercy of a moment's noise on shared cores
  const passes: number[] = [];
  for (let p = 0; p < W5_PASSES; p++) {
    const t0 = performance.now();
    run();
    passes.push((performance.now() - t0) / 1000);
  }
  const seconds = median(passes);
  return { seconds, samplesPerSec: n / seconds, testAccuracy: NaN };
}
