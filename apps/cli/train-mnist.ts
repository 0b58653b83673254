// `neurona train mnist`: trains an MLP on MNIST with a plain training loop, reporting per step and
// per epoch, then evaluates on the test set.
import { Tensor, manualSeed, noGrad } from '../../src/index.ts';
import * as nn from '../../src/nn/index.ts';
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD } from '../../src/optim/index.ts';
import type { Optimizer } from '../../src/optim/index.ts';
import { DataLoader, TensorDataset } from '../../src/data/index.ts';
import { accuracy, confusionMatrix } from '../../src/metrics/index.ts';
import { loadMnistSync } from '../../src/node/index.ts';
import { predict } from '../../src/model/index.ts';
import { ValueError } from '../../src/core/index.ts';

export interface TrainMnistOptions {
  hidden: number[];
  activation: string;
  optimizer: string;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
  trainSize?: number;
  testSize?: number;
}

export const defaultTrainMnistOptions: TrainMnistOptions = {
  hidden: [256, 256],
  activation: 'relu',
  optimizer: 'adam',
  lr: 1e-3,
  batchSize: 64,
  epochs: 3,
  seed: 0,
};

/** What a training run reports as it goes (the CLI draws a progress bar from it). */
export interface TrainReporter {
  epochStart?(epoch: number, epochs: number, steps: number): void;
  /** `loss` and `accuracy` are running means over the epoch; `batchLoss` is this step's loss. */
  step?(info: { step: number; steps: number; loss: number; batchLoss: number; accuracy: number; samplesPerSec: number }): void;
  epochEnd?(info: EpochInfo): void;
}

export interface EpochInfo {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  seconds: number;
  samplesPerSec: number;
  rssMB: number;
}

export interface TrainMnistResult {
  model: nn.Sequential;
  epochs: EpochInfo[];
  testAccuracy: number;
  confusion: Tensor;
  /** The test images [n, 784] and labels [n] evaluated, and the predicted classes [n]. */
  test: { images: Tensor; labels: Tensor };
  predictions: Tensor;
  /** Every step's batch loss, in order (for curves and sparklines). */
  stepLosses: number[];
}

const activations: Record<string, () => nn.Module> = {
  relu: () => new nn.ReLU(),
  tanh: () => new nn.Tanh(),
  sigmoid: () => new nn.Sigmoid(),
  elu: () => new nn.ELU(),
  selu: () => new nn.SELU(),
  gelu: () => new nn.GELU(),
  leakyRelu: () => new nn.LeakyReLU(),
};

const optimizers: Record<string, (p: nn.Parameter[], lr: number) => Optimizer> = {
  sgd: (p, lr) => new SGD(p, { lr }),
  momentum: (p, lr) => new SGD(p, { lr, momentum: 0.9 }),
  adam: (p, lr) => new Adam(p, { lr }),
  adamw: (p, lr) => new AdamW(p, { lr }),
  rmsprop: (p, lr) => new RMSprop(p, { lr }),
  adagrad: (p, lr) => new Adagrad(p, { lr }),
  adadelta: (p, lr) => new Adadelta(p, { lr }),
};

/** An MLP 784 -> hidden... -> 10 (logits). */
export function buildMlp(hidden: number[], activation: string): nn.Sequential {
  const act = activations[activation];
  if (!act) throw new ValueError(`train mnist: an activation among ${Object.keys(activations).join(', ')}; got '${activation}'`);
  const layers: nn.Module[] = [];
  let inF = 784;
  for (const h of hidden) {
    layers.push(new nn.Linear(inF, h), act());
    inF = h;
  }
  layers.push(new nn.Linear(inF, 10));
  return new nn.Sequential(...layers);
}

/** Trains and evaluates; throws a clear error if the loss turns NaN. */
export function trainMnist(opts: TrainMnistOptions, reporter: TrainReporter = {}): TrainMnistResult {
  const makeOpt = optimizers[opts.optimizer];
  if (!makeOpt) throw new ValueError(`train mnist: an optimizer among ${Object.keys(optimizers).join(', ')}; got '${opts.optimizer}'`);
  manualSeed(opts.seed);
  const data = loadMnistSync({ trainSize: opts.trainSize, testSize: opts.testSize });
  const model = buildMlp(opts.hidden, opts.activation);
  const optimizer = makeOpt(model.parameters(), opts.lr);
  const loader = new DataLoader(new TensorDataset(data.train.images, data.train.labels), { batchSize: opts.batchSize, shuffle: true });
  const history: EpochInfo[] = [];
  const stepLosses: number[] = [];
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    model.train();
    const steps = loader.length;
    reporter.epochStart?.(epoch, opts.epochs, steps);
    const t0 = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let step = 0;
    for (const [xb, yb] of loader) {
      step++;
      const logits = model.forward(xb!);
      const loss = nn.crossEntropy(logits, yb!);
      nn.checkFiniteLoss(loss, `epoch ${epoch}, step ${step}`);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      const n = yb!.size;
      const batchLoss = loss.item();
      stepLosses.push(batchLoss);
      lossSum += batchLoss * n;
      correct += noGrad(() => logits.argmax(1).eq(yb!).sum().item());
      seen += n;
      reporter.step?.({ step, steps, loss: lossSum / seen, batchLoss, accuracy: correct / seen, samplesPerSec: seen / ((performance.now() - t0) / 1000) });
    }
    const seconds = (performance.now() - t0) / 1000;
    const info: EpochInfo = {
      epoch, epochs: opts.epochs, loss: lossSum / seen, accuracy: correct / seen, seconds, samplesPerSec: seen / seconds,
      rssMB: process.memoryUsage().rss / 2 ** 20,
    };
    history.push(info);
    reporter.epochEnd?.(info);
  }
  const preds = (predict(model, data.test.images, { batchSize: 1000 }) as Tensor).argmax(1);
  return {
    model,
    epochs: history,
    testAccuracy: accuracy(data.test.labels, preds),
    confusion: confusionMatrix(data.test.labels, preds, 10),
    test: data.test,
    predictions: preds,
    stepLosses,
  };
}
