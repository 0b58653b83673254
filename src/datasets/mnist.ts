// MNIST from IDX buffers: images as float32 in [0, 1], labels as int32 (browser-safe; no file access).
import { DataError, ValueError } from '../core/index.ts';
import { Tensor } from '../tensor/index.ts';
import { parseIdx } from './idx.ts';

/** The four MNIST IDX files as bytes. */
export interface MnistBuffers {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

/** Options of `mnistFromIdx` (and of `loadMnist` in neurona/node). */
export interface MnistOptions {
  /** Images as [n, 784] (default true) or as [n, 1, 28, 28] (channels first, for convolutions). */
  flatten?: boolean;
  /** Keep only the first trainSize training samples (default: all 60000). */
  trainSize?: number;
  /** Keep only the first testSize test samples (default: all 10000). */
  testSize?: number;
}

/** One part of MNIST: images float32 [n, 784] (or [n, 1, 28, 28]) in [0, 1] and labels int32 [n] in 0..9. */
export interface MnistSplit {
  images: Tensor;
  labels: Tensor;
}

/** The MNIST training and test parts. */
export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

/** The number of samples of a part, checking a requested limit. */
function limit(op: string, what: string, requested: number | undefined, available: number): number {
  if (requested === undefined) return available;
  if (!Number.isInteger(requested) || requested < 1) throw new ValueError(`${op}: ${what} a positive integer; got ${requested}`);
  return Math.min(requested, available);
}

const PIXEL = Float32Array.from({ length: 256 }, (_, i) => i / 255);

type Names = Partial<Record<keyof MnistBuffers, string>>;

function split(part: 'train' | 'test', images: Uint8Array, labels: Uint8Array, opts: MnistOptions, names: Names): MnistSplit {
  const op = 'mnistFromIdx';
  const img = parseIdx(images, names[`${part}Images`] ?? `${part}Images`);
  const lab = parseIdx(labels, names[`${part}Labels`] ?? `${part}Labels`);
  if (img.dims.length !== 3) {
    throw new DataError(`${op}: ${part}Images as an IDX file of [n, rows, cols] images (3 dims); got dims [${img.dims.join(',')}]`);
  }
  if (lab.dims.length !== 1) throw new DataError(`${op}: ${part}Labels as an IDX file of [n] labels (1 dim); got dims [${lab.dims.join(',')}]`);
  const [count, rows, cols] = img.dims as [number, number, number];
  if (lab.dims[0] !== count) {
    throw new DataError(`${op}: as many ${part} labels as ${part} images (${count}); got ${lab.dims[0]} labels. Are the files from the same set?`);
  }
  const n = limit(op, `${part}Size`, part === 'train' ? opts.trainSize : opts.testSize, count);
  const px = rows * cols;
  const src = img.data;
  const x = new Float32Array(n * px);
  for (let i = 0; i < x.length; i++) x[i] = PIXEL[src[i]!]!;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = lab.data[i]!;
  const shape = opts.flatten === false ? [n, 1, rows, cols] : [n, px];
  return { images: Tensor.fromData(x, shape, 'float32'), labels: Tensor.fromData(y, [n], 'int32') };
}

/**
 * MNIST from the bytes of its four IDX files: images float32 in [0, 1] ([n, 784], or [n, 1, 28, 28]
 * with `flatten: false`) and labels int32 [n]. Also reads any IDX set of the same layout (Fashion-MNIST...).
 * `names` (file names or paths) are used in error messages.
 *
 * ```ts
 * const { train, test } = mnistFromIdx({ trainImages, trainLabels, testImages, testLabels });
 * train.images.shape; // [60000, 784]
 * ```
 */
export function mnistFromIdx(buffers: MnistBuffers, opts: MnistOptions = {}, names: Names = {}): Mnist {
  const { trainImages, trainLabels, testImages, testLabels } = buffers;
  return { train: split('train', trainImages, trainLabels, opts, names), test: split('test', testImages, testLabels, opts, names) };
}
