// S4-7 — the seed's Mnist_CNN (conv 1->32, conv 32->32, maxpool 2, conv 32->2, flatten 200, linear 50,
// linear 10) trained with a `fit` that records the mean and std of the batch losses per epoch for
// training and validation (the seed's learning-curve table), then a classification report on the
// 10,000 test images. The seed finds SGD with momentum underfits where Adadelta learns.
//
// Draws the seed's learning-curve plot: mean ± std of the batch losses per epoch, train and validation
// (out/s4-7-learning-curves.png; `--out DIR` elsewhere).
//
// Run: npx tsx examples/s4-7-mnist-cnn.ts [--optimizer adadelta|adam|sgd] [--epochs 2] [--train-size 60000] [--test-size 10000] [--out out]
// Expected (seed 0, adadelta lr 1.0, 2 epochs on 55,000 images, ~300 s per epoch here):
//   epoch | train loss mean ± std | valid loss mean ± std | seconds
//       1 | 0.2431 ± 0.3355       | 0.1662 ± 0.0463       | 300
//       2 | 0.0822 ± 0.0598       | 0.0600 ± 0.0420       | 300
// then the classification report (macro F1 0.980) and `test accuracy: 0.981`.
import { manualSeed, noGrad, Tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adadelta, Adam, SGD } from '../src/optim/index.ts';
import type { Optimizer } from '../src/optim/index.ts';
import { DataLoader, TensorDataset } from '../src/data/index.ts';
import { classificationReport } from '../src/metrics/index.ts';
import { predict } from '../src/model/index.ts';
import { loadMnistSync } from '../src/node/index.ts';
import { learningCurves } from '../src/plot/index.ts';
import { mnistCnn } from '../bench/w3.ts';
import { writePlot } from './plot-out.ts';

const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? d : d;
};
const optName = arg('optimizer', 'adadelta');
const epochs = Number(arg('epochs', '2'));
const trainSize = Number(arg('train-size', '60000'));
const testSize = Number(arg('test-size', '10000'));
manualSeed(0);

const { train, test } = loadMnistSync({ trainSize, testSize });
const nVal = Math.floor(trainSize / 12);
const x = train.images.reshape([-1, 1, 28, 28]);
const xTrain = x.narrow(0, 0, trainSize - nVal);
const yTrain = train.labels.narrow(0, 0, trainSize - nVal);
const xVal = x.narrow(0, trainSize - nVal, nVal);
const yVal = train.labels.narrow(0, trainSize - nVal, nVal);

const model = mnistCnn();
const makers: Record<string, () => Optimizer> = {
  adadelta: () => new Adadelta(model.parameters(), { lr: 1.0 }),
  adam: () => new Adam(model.parameters(), { lr: 1e-3 }),
  sgd: () => new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }),
};
const opt = (makers[optName] ?? makers.adadelta!)();

const meanStd = (v: number[]): [number, number] => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length)];
};

console.log(`Mnist_CNN, ${optName}, ${epochs} epoch(s), ${xTrain.shape[0]} training / ${nVal} validation images`);
console.log('epoch | train loss mean ± std | valid loss mean ± std | seconds');
// The seed's table, as the learning-curve plot reads it (`<key>_std` arrays draw the bands).
const table: Record<string, number[]> = { loss: [], loss_std: [], val_loss: [], val_loss_std: [] };
for (let e = 1; e <= epochs; e++) {
  const t0 = performance.now();
  model.train();
  const losses: number[] = [];
  for (const [xb, yb] of new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 64, shuffle: true })) {
    const loss = nn.crossEntropy(model.forward(xb!), yb!);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  model.eval();
  const vl: number[] = [];
  noGrad(() => {
    for (const [xb, yb] of new DataLoader(new TensorDataset(xVal, yVal), { batchSize: 500 })) vl.push(nn.crossEntropy(model.forward(xb!), yb!).item());
  });
  const [tm, ts] = meanStd(losses);
  const [vm, vs] = meanStd(vl);
  table.loss!.push(tm);
  table.loss_std!.push(ts);
  table.val_loss!.push(vm);
  table.val_loss_std!.push(vs);
  console.log(`${String(e).padStart(5)} | ${tm.toFixed(4)} ± ${ts.toFixed(4)}       | ${vm.toFixed(4)} ± ${vs.toFixed(4)}       | ${((performance.now() - t0) / 1000).toFixed(0)}`);
}

await writePlot('s4-7-learning-curves.png', learningCurves(table, { title: `S4-7: Mnist_CNN with ${optName}, batch loss per epoch (mean ± std)` }));

const preds = Array.from((predict(model, test.images.reshape([-1, 1, 28, 28]), { batchSize: 500 }) as Tensor).argmax(1).contiguousData());
console.log(classificationReport(test.labels, preds, { digits: 3 }));
const acc = preds.filter((p, i) => p === (test.labels.contiguousData()[i] as number)).length / preds.length;
console.log(`test accuracy: ${acc.toFixed(3)}`);
