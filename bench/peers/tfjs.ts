// W1 and W2 of shared/workloads.md in TensorFlow.js, on its cpu (plain JS) or wasm backend.
// Usage: npx tsx bench/peers/tfjs.ts cpu|wasm w1|w2   -> one JSON line on stdout.
// The networks are written with tf ops on tf.variables (matMul + add + activation) and trained by a
// hand-written loop with optimizer.minimize, like the other systems' loops: measured here, that is
// faster than the same net as a tf.layers model (W2 on wasm 5.2 s vs 9.0 s) and than tf.fused.matMul.
// Initialisation follows PyTorch's nn.Linear (U(±1/sqrt(fan_in)) for weight and bias) in W1 and
// U(-0.5, 0.5) in W2. Timings exclude data loading and tensor creation.
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadMnistArrays, report } from './data.ts';
import type { MnistArrays } from './data.ts';

const [backend, which] = process.argv.slice(2);
if ((backend !== 'cpu' && backend !== 'wasm') || (which !== 'w1' && which !== 'w2')) {
  process.stderr.write('usage: npx tsx bench/peers/tfjs.ts cpu|wasm w1|w2\n');
  process.exit(2);
}

if (backend === 'wasm') {
  // The .wasm binaries ship inside the npm package (dist/); Emscripten reads them from the file system.
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(`${join(dist)}/`);
}
if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} failed to initialise`);
await tf.ready();

/** A linear layer's parameters as nn.Linear keeps them: weight [in, out] here (tf.matMul's layout), bias [out]. */
interface Linear {
  w: tf.Variable;
  b: tf.Variable;
}

function linear(fanIn: number, fanOut: number, bound: number): Linear {
  return { w: tf.variable(tf.randomUniform([fanIn, fanOut], -bound, bound)), b: tf.variable(tf.randomUniform([fanOut], -bound, bound)) };
}

function affine(x: tf.Tensor, l: Linear): tf.Tensor {
  return tf.add(tf.matMul(x, l.w), l.b);
}

function paramsOf(layers: Linear[]): tf.Variable[] {
  return layers.flatMap((l) => [l.w, l.b]);
}

function accuracy(forward: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => forward(x).argMax(1).equal(y).mean().dataSync()[0]!);
}

/** W1: MLP 784-256-256-10 ReLU, softmax cross-entropy, Adam 1e-3, batch 64, shuffled, one epoch of 60,000. */
function w1(d: MnistArrays): Record<string, number> {
  const n = 60000;
  const X = tf.tensor2d(d.trainX, [n, 784]);
  const Y = tf.tensor1d(d.trainY, 'int32');
  const Xt = tf.tensor2d(d.testX, [10000, 784]);
  const Yt = tf.tensor1d(d.testY, 'int32');
  const [l1, l2, l3] = [linear(784, 256, 1 / Math.sqrt(784)), linear(256, 256, 1 / 16), linear(256, 10, 1 / 16)] as const;
  const forward = (x: tf.Tensor): tf.Tensor => affine(tf.relu(affine(tf.relu(affine(x, l1)), l2)), l3);
  const params = paramsOf([l1, l2, l3]);
  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8); // PyTorch's defaults (tf.js's own epsilon is 1e-7)
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const t0 = performance.now();
  tf.util.shuffle(perm);
  for (let i = 0; i < n; i += 64) {
    tf.tidy(() => {
      const idx = tf.tensor1d(perm.subarray(i, Math.min(i + 64, n)), 'int32');
      const x = tf.gather(X, idx);
      const y = tf.oneHot(tf.gather(Y, idx), 10);
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)) as tf.Scalar, false, params);
    });
  }
  l1.w.dataSync(); // both backends run eagerly; this only makes sure all work is done
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, samplesPerSec: n / seconds, testAccuracy: accuracy(forward, Xt, Yt) };
}

/** W2: 784-16(tanh)-10(sigmoid), sum of squared errors, plain SGD lr 0.1, batch 1, 1,000 samples, 10 epochs. */
function w2(d: MnistArrays): Record<string, number> {
  const X = tf.tensor2d(d.trainX.subarray(0, 2000 * 784), [2000, 784]);
  const labels = tf.tensor1d(d.trainY.subarray(0, 2000), 'int32');
  const Y = tf.oneHot(labels, 10).toFloat();
  const xs = Array.from({ length: 1000 }, (_, i) => X.slice([i, 0], [1, 784]));
  const ys = Array.from({ length: 1000 }, (_, i) => Y.slice([i, 0], [1, 10]));
  const [l1, l2] = [linear(784, 16, 0.5), linear(16, 10, 0.5)] as const;
  const forward = (x: tf.Tensor): tf.Tensor => tf.sigmoid(affine(tf.tanh(affine(x, l1)), l2));
  const params = paramsOf([l1, l2]);
  const opt = tf.train.sgd(0.1);
  const t0 = performance.now();
  for (let e = 0; e < 10; e++) {
    for (let i = 0; i < 1000; i++) {
      tf.tidy(() => {
        opt.minimize(() => tf.sum(tf.squaredDifference(forward(xs[i]!), ys[i]!)) as tf.Scalar, false, params);
      });
    }
  }
  l1.w.dataSync();
  const seconds = (performance.now() - t0) / 1000;
  const testAccuracy = accuracy(forward, X.slice([1000, 0], [1000, 784]), labels.slice([1000], [1000]));
  return { seconds, samplesPerSec: 10000 / seconds, testAccuracy };
}

const data = loadMnistArrays();
const result = which === 'w1' ? w1(data) : w2(data);
report({ workload: which.toUpperCase(), system: `tfjs-${backend}`, tfjs: tf.version.tfjs, ...result });
