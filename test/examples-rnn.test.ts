// The recurrent examples still show what they claim (small configurations; a few seconds in all):
// the notebook's scalar RNN (S4-11) with hand-written BPTT learns U = W = 1 from a batch of short
// sequences, explodes on the notebook's 40-element sequence and stays finite with gradient clipping;
// an nn.LSTM learns to count ones; a GRU beats the naive forecast of a seasonal series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../src/index.ts';
import {
  NOTEBOOK_LONG, NOTEBOOK_SHORT, autogradGradients, backwardStep, batchOf, explosionEpoch, forwardStep, randomSequences, train,
} from '../examples/s4-11-counting-rnn.ts';
import { trainCounting } from '../examples/s4-11-counting-lstm.ts';
import { runTimeSeries } from '../examples/rnn-time-series.ts';

test('S4-11: the hand-written BPTT gradient equals autograd on the same forward', () => {
  for (const [seqs, U, W] of [[[NOTEBOOK_SHORT], -2, 1], [[NOTEBOOK_LONG], -2.1, -0.87], [[NOTEBOOK_SHORT, [1, 0, 1, 1, 0, 0, 1, 1, 1, 0]], 0.3, 0.9]] as const) {
    const { x, y } = batchOf(seqs.map((s) => [...s]));
    const hand = backwardStep(x, forwardStep(x, U, W), y, W);
    const auto = autogradGradients(x, y, U, W);
    assert.ok(Math.abs(hand.dU - auto.dU) <= 1e-9 * Math.max(1, Math.abs(auto.dU)), `dU ${hand.dU} vs ${auto.dU}`);
    assert.ok(Math.abs(hand.dW - auto.dW) <= 1e-9 * Math.max(1, Math.abs(auto.dW)), `dW ${hand.dW} vs ${auto.dW}`);
  }
});

test("S4-11: the notebook's own short run (one sequence, from (-2, 1)) reproduces numpy's result and does not reach U = W = 1", () => {
  const { x, y } = batchOf([NOTEBOOK_SHORT]);
  const r = train(x, y, { epochs: 150, lr: 0.0005, weights: [-2, 1] });
  // The notebook's numpy code prints (-1.9176422225755412, 0.03761011668515507).
  assert.ok(Math.abs(r.U - -1.9176422225755412) < 1e-9 && Math.abs(r.W - 0.03761011668515507) < 1e-9, `(${r.U}, ${r.W})`);
});

test('S4-11: on a batch of short sequences the scalar RNN learns U and W within 0.1 of 1', () => {
  manualSeed(6202);
  const { x, y } = randomSequences(16, 10);
  const r = train(x, y, { epochs: 8000, lr: 0.0005, weights: [-2, 1], stopWithin: 0.1 });
  assert.ok(r.reachedAt > 0, `(U, W) = (${r.U}, ${r.W}) after ${r.losses.length} epochs`);
  assert.ok(Math.abs(r.U - 1) < 0.1 && Math.abs(r.W - 1) < 0.1);
});

test('S4-11: on the 40-element sequence the gradients explode (epoch 24, NaN later); clipping keeps it finite', () => {
  const { x, y } = batchOf([NOTEBOOK_LONG]);
  const r = train(x, y, { epochs: 150, lr: 0.0005, weights: [-2, 0] });
  assert.equal(explosionEpoch(r), 24);
  assert.ok(Math.abs(r.ws[23]! - -0.8751) < 1e-3 && r.ws[24]! < -1, `W ${r.ws[23]} -> ${r.ws[24]}`);
  assert.ok(r.losses.some((l) => !Number.isFinite(l)) && Number.isNaN(r.U) && Number.isNaN(r.W));

  const c = train(x, y, { epochs: 150, lr: 0.01, weights: [-2, 0], clipNorm: 1 });
  assert.ok(c.losses.every(Number.isFinite) && Number.isFinite(c.U) && Number.isFinite(c.W));
  assert.ok(Math.min(...c.losses) < 0.2, `best loss ${Math.min(...c.losses)}`);
});

test('S4-11: an nn.LSTM learns to count ones in short padded sequences in 200 steps (test MSE < 0.1 counts²)', () => {
  const r = trainCounting({ steps: 200, hidden: 8, minLen: 5, maxLen: 10, seed: 0 });
  assert.ok(r.testMse < 0.1, `test MSE ${r.testMse}`);
});

test('time series: a GRU beats the naive last-value forecast on the held-out tail', () => {
  const r = runTimeSeries({ epochs: 5, hidden: 16 });
  assert.ok(r.modelMse < 0.75 * r.naiveMse, `GRU ${r.modelMse} vs naive ${r.naiveMse}`);
});
