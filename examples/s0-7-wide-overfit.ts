// S0-7 — wider instead of deeper: the seed's 784-256(sigmoid)-256(sigmoid)-10(sigmoid) net on its MNIST
// sample (2,000 random images, Min-Max scaled, 50/50 split: 1,000 to train, 1,000 to test; `seedData`
// from S0-2), the seed's U(-0.5, 0.5) init, squared-error loss with the 2(ŷ − y) gradient, per-sample
// SGD, lr 0.1, 20 epochs. The training error keeps falling, but test accuracy stays well below train
// accuracy: the net has capacity to spare and overfits its 1,000 images. S0-8 adds L2 to the same run.
//
// Run: npx tsx examples/s0-7-wide-overfit.ts [--epochs 20] [--seed 123]
// Expected (seed 123, 20 epochs; about 35 s alone on this machine, 57-59 s measured with S0-7 and S0-8 running at once):
//   epoch 1/20   error=0.068203  ...  epoch 20/20   error=0.002253
//   train accuracy: 0.985
//   test accuracy: 0.888
//   gap (train − test): 0.097
import { manualSeed, noGrad } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { SGD } from '../src/optim/index.ts';
import { DataLoader, TensorDataset, oneHot } from '../src/data/index.ts';
import { accuracy } from '../src/metrics/index.ts';
import { seedData } from './s0-2-mnist-from-scratch.ts';

export interface WideOptions {
  epochs?: number;
  lr?: number;
  /** L2 coefficient λ added inside backprop to the weights' gradient (dW += λ·W); 0 = S0-7. */
  lambda?: number;
  samples?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface WideResult {
  trainAcc: number;
  testAcc: number;
  errors: number[];
  seconds: number;
}

/** The seed's wide net: three dense layers with sigmoids, every weight and bias U(-0.5, 0.5). */
export function buildWideNet(): nn.Sequential {
  const u = (t: Tensor): Tensor => nn.init.uniform_(t, -0.5, 0.5);
  const dense = (i: number, o: number): nn.Linear => new nn.Linear(i, o, { weightInit: u, biasInit: u });
  return new nn.Sequential(dense(784, 256), new nn.Sigmoid(), dense(256, 256), new nn.Sigmoid(), dense(256, 10), new nn.Sigmoid());
}

/** Trains the wide net (with L2 on the weights when lambda > 0) and returns train/test accuracy. */
export function runWide(opts: WideOptions = {}): WideResult {
  const { epochs = 20, lr = 0.1, lambda = 0, samples = 2000, seed = 123, log } = opts;
  const { xTrain, yTrain, xTest, yTest } = seedData(samples, seed);
  manualSeed(seed);
  const net = buildWideNet();
  // The seed's L2 touches the weights only (bias -= lr·δ unchanged): two param groups.
  const named = [...net.namedParameters()];
  const weights = named.filter(([n]) => n.endsWith('weight')).map(([, p]) => p);
  const biases = named.filter(([n]) => !n.endsWith('weight')).map(([, p]) => p);
  const opt = new SGD([{ params: weights, weightDecay: lambda }, { params: biases, weightDecay: 0 }], { lr });
  const loader = new DataLoader(new TensorDataset(xTrain, oneHot(yTrain, 10)), { batchSize: 1 });
  const errors: number[] = [];
  const t0 = performance.now();
  for (let e = 1; e <= epochs; e++) {
    let sum = 0;
    let n = 0;
    for (const [xb, yb] of loader) {
      const loss = nn.mseLoss(net.forward(xb!), yb!, 'sum'); // gradient 2(ŷ − y), as the seed's mse_prime
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sum += loss.item() / 10; // the seed prints the mean over the 10 outputs
      n++;
    }
    errors.push(sum / n);
    log?.(`epoch ${e}/${epochs}   error=${(sum / n).toFixed(6)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const predict = (x: Tensor): Tensor => noGrad(() => net.forward(x).argmax(1));
  return { trainAcc: accuracy(yTrain, predict(xTrain)), testAcc: accuracy(yTest, predict(xTest)), errors, seconds };
}

export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}

export function report(r: WideResult): void {
  console.log(`train accuracy: ${r.trainAcc.toFixed(3)}`);
  console.log(`test accuracy: ${r.testAcc.toFixed(3)}`);
  console.log(`gap (train − test): ${(r.trainAcc - r.testAcc).toFixed(3)}`);
  console.log(`training time: ${r.seconds.toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  report(runWide({ epochs: numberArg('epochs', 20), seed: numberArg('seed', 123), log: console.log }));
}
