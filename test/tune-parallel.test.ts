// Trials in worker threads (and in worker processes) give the same results as a sequential search with the same seed: the same
// values, scores and per-epoch histories, bit for bit, for random search and for Hyperband (whose later
// rounds continue from checkpoints passed between threads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hyperband, RandomSearch } from '../src/tune/index.ts';
import type { Tuner } from '../src/tune/index.ts';
import { workerProcesses, workerThreads } from '../src/node/index.ts';

const hypermodel = { module: new URL('./fixtures/tune-hypermodels.ts', import.meta.url), export: 'mlp' };

function same(a: Tuner, b: Tuner): void {
  assert.equal(a.trials.size, b.trials.size);
  for (const [id, r] of a.trials) {
    const p = b.trials.get(id);
    assert.ok(p, `trial ${id} in both`);
    assert.deepEqual(p.values, r.values, `trial ${id} values`);
    assert.equal(p.score, r.score, `trial ${id} score`);
    assert.deepEqual(p.executions, r.executions, `trial ${id} histories`);
    assert.equal(p.parentId, r.parentId);
  }
}

test('parallel search (2 worker threads) == sequential search: random search and Hyperband', async () => {
  const opts = { epochs: 6, batchSize: 32 };
  const seq = new RandomSearch({ hypermodel, objective: 'val_accuracy', maxTrials: 4, seed: 3, verbose: 0 });
  await seq.search(opts);
  const par = new RandomSearch({ hypermodel, objective: 'val_accuracy', maxTrials: 4, seed: 3, verbose: 0, executor: workerThreads({ workers: 2 }) });
  await par.search(opts);
  same(seq, par);
  assert.deepEqual(new Set([...par.trials.values()].map((r) => r.worker)), new Set(['thread 1', 'thread 2']));

  const hb = (parallel: boolean): Hyperband =>
    new Hyperband({ hypermodel, objective: 'val_loss', maxEpochs: 4, factor: 2, seed: 8, verbose: 0, ...(parallel ? { executor: workerThreads({ workers: 2 }) } : {}) });
  const hs = hb(false);
  await hs.search({ batchSize: 32 });
  const hp = hb(true);
  await hp.search({ batchSize: 32 });
  same(hs, hp);
  assert.ok([...hp.trials.values()].some((r) => r.parentId !== null), 'some trials continued from a parent');
});

test('parallel search (2 worker processes) == sequential search: random search with data sent to the children, Hyperband with checkpoints', async () => {
  const { data } = await import('./fixtures/tune-hypermodels.ts');
  const d = data();
  const seq = new RandomSearch({ hypermodel, objective: 'val_accuracy', maxTrials: 3, seed: 5, verbose: 0 });
  await seq.search(d.x, d.y, { epochs: 4, batchSize: 32, validationData: d.validationData });
  const par = new RandomSearch({ hypermodel, objective: 'val_accuracy', maxTrials: 3, seed: 5, verbose: 0, executor: workerProcesses({ workers: 2 }) });
  await par.search(d.x, d.y, { epochs: 4, batchSize: 32, validationData: d.validationData });
  same(seq, par);
  assert.deepEqual(new Set([...par.trials.values()].map((r) => r.worker)), new Set(['process 1', 'process 2']));
  const hb = (executor?: ReturnType<typeof workerProcesses>): Hyperband =>
    new Hyperband({ hypermodel, objective: 'val_loss', maxEpochs: 4, factor: 2, seed: 8, verbose: 0, ...(executor ? { executor } : {}) });
  const hs = hb();
  await hs.search({ batchSize: 32 });
  const hp = hb(workerProcesses({ workers: 2 }));
  await hp.search({ batchSize: 32 });
  same(hs, hp);
});

test('worker threads need a module hypermodel and no callbacks', async () => {
  const { mlp, data } = await import('./fixtures/tune-hypermodels.ts');
  const d = data();
  await assert.rejects(new RandomSearch({ hypermodel: mlp, executor: workerThreads({ workers: 2 }), verbose: 0 }).search(d.x, d.y), /workerThreads: a hypermodel given as \{ module, export \} \(worker threads cannot receive a function\); got a function or object/);
  const { Callback } = await import('../src/model/index.ts');
  await assert.rejects(
    new RandomSearch({ hypermodel, executor: workerThreads({ workers: 2 }), verbose: 0 }).search({ callbacks: [new Callback()] }),
    /RandomSearch\.search: callbacks only in an in-process search \(functions cannot reach worker threads\); got 1/,
  );
});
