// End-to-end: the CLI's MNIST training on a small subset reaches a real bar; a diverging run stops
// with a clear error naming the step; the CLI prints its result as the examples do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { ValueError } from '../src/index.ts';
import { trainMnist } from '../apps/cli/train-mnist.ts';
import { buildProgram } from '../apps/cli/main.ts';

test('MLP on 10,000 MNIST images reaches >= 90% test accuracy in 2 epochs (seed 0; the same run in PyTorch: ~0.91)', () => {
  const r = trainMnist({ hidden: [128], activation: 'relu', optimizer: 'adam', lr: 1e-3, batchSize: 32, epochs: 2, seed: 0, trainSize: 10000, testSize: 1000 });
  assert.equal(r.epochs.length, 2);
  assert.ok(r.epochs[1]!.loss < r.epochs[0]!.loss, 'the training loss falls');
  assert.ok(r.testAccuracy >= 0.9, `test accuracy ${r.testAccuracy}`);
  assert.deepEqual(r.confusion.shape, [10, 10]);
  assert.equal(r.confusion.sum().item(), 1000);
});

test('same seed, same numbers', () => {
  const o = { hidden: [16], activation: 'tanh', optimizer: 'sgd', lr: 0.1, batchSize: 50, epochs: 1, seed: 3, trainSize: 500, testSize: 200 };
  const a = trainMnist(o);
  const b = trainMnist(o);
  assert.equal(a.epochs[0]!.loss, b.epochs[0]!.loss);
  assert.equal(a.testAccuracy, b.testAccuracy);
});

test('a NaN loss during training is reported with its epoch and step', () => {
  assert.throws(
    () => trainMnist({ hidden: [32], activation: 'relu', optimizer: 'sgd', lr: 1e38, batchSize: 16, epochs: 1, seed: 0, trainSize: 400, testSize: 100 }),
    (e: Error) => e instanceof ValueError && /train: a finite loss; got (NaN|Infinity) at epoch 1, step \d+\. The model diverged/.test(e.message),
  );
});

test('the CLI trains and prints "test accuracy: 0.xxxx"; bad flags are refused', () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    buildProgram().parse(['node', 'neurona', 'train', 'mnist', '--train-size', '300', '--test-size', '100', '--epochs', '1', '--hidden', '16', '--quiet']);
  } finally {
    console.log = log;
  }
  assert.match(lines.at(-1)!, /^test accuracy: 0\.\d{4}$/);
  const p = buildProgram();
  for (const c of [p, p.commands[0]!, p.commands[0]!.commands[0]!]) c.exitOverride().configureOutput({ writeErr: () => {} });
  assert.throws(() => p.parse(['node', 'neurona', 'train', 'mnist', '--epochs', 'zero']), /epochs must be an integer >= 1; got 'zero'/);
});

test('`train mnist --report file.html` writes a self-contained report with its charts', async () => {
  const path = 'out/test-plots/cli-report.html';
  rmSync(path, { force: true });
  const log = console.log;
  console.log = () => {};
  try {
    await buildProgram().parseAsync(['node', 'neurona', 'train', 'mnist', '--train-size', '300', '--test-size', '100', '--epochs', '2', '--hidden', '16', '--quiet', '--report', path]);
  } finally {
    console.log = log;
  }
  const html = readFileSync(path, 'utf8');
  assert.equal((html.match(/<svg/g) ?? []).length, 4, 'learning curves, confusion matrix, samples, loss per step');
  assert.match(html, /test accuracy/);
  assert.match(html, /Per-class metrics/);
  assert.match(html, /\(None, 16\)/, 'the summary has output shapes');
  assert.doesNotMatch(html, /<script/);
});
