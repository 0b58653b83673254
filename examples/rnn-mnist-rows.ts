// MNIST with an LSTM: each image is read as a sequence of its 28 rows (28 steps of 28 pixels).
// nn.LSTM(28 -> 128, batch-first; only the final hidden state is kept) -> Linear(128 -> 10) logits,
// softmax cross-entropy, Adam lr 1e-3, batch 64, shuffled; PyTorch's default init. Prints the training
// loss, the test accuracy (10,000 test images) and the time of every epoch. This is the network of
// benchmark W4 (bench/w4.ts), trained longer.
//
// Run: npx tsx examples/rnn-mnist-rows.ts [--epochs 3] [--train-size 60000] [--seed 0]
// Expected (seed 0, all 60,000 images; ~4.8 minutes an epoch on this project's 2-core machine, ~15 minutes
// in all; progress every 200 batches):
//   epoch 1/3  loss 0.5031  test accuracy 0.9486  (292.7 s)
//   epoch 2/3  loss 0.1526  test accuracy 0.9671  (277.6 s)
//   epoch 3/3  loss 0.1033  test accuracy 0.9721  (287.3 s)
//   test accuracy: 0.972
// (PyTorch's nn.LSTM runs the same epoch ~18x faster here: see W4 in bench/README.md.)
import { manualSeed, noGrad } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';
import { DataLoader, TensorDataset } from '../src/data/index.ts';
import { accuracy } from '../src/metrics/index.ts';
import { loadMnistSync } from '../src/node/index.ts';
import { numberArg } from './s1-iris.ts';

/** The row-reading LSTM classifier. `returnSequences: false` makes the LSTM return its final hidden state [B, 128]. */
export function buildRowLstm(hidden = 128): nn.Sequential {
  return new nn.Sequential(new nn.LSTM(28, hidden, { batchFirst: true, returnSequences: false }), new nn.Linear(hidden, 10));
}

/** Images [n, 784] as row sequences [n, 28, 28] (batch-first: [B, T, F]). */
export function asRows(images: Tensor): Tensor {
  return images.reshape([images.shape[0]!, 28, 28]).contiguous();
}

/** Accuracy over [n, 28, 28] in chunks (no gradients). */
export function evaluate(model: nn.Module, x: Tensor, y: Tensor, chunk = 1000): number {
  model.eval();
  const n = x.shape[0]!;
  const preds: number[] = [];
  noGrad(() => {
    for (let i = 0; i < n; i += chunk) preds.push(...model.forward(x.narrow(0, i, Math.min(chunk, n - i))).argmax(1).contiguousData());
  });
  model.train();
  return accuracy(y, preds);
}

export interface RowsOptions {
  epochs?: number;
  trainSize?: number;
  testSize?: number;
  seed?: number;
  log?: (s: string) => void;
}

export function runMnistRows(opts: RowsOptions = {}): { testAccuracy: number; epochs: { loss: number; testAccuracy: number; seconds: number }[] } {
  const { epochs = 3, trainSize = 60000, testSize = 10000, seed = 0, log = console.log } = opts;
  const data = loadMnistSync({ trainSize, testSize });
  const xTrain = asRows(data.train.images);
  const xTest = asRows(data.test.images);
  manualSeed(seed);
  const model = buildRowLstm();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const loader = new DataLoader(new TensorDataset(xTrain, data.train.labels), { batchSize: 64, shuffle: true });
  const batches = Math.ceil(xTrain.shape[0]! / 64);
  const out: { loss: number; testAccuracy: number; seconds: number }[] = [];
  for (let e = 1; e <= epochs; e++) {
    const t0 = performance.now();
    let sum = 0;
    let n = 0;
    let i = 0;
    for (const [xb, yb] of loader) {
      const loss = nn.crossEntropy(model.forward(xb!), yb!);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sum += loss.item() * xb!.shape[0]!;
      n += xb!.shape[0]!;
      if (++i % 200 === 0) log(`  batch ${i}/${batches}  loss ${(sum / n).toFixed(4)}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const acc = evaluate(model, xTest, data.test.labels);
    out.push({ loss: sum / n, testAccuracy: acc, seconds });
    log(`epoch ${e}/${epochs}  loss ${(sum / n).toFixed(4)}  test accuracy ${acc.toFixed(4)}  (${seconds.toFixed(1)} s)`);
  }
  return { testAccuracy: out.at(-1)!.testAccuracy, epochs: out };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const epochs = numberArg('epochs', 3);
  const trainSize = numberArg('train-size', 60000);
  const seed = numberArg('seed', 0);
  console.log(`LSTM(28 -> 128) over the 28 rows + Linear(128 -> 10); Adam 1e-3, batch 64; ${trainSize} training images, ${epochs} epoch(s)`);
  const r = runMnistRows({ epochs, trainSize, seed });
  console.log(`test accuracy: ${r.testAccuracy.toFixed(3)}`);
}
