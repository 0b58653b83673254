// S3-6 — hyperparameter tuning with Keras Tuner, redone with neurona/tune. The notebook's hypermodel
// (its second version): a Sequential MLP on flattened MNIST with `layers` hidden ReLU layers (1..5) of
// `neurons` units (32..512 step 32) and softmax output, compiled with Adam at `learningrate` (one of
// 1e-1, 1e-2, 1e-3, 1e-4, 1e-5) and sparse categorical cross-entropy, objective val_accuracy.
// Searched with Hyperband (factor 3, maxEpochs 10, the notebook's settings) and with RandomSearch;
// the best hyperparameters are printed, the best model rebuilt with `tuner.hypermodel.build(best)`
// and retrained, then evaluated on the 10,000 test images.
//
// Differences from the notebook, to run in a few minutes on a 2-core machine:
// - the trials train on a subset (6,000 training images, validation on the next 2,000); the notebook
//   uses all 60,000 and validates on half the test set. `--train-size 55000 --val-size 5000` for that.
// - the trials run in 2 worker threads (`--parallel 1` for one at a time in this process); the hypermodel
//   and `data()` are exported from this file so the workers can import them.
// - the retraining uses 20,000 images for 5 epochs (`--retrain-size`, `--retrain-epochs`).
// - the project directories are out/tuner_directory/{hyperband,random}_test_project (`--directory`); an
//   interrupted run resumes where it stopped (`--overwrite` starts over).
//
// Run: npx tsx examples/s3-6-keras-tuner.ts [--max-epochs 10] [--random-trials 8] [--epochs 3] [--parallel 2]
//        [--train-size 6000] [--val-size 2000] [--retrain-size 20000] [--retrain-epochs 5] [--seed 1]
//        [--directory out/tuner_directory] [--overwrite]
// Expected (seed 1, defaults, native backend; about 3 minutes on this shared 2-core machine): a line per trial,
//   Hyperband: 30 trials planned; running worker threads (2 at a time)
//   trial 0001 [1/30] 3.2s epochs 2 neurons=512 layers=1 learningrate=1e-5: val_accuracy 0.6410 (best 0.6410, trial 0001)
//   ...
//   best: trial 0017, val_accuracy 0.9510   (bracket 2, round 2: trial 0002's model, trained 2 epochs, then to 4, then to 10)
//   RandomSearch best: neurons 128, learning rate 0.001, layers 1 (val_accuracy 0.9215)
//   best hyperparameters (Hyperband): neurons 480, learning rate 0.001, layers 1
//   ... retraining, 5 epochs on 20,000 images ...
//   test accuracy: 0.970
// (The notebook found 224 neurons and learning rate 0.001 for its one-layer version.)
import { isMainThread } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { manualSeed } from '../src/index.ts';
import { dense, input, optimizers, sequential } from '../src/model/index.ts';
import type { SequentialModel } from '../src/model/index.ts';
import { Hyperband, RandomSearch, formatValue } from '../src/tune/index.ts';
import type { HyperParameters, TrialData, Tuner } from '../src/tune/index.ts';
import { loadMnistSync, tunerProject, workerThreads } from '../src/node/index.ts';

/** The notebook's hypermodel(hyperparams): the network built from the trial's hyperparameters, compiled. */
export function hypermodel(hp: HyperParameters): SequentialModel {
  const network = sequential();
  network.add(input({ shape: [28 * 28] }));
  // number of neurons of the hidden layers: 32 to 512 in steps of 32
  const neurons = hp.int('neurons', { min: 32, max: 512, step: 32 });
  // number of hidden layers: 1 to 5
  const layers = hp.int('layers', { min: 1, max: 5, step: 1 });
  for (let i = 0; i < layers; i++) network.add(dense({ units: neurons, activation: 'relu' }));
  network.add(dense({ units: 10, activation: 'softmax' }));
  // learning rate: one of the values given
  const learningrate = hp.choice('learningrate', [1e-1, 1e-2, 1e-3, 1e-4, 1e-5]);
  network.compile({ optimizer: optimizers.adam({ learningRate: learningrate }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return network;
}

/** The trials' data: the first `trainSize` training images, the next `valSize` as validation data. */
export function data(args: { trainSize: number; valSize: number }): TrialData {
  const { train } = loadMnistSync({ trainSize: args.trainSize + args.valSize, testSize: 1 });
  return {
    x: train.images.narrow(0, 0, args.trainSize),
    y: train.labels.narrow(0, 0, args.trainSize),
    validationData: [train.images.narrow(0, args.trainSize, args.valSize), train.labels.narrow(0, args.trainSize, args.valSize)],
  };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}

function describe(hp: HyperParameters): string {
  return `neurons ${hp.get('neurons')}, learning rate ${formatValue(hp.get('learningrate'))}, layers ${hp.get('layers')}`;
}

async function main(): Promise<void> {
  const maxEpochs = arg('max-epochs', 10);
  const randomTrials = arg('random-trials', 8);
  const epochs = arg('epochs', 3);
  const parallel = arg('parallel', 2);
  const trainSize = arg('train-size', 6000);
  const valSize = arg('val-size', 2000);
  const retrainSize = arg('retrain-size', 20000);
  const retrainEpochs = arg('retrain-epochs', 5);
  const seed = arg('seed', 1);
  const overwrite = process.argv.includes('--overwrite');
  const di = process.argv.indexOf('--directory');
  const directory = di > 0 && process.argv[di + 1] ? process.argv[di + 1]! : 'out/tuner_directory';
  const t0 = performance.now();
  // Worker threads import the hypermodel from this module (a function cannot be sent to a thread).
  const ref = { module: new URL(import.meta.url), export: 'hypermodel' };
  const common = {
    hypermodel: parallel > 1 ? ref : hypermodel,
    objective: 'val_accuracy',
    seed,
    ...(parallel > 1 ? { executor: workerThreads({ workers: parallel }) } : {}),
  };
  const searchOptions = { epochs, batchSize: 32, dataArgs: { trainSize, valSize } };
  const trialData = parallel > 1 ? null : data({ trainSize, valSize });

  console.log(`Hyperband (factor 3, maxEpochs ${maxEpochs}) on ${trainSize} training / ${valSize} validation images, ${parallel > 1 ? `${parallel} worker threads` : 'in this process'}`);
  const hb = new Hyperband({ ...common, maxEpochs, factor: 3, store: tunerProject(directory, 'hyperband_test_project', { overwrite }) });
  if (trialData) await hb.search(trialData.x, trialData.y, { ...searchOptions, validationData: trialData.validationData });
  else await hb.search(searchOptions);
  hb.resultsSummary(5);

  console.log(`\nRandomSearch (${randomTrials} trials, ${epochs} epochs each)`);
  const rs = new RandomSearch({ ...common, maxTrials: randomTrials, store: tunerProject(directory, 'random_test_project', { overwrite }) });
  if (trialData) await rs.search(trialData.x, trialData.y, { ...searchOptions, validationData: trialData.validationData });
  else await rs.search(searchOptions);
  rs.resultsSummary(5);

  const results: [string, Tuner][] = [['Hyperband', hb], ['RandomSearch', rs]];
  for (const [name, t] of results) {
    const best = t.getBestHyperparameters(1)[0]!;
    console.log(`${name} best hyperparameters: ${describe(best)} (val_accuracy ${t.getBestTrials(1)[0]!.score!.toFixed(4)})`);
  }
  const [winnerName, winner] = results.reduce((a, b) => (b[1].getBestTrials(1)[0]!.score! > a[1].getBestTrials(1)[0]!.score! ? b : a));
  const best = winner.getBestHyperparameters(1)[0]!;
  console.log(`best hyperparameters (${winnerName}): ${describe(best)}`);
  console.log(`search time: ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  // Rebuild the best model from its hyperparameters and retrain it (as the notebook does).
  manualSeed(seed);
  const model = winner.hypermodel.build(best) as SequentialModel;
  const { train, test } = loadMnistSync({ trainSize: retrainSize });
  const h = model.fit(train.images, train.labels, { epochs: retrainEpochs, batchSize: 32, validationData: [test.images, test.labels], verbose: 2 });
  const ev = model.evaluate(test.images, test.labels);
  console.log(`retrained on ${retrainSize} images for ${h.epoch.length} epochs; total time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`test accuracy: ${ev.accuracy!.toFixed(3)}`);
}

// Not awaited at the top level: the search imports this module (for the hypermodel and data), which
// would wait forever for a module still evaluating its top-level await.
if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
