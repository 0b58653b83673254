// The classic seed examples still show what they claim (cheap parts only, well under 10 s): the
// from-scratch S0-1 network learns XOR; S0-4's clipped BCE is finite at the edges and matches
// nn.bceLoss away from them; S4-2's hand-set boxcar net is ≈ 1 inside [a, b] and ≈ 0 outside; S3-5's
// momentum and Adam beat batch GD; readCsv reads a file and names a missing one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../src/index.ts';
import { readCsv } from '../src/node/index.ts';
import { runFromScratchXor, runNeuronaXor } from '../examples/s0-1-from-scratch-network.ts';
import { bce, bcePrime, neuronaBce } from '../examples/s0-4-bce.ts';
import { boxcar, evalNet, handSetBoxcar } from '../examples/s4-2-boxcar.ts';
import { RUNS, moonsData, trainWith } from '../examples/s3-5-optimizers.ts';

test('S0-1: the from-scratch network (plain arrays) and its neurona twin learn XOR', () => {
  const r = runFromScratchXor({ seed: 1 });
  assert.ok(r.errors.at(-1)! < 0.01, `final error ${r.errors.at(-1)}`);
  assert.ok(r.errors.at(-1)! < r.errors[0]!);
  assert.deepEqual(r.predictions.map((p) => (p > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
  const t = runNeuronaXor({ seed: 1 });
  assert.deepEqual(t.predictions.map((p) => (p > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
});

test('S0-4: the clipped BCE and its derivative are finite at p = 0 and 1 and match nn.bceLoss inside', () => {
  for (const y of [0, 1]) {
    for (const p of [0, 1]) {
      assert.ok(Number.isFinite(bce(y, p)) && Number.isFinite(bcePrime(y, p)), `y=${y} p=${p}`);
      assert.ok(Number.isFinite(neuronaBce(y, p).loss));
    }
    for (const p of [0.01, 0.2, 0.5, 0.7, 0.99]) {
      const t = neuronaBce(y, p);
      assert.ok(Math.abs(bce(y, p) - t.loss) < 1e-5, `loss y=${y} p=${p}: ${bce(y, p)} vs ${t.loss}`);
      assert.ok(Math.abs(bcePrime(y, p) - t.grad) < 1e-3 * Math.max(1, Math.abs(t.grad)), `grad y=${y} p=${p}`);
    }
  }
  assert.ok(Math.abs(bce(1, 0) + Math.log(1e-7)) < 1e-9); // the guard: −log(ε)
  assert.equal(neuronaBce(1, 0).loss, 100); // nn.bceLoss: log clamped at −100
});

test('S4-2: the hand-set two-sigmoid net is a boxcar: ≈ 1 inside [a, b], ≈ 0 outside', () => {
  const net = handSetBoxcar(-1, 1, 1, 20);
  const xs = [-3, -2, -1.5, -1.3, -0.7, -0.3, 0, 0.4, 0.7, 1.3, 1.5, 2, 3];
  const ys = evalNet(net, xs);
  xs.forEach((x, i) => assert.ok(Math.abs(ys[i]! - boxcar(x)) < 0.01, `x=${x}: ${ys[i]}`));
  const edge = evalNet(net, [-1, 1]);
  assert.ok(edge.every((v) => Math.abs(v - 0.5) < 1e-3));
});

test('S3-5: with the same batches, momentum and Adam end far below batch GD', () => {
  const data = moonsData();
  const final = (name: string): number => trainWith(RUNS.find((r) => r.name === name)!, data, { epochs: 20 }).losses.at(-1)!;
  const gd = final('batch GD');
  assert.ok(final('momentum') < gd / 2, 'momentum');
  assert.ok(final('Adam') < gd / 2, 'Adam');
});

test('readCsv reads a file through parseCsv and names a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-csv-'));
  try {
    const path = join(dir, 't.csv');
    writeFileSync(path, 'name,score\n"Smith, J",3.5\nLee,4\n');
    const t = readCsv(path);
    assert.deepEqual(t.columns, ['name', 'score']);
    assert.deepEqual(t.rows, [['Smith, J', 3.5], ['Lee', 4]]);
    assert.deepEqual(readCsv(path, { header: false }).columns, ['0', '1']);
    const missing = join(dir, 'nope.csv');
    assert.throws(() => readCsv(missing), (e: unknown) => e instanceof DataError && (e as Error).message.includes(missing));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
