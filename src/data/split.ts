// trainTestSplit: scikit-learn's train_test_split for tensors (shuffled, optionally stratified).
import { DTypeError, ShapeError, ValueError, fmtShape } from '../core/index.ts';
import { Tensor, defaultGenerator } from '../tensor/index.ts';
import type { Generator } from '../tensor/index.ts';

/** Options of `trainTestSplit`. */
export interface TrainTestSplitOptions {
  /** The test part: a fraction in (0, 1) (rounded up, like scikit-learn) or a count >= 1 (default 0.25). */
  testSize?: number;
  /** The train part, same rules (default: all the samples not in the test part). */
  trainSize?: number;
  /** Shuffle before splitting (default true); without it the test part is the last samples. */
  shuffle?: boolean;
  /** Integer class labels [n]: keep each class's proportion in both parts (needs shuffle). */
  stratify?: Tensor | readonly number[];
  /** The generator for shuffling (default: the global one). */
  generator?: Generator;
}

/** The two parts of `trainTestSplit`, in the order of the input tensors. */
export interface TrainTestSplit {
  train: Tensor[];
  test: Tensor[];
}

function resolveSize(name: string, v: number, n: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new ValueError(`trainTestSplit: ${name} a fraction in (0, 1) or a count in [1, ${n - 1}]; got ${v}`);
  if (v < 1) return v;
  if (!Number.isInteger(v) || v >= n) {
    throw new ValueError(`trainTestSplit: ${name} a fraction in (0, 1) or an integer count in [1, ${n - 1}] (for ${n} samples); got ${v}`);
  }
  return v;
}

/** Splits `total` draws over classes in proportion to `counts`, largest remainders first (ties at random), like scikit-learn's _approximate_mode. */
function approximateMode(counts: readonly number[], total: number, g: Generator): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const cont = counts.map((c) => (c * total) / n);
  const out = cont.map(Math.floor);
  let need = total - out.reduce((a, b) => a + b, 0);
  const order = cont.map((c, i) => ({ i, rem: c - out[i]!, key: g.random() }));
  order.sort((a, b) => b.rem - a.rem || a.key - b.key);
  for (const { i } of order) {
    if (need <= 0) break;
    out[i]!++;
    need--;
  }
  return out;
}

function shuffleInPlace(a: number[], g: Generator): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = g.int(0, i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

function labelsOf(stratify: Tensor | readonly number[], n: number): number[] {
  let labels: number[];
  if (stratify instanceof Tensor) {
    if (stratify.dtype !== 'int32' && stratify.dtype !== 'bool') {
      throw new DTypeError(`trainTestSplit: stratify as int32 class labels; got ${stratify.dtype}. Convert with .int()`);
    }
    if (stratify.ndim !== 1) throw new ShapeError(`trainTestSplit: stratify as 1-d labels [${n}]; got shape ${fmtShape(stratify.shape)}`);
    labels = Array.from(stratify.contiguousData());
  } else {
    labels = [...stratify];
    labels.forEach((v, i) => {
      if (!Number.isInteger(v)) throw new ValueError(`trainTestSplit: stratify as integer class labels; got ${v} at position ${i}`);
    });
  }
  if (labels.length !== n) throw new ShapeError(`trainTestSplit: stratify with one label per sample (${n}); got ${labels.length}`);
  return labels;
}

/**
 * Splits tensors (same dim 0) into random train and test parts, like scikit-learn's
 * train_test_split: n_test = ceil(testSize * n) for a fraction, n_train = n - n_test. With
 * `stratify`, each class keeps its share of samples in both parts.
 *
 * ```ts
 * const { train: [xTr, yTr], test: [xTe, yTe] } = trainTestSplit([x, y], { testSize: 0.2, stratify: y });
 * ```
 */
export function trainTestSplit(tensors: readonly Tensor[], opts: TrainTestSplitOptions = {}): TrainTestSplit {
  const { testSize, trainSize, shuffle = true, stratify, generator = defaultGenerator } = opts;
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ValueError('trainTestSplit: at least one tensor in the array; got none');
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(`trainTestSplit: an array of tensors; got ${typeof t} at position ${i}`);
    if (t.ndim === 0) throw new ShapeError(`trainTestSplit: tensors with a first (sample) dim; got a 0-d tensor at position ${i}`);
  });
  const n = tensors[0]!.shape[0]!;
  if (tensors.some((t) => t.shape[0] !== n)) {
    throw new ShapeError(`trainTestSplit: tensors with the same size of dim 0; got shapes ${tensors.map((t) => fmtShape(t.shape)).join(', ')}`);
  }
  if (n < 2) throw new ValueError(`trainTestSplit: at least 2 samples to split; got ${n}`);

  // Sizes, as scikit-learn's _validate_shuffle_split: fractions of the test part round up, of the train part down.
  const te = testSize === undefined && trainSize === undefined ? 0.25 : testSize;
  const teV = te === undefined ? undefined : resolveSize('testSize', te, n);
  const trV = trainSize === undefined ? undefined : resolveSize('trainSize', trainSize, n);
  let nTest = teV === undefined ? undefined : teV < 1 ? Math.ceil(teV * n) : teV;
  let nTrain = trV === undefined ? undefined : trV < 1 ? Math.floor(trV * n) : trV;
  if (nTest === undefined) nTest = n - nTrain!;
  if (nTrain === undefined) nTrain = n - nTest;
  if (nTrain + nTest > n) throw new ValueError(`trainTestSplit: train and test parts of at most ${n} samples in total; got ${nTrain} + ${nTest}`);
  if (nTrain < 1 || nTest < 1) {
    throw new ValueError(`trainTestSplit: non-empty train and test parts; got ${nTrain} train and ${nTest} test samples of ${n}. Adjust testSize/trainSize`);
  }

  let trainIdx: number[];
  let testIdx: number[];
  if (stratify !== undefined) {
    if (!shuffle) throw new ValueError('trainTestSplit: shuffle true with stratify (a stratified split is random); got shuffle false');
    const labels = labelsOf(stratify, n);
    const classes = [...new Set(labels)].sort((a, b) => a - b);
    const byClass = new Map<number, number[]>(classes.map((c) => [c, []]));
    labels.forEach((c, i) => byClass.get(c)!.push(i));
    const counts = classes.map((c) => byClass.get(c)!.length);
    const rare = classes.find((_, k) => counts[k]! < 2);
    if (rare !== undefined) {
      throw new ValueError(`trainTestSplit: at least 2 samples of every class to stratify; got 1 of class ${rare}. Merge rare classes or split without stratify`);
    }
    if (nTrain < classes.length || nTest < classes.length) {
      throw new ValueError(
        `trainTestSplit: train and test parts with at least one sample per class (${classes.length}) to stratify; got ${nTrain} train and ${nTest} test`,
      );
    }
    const trainCounts = approximateMode(counts, nTrain, generator);
    const testCounts = approximateMode(
      counts.map((c, k) => c - trainCounts[k]!),
      nTest,
      generator,
    );
    trainIdx = [];
    testIdx = [];
    classes.forEach((c, k) => {
      const members = byClass.get(c)!;
      shuffleInPlace(members, generator);
      trainIdx.push(...members.slice(0, trainCounts[k]));
      testIdx.push(...members.slice(trainCounts[k], trainCounts[k]! + testCounts[k]!));
    });
    shuffleInPlace(trainIdx, generator);
    shuffleInPlace(testIdx, generator);
  } else if (shuffle) {
    const perm = Array.from(generator.permutation(n));
    testIdx = perm.slice(0, nTest);
    trainIdx = perm.slice(nTest, nTest + nTrain);
  } else {
    trainIdx = Array.from({ length: nTrain }, (_, i) => i);
    testIdx = Array.from({ length: nTest }, (_, i) => nTrain + i);
  }
  const pick = (idx: number[]): Tensor[] => {
    const it = Tensor.fromData(Int32Array.from(idx), [idx.length], 'int32');
    return tensors.map((t) => t.indexSelect(0, it));
  };
  return { train: pick(trainIdx), test: pick(testIdx) };
}
