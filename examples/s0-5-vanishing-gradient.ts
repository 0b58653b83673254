// S0-5 — the vanishing gradient: the seed's from-scratch MNIST network made deeper, five hidden sigmoid
// layers of 16 (784-16-16-16-16-16-10, sigmoid everywhere, U(-0.5, 0.5) init, squared error, per-sample
// SGD lr 0.1, 10 epochs on the 1,000 training images of S0-2). A GradientRecorder takes every layer's
// mean |dW| after each backward (the seed stores np.mean(np.abs(weights_error)) in each FCLayer) and
// the example plots it per layer, and per layer over the epochs.
//
// Run: npx tsx examples/s0-5-vanishing-gradient.ts [--epochs 10] [--out out]        (about 10 s)
// Writes out/s0-5-gradient-per-layer.png and out/s0-5-gradient-per-epoch.png. Expected (seed 123):
//   epoch  1/10  error=0.092365  mean |dW| first 2.71e-6  last 2.02e-2   ... the error stalls at 0.0902
//   mean |dW| per layer (input -> output), sigmoid, mean over training:
//     1: 2.64e-6   2: 5.77e-5   3: 2.57e-4   4: 1.06e-3   5: 4.70e-3   6: 1.53e-2
//     first layer / last layer: 1.72e-4 (-3.8 orders of magnitude)
//   test accuracy: 0.095   (the deep sigmoid net learns nothing: one class for every image)
// Each layer back from the output gets ~4-20x less gradient (sigmoid' <= 1/4 at every layer). The
// first layer's mean also counts the weights of MNIST's always-black border pixels, whose dW is 0.
import { manualSeed, noGrad } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { SGD } from '../src/optim/index.ts';
import { DataLoader, TensorDataset, oneHot } from '../src/data/index.ts';
import { accuracy } from '../src/metrics/index.ts';
import { GradientRecorder, gradientMagnitudes } from '../src/plot/index.ts';
import { seedData } from './s0-2-mnist-from-scratch.ts';
import { writePlot } from './plot-out.ts';

export interface DeepRun {
  recorder: GradientRecorder;
  /** Mean |dW| per layer over training, input side first. */
  perLayer: number[];
  accuracy: number;
  losses: number[];
}

/** The seed's deep net: five hidden layers of 16 with `activation`, a sigmoid output of 10, U(-0.5, 0.5) weights and biases. */
export function buildDeepNet(activation: 'sigmoid' | 'relu'): nn.Sequential {
  const init = (t: Tensor) => nn.init.uniform_(t, -0.5, 0.5);
  const act = () => (activation === 'sigmoid' ? new nn.Sigmoid() : new nn.ReLU());
  const layers: nn.Module[] = [];
  let inF = 784;
  for (let i = 0; i < 5; i++) {
    layers.push(new nn.Linear(inF, 16, { weightInit: init, biasInit: init }), act());
    inF = 16;
  }
  layers.push(new nn.Linear(16, 10, { weightInit: init, biasInit: init }), new nn.Sigmoid());
  return new nn.Sequential(...layers);
}

/** Trains the deep net as the seed does (per-sample SGD on the squared error) and records mean |dW| per layer. */
export function runDeep(activation: 'sigmoid' | 'relu', o: { epochs?: number; samples?: number; seed?: number; log?: (s: string) => void } = {}): DeepRun {
  const { epochs = 10, samples = 2000, seed = 123, log = () => {} } = o;
  const { xTrain, yTrain, xTest, yTest } = seedData(samples, seed);
  manualSeed(seed);
  const model = buildDeepNet(activation);
  const opt = new SGD(model.parameters(), { lr: 0.1 });
  const recorder = new GradientRecorder();
  const loader = new DataLoader(new TensorDataset(xTrain, oneHot(yTrain, 10)), { batchSize: 1 });
  const losses: number[] = [];
  for (let e = 1; e <= epochs; e++) {
    let sum = 0;
    for (const [xb, yb] of loader) {
      const loss = nn.mseLoss(model.forward(xb!), yb!, 'sum');
      opt.zeroGrad();
      loss.backward();
      recorder.record(model); // after backward, before the step: this sample's dW
      opt.step();
      sum += loss.item() / 10;
    }
    recorder.endEpoch();
    losses.push(sum / xTrain.shape[0]!);
    log(`epoch ${String(e).padStart(2)}/${epochs}  error=${losses.at(-1)!.toFixed(6)}  mean |dW| first ${recorder.records.at(-1)!.grad[0]!.toExponential(2)}  last ${recorder.records.at(-1)!.grad.at(-1)!.toExponential(2)}`);
  }
  const pred = Array.from(noGrad(() => model.forward(xTest).argmax(1)).contiguousData());
  return { recorder, perLayer: recorder.layerMeans('grad'), accuracy: accuracy(yTest, pred), losses };
}

/** Prints the per-layer means and the first/last ratio. */
export function printPerLayer(label: string, r: DeepRun, log: (s: string) => void = console.log): void {
  log(`mean |dW| per layer (input -> output), ${label}, mean over training:`);
  log('  ' + r.perLayer.map((v, i) => `${i + 1}: ${v.toExponential(2)}`).join('   '));
  const ratio = r.perLayer[0]! / r.perLayer.at(-1)!;
  log(`  first layer / last layer: ${ratio.toExponential(2)} (${Math.log10(ratio).toFixed(1)} orders of magnitude)`);
}

/** `--name value` from the command line, as a number. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runDeep('sigmoid', { epochs: arg('epochs', 10), log: console.log });
  printPerLayer('sigmoid', r);
  await writePlot('s0-5-gradient-per-layer.png', gradientMagnitudes(r.recorder, { title: 'S0-5: mean |dW| per layer, 5 hidden sigmoid layers (input → output)' }));
  await writePlot('s0-5-gradient-per-epoch.png', gradientMagnitudes(r.recorder, { view: 'training', title: 'S0-5: mean |dW| per layer over the epochs' }));
  console.log(`test accuracy: ${r.accuracy.toFixed(3)}`);
}
