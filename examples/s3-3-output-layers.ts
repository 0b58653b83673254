// S3-3 — the output layer and loss for each kind of task, each on a small synthetic set, trained briefly
// with the Keras-style API (sequential + dense, compile, fit, evaluate):
//   binary       1 sigmoid unit          + binary cross-entropy      (make_moons)         -> accuracy
//   multi-label  several sigmoid units   + binary cross-entropy      (3 independent labels) -> binaryAccuracy
//   multiclass   softmax over the classes + categorical cross-entropy (4 Gaussian blobs)  -> accuracy
//   regression   1 linear unit           + MSE                       (y = sin(2x) + noise)  -> mae
//
// Each net: 2 hidden ReLU layers of 32, Adam, batch 32, 60 epochs; the metric is on the 400 training points.
//
// Run: npx tsx examples/s3-3-output-layers.ts        (about 1.5 s)
// Expected (manualSeed 0):
//   binary       accuracy: 0.975
//   multi-label  binaryAccuracy: 0.991
//   multiclass   accuracy: 0.993
//   regression   mae: 0.078
import { Generator, manualSeed, randn, rand, tensor } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import { oneHot } from '../src/data/index.ts';
import { makeBlobs, makeMoons } from '../src/datasets/index.ts';
import { dense, sequential } from '../src/model/index.ts';

type Task = { name: string; x: Tensor; y: Tensor; out: { units: number; activation: string }; loss: string; metric: string };

function tasks(): Task[] {
  const moons = makeMoons({ nSamples: 400, noise: 0.15, generator: new Generator(0) });
  const blobs = makeBlobs({ nSamples: 400, centers: 4, generator: new Generator(0) });
  // Multi-label: 2-D points; labels "x > 0", "y > 0", "inside the unit circle" (any combination).
  const xm = randn([400, 2]);
  const ym = tensor(Array.from({ length: 400 }, (_, i) => {
    const [a, b] = [xm.contiguousData()[2 * i]!, xm.contiguousData()[2 * i + 1]!];
    return [a > 0 ? 1 : 0, b > 0 ? 1 : 0, a * a + b * b < 1 ? 1 : 0];
  }));
  const xr = rand([400, 1]).mul(4).sub(2);
  const yr = xr.mul(2).sin().add(randn([400, 1]).mul(0.1));
  return [
    { name: 'binary', x: moons.x, y: moons.y.float().reshape([-1, 1]), out: { units: 1, activation: 'sigmoid' }, loss: 'binaryCrossentropy', metric: 'accuracy' },
    { name: 'multi-label', x: xm, y: ym, out: { units: 3, activation: 'sigmoid' }, loss: 'binaryCrossentropy', metric: 'binaryAccuracy' },
    { name: 'multiclass', x: blobs.x, y: oneHot(blobs.y, 4), out: { units: 4, activation: 'softmax' }, loss: 'categoricalCrossentropy', metric: 'accuracy' },
    { name: 'regression', x: xr, y: yr, out: { units: 1, activation: 'linear' }, loss: 'meanSquaredError', metric: 'mae' },
  ];
}

export function runOutputLayers(epochs = 60): { name: string; metric: string; value: number }[] {
  manualSeed(0);
  return tasks().map((t) => {
    const model = sequential();
    model.add(dense({ units: 32, activation: 'relu', inputShape: [t.x.shape[1]!] }));
    model.add(dense({ units: 32, activation: 'relu' }));
    model.add(dense(t.out));
    model.compile({ optimizer: 'adam', loss: t.loss, metrics: [t.metric] });
    model.fit(t.x, t.y, { epochs, batchSize: 32, verbose: 0 });
    const logs = model.evaluate(t.x, t.y);
    return { name: t.name, metric: t.metric, value: logs[t.metric]! };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of runOutputLayers()) console.log(`${r.name.padEnd(12)} ${r.metric}: ${r.value.toFixed(3)}`);
}
