// Recurrent layers: values against a step-by-step reference written with plain ops (PyTorch's
// formulas), gradients by finite differences, stacking, bidirectional, padded batches, cells, Embedding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, gradcheck, manualSeed, noGrad, randn, stack, tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';

const near = (a: Tensor, b: Tensor, tol = 1e-5): void => {
  const x = a.contiguousData();
  const y = b.contiguousData();
  assert.deepEqual(a.shape, b.shape);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i]! - y[i]!) <= tol, `at ${i}: ${x[i]} vs ${y[i]}`);
};
const P = (m: nn.Module, n: string): Tensor => (m as unknown as Record<string, Tensor>)[n]!;

/** PyTorch's LSTM equations with plain ops (the reference). */
function lstmRef(x: Tensor, m: nn.LSTM, sfx = '_l0'): { out: Tensor; h: Tensor; c: Tensor } {
  const [T, B] = x.shape as [number, number];
  const H = m.hiddenSize;
  let h = randn([B, H]).mul(0);
  let c = h;
  const outs: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const g = x.select(0, t).matmul(P(m, `weight_ih${sfx}`).T).add(P(m, `bias_ih${sfx}`)).add(h.matmul(P(m, `weight_hh${sfx}`).T)).add(P(m, `bias_hh${sfx}`));
    const [i, f, gg, o] = g.split(H, 1);
    c = f!.sigmoid().mul(c).add(i!.sigmoid().mul(gg!.tanh()));
    h = o!.sigmoid().mul(c.tanh());
    outs.push(h);
  }
  return { out: stack(outs), h, c };
}

test('LSTM matches the reference equations; state in and out', () => {
  manualSeed(0);
  const m = new nn.LSTM(3, 4);
  const x = randn([5, 2, 3]);
  const { output, state } = m.forwardWithState(x);
  const ref = lstmRef(x, m);
  near(output, ref.out);
  near(state.h.select(0, 0), ref.h);
  near(state.c!.select(0, 0), ref.c);
  // Continuing from the returned state equals running the whole sequence at once.
  const a = m.forwardWithState(x.narrow(0, 0, 3));
  const b = m.forwardWithState(x.narrow(0, 3, 2), a.state);
  near(b.output, output.narrow(0, 3, 2));
  assert.deepEqual(m.namedParameters().map(([n]) => n), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
});

test('GRU and RNN match their reference equations', () => {
  manualSeed(1);
  const g = new nn.GRU(3, 2);
  const x = randn([4, 2, 3]);
  let h = randn([2, 2]).mul(0);
  const outs: Tensor[] = [];
  for (let t = 0; t < 4; t++) {
    const xg = x.select(0, t).matmul(P(g, 'weight_ih_l0').T).add(P(g, 'bias_ih_l0'));
    const hg = h.matmul(P(g, 'weight_hh_l0').T).add(P(g, 'bias_hh_l0'));
    const [xr, xz, xn] = xg.split(2, 1);
    const [hr, hz, hn] = hg.split(2, 1);
    const r = xr!.add(hr!).sigmoid();
    const z = xz!.add(hz!).sigmoid();
    const n = xn!.add(r.mul(hn!)).tanh();
    h = z.neg().add(1).mul(n).add(z.mul(h));
    outs.push(h);
  }
  near(g.forward(x), stack(outs));
  const r = new nn.RNN(3, 2, { nonlinearity: 'relu' });
  const h1 = x.select(0, 0).matmul(P(r, 'weight_ih_l0').T).add(P(r, 'bias_ih_l0')).add(P(r, 'bias_hh_l0')).relu();
  near(r.forward(x).select(0, 0), h1);
});

test('gradients of every recurrent layer by finite differences (float64)', () => {
  manualSeed(2);
  for (const make of [
    () => new nn.LSTM(2, 3, { dtype: 'float64', numLayers: 2, bidirectional: true }),
    () => new nn.GRU(2, 3, { dtype: 'float64', bidirectional: true }),
    () => new nn.RNN(2, 3, { dtype: 'float64', numLayers: 2 }),
  ]) {
    const m = make();
    const x = randn([4, 2, 2], { dtype: 'float64' }).requiresGrad_();
    assert.ok(gradcheck((a) => m.forward(a), [x]));
    const w = P(m, 'weight_hh_l0');
    assert.ok(gradcheck(() => m.forward(x.detach()), [w as never]));
  }
  const cell = new nn.LSTMCell(2, 3, { dtype: 'float64' });
  const x = randn([2, 2], { dtype: 'float64' }).requiresGrad_();
  const h = randn([2, 3], { dtype: 'float64' }).requiresGrad_();
  const c = randn([2, 3], { dtype: 'float64' }).requiresGrad_();
  assert.ok(gradcheck((a, b, d) => { const s = cell.forwardState(a, { h: b, c: d }); return s.h.add(s.c.mul(2)); }, [x, h, c]));
  const gc = new nn.GRUCell(2, 3, { dtype: 'float64' });
  assert.ok(gradcheck((a, b) => gc.forward(a, b), [x, h]));
  const rc = new nn.RNNCell(2, 3, { dtype: 'float64' });
  assert.ok(gradcheck((a, b) => rc.forward(a, b), [x, h]));
});

test('batchFirst, stacking and bidirectional shapes', () => {
  manualSeed(3);
  const m = new nn.LSTM(5, 7, { numLayers: 3, bidirectional: true, batchFirst: true });
  const { output, state } = m.forwardWithState(randn([2, 6, 5]));
  assert.deepEqual(output.shape, [2, 6, 14]);
  assert.deepEqual(state.h.shape, [6, 2, 7]);
  assert.deepEqual(state.c!.shape, [6, 2, 7]);
  assert.throws(() => m.forward(randn([2, 6, 4])), /LSTM: 5 input features in the last dim; got \[2,6,4\]/);
  assert.throws(() => m.forward(randn([6, 5])), /LSTM: input of shape \[B, T, F\]; got \[6,5\]/);
});

test('padded batches: lengths freeze the state after each sequence ends (both directions)', () => {
  manualSeed(4);
  const m = new nn.GRU(2, 3, { bidirectional: true });
  const x = randn([5, 2, 2]);
  const { output, state } = m.forwardWithState(x, undefined, { lengths: [5, 3] });
  // Item 1 alone, truncated to its 3 real steps, gives the same final states and outputs.
  const alone = m.forwardWithState(x.narrow(0, 0, 3).narrow(1, 1, 1));
  near(state.h.narrow(1, 1, 1), alone.state.h);
  near(output.narrow(0, 0, 3).narrow(1, 1, 1), alone.output);
  assert.equal(output.narrow(0, 3, 2).narrow(1, 1, 1).abs().sum().item(), 0);
  assert.throws(() => m.forwardWithState(x, undefined, { lengths: [5, 6] }), /lengths, one integer in \[1, 5\]/);
});

test('truncated BPTT: detaching the state cuts gradients to earlier chunks', () => {
  manualSeed(5);
  const m = new nn.LSTM(1, 2);
  const x = randn([6, 1, 1]).requiresGrad_();
  const a = m.forwardWithState(x.narrow(0, 0, 3));
  const b = m.forwardWithState(x.narrow(0, 3, 3), { h: a.state.h.detach(), c: a.state.c!.detach() });
  b.output.sum().backward();
  const g = x.grad!.toArray() as number[][][];
  assert.deepEqual(g.slice(0, 3).flat(2), [0, 0, 0]);
  assert.ok(g.slice(3).flat(2).some((v) => v !== 0));
});

test('LSTM buffers reused across calls never leak: a graph kept alive, retainGraph and no-grad passes in between', () => {
  // The fused LSTM op keeps its saved activations in pooled buffers handed back when its graph node is
  // freed; another forward must never get the buffers of a graph that can still run backward.
  manualSeed(11);
  const m = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
  const xa = randn([4, 2, 3]);
  const xb = randn([4, 2, 3]);
  const gradsOf = (x: Tensor): number[] => {
    m.zeroGrad();
    m.forward(x).square().sum().backward();
    return m.parameters().flatMap((p) => [...p.grad!.contiguousData()]);
  };
  const refA = gradsOf(xa);
  const refOut = [...m.forward(xa).detach().contiguousData()];
  m.zeroGrad();
  const lossA = m.forward(xa).square().sum(); // graph A stays alive while others run
  const refB = gradsOf(xb); // B's backward frees its buffers for reuse
  noGradForward(m, xb);
  const lossB = m.forward(xb).square().sum();
  m.zeroGrad();
  lossB.backward({ retainGraph: true });
  noGradForward(m, xa); // must not take the buffers a retained graph still holds
  lossB.backward();
  const close = (got: number[], want: number[], what: string): void => {
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)), `${what} ${i}: ${got[i]} vs ${want[i]}`);
  };
  close(m.parameters().flatMap((p) => [...p.grad!.contiguousData()]), refB.map((v) => 2 * v), 'retained B, grad');
  m.zeroGrad();
  lossA.backward();
  close(m.parameters().flatMap((p) => [...p.grad!.contiguousData()]), refA, 'A, grad');
  assert.deepEqual([...m.forward(xa).detach().contiguousData()], refOut);
});

function noGradForward(m: nn.Module, x: Tensor): void {
  noGrad(() => m.forward(x));
}

test('Embedding looks up rows and trains them', () => {
  manualSeed(6);
  const e = new nn.Embedding(10, 3);
  const idx = tensor([[1, 2], [1, 9]], { dtype: 'int32' });
  const y = e.forward(idx);
  assert.deepEqual(y.shape, [2, 2, 3]);
  near(y.select(0, 1).select(0, 0), e.weight.select(0, 1));
  y.sum().backward();
  assert.deepEqual((e.weight.grad!.toArray() as number[][]).map((r) => r[0]), [0, 2, 1, 0, 0, 0, 0, 0, 0, 1]);
  assert.throws(() => e.forward(tensor([10], { dtype: 'int32' })), /indexSelect: indices in \[0, 10\); got 10/);
});

test('Keras forms: lstm/gru/simpleRnn return the last output; a model with them saves and loads', async () => {
  const K = await import('../src/model/index.ts');
  const { saveModelBytes, loadModelBytes } = K;
  manualSeed(7);
  const m = K.sequential([K.lstm({ units: 4, inputShape: [5, 3] }), K.dense({ units: 2 })]);
  const x = randn([6, 5, 3]);
  assert.deepEqual((m.predict(x) as Tensor).shape, [6, 2]);
  const seq = K.gru({ units: 3, inputShape: [5, 3], returnSequences: true });
  assert.deepEqual(seq.forward(x).shape, [6, 5, 3]);
  assert.deepEqual(K.simpleRnn({ units: 2, inputShape: [5, 3] }).forward(x).shape, [6, 2]);
  const l = loadModelBytes(saveModelBytes(m));
  near(l.predict(x) as Tensor, m.predict(x) as Tensor, 0);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const y = randn([6, 2]);
  const h = m.fit(x, y, { epochs: 20, batchSize: 6, verbose: 0 });
  assert.ok(h.history.loss!.at(-1)! < h.history.loss![0]!);
});
