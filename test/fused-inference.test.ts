// Sequential's fused inference (nn/layers/dense-chain.ts over the native backend's mlpForwardF32): with
// gradients off, a small batch through a chain of dense layers is one backend call. It must give the
// eager path's outputs, follow parameter updates and added layers, stay out of the way whenever anything
// else is needed, and the kernel must refuse bad arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, getNumThreads, listBackends, manualSeed, noGrad, randn, setBackend, setNumThreads } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import * as K from '../src/model/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam, SGD } from '../src/optim/index.ts';
import { loadNativeAddon } from '../src/backend/native/index.ts';
import { createWasmBackend } from '../src/backend/wasm/index.ts';

/** The backends with a fused inference kernel, and how many rows each takes. */
const fusing = (['native', 'wasm'] as const).filter((b) => listBackends().includes(b));
const maxRows = { native: Infinity, wasm: 16 };
const skip = fusing.length === 0 && 'no backend with a fused inference kernel here';

/** fn on each backend with the kernel (the default one restored after). */
function onBackends(fn: (name: 'native' | 'wasm') => void): void {
  const before = getBackend().name;
  try {
    for (const b of fusing) {
      setBackend(b);
      fn(b);
    }
  } finally {
    setBackend(before);
  }
}

/** fn's result and how many times the fused kernel ran (and did the work) during it. */
function counted<T>(fn: () => T): [T, number] {
  const be = getBackend();
  const orig = be.mlpForwardF32!;
  let n = 0;
  be.mlpForwardF32 = (a) => {
    const done = orig(a);
    if (done) n++;
    return done;
  };
  try {
    return [fn(), n];
  } finally {
    be.mlpForwardF32 = orig;
  }
}

function maxRelDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.contiguousData();
  const y = b.contiguousData();
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i]! - y[i]!) / (1e-3 + Math.abs(y[i]!)));
  return err;
}

/** The fused output (gradients off) against the eager one (gradients on: the ops, with a graph). */
function checkFused(model: nn.Module, x: Tensor, label: string): void {
  const [fused, calls] = counted(() => noGrad(() => model.forward(x)));
  const be = getBackend().name as 'native' | 'wasm';
  const expected = x.shape[0]! <= maxRows[be] ? 1 : 0;
  assert.equal(calls, expected, `${label}, ${be}: ${expected} fused call(s)`);
  const eager = model.forward(x);
  assert.ok(eager.requiresGrad, `${label}: with gradients on, the ops ran`);
  assert.equal(fused.requiresGrad, false);
  const err = maxRelDiff(fused, eager);
  // native: the ops' own kernels, or for 1-3 rows GEMVs over the packed weights (their own order of the
  // sums: even and odd k apart); WASM: its GEMV against the ops' blocked GEMM (another order of the sums)
  const tol = be === 'native' ? 1e-4 : 2e-4;
  assert.ok(err < tol, `${label}, ${be}: max relative difference ${err}`);
}

test('fused inference equals the eager forward: nn and Keras chains, every activation, with and without biases, 1-631 rows (the kernel\'s many-rows path from 504)', { skip }, () => {
  manualSeed(3);
  const chains: [string, nn.Module, number][] = [
    ['W1 network', new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10)), 784],
    ['tanh, sigmoid, no bias, identity', new nn.Sequential(new nn.Flatten(), new nn.Linear(30, 40, { bias: false }), new nn.Tanh(), new nn.Identity(), new nn.Linear(40, 7), new nn.Sigmoid(), new nn.Linear(7, 3)), 30],
    ['Keras dense, softmax last', K.sequential([K.dense({ units: 64, activation: 'relu', inputShape: [20] }), K.dense({ units: 32, activation: 'tanh' }), K.dense({ units: 5, activation: 'softmax' })]), 20],
    ['nn softmax module last', new nn.Sequential(new nn.Linear(12, 300), new nn.Sigmoid(), new nn.Linear(300, 4), new nn.Softmax(-1)), 12],
    ['Keras activation layers', K.sequential([K.dense({ units: 16, inputShape: [12] }), K.activation({ activation: 'relu' }), K.dense({ units: 3 }), K.activation({ activation: 'softmax' })]), 12],
  ];
  onBackends(() => {
    for (const [label, model, inF] of chains) {
      for (const rows of [1, 3, 16, 17, 100, 631]) checkFused(model, randn([rows, inF]).mul(2), `${label}, ${rows} rows`);
    }
  });
});

test('native fused inference of many rows on every micro-kernel the CPU has, 1 and 2 threads, wider than a column block', { skip: !fusing.includes('native') && 'native addon not built' }, () => {
  manualSeed(6);
  const addon = loadNativeAddon()!;
  const best = addon.isa();
  const threads = getNumThreads();
  const w1 = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
  // 3100 outputs: more than the GEMM's 3072-column block, so the packed weights hold two blocks
  const wide = new nn.Sequential(new nn.Linear(9, 3100), new nn.Tanh(), new nn.Linear(3100, 3));
  const before = getBackend().name;
  setBackend('native');
  try {
    for (const isa of ['generic', 'avx2', 'avx512']) {
      if (!addon.setIsa(isa)) continue;
      for (const t of [1, 2]) {
        setNumThreads(t);
        // 1-3 rows: GEMVs over the packed weights kept from the call before (packed again when the
        // micro-kernel family changed); 600 and 520: blocks of rows through the packed weights
        for (const rows of [1, 3, 600]) checkFused(w1, randn([rows, 784]), `W1 network, ${rows} rows, ${isa}, ${t} threads`);
        for (const rows of [2, 520]) checkFused(wide, randn([rows, 9]), `3100 wide, ${rows} rows, ${isa}, ${t} threads`);
      }
    }
  } finally {
    addon.setIsa(best);
    setNumThreads(threads);
    setBackend(before);
  }
});

test('fused inference follows parameter updates (optimizers, copy_, loadStateDict, fit), other networks and layers added after it ran', { skip }, () => {
  onBackends(() => {
    manualSeed(4);
    const model = new nn.Sequential(new nn.Linear(10, 20), new nn.ReLU(), new nn.Linear(20, 5));
    const x = randn([2, 10]);
    checkFused(model, x, 'before');
    const opt = new SGD(model.parameters(), { lr: 0.5 });
    model.forward(x).pow(2).sum().backward();
    opt.step();
    checkFused(model, x, 'after an optimizer step');
    // an update seen first by a call of 4-16 rows (native: a path without the packed weights), then 2 rows
    opt.zeroGrad();
    model.forward(x).pow(2).sum().backward();
    opt.step();
    checkFused(model, randn([9, 10]), 'after a step, 9 rows');
    checkFused(model, x, 'after a step, 9 rows, then 2 rows');
    // Adam over a parameter big enough for the backends' fused update kernels
    const big = new nn.Sequential(new nn.Linear(64, 40), new nn.Tanh(), new nn.Linear(40, 3));
    const xb = randn([3, 64]);
    checkFused(big, xb, 'big, before');
    const adam = new Adam(big.parameters(), { lr: 0.05 });
    for (let i = 0; i < 2; i++) {
      adam.zeroGrad();
      big.forward(xb).pow(2).sum().backward();
      adam.step();
      checkFused(big, xb, `big, after Adam step ${i + 1}`);
    }
    // another network in between, then the first again
    checkFused(model, x, 'the first network again');
    checkFused(big, xb, 'big again');
    noGrad(() => (model.at(0) as nn.Linear).weight.copy_(randn([20, 10])));
    checkFused(model, x, 'after copy_ into a weight');
    const other = new nn.Sequential(new nn.Linear(10, 20), new nn.ReLU(), new nn.Linear(20, 5));
    model.loadStateDict(other.stateDict());
    checkFused(model, x, 'after loadStateDict');
    const y0 = noGrad(() => model.forward(x)).dataSync();
    const y1 = noGrad(() => other.forward(x)).dataSync();
    assert.deepEqual(Array.from(y0), Array.from(y1), 'the loaded weights are used');
    // Keras fit (its fused SGD kernel updates the weights in place)
    const km = K.sequential([K.dense({ units: 8, activation: 'tanh', inputShape: [6] }), K.dense({ units: 2 })]);
    km.compile({ optimizer: 'sgd', loss: 'mse' });
    const kx = randn([32, 6]);
    checkFused(km, kx.narrow(0, 0, 4).contiguous(), 'Keras, before fit');
    km.fit(kx, randn([32, 2]), { epochs: 2, batchSize: 8, verbose: 0 });
    checkFused(km, kx.narrow(0, 0, 4).contiguous(), 'Keras, after fit');
    model.add(new nn.Tanh());
    const y = noGrad(() => model.forward(x));
    assert.ok(y.contiguousData().every((v) => v > -1 && v < 1), 'the added Tanh applies');
    checkFused(model, x, 'after add');
    // a lazily built layer: the first call builds it through the ops, the next ones are fused
    const lazy = new nn.Sequential(new nn.Linear(null, 8), new nn.ReLU(), new nn.Linear(8, 2));
    const [, first] = counted(() => noGrad(() => lazy.forward(x)));
    assert.equal(first, 0, 'not built yet: the ops');
    checkFused(lazy, x, 'lazy layer, once built');
  });
});

test('fused inference stays out of the way: gradients on, other layers, float64, non-2-D input, odd Flatten', { skip }, () => {
  onBackends(() => {
    manualSeed(5);
    const plain = new nn.Sequential(new nn.Linear(6, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const cases: [string, () => Tensor][] = [
      ['gradients on', () => plain.forward(randn([2, 6]))],
      ['3-D input', () => noGrad(() => plain.forward(randn([2, 3, 6])))],
      ['a Dropout layer', () => noGrad(() => new nn.Sequential(new nn.Linear(6, 4), new nn.Dropout(0.5), new nn.Linear(4, 2)).forward(randn([2, 6])))],
      ['float64 parameters', () => noGrad(() => new nn.Sequential(new nn.Linear(6, 4, { dtype: 'float64' }), new nn.Linear(4, 2, { dtype: 'float64' })).forward(randn([2, 6], { dtype: 'float64' })))],
      ['Flatten from dim 0', () => noGrad(() => new nn.Sequential(new nn.Flatten(0), new nn.Linear(12, 2)).forward(randn([2, 6])))],
      ['a Keras dense with an activity regulariser', () => noGrad(() => K.sequential([K.dense({ units: 3, inputShape: [6], activityRegularizer: K.l2(0.1) })]).forward(randn([2, 6])))],
    ];
    for (const [label, run] of cases) {
      const [y, calls] = counted(run);
      assert.equal(calls, 0, `${label}: the ops run`);
      assert.ok(y.size > 0);
    }
    // a wrong input width is reported by the layer, as without the fused path
    assert.throws(() => noGrad(() => plain.forward(randn([1, 5]))), /linear: input \[\.\.\., in\] and weight \[out, in\] with the same 'in'/);
  });
});

test('native mlpForward refuses bad arguments with a message naming them', { skip: loadNativeAddon() === null && 'native addon not built' }, () => {
  const addon = loadNativeAddon()!;
  const w = new Float32Array(12);
  const x = new Float32Array(4);
  const out = new Float32Array(3);
  addon.mlpForward(x, 1, out, 4, -1, 1, w, null, 3, 1); // fine
  assert.throws(() => addon.mlpForward(x, 1, out, 4, -1, 1, new Float32Array(11), null, 3, 1), /mlpForward: layer 0: a weight \[3, 4\] and a bias \[3\]/);
  assert.throws(() => addon.mlpForward(x, 1, out, 4, -1, 1, w, new Float32Array(2), 3, 1), /mlpForward: layer 0: a weight \[3, 4\] and a bias \[3\]/);
  assert.throws(() => addon.mlpForward(x, 1, out, 4, -1, 1, w, null, 3, 4), /mlpForward: activation codes 0-3 \(identity, relu, sigmoid, tanh\); got 4 on layer 0/);
  assert.throws(() => addon.mlpForward(x, 2, out, 4, -1, 1, w, null, 3, 0), /mlpForward: rows >= 1, x \[rows, 4\] and out \[rows, 3\]; got rows 2, 4 and 3 values/);
  assert.throws(() => addon.mlpForward(x, 1, out, 4, -1, 1, w, null, 3), /mlpForward: x, rows, out, the input width, a packed-weights slot, repack and 4 arguments per layer/);
  assert.throws(() => addon.mlpForward(x, 1, out, 0, -1, 1, w, null, 3, 0), /mlpForward: positive layer sizes/);
  const slot = addon.mlpPackedNew();
  addon.mlpForward(x, 1, out, 4, slot, 1, w, null, 3, 1); // fine
  addon.mlpPackedFree(slot);
  assert.throws(() => addon.mlpForward(x, 1, out, 4, slot, 0, w, null, 3, 1), new RegExp(`mlpForward: no packed-weights slot ${slot} \\(freed, or not from mlpPackedNew\\)`));
});

test('native mlpForwardHeld reruns the slot\'s last network from the slot alone (bias copies too), declines the rows that need the weights, refuses bad arguments', { skip: loadNativeAddon() === null && 'native addon not built' }, () => {
  const addon = loadNativeAddon()!;
  manualSeed(3);
  // 40-70 relu -> 70-30 tanh -> 30-5 identity, with biases
  const sizes = [40, 70, 30, 5];
  const acts = [1, 3, 0];
  const w = sizes.slice(1).map((o, l) => randn([o, sizes[l]!]).contiguousData() as Float32Array);
  const b = sizes.slice(1).map((o) => randn([o]).contiguousData() as Float32Array);
  const layers = (bias: Float32Array[]) => w.flatMap((wl, l) => [wl, bias[l]!, sizes[l + 1]!, acts[l]!]);
  const slot = addon.mlpPackedNew();
  try {
    addon.mlpForward(new Float32Array(40), 1, new Float32Array(5), 40, slot, 1, ...layers(b)); // packs
    for (const rows of [1, 3, 9, 600]) {
      const x = randn([rows, 40]).contiguousData() as Float32Array;
      const full = new Float32Array(rows * 5);
      // the reference, through the slot (the packing stays current: repack 0)
      addon.mlpForward(x, rows, full, 40, slot, 0, ...layers(b));
      // the caller's biases change after the call: the slot keeps its copies
      const moved = b.map((bl) => bl.slice());
      for (const bl of b) bl.fill(100);
      const held = new Float32Array(rows * 5);
      const ran = addon.mlpForwardHeld(x, rows, held, slot);
      for (const [l, bl] of b.entries()) bl.set(moved[l]!);
      assert.equal(ran, rows < 4 || rows >= 504, `rows ${rows}: runs where only the packing is read`);
      if (ran) assert.deepEqual(held, full, `rows ${rows}: the slot's network gives the full call's outputs`);
      else assert.ok(held.every((v) => v === 0), `rows ${rows}: declined with nothing written`);
    }
    const x = new Float32Array(40);
    assert.throws(() => addon.mlpForwardHeld(x, 1, new Float32Array(4), slot), /mlpForwardHeld: x \[rows, 40\] and out \[rows, 5\] for rows 1; got 40 and 4 values/);
    assert.throws(() => (addon.mlpForwardHeld as (...a: unknown[]) => boolean)(x, 1, new Float32Array(5)), /mlpForwardHeld: x, rows, out and a packed-weights slot; got 3 arguments/);
    // a slot that has run nothing yet declines
    const fresh = addon.mlpPackedNew();
    assert.equal(addon.mlpForwardHeld(x, 1, new Float32Array(5), fresh), false);
    addon.mlpPackedFree(fresh);
  } finally {
    addon.mlpPackedFree(slot);
  }
  assert.throws(() => addon.mlpForwardHeld(new Float32Array(40), 1, new Float32Array(5), slot), new RegExp(`mlpForwardHeld: no packed-weights slot ${slot} \\(freed, or not from mlpPackedNew\\)`));
});

test('WASM mlpForwardF32 called directly: without a key (nothing kept) it equals the ops, and it declines more than 16 rows', () => {
  const wasm = createWasmBackend()!;
  manualSeed(7);
  const model = new nn.Sequential(new nn.Linear(300, 40), new nn.Sigmoid(), new nn.Linear(40, 6));
  const [l0, l2] = [model.at(0) as nn.Linear, model.at(2) as nn.Linear];
  const args = (x: Tensor, out: Float32Array) => ({
    sizes: Int32Array.from([300, 40, 6]),
    acts: Int32Array.from([2, 0]),
    weights: [l0.weight.data() as Float32Array, l2.weight.data() as Float32Array],
    biases: [l0.bias!.data() as Float32Array, l2.bias!.data() as Float32Array],
    x: x.contiguousData() as Float32Array,
    rows: x.shape[0]!,
    out,
  });
  for (const rows of [1, 5, 16]) {
    const x = randn([rows, 300]);
    const want = noGrad(() => x.matmul(l0.weight.T).add(l0.bias!).sigmoid().matmul(l2.weight.T).add(l2.bias!)).contiguousData();
    // twice: the second call must not read weights a first call's scratch overwrote
    for (let i = 0; i < 2; i++) {
      const out = new Float32Array(rows * 6);
      assert.equal(wasm.mlpForwardF32!(args(x, out)), true);
      for (let j = 0; j < out.length; j++) assert.ok(Math.abs(out[j]! - want[j]!) < 1e-4, `${rows} rows, call ${i + 1}, value ${j}: ${out[j]} vs ${want[j]}`);
    }
  }
  assert.equal(wasm.mlpForwardF32!(args(randn([17, 300]), new Float32Array(17 * 6))), false, 'more than 16 rows: the ops');
});

test('native mlpForward without a packed-weights slot: the bias and ReLU of 1-3 rows (split over the threads or not), some rows and many rows', { skip: loadNativeAddon() === null && 'native addon not built' }, () => {
  // (no slot: 1-3 and 4-503 rows take sgemm with the bias and ReLU in its epilogue, 504 and more pack the weights for the call)
  const addon = loadNativeAddon()!;
  manualSeed(3);
  const sizes = [300, 512, 7];
  const f32 = (shape: number[]): Float32Array => randn(shape).contiguousData() as Float32Array;
  const w = [f32([512, 300]), f32([7, 512])];
  const b = [f32([512]), f32([7])];
  for (const rows of [1, 3, 20, 600]) {
    const x = f32([rows, 300]);
    const out = new Float32Array(rows * 7);
    addon.mlpForward(x, rows, out, 300, -1, 1, w[0]!, b[0]!, 512, 1, w[1]!, b[1]!, 7, 0);
    let worst = 0;
    for (let r = 0; r < rows; r++) {
      const h = Array.from({ length: sizes[1]! }, (_, j) => {
        let s = b[0]![j]!;
        for (let p = 0; p < 300; p++) s += x[r * 300 + p]! * w[0]![j * 300 + p]!;
        return Math.max(s, 0);
      });
      for (let j = 0; j < 7; j++) {
        let s = b[1]![j]!;
        for (let p = 0; p < 512; p++) s += h[p]! * w[1]![j * 512 + p]!;
        worst = Math.max(worst, Math.abs(s - out[r * 7 + j]!) / (1 + Math.abs(s)));
      }
    }
    assert.ok(worst < 1e-4, `${rows} rows: max relative difference ${worst}`);
  }
});
