// W3 of shared/workloads.md on neurona: the seed's Mnist_CNN, SGD momentum 0.9 lr 0.01, batch 64,
// one epoch over the first 10,000 training images (timing excludes data loading).
import { manualSeed } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { SGD } from '../src/optim/index.ts';
import type { Mnist } from '../src/datasets/index.ts';
import { classificationEpoch } from './workloads.ts';
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
  return classificationEpoch(model, opt, x, y, data.test.images.reshape([-1, 1, 28, 28]), data.test.labels);
}
