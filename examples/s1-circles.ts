// Shared by S1-2 .. S1-5 — the notebook's two-circles experiment on vanishing gradients, with
// neurona's Keras-style API. Not an experiment of its own: the runnable examples are
// s1-2-circles-shallow.ts, s1-3-circles-deep-tanh.ts, s1-4-circles-relu-he.ts and s1-5-circles-selu-lecun.ts.
//
// Data as the notebook: make_circles(n_samples=1000, noise=0.1) (scikit-learn's default factor 0.8, so
// the two noisy circles overlap and about 0.84 is the best any classifier can do), MinMaxScaler to
// [-1, 1] on all points, then the first 500 rows train and the last 500 test (the rows are shuffled
// by make_circles). Training as the notebook: SGD(lr 0.01, momentum 0.9), binary cross-entropy,
// 500 epochs, Keras' default batch size 32, validation on the test half.
import { Tensor, manualSeed } from '../src/index.ts';
import { MinMaxScaler } from '../src/data/index.ts';
import { makeCircles } from '../src/datasets/index.ts';
import { binaryCrossentropy, dense, optimizers, randomUniform, sequential } from '../src/model/index.ts';
import type { History, SequentialModel } from '../src/model/index.ts';

export interface CirclesData {
  x: Tensor;
  y: Tensor;
  trainX: Tensor;
  trainY: Tensor;
  testX: Tensor;
  testY: Tensor;
}

/** make_circles(1000, noise 0.1), MinMax to [-1, 1], first 500 train / last 500 test; targets float [n, 1]. */
export function circlesData(seed = 1): CirclesData {
  manualSeed(seed);
  const { x: raw, y: labels } = makeCircles({ nSamples: 1000, noise: 0.1 });
  const x = new MinMaxScaler({ featureRange: [-1, 1] }).fitTransform(raw);
  const y = labels.cast('float32').reshape([-1, 1]);
  const nTrain = 500;
  return {
    x,
    y,
    trainX: x.narrow(0, 0, nTrain),
    trainY: y.narrow(0, 0, nTrain),
    testX: x.narrow(0, nTrain, 1000 - nTrain),
    testY: y.narrow(0, nTrain, 1000 - nTrain),
  };
}

/** The notebook's models: A (shallow tanh), B (deep tanh), C (deep ReLU + He), E (deep SELU + LeCun). */
export type CirclesNet = 'shallow-tanh' | 'deep-tanh' | 'deep-relu-he' | 'deep-selu-lecun';

/** Builds and compiles one of the notebook's circle models (5 units per hidden layer, sigmoid output). */
export function buildCirclesModel(net: CirclesNet): SequentialModel {
  const init = randomUniform(0, 1); // keras.initializers.RandomUniform(minval=0, maxval=1)
  const m = sequential();
  if (net === 'shallow-tanh') {
    m.add(dense({ units: 5, inputDim: 2, activation: 'tanh', kernelInitializer: init }));
    m.add(dense({ units: 1, activation: 'sigmoid', kernelInitializer: init }));
  } else {
    const [activation, kernelInitializer] =
      net === 'deep-tanh' ? ['tanh', init] : net === 'deep-relu-he' ? ['relu', 'heUniform'] : ['selu', 'lecunNormal'];
    m.add(dense({ units: 5, inputDim: 2, activation, kernelInitializer }));
    for (let i = 0; i < 4; i++) m.add(dense({ units: 5, activation, kernelInitializer }));
    // Model B keeps RandomUniform(0, 1) on its output layer too; C and E use Keras' default glorotUniform.
    m.add(dense({ units: 1, activation: 'sigmoid', kernelInitializer: net === 'deep-tanh' ? init : undefined }));
  }
  m.compile({ loss: 'binaryCrossentropy', optimizer: optimizers.sgd({ learningRate: 0.01, momentum: 0.9 }), metrics: ['accuracy'] });
  return m;
}

export interface CirclesResult {
  model: SequentialModel;
  data: CirclesData;
  history: History;
  trainAcc: number;
  testAcc: number;
}

export interface CirclesOptions {
  epochs?: number;
  /** Seed of the data and of the weights (default 1, the notebook's random_state). */
  seed?: number;
  /** Called with each epoch's logs every `every` epochs (default: silent). */
  log?: (line: string) => void;
  every?: number;
  /** Called after the model is built, before fit (e.g. to look at the gradients at initialisation). */
  beforeFit?: (model: SequentialModel, data: CirclesData) => void;
}

/** Trains one circle model as the notebook does and evaluates it on both halves. */
export function runCircles(net: CirclesNet, o: CirclesOptions = {}): CirclesResult {
  const { epochs = 500, seed = 1, log, every = 50 } = o;
  const data = circlesData(seed);
  const model = buildCirclesModel(net);
  o.beforeFit?.(model, data);
  const history = model.fit(data.trainX, data.trainY, { validationData: [data.testX, data.testY], epochs, verbose: 0 });
  if (log) {
    const h = history.history;
    for (let e = every - 1; e < epochs; e += every) {
      log(`epoch ${String(e + 1).padStart(3)}  loss ${h.loss![e]!.toFixed(4)}  accuracy ${h.accuracy![e]!.toFixed(3)}  val_loss ${h.val_loss![e]!.toFixed(4)}  val_accuracy ${h.val_accuracy![e]!.toFixed(3)}`);
    }
  }
  const trainAcc = model.evaluate(data.trainX, data.trainY).accuracy!;
  const testAcc = model.evaluate(data.testX, data.testY).accuracy!;
  return { model, data, history, trainAcc, testAcc };
}

/** The notebook's print, then the two summary lines every example ends with. */
export function printResult(r: CirclesResult): void {
  console.log(`Train: ${r.trainAcc.toFixed(3)}, Test: ${r.testAcc.toFixed(3)}`);
  console.log(`train accuracy: ${r.trainAcc.toFixed(3)}`);
  console.log(`test accuracy: ${r.testAcc.toFixed(3)}`);
}

/** Predicted class counts over all 1000 points (the notebook's predict_classes scatter, as numbers). */
export function predictedClassCounts(r: CirclesResult): [number, number] {
  const p = (r.model.predict(r.data.x) as Tensor).contiguousData();
  let ones = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > 0.5) ones++;
  return [p.length - ones, ones];
}

/**
 * Mean |dL/dW| of each Dense kernel after one backward pass of the binary cross-entropy on a batch
 * (the first `batchSize` training rows), in layer order — the vanishing-gradient picture of S0-5.
 */
export function kernelGradients(m: SequentialModel, data: CirclesData, batchSize = 32): { name: string; meanAbsGrad: number }[] {
  const xb = data.trainX.narrow(0, 0, batchSize);
  const yb = data.trainY.narrow(0, 0, batchSize);
  m.train();
  for (const p of m.parameters()) p.grad = null;
  binaryCrossentropy()(yb, m.forward(xb)).mean().backward();
  const out = m.namedParameters()
    .filter(([n]) => n.endsWith('.weight'))
    .map(([n, p]) => ({ name: n.replace(/\.weight$/, ''), meanAbsGrad: p.grad!.abs().mean().item() }));
  for (const p of m.parameters()) p.grad = null;
  m.eval();
  return out;
}

/** Prints kernelGradients on one line: every layer's mean |dL/dW|, then first/last. */
export function printKernelGradients(label: string, m: SequentialModel, data: CirclesData): void {
  const g = kernelGradients(m, data);
  const first = g[0]!.meanAbsGrad;
  const last = g[g.length - 1]!.meanAbsGrad;
  console.log(`mean |dL/dW| ${label}: ${g.map((l) => l.meanAbsGrad.toExponential(2)).join('  ')}`);
  console.log(`  first layer ${first.toExponential(2)}, last layer ${last.toExponential(2)}, first/last ${(first / last).toFixed(3)}`);
}
