// W3 of shared/workloads.md on neurona: the seed's Mnist_CNN, SGD momentum 0.9 lr 0.01, batch 64,
// one epoch over the first 10,000 training images (timing excludes data loading).
import { manualSeed, noGrad } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { SGD } from '../src/optim/index.ts';
import { DataLoader, TensorDataset } from '../src/data/index.ts';
import { accuracy } from '../src/metrics/index.ts';
import type { Mnist } from '../src/datasets/index.ts';
import type { WorkloadResult } from './workloads.ts';

/** The seed's Mnist_CNN: conv 1->32, conv 32->32, maxpool 2, conv 32->2, flatten 200, linear 50, linear 10. */
export function mnistCnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3), new nn.ReLU(), new nn.Conv2d(32, 32, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 2, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(200, 50), new nn.ReLU(), new nn.Linear(50, 10),
  );
}

export function w3(data: Mnist, seed = 0): WorkloadResult {
  manualSeed(seed);
  const model = mnistCnn();
  const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = data.train.images.narrow(0, 0, 10000).reshape([-1, 1, 28, 28]);
  const y = data.train.labels.narrow(0, 0, 10000);
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true });
  const t0 = performance.now();
  for (const [xb, yb] of loader) {
    const loss = nn.crossEntropy(model.forward(xb!), yb!);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  const seconds = (performance.now() - t0) / 1000;
  model.eval();
  const xt = data.test.images.reshape([-1, 1, 28, 28]);
  const preds: number[] = [];
  noGrad(() => {
    for (let i = 0; i < xt.shape[0]!; i += 500) preds.push(...model.forward(xt.narrow(0, i, Math.min(500, xt.shape[0]! - i))).argmax(1).contiguousData());
  });
  return { seconds, samplesPerSec: 10000 / seconds, testAccuracy: accuracy(data.test.labels, preds) };
}
