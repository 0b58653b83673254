// The S3-6 hypermodel of `neurona tune mnist`, the module its trials import (in worker processes and on
// queue workers): `build` is the S3-6 space (neurons 32..512 step 32, layers 1..5, learning rate one of
// 1e-1..1e-5, Adam), `data` loads the MNIST subset. It imports only what a trial needs (the model API
// and the MNIST loader, not the CLI, plots or the queue), so a worker starts quickly.
import { dense, input, optimizers, sequential } from '../../src/model/index.ts';
import type { SequentialModel } from '../../src/model/index.ts';
import type { HyperParameters, TrialData } from '../../src/tune/index.ts';
import { loadMnistSync } from '../../src/node/mnist.ts';

/** The S3-6 hypermodel: `layers` ReLU layers of `neurons` units, softmax over 10 digits, Adam at `learningrate`. */
export function build(hp: HyperParameters): SequentialModel {
  const neurons = hp.int('neurons', { min: 32, max: 512, step: 32 });
  const layers = hp.int('layers', { min: 1, max: 5 });
  const lr = hp.choice('learningrate', [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]);
  const m = sequential([input({ shape: [784] })]);
  for (let i = 0; i < layers; i++) m.add(dense({ units: neurons, activation: 'relu' }));
  m.add(dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: optimizers.adam({ learningRate: lr }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** MNIST for the trials: the first `trainSize` training images, the next `valSize` for validation. */
export function data(args: { trainSize?: number; valSize?: number } = {}): TrialData {
  const trainSize = args.trainSize ?? 6000;
  const valSize = args.valSize ?? 2000;
  const { train } = loadMnistSync({ trainSize: trainSize + valSize, testSize: 1 });
  return {
    x: train.images.narrow(0, 0, trainSize),
    y: train.labels.narrow(0, 0, trainSize),
    validationData: [train.images.narrow(0, trainSize, valSize), train.labels.narrow(0, trainSize, valSize)],
  };
}
