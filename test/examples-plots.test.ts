// The examples that draw the seeds' plots: S0-5/S0-6's gradient magnitudes (sigmoid's first layer
// orders of magnitude below its last, ReLU's gap much smaller), S1-1's autograd derivatives, S4-11's
// loss and weight curves, and S4-7 run end to end on a tiny subset so its plotting path is exercised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { gradientMagnitudes } from '../src/plot/index.ts';
import { renderPng } from '../src/node/index.ts';
import { runDeep } from '../examples/s0-5-vanishing-gradient.ts';
import { closedForms, derivatives } from '../examples/s1-1-activations.ts';
import { NOTEBOOK_LONG, NOTEBOOK_SHORT, batchOf, rnnPlots, train } from '../examples/s4-11-counting-rnn.ts';

test('S0-5/S0-6: with sigmoid the first layer gets >2 orders of magnitude less |dW| than the last; ReLU shrinks the gap >10x', async () => {
  const sigmoid = runDeep('sigmoid', { epochs: 1, samples: 600 });
  const relu = runDeep('relu', { epochs: 1, samples: 600 });
  const ratio = (r: typeof relu) => r.perLayer[0]! / r.perLayer.at(-1)!;
  assert.equal(sigmoid.perLayer.length, 6);
  assert.ok(ratio(sigmoid) < 1e-2, `sigmoid first/last ${ratio(sigmoid)}`);
  for (let i = 1; i < 6; i++) assert.ok(sigmoid.perLayer[i - 1]! < sigmoid.perLayer[i]!, 'sigmoid |dW| grows towards the output');
  assert.ok(ratio(relu) > 10 * ratio(sigmoid), `relu first/last ${ratio(relu)} vs sigmoid ${ratio(sigmoid)}`);
  const png = decode(await renderPng(gradientMagnitudes({ sigmoid: sigmoid.recorder, relu: relu.recorder })));
  assert.ok(png.width > 600 && png.height > 400);
});

test('S1-1: autograd derivatives of sigmoid, tanh, relu, selu match the closed forms', () => {
  for (const name of Object.keys(closedForms)) {
    const d = derivatives(name, -5, 5, 101);
    const worst = Math.max(...d.autograd.map((g, i) => Math.abs(g - d.closed[i]!)));
    assert.ok(worst < 1e-9, `${name}: ${worst}`);
  }
});

test('S4-11: the loss and weight curves render (a diverging run is cut where it explodes)', async () => {
  const short = batchOf([NOTEBOOK_SHORT]);
  const long = batchOf([NOTEBOOK_LONG]);
  const r1 = train(short.x, short.y, { epochs: 30, lr: 0.0005, weights: [-2, 1] });
  const r3 = train(long.x, long.y, { epochs: 40, lr: 0.0005, weights: [-2, 0] });
  const r4 = train(long.x, long.y, { epochs: 40, lr: 0.01, weights: [-2, 0], clipNorm: 1 });
  const { loss, weights } = rnnPlots({ r1, r2: r1, r3, r4 });
  for (const spec of [loss, weights]) {
    const png = decode(await renderPng(spec));
    assert.ok(png.width > 1000 && png.height > 250, `${png.width}x${png.height}`);
  }
});

test('S4-7 on a tiny subset writes its learning curves with bands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurona-s47-'));
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/s4-7-mnist-cnn.ts', '--train-size', '120', '--test-size', '50', '--epochs', '2', '--out', dir], { encoding: 'utf8' });
    assert.match(out, /wrote .*s4-7-learning-curves\.png/);
    assert.match(out, /test accuracy: 0\.\d{3}/);
    const png = decode(readFileSync(join(dir, 's4-7-learning-curves.png')));
    assert.ok(png.width > 600 && png.height > 400, `${png.width}x${png.height}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
