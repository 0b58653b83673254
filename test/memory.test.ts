// Memory is managed for the user: a 10-epoch fit of a small model keeps the heap flat (no growth from
// the first epochs' peak to the last epochs' peak beyond noise), on the default backend, with nothing disposed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { manualSeed, randn, getBackend } from '../src/index.ts';
import * as K from '../src/model/index.ts';
import { allocArray } from '../src/core/dtype.ts';
import type { TypedArray } from '../src/core/dtype.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a 10-epoch fit keeps the heap and external memory flat', () => {
  manualSeed(0);
  const x = randn([2048, 32]);
  const y = x.narrow(1, 0, 1).gt(0).cast('int32').reshape([-1]);
  const model = K.sequential([K.input({ shape: [32] }), K.dense({ units: 64, activation: 'relu' }), K.dropout({ rate: 0.1 }), K.dense({ units: 2 })]);
  model.compile({ optimizer: 'adam', loss: K.sparseCategoricalCrossentropy(true), metrics: ['accuracy'] });
  const heap: number[] = [];
  const external: number[] = [];
  const hist = model.fit(x, y, {
    epochs: 10, batchSize: 32, verbose: 0, validationSplit: 0.1,
    callbacks: [new K.LambdaCallback({ onEpochEnd: () => {
      // Two collections: array-buffer backing stores freed by one GC are swept concurrently and still
      // counted until the next, which made single readings swing by ~5 MB.
      gc(); gc();
      const m = process.memoryUsage();
      heap.push(m.heapUsed);
      external.push(m.external + m.arrayBuffers);
    } })],
  });
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(2)} MB`;
  // Floors, not single readings: a few MB of array buffers come and go with GC timing, while a leak
  // raises the floor epoch after epoch.
  const peakGrowth = (xs: number[]): number => Math.min(...xs.slice(7)) - Math.min(...xs.slice(1, 4));
  const growth = peakGrowth(heap);
  const extGrowth = peakGrowth(external);
  assert.ok(growth < 2 * 2 ** 20, `${getBackend().name}: heap grew ${mb(growth)} from epochs 1-4 to 8-10 (${heap.map(mb).join(', ')})`);
  assert.ok(extGrowth < 2 * 2 ** 20, `${getBackend().name}: typed-array memory grew ${mb(extGrowth)} from epochs 1-4 to 8-10 (${external.map(mb).join(', ')})`);
  assert.ok(Math.max(...external) - Math.min(...external.slice(1, 4)) < 16 * 2 ** 20, `bounded typed-array memory (${external.map(mb).join(', ')})`);
  assert.ok(hist.history.accuracy!.at(-1)! > 0.9, `trained: accuracy ${hist.history.accuracy!.at(-1)}`);
});

test('small tensors share slabs without sharing elements: every new array is zeroed and disjoint', () => {
  const arrays: TypedArray[] = [];
  for (let i = 0; i < 400; i++) {
    const dt = (['float32', 'float64', 'int32', 'bool'] as const)[i % 4];
    const n = [1, 17, 100, 1000, 4096, 5000][i % 6]!;
    const a = allocArray(dt, n);
    assert.equal(a.length, n);
    assert.ok(a.every((v) => v === 0), `array ${i} (${dt}, ${n}) starts zeroed`);
    assert.equal(a.byteOffset % 8, 0);
    a.fill(i % 2 ? 1 : 7);
    arrays.push(a);
  }
  // writing any array never changed another
  arrays.forEach((a, i) => assert.ok(a.every((v) => v === (i % 2 ? 1 : 7)), `array ${i} kept its values`));
  const shared = arrays.filter((a, i) => arrays.some((b, j) => j !== i && b.buffer === a.buffer)).length;
  assert.ok(shared > 100, `small arrays are views into shared buffers (${shared} of 400)`);
});
