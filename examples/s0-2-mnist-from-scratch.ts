// S0-2 — the seed's from-scratch MNIST network, redone with neurona.
// 2,000 random training images, Min-Max scaled, split 50/50; one-hot targets; 784-16(tanh)-10(sigmoid)
// with the seed's U(-0.5, 0.5) init, squared-error loss (gradient 2(ŷ − y) as the seed's mse_prime), per-sample SGD (batch size 1), lr 0.1, 10 epochs.
// Prints the loss per epoch, the confusion matrix and the test accuracy.
//
// Run: npx tsx examples/s0-2-mnist-from-scratch.ts
// Expected (seed 123): the error falls every epoch, 0.076 -> 0.011, then the confusion matrix and
//   test accuracy: 0.834   (the seed's numpy network gets about the same, ~0.83-0.87 by its random sample)
import { Tensor, manualSeed, noGrad, randperm } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { SGD } from '../src/optim/index.ts';
import { DataLoader, MinMaxScaler, TensorDataset, oneHot, trainTestSplit } from '../src/data/index.ts';
import { accuracy, confusionMatrix, formatConfusionMatrix } from '../src/metrics/index.ts';
import { loadMnistSync } from '../src/node/index.ts';

export interface S02Options {
  samples?: number;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  /** The seed's FCLayer init U(-0.5, 0.5); 'zeros' reproduces S0-3. */
  init?: 'uniform' | 'zeros';
  log?: (line: string) => void;
}

/** Loads and prepares the seed's data: random sample, Min-Max scaling, 50/50 split, one-hot targets. */
export function seedData(samples: number, seed: number): { xTrain: Tensor; yTrain: Tensor; xTest: Tensor; yTest: Tensor } {
  manualSeed(seed);
  const mnist = loadMnistSync();
  const pick = randperm(mnist.train.images.shape[0]!).narrow(0, 0, samples);
  const x = new MinMaxScaler().fitTransform(mnist.train.images.indexSelect(0, pick));
  const y = mnist.train.labels.indexSelect(0, pick);
  const { train, test } = trainTestSplit([x, y], { testSize: 0.5 });
  return { xTrain: train[0]!, yTrain: train[1]!, xTest: test[0]!, yTest: test[1]! };
}

export function buildSeedNet(init: 'uniform' | 'zeros'): nn.Sequential {
  const i = init === 'zeros' ? (t: Tensor) => nn.init.zeros_(t) : (t: Tensor) => nn.init.uniform_(t, -0.5, 0.5);
  return new nn.Sequential(
    new nn.Linear(784, 16, { weightInit: i, biasInit: i }),
    new nn.Tanh(),
    new nn.Linear(16, 10, { weightInit: i, biasInit: i }),
    new nn.Sigmoid(),
  );
}

/** Trains the seed's network and returns its test predictions and accuracy. */
export function runS02(opts: S02Options = {}): { accuracy: number; predictions: number[]; losses: number[]; yTest: Tensor; yTrain: Tensor } {
  const { samples = 2000, epochs = 10, lr = 0.1, batchSize = 1, seed = 123, init = 'uniform', log = console.log } = opts;
  const { xTrain, yTrain, xTest, yTest } = seedData(samples, seed);
  const model = buildSeedNet(init);
  const opt = new SGD(model.parameters(), { lr });
  const loader = new DataLoader(new TensorDataset(xTrain, oneHot(yTrain, 10)), { batchSize, shuffle: batchSize > 1 });
  const losses: number[] = [];
  for (let e = 1; e <= epochs; e++) {
    let sum = 0;
    let n = 0;
    for (const [xb, yb] of loader) {
      // The seed's loss: squared error summed over the 10 outputs (its derivative is 2(ŷ − y), no
      // division by 10), averaged over the batch; it prints the mean over outputs.
      const b = xb!.shape[0]!;
      const loss = nn.mseLoss(model.forward(xb!), yb!, 'sum').div(b);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sum += (loss.item() * b) / 10;
      n += b;
    }
    losses.push(sum / n);
    log(`epoch ${e}/${epochs}   error=${(sum / n).toFixed(6)}`);
  }
  const predictions = Array.from(noGrad(() => model.forward(xTest).argmax(1)).contiguousData());
  return { accuracy: accuracy(yTest, predictions), predictions, losses, yTest, yTrain };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runS02();
  console.log('\nconfusion matrix for the ANN model');
  console.log(formatConfusionMatrix(confusionMatrix(r.yTest, r.predictions, 10)));
  console.log(`test accuracy: ${r.accuracy.toFixed(3)}`);
}
