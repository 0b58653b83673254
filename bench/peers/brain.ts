// W2 of shared/workloads.md in brain.js 1.x (its CPU NeuralNetwork and its own training loop, net.train).
// Usage: npx tsx bench/peers/brain.ts w2   -> one JSON line on stdout.
// brain.js 1.x cannot express W2 exactly; how its net differs (also printed as `differs`):
// - one activation for every layer: sigmoid hidden and output (W2: tanh hidden, sigmoid output);
// - its output delta is (y - ŷ)·σ'(z), the gradient of ½·Σ(ŷ - y)², half the seed's 2(ŷ - y): with the
//   same learningRate 0.1 its steps are half as large;
// - weights and biases start U(-0.2, 0.2) (W2: U(-0.5, 0.5)); weights and activations are float32 arrays
//   walked by scalar JS loops, one sample at a time.
// Momentum is set to 0 (plain SGD, as W2): brain.js's option check accepts only 0 < momentum < 1, so
// the check is wrapped to let exactly that value through. errorThresh is tiny so that all 10
// iterations run; brain.js also computes the training error in every iteration (errorCheckInterval 1),
// which is part of its own loop and so of the time.
import brain from 'brain.js';
import { loadMnistArrays, report } from './data.ts';

if (process.argv[2] !== 'w2') {
  process.stderr.write('usage: npx tsx bench/peers/brain.ts w2   (brain.js runs W2 only)\n');
  process.exit(2);
}

const d = loadMnistArrays();
const sample = (i: number): { input: number[]; output: number[] } => ({
  input: Array.from(d.trainX.subarray(i * 784, (i + 1) * 784)),
  output: Array.from({ length: 10 }, (_, k) => (k === d.trainY[i] ? 1 : 0)),
});
const train = Array.from({ length: 1000 }, (_, i) => sample(i));
const test = Array.from({ length: 1000 }, (_, i) => sample(1000 + i));

const net = new brain.NeuralNetwork({ hiddenLayers: [16], activation: 'sigmoid' });
type Validate = (opts: Record<string, unknown>) => void;
const internals = net as unknown as { validateTrainingOptions: Validate };
const validate = internals.validateTrainingOptions.bind(net);
internals.validateTrainingOptions = (opts) => validate(opts.momentum === 0 ? { ...opts, momentum: 0.5 } : opts);

const t0 = performance.now();
const status = net.train(train, { iterations: 10, learningRate: 0.1, momentum: 0, errorThresh: 1e-12 });
const seconds = (performance.now() - t0) / 1000;
if (status.iterations !== 10) throw new Error(`brain.js stopped after ${status.iterations} iterations`);

let correct = 0;
for (const s of test) {
  const out = net.run(s.input) as ArrayLike<number>;
  let best = 0;
  for (let k = 1; k < 10; k++) if (out[k]! > out[best]!) best = k;
  if (s.output[best] === 1) correct++;
}
const version = (await import('brain.js/package.json', { with: { type: 'json' } })).default.version;
report({
  workload: 'W2',
  system: 'brain',
  brain: version,
  seconds,
  samplesPerSec: 10000 / seconds,
  testAccuracy: correct / 1000,
  differs: 'sigmoid hidden+output (W2: tanh hidden); delta (y-ŷ)σ\' = ½ the seed\'s gradient; init U(±0.2); momentum 0',
});
