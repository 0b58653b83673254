// The core runs in a browser: it bundles for the browser platform with no Node built-ins, and the
// bundle trains a small model when evaluated without Node's modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

test('src/index.ts bundles for the browser without Node built-ins and works there', async () => {
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'neurona', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0]!.text;
  assert.doesNotMatch(code, /require\(["'](node:)?(fs|path|os|worker_threads|child_process)["']\)/);
  // Evaluate with no require/process in scope, as a page would.
  const run = new Function('require', 'process', `${code}; return neurona;`) as (r: undefined, p: undefined) => typeof import('../src/index.ts');
  const nr = run(undefined, undefined);
  nr.manualSeed(0);
  const model = new nr.nn.Sequential(new nr.nn.Linear(2, 8), new nr.nn.Tanh(), new nr.nn.Linear(8, 2));
  const opt = new nr.optim.Adam(model.parameters(), { lr: 0.05 });
  const x = nr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = nr.tensor([0, 1, 1, 0], { dtype: 'int32' });
  let loss = 0;
  for (let i = 0; i < 300; i++) {
    const l = nr.nn.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    l.backward();
    opt.step();
    loss = l.item();
  }
  assert.ok(loss < 0.05, `XOR loss ${loss}`);
});
