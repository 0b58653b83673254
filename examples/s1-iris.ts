// Shared by S1-8 and S1-9 — the notebook's iris preparation: load_iris, every column standardised
// (X -= X.mean(0); X /= X.std(0), on all 150 flowers as the notebook does), to_categorical(y).
// The notebook fits on all 150 flowers and reports only the training accuracy; to also report a
// test accuracy the examples hold out a stratified 20% (30 flowers, 10 per species) and fit on the
// other 120.
import { Tensor, manualSeed } from '../src/index.ts';
import { StandardScaler, oneHot, trainTestSplit } from '../src/data/index.ts';
import { loadIris } from '../src/datasets/index.ts';

export interface IrisData {
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
}

/** Standardised iris with one-hot targets, split 120/30 (stratified) with the given seed. */
export function irisData(seed = 1): IrisData {
  manualSeed(seed);
  const { x, y } = loadIris();
  const xs = new StandardScaler().fitTransform(x);
  const { train, test } = trainTestSplit([xs, oneHot(y, 3)], { testSize: 0.2, stratify: y });
  return { xTrain: train[0]!, yTrain: train[1]!, xTest: test[0]!, yTest: test[1]! };
}

/** `--name value` from the command line, as a number. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}
