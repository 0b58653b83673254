// MNIST for the JS peers as plain typed arrays: the same files and the same scaling as neurona's
// (loadMnistSync: pixels / 255 as float32, labels as class indices), read once before any timing.
import { loadMnistSync } from '../../src/node/index.ts';

export interface MnistArrays {
  /** [60000 * 784] pixels in [0, 1]. */
  trainX: Float32Array;
  /** [60000] class indices 0..9. */
  trainY: Int32Array;
  /** [10000 * 784]. */
  testX: Float32Array;
  /** [10000]. */
  testY: Int32Array;
}

export function loadMnistArrays(): MnistArrays {
  const m = loadMnistSync();
  return {
    trainX: Float32Array.from(m.train.images.dataSync()),
    trainY: Int32Array.from(m.train.labels.dataSync()),
    testX: Float32Array.from(m.test.images.dataSync()),
    testY: Int32Array.from(m.test.labels.dataSync()),
  };
}

/** Prints the one JSON line that bench/run.ts reads (the last line of stdout starting with '{'). */
export function report(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
