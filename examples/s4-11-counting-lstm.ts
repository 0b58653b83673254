// S4-11 (the notebook's answer to exploding gradients) — an LSTM that counts the ones of a binary
// sequence: nn.LSTM(1 -> 12) over the sequence, its final hidden state -> Linear(12 -> 1) -> the count.
// Trained on random binary sequences of lengths 10-40 (each with its own rate of ones p ~ U(0.1, 0.9),
// so the counts run from 0 to ~36), padded in batches of 32 with `lengths` (PyTorch's packed
// sequences: steps past an item's length leave its state alone); MSE on count/10, Adam lr 0.01,
// gradient norm clipped to 1.
//
// Run: npx tsx examples/s4-11-counting-lstm.ts [--steps 600] [--hidden 12] [--seed 0] [--out out]
// Plots the training MSE and the weight matrices' mean |dW| (GradientRecorder) to out/s4-11-lstm-training.png.
// Expected (seed 0; trains in ~7 s): the training MSE (counts², mean of every 50 steps) falls
//   66.2 (steps 1-50) -> 1.31 (150) -> 0.10 (400) -> 0.065 (600), then
//   test MSE (1,000 new sequences, lengths 10-40): 0.023 counts²   (RMSE 0.15 of a count)
//   six sequences with their counts and predictions (e.g. length 34, 12 ones: 11.98; 20 zeros: 0.45),
//   the notebook's 40-element sequence (y = 12), where the scalar RNN of examples/s4-11-counting-rnn.ts
//   exploded: predicted 12.01,
//   and, outside the training distribution, forty ones: 36.78 (training counts rarely pass ~36: the
//   tanh of the LSTM's output saturates), forty zeros: 0.74.
import { Tensor, manualSeed, noGrad, rand, randint, tensor, zeros } from '../src/index.ts';
import type { Generator } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam, clipGradNorm } from '../src/optim/index.ts';
import { GradientRecorder, gradientMagnitudes, hconcat, linePlot } from '../src/plot/index.ts';
import { writePlot } from './plot-out.ts';
import { NOTEBOOK_LONG } from './s4-11-counting-rnn.ts';
import { numberArg } from './s1-iris.ts';

/** The model predicts count / SCALE, so its targets are of order 1. */
const SCALE = 10;

/** LSTM over a [T, B, 1] sequence; the hidden state after each item's last step -> Linear -> its count. */
export class CountingLstm extends nn.Module {
  lstm: nn.LSTM;
  head: nn.Linear;
  constructor(hidden = 12) {
    super();
    this.lstm = new nn.LSTM(1, hidden);
    this.head = new nn.Linear(hidden, 1);
  }
  /** Counts for a padded batch x [T, B, 1] whose items have `lengths` (all T when omitted). */
  countPadded(x: Tensor, lengths?: number[]): Tensor {
    const { state } = this.lstm.forwardWithState(x, undefined, lengths ? { lengths } : {});
    return this.head.forward(state.h.select(0, 0)).reshape([-1]).mul(SCALE);
  }
  forward(x: Tensor): Tensor {
    return this.countPadded(x);
  }
}

export interface CountingBatch {
  /** [T, B, 1], zero after each item's length. */
  x: Tensor;
  lengths: number[];
  /** The number of ones of each item, [B]. */
  y: Tensor;
}

/** B random binary sequences with lengths in [minLen, maxLen], each with its own p ~ U(0.1, 0.9). */
export function randomCountingBatch(batch: number, minLen: number, maxLen: number, generator?: Generator): CountingBatch {
  const g = generator ? { generator } : {};
  const lengths = Array.from(randint(minLen, maxLen + 1, [batch], g).contiguousData());
  const T = Math.max(...lengths);
  const p = rand([1, batch, 1], g).mul(0.8).add(0.1);
  const steps = tensor(Array.from({ length: T }, (_, t) => lengths.map((n) => t < n)));
  const x = rand([T, batch, 1], g).lt(p).float().mul(steps.float().reshape([T, batch, 1]));
  return { x, lengths, y: x.sum([0, 2]) };
}

/** One sequence as a [T, 1, 1] batch. */
export function sequenceBatch(seq: number[]): Tensor {
  return tensor(seq).reshape([seq.length, 1, 1]);
}

export interface CountingOptions {
  steps?: number;
  hidden?: number;
  batch?: number;
  minLen?: number;
  maxLen?: number;
  lr?: number;
  seed?: number;
  log?: (s: string) => void;
  logEvery?: number;
  /** Records the layers' mean |dW| after each backward (before clipping), if given. */
  recorder?: GradientRecorder;
}

export interface CountingResult {
  model: CountingLstm;
  /** Training MSE (counts²) averaged over each `logEvery` steps. */
  trainMse: number[];
  /** MSE (counts²) on 1,000 new sequences of the training lengths. */
  testMse: number;
  seconds: number;
}

/** Mean squared error in counts² of the model on a batch. */
export function countingMse(model: CountingLstm, b: CountingBatch): number {
  return noGrad(() => model.countPadded(b.x, b.lengths).sub(b.y).square().mean().item());
}

export function trainCounting(opts: CountingOptions = {}): CountingResult {
  const { steps = 600, hidden = 12, batch = 32, minLen = 10, maxLen = 40, lr = 0.01, seed = 0, log = () => {}, logEvery = 50, recorder } = opts;
  manualSeed(seed);
  const model = new CountingLstm(hidden);
  const opt = new Adam(model.parameters(), { lr });
  const trainMse: number[] = [];
  let acc = 0;
  const t0 = performance.now();
  for (let s = 1; s <= steps; s++) {
    const b = randomCountingBatch(batch, minLen, maxLen);
    // MSE on count / SCALE (targets of order 1); reported in counts².
    const loss = nn.mseLoss(model.countPadded(b.x, b.lengths).div(SCALE), b.y.div(SCALE));
    opt.zeroGrad();
    loss.backward();
    recorder?.record(model);
    clipGradNorm(model.parameters(), 1);
    opt.step();
    acc += loss.item() * SCALE * SCALE;
    if (s % logEvery === 0) {
      trainMse.push(acc / logEvery);
      log(`  step ${String(s).padStart(4)}  train MSE ${(acc / logEvery).toFixed(3)}`);
      acc = 0;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const testMse = countingMse(model, randomCountingBatch(1000, minLen, maxLen));
  return { model, trainMse, testMse, seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const steps = numberArg('steps', 600);
  const hidden = numberArg('hidden', 12);
  const seed = numberArg('seed', 0);
  console.log(`LSTM(1 -> ${hidden}) + Linear(${hidden} -> 1), ${steps} steps of 32 random sequences (lengths 10-40), Adam 0.01, clip 1`);
  const recorder = new GradientRecorder({ every: 50 });
  const r = trainCounting({ steps, hidden, seed, log: console.log, recorder });
  console.log(`trained in ${r.seconds.toFixed(1)} s`);
  console.log(`test MSE (1,000 new sequences, lengths 10-40): ${r.testMse.toFixed(3)} counts²`);
  const show = randomCountingBatch(6, 10, 40);
  const pred = noGrad(() => r.model.countPadded(show.x, show.lengths).contiguousData());
  const truth = show.y.contiguousData();
  for (let i = 0; i < 6; i++) {
    const seq = Array.from(show.x.select(1, i).reshape([-1]).narrow(0, 0, show.lengths[i]!).contiguousData()).join('');
    console.log(`  ${seq.padEnd(40)}  length ${String(show.lengths[i]).padStart(2)}  ones ${String(truth[i]).padStart(2)}  predicted ${pred[i]!.toFixed(2)}`);
  }
  const long = noGrad(() => r.model.forward(sequenceBatch(NOTEBOOK_LONG)).item());
  console.log(`the notebook's 40-element sequence (y = 12, where the scalar RNN exploded): predicted ${long.toFixed(2)}`);
  const ones = noGrad(() => r.model.forward(sequenceBatch(new Array(40).fill(1))).item());
  const none = noGrad(() => r.model.forward(zeros([40, 1, 1])).item());
  console.log(`forty ones: ${ones.toFixed(2)}, forty zeros: ${none.toFixed(2)}`);
  await writePlot('s4-11-lstm-training.png', hconcat(
    linePlot({ 'train MSE': { x: r.trainMse.map((_, i) => (i + 1) * 50), y: r.trainMse } }, { logY: true, xTitle: 'step', yTitle: 'MSE (counts², log)', title: 'LSTM counting: training MSE (mean of 50 steps)' }),
    gradientMagnitudes(recorder, { view: 'training', title: 'mean |dW| per weight matrix (before clipping)' }),
  ));
}
