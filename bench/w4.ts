// W4 of shared/workloads.md on neurona: an LSTM over MNIST rows (28 steps of 28 pixels, batch-first),
// hidden 128, the last hidden state -> Linear 10, softmax cross-entropy, Adam lr 1e-3, batch 64
// (shuffled), one epoch over the first 10,000 training images. Timing excludes data loading; the test
// accuracy (on the 10,000 test images, after the epoch) is a sanity check, not part of the time.
//
// Run one measurement: flock /tmp/bench.lock npx tsx bench/neurona-entry.ts w4
// or alone:            flock /tmp/bench.lock npx tsx bench/w4.ts
import { manualSeed } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';
import type { Mnist } from '../src/datasets/index.ts';
import { loadMnistSync } from '../src/node/index.ts';
import { classificationEpoch } from './workloads.ts';
import type { WorkloadResult } from './workloads.ts';

export const W4_TRAIN = 10000;

/** LSTM(28 -> 128, batch-first, last hidden state only) -> Linear(128 -> 10); PyTorch's default init. */
export function w4Model(): nn.Sequential {
  return new nn.Sequential(new nn.LSTM(28, 128, { batchFirst: true, returnSequences: false }), new nn.Linear(128, 10));
}

export function w4(data: Mnist, seed = 0): WorkloadResult {
  manualSeed(seed);
  const model = w4Model();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = data.train.images.narrow(0, 0, W4_TRAIN).reshape([W4_TRAIN, 28, 28]).contiguous();
  const y = data.train.labels.narrow(0, 0, W4_TRAIN).contiguous();
  return classificationEpoch(model, opt, x, y, data.test.images.reshape([-1, 28, 28]), data.test.labels);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify({ workload: 'W4', ...w4(loadMnistSync({ trainSize: W4_TRAIN })) })}\n`);
}
