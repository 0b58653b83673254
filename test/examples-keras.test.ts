// The Keras-style course examples (examples/s1-*.ts) still show what they claim: on the overlapping
// circles the deep tanh net with RandomUniform(0, 1) init stays near chance (S1-3) while ReLU + He
// learns (S1-4), and the BN net on iris learns with 16 BN params, 8 of them non-trainable (S1-8).
// Full-length runs of the notebooks' settings, seeded as the examples are (about 7 s in all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCircles, kernelGradients } from '../examples/s1-circles.ts';
import { buildBatchNormModel, runIrisBatchNorm } from '../examples/s1-8-iris-batchnorm.ts';

test('S1-4: five ReLU layers with heUniform learn the overlapping circles (>= 0.8 test accuracy, best possible ~0.84)', () => {
  const r = runCircles('deep-relu-he');
  assert.ok(r.testAcc >= 0.8, `test accuracy ${r.testAcc}`);
  assert.ok(r.trainAcc >= 0.85, `train accuracy ${r.trainAcc}`);
  assert.equal(r.history.history.val_accuracy!.length, 500);
});

test('S1-3: five tanh layers with RandomUniform(0, 1) stay near chance (< 0.6); their middle kernels get little gradient', () => {
  const r = runCircles('deep-tanh');
  assert.ok(r.testAcc < 0.6, `test accuracy ${r.testAcc}`);
  assert.ok(r.history.history.loss!.at(-1)! > 0.65, `final loss ${r.history.history.loss!.at(-1)}`);
  const g = kernelGradients(r.model, r.data).map((l) => l.meanAbsGrad);
  const middle = Math.min(...g.slice(1, -1));
  assert.ok(middle < g.at(-1)! / 10, `middle ${middle} vs last ${g.at(-1)}`);
});

test('S1-8: iris 4-4-BN-4-3 learns (>= 0.9 test accuracy); BN has 16 params, 8 non-trainable', () => {
  const s = buildBatchNormModel().summary({ print: false });
  assert.match(s, /batch_normalization \(BatchNorm1d\)\s+\(None, 4\)\s+16/);
  assert.match(s, /Total params: 91\nTrainable params: 83\nNon-trainable params: 8/);
  const r = runIrisBatchNorm();
  assert.ok(r.testAcc >= 0.9, `test accuracy ${r.testAcc}`);
  assert.ok(r.trainAcc >= 0.9, `train accuracy ${r.trainAcc}`);
});
