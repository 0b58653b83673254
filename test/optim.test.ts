// Optimizers, gradient clipping and lr schedulers against steps worked out from PyTorch's documented formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DTypeError, Tensor, ValueError, tensor } from '../src/index.ts';
import { Parameter } from '../src/nn/parameter.ts';
import {
  Adadelta,
  Adagrad,
  Adam,
  AdamW,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  MultiStepLR,
  Optimizer,
  RMSprop,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  clipGradNorm,
  clipGradValue,
  sgdUpdate,
} from '../src/optim/index.ts';
import type { OptimizerStateDict } from '../src/optim/index.ts';

// ---- helpers ----------------------------------------------------------------------------------

/** A float64 parameter [1, -2] (float64 so hand values compare to ~1e-12). */
function param(values: number[] = [1, -2]): Parameter {
  return new Parameter(tensor(values, { dtype: 'float64' }));
}

function setGrad(p: Tensor, g: number[]): void {
  p.grad = tensor(g, { dtype: p.dtype });
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-12, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: expected ${e}, got ${a}`);
  }
}

/** The fixed gradients used by the 3-step checks. */
const GRADS = [
  [0.5, -1],
  [-0.25, 2],
  [1, 0.5],
];

/** Runs `make(p)` over p = [1, -2] for the given gradients and checks p after every step. */
function checkSteps(make: (p: Parameter) => Optimizer, expected: number[][], grads: number[][] = GRADS, what = ''): void {
  const p = param();
  const opt = make(p);
  grads.forEach((g, t) => {
    setGrad(p, g);
    opt.step();
    assertClose(p.data(), expected[t]!, 1e-12, `${what} step ${t + 1}`);
  });
}

// ---- SGD --------------------------------------------------------------------------------------

test('SGD: plain steps p -= lr·g', () => {
  // lr 0.1: [1,-2] - 0.1·[0.5,-1] = [0.95,-1.9]; - 0.1·[-0.25,2] = [0.975,-2.1]; - 0.1·[1,0.5] = [0.875,-2.15]
  checkSteps((p) => new SGD([p], { lr: 0.1 }), [
    [0.95, -1.9],
    [0.975, -2.1],
    [0.875, -2.15],
  ]);
});

test('SGD: momentum with dampening and weight decay', () => {
  // lr 0.1, μ 0.9, τ 0.5, λ 0.1. Step 1: g = [0.5+0.1, -1-0.2] = [0.6,-1.2]; b = g; p = [0.94,-1.88].
  // Step 2: g = [-0.25+0.094, 2-0.188] = [-0.156,1.812]; b = 0.9·[0.6,-1.2] + 0.5·g = [0.462,-0.174];
  //         p = [0.94-0.0462, -1.88+0.0174] = [0.8938,-1.8626].
  checkSteps((p) => new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.1 }), [
    [0.94, -1.88],
    [0.8938, -1.8626],
    [0.797751, -1.862627],
  ]);
});

test('SGD: Nesterov momentum steps along g + μ·b', () => {
  // lr 0.1, μ 0.9. Step 1: b = g = [0.5,-1]; g + μb = [0.95,-1.9]; p = [0.905,-1.81].
  // Step 2: b = 0.9·[0.5,-1] + [-0.25,2] = [0.2,1.1]; g + μb = [-0.07,2.99]; p = [0.912,-2.109].
  checkSteps((p) => new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true }), [
    [0.905, -1.81],
    [0.912, -2.109],
    [0.7058, -2.2931],
  ]);
});

test('SGD: maximize flips the gradient before weight decay', () => {
  // lr 0.1, λ 0.1: g = -∇ + λp. Step 1: g = [-0.5+0.1, 1-0.2] = [-0.4,0.8]; p = [1.04,-2.08].
  checkSteps((p) => new SGD([p], { lr: 0.1, weightDecay: 0.1, maximize: true }), [
    [1.04, -2.08],
    [1.0046, -1.8592],
    [1.094554, -1.790608],
  ]);
});

test('sgdUpdate is a plain kernel over flat arrays', () => {
  const p = new Float64Array([1, -2]);
  const b = new Float64Array(2);
  const h = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, maximize: false };
  sgdUpdate(p, new Float64Array([0.5, -1]), b, true, h);
  assertClose(b, [0.5, -1]);
  assertClose(p, [0.95, -1.9]);
  sgdUpdate(p, new Float64Array([0.5, -1]), b, false, h);
  assertClose(b, [0.95, -1.9]); // 0.9·0.5 + 0.5, 0.9·-1 - 1
  assertClose(p, [0.855, -1.71]);
});

// ---- Adam / AdamW -----------------------------------------------------------------------------

test('Adam: bias-corrected steps', () => {
  // Step 1: m̂ = g, v̂ = g², so p -= lr·g/(|g| + eps): [1 - 0.1·0.5/(0.5+1e-8), -2 + 0.1·1/(1+1e-8)] ≈ [0.900000002,-1.900000001].
  // Step 2: m = [0.9·0.05 + 0.1·-0.25, 0.9·-0.1 + 0.1·2] = [0.02,0.11], m̂ = m/0.19;
  //         v = [0.999·0.00025 + 0.001·0.0625, 0.999·0.001 + 0.001·4] = [0.00031225,0.004999], v̂ = v/0.001999.
  checkSteps((p) => new Adam([p], { lr: 0.1 }), [
    [0.900000002, -1.900000001],
    [0.8733662987078463, -1.9366103534720749],
    [0.8075551396770898, -1.9781754731467738],
  ]);
});

test('Adam: weightDecay is an L2 term added to the gradient', () => {
  // Step 1: g = [0.5+0.1, -1-0.2] = [0.6,-1.2]; p -= 0.1·g/(|g| + 1e-8).
  checkSteps((p) => new Adam([p], { lr: 0.1, weightDecay: 0.1 }), [
    [0.9000000016666666, -1.9000000008333333],
    [0.8544413674617625, -1.9250178784643248],
    [0.7815043998631658, -1.953127270691488],
  ]);
});

test('Adam: amsgrad divides by the running max of v', () => {
  // Gradients shrink after step 1, so v falls (v₂ = 0.999·0.001 + 0.001·1e-4 < v₁ = 0.001) and max(v) differs from v.
  const grads = [
    [1, -2],
    [0.01, 0.01],
    [0.01, -0.01],
  ];
  checkSteps((p) => new Adam([p], { lr: 0.1, amsgrad: true }), [
    [0.900000001, -1.9000000005],
    [0.8322835510128204, -1.8333997552615722],
    [0.7793259045394781, -1.7816239134784904],
  ], grads, 'amsgrad');
  checkSteps((p) => new Adam([p], { lr: 0.1 }), [
    [0.900000001, -1.9000000005],
    [0.832253058026447, -1.8333672638809946],
    [0.7792477091273107, -1.781540892018034],
  ], grads, 'plain');
});

test('Adam: maximize equals minimizing the negated gradient', () => {
  const a = param();
  const b = param();
  const oa = new Adam([a], { lr: 0.1, maximize: true });
  const ob = new Adam([b], { lr: 0.1 });
  for (const g of GRADS) {
    setGrad(a, g);
    setGrad(b, g.map((x) => -x));
    oa.step();
    ob.step();
  }
  assertClose(a.data(), Array.from(b.data()));
});

test('AdamW: decoupled weight decay p *= 1 - lr·λ before the Adam step', () => {
  // Step 1: p = [1,-2]·(1 - 0.1·0.1) = [0.99,-1.98], then Adam's first step: -0.1·sign(g) → [0.890000002,-1.880000001].
  checkSteps((p) => new AdamW([p], { lr: 0.1, weightDecay: 0.1 }), [
    [0.890000002, -1.880000001],
    [0.8544662986878463, -1.897810353462075],
    [0.7801104766702113, -1.920397369602153],
  ]);
  // The default weightDecay is 1e-2: p = [1,-2]·0.999 then the Adam step.
  checkSteps((p) => new AdamW([p], { lr: 0.1 }), [
    [0.899000002, -1.898000001],
    [0.8714672987058463, -1.9327123534710748],
    [0.804784672376384, -1.9723447607923026],
  ]);
  const w = new AdamW([param()]);
  assert.equal(w.paramGroups[0]!.weightDecay, 0.01);
  assert.deepEqual(w.paramGroups[0]!.betas, [0.9, 0.999]);
  assert.equal(new Adam([param()]).paramGroups[0]!.weightDecay, 0);
});

test('Adam on float32 parameters stores float32 state and agrees with float64', () => {
  const p32 = new Parameter(tensor([1, -2]));
  const opt = new Adam([p32], { lr: 0.1 });
  for (const g of GRADS) {
    setGrad(p32, g);
    opt.step();
  }
  assert.ok(opt.state.get(p32)!.expAvg instanceof Float32Array);
  assertClose(p32.data(), [0.8075551396770898, -1.9781754731467738], 1e-6);
});

// ---- RMSprop / Adagrad / Adadelta -------------------------------------------------------------

test('RMSprop: plain steps p -= lr·g/(√v + eps)', () => {
  // Step 1: v = 0.01·g² → √v = 0.1·|g|; p -= 0.01·g/(0.1|g| + 1e-8) ≈ p - 0.1·sign(g).
  checkSteps((p) => new RMSprop([p], { lr: 0.01 }), [
    [0.900000019999996, -1.900000009999999],
    [0.9449013374421751, -1.989532302199152],
    [0.8574273783928595, -2.011479653863255],
  ]);
});

test('RMSprop: centered with momentum and weight decay', () => {
  // lr 0.01, α 0.9, μ 0.5, λ 0.1. Step 1: g = [0.6,-1.2]; v = 0.1·g² = [0.036,0.144]; ḡ = 0.1·g = [0.06,-0.12];
  // ṽ = v - ḡ² = [0.0324,0.1296] → √ṽ = [0.18,0.36]; b = g/(√ṽ + eps) ≈ [3.3333,-3.3333]; p -= 0.01·b.
  checkSteps((p) => new RMSprop([p], { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1 }), [
    [0.9666666685185185, -1.9666666675925926],
    [0.958408173998616, -1.9768953901053492],
    [0.9239459053075623, -1.9867346665804893],
  ]);
});

test('Adagrad: lrDecay, initialAccumulatorValue and weight decay', () => {
  // lr 0.1, η 0.5, s₀ 0.1, λ 0.1. Step 1: g = [0.6,-1.2]; s = [0.1+0.36, 0.1+1.44] = [0.46,1.54];
  // p -= 0.1·g/√s = [1 - 0.06/0.678233, -2 + 0.12/1.240967] = [0.911535,-1.903301]. Step 2 uses lr 0.1/(1 + 0.5).
  checkSteps((p) => new Adagrad([p], { lr: 0.1, lrDecay: 0.5, initialAccumulatorValue: 0.1, weightDecay: 0.1 }), [
    [0.9115348263201052, -1.9033012443247466],
    [0.926737207748413, -1.9582824468027067],
    [0.8845759636046762, -1.9651477864843636],
  ]);
});

test('Adadelta: Δ = √(u + eps)/√(v + eps)·g', () => {
  // Defaults lr 1, ρ 0.9, eps 1e-6. Step 1: v = 0.1·g²; Δ = √1e-6/√(0.1·0.25 + 1e-6)·0.5 ≈ 0.0031622.
  checkSteps((p) => new Adadelta([p]), [
    [0.9968377855834876, -1.9968377381511013],
    [0.9989228726112789, -2.000878334104818],
    [0.9946161569990815, -2.002254991316342],
  ]);
  checkSteps((p) => new Adadelta([p], { lr: 0.5, rho: 0.8, weightDecay: 0.1 }), [
    [0.9988819737752942, -1.9988819679522762],
    [0.9993078913628443, -2.0002400243145675],
    [0.9978876163575717, -2.0005597591337407],
  ], GRADS, 'weight decay');
});

test('defaults follow PyTorch', () => {
  const g = (o: Optimizer) => o.paramGroups[0]! as unknown as Record<string, unknown>;
  assert.equal(g(new SGD([param()])).lr, 1e-3);
  assert.equal(g(new Adam([param()])).eps, 1e-8);
  const r = g(new RMSprop([param()]));
  assert.deepEqual([r.lr, r.alpha, r.eps, r.momentum, r.centered], [1e-2, 0.99, 1e-8, 0, false]);
  const a = g(new Adagrad([param()]));
  assert.deepEqual([a.lr, a.lrDecay, a.eps, a.initialAccumulatorValue], [1e-2, 0, 1e-10, 0]);
  const d = g(new Adadelta([param()]));
  assert.deepEqual([d.lr, d.rho, d.eps], [1, 0.9, 1e-6]);
});

// ---- the base class ---------------------------------------------------------------------------

test('step skips params without grad, writes in place and bumps the storage version', () => {
  const a = param();
  const b = param([5]);
  const opt = new SGD([a, b], { lr: 0.1 });
  const storage = a.data();
  const va = a.storage.version;
  const vb = b.storage.version;
  setGrad(a, [1, 1]);
  opt.step();
  assert.equal(a.data(), storage);
  assertClose(a.data(), [0.9, -2.1]);
  assert.equal(a.storage.version, va + 1);
  assert.deepEqual(Array.from(b.data()), [5]);
  assert.equal(b.storage.version, vb);
  assert.equal(opt.state.has(b), false);
});

test('zeroGrad sets grads to null (or zeroes them); step(closure) returns the loss', () => {
  const p = param();
  const opt = new SGD([p], { lr: 0.1 });
  setGrad(p, [1, 2]);
  opt.zeroGrad(false);
  assert.deepEqual(p.grad!.toArray(), [0, 0]);
  opt.zeroGrad();
  assert.equal(p.grad, null);
  const loss = opt.step(() => {
    const l = p.sub(3).square().sum();
    l.backward();
    return l.item();
  });
  assert.equal(loss, 4 + 25);
  assertClose(p.data(), [1 + 0.1 * 4, -2 + 0.1 * 10]);
});

test('param groups: per-group lr, defaults for the rest, addParamGroup', () => {
  const a = param([1]);
  const b = param([1]);
  const c = param([1]);
  const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b] }], { lr: 0.01, momentum: 0.5 });
  opt.addParamGroup({ params: [c], lr: 1, momentum: 0 });
  assert.equal(opt.paramGroups.length, 3);
  assert.equal(opt.paramGroups[0]!.momentum, 0.5);
  for (const p of [a, b, c]) setGrad(p, [1]);
  opt.step();
  assertClose(a.data(), [0.9]);
  assertClose(b.data(), [0.99]);
  assertClose(c.data(), [0]);
  opt.step(); // momentum: b = 0.5·1 + 1 = 1.5 in the first two groups; the third has none
  assertClose(a.data(), [0.9 - 0.15]);
  assertClose(b.data(), [0.99 - 0.015]);
  assertClose(c.data(), [-1]);
  assert.throws(() => opt.addParamGroup({ params: [a] }), /each parameter in one param group only; got a duplicate/);
  assert.throws(() => opt.addParamGroup({ params: [param()], lr: -1 }), /SGD: lr >= 0; got -1/);
});

test('invalid hyperparameters and parameters throw ValueErrors naming the optimizer', () => {
  const p = param();
  const cases: [() => unknown, RegExp][] = [
    [() => new SGD([p], { lr: -0.1 }), /^SGD: lr >= 0; got -0\.1$/],
    [() => new SGD([p], { lr: NaN }), /SGD: lr >= 0; got NaN/],
    [() => new SGD([p], { momentum: -1 }), /SGD: momentum >= 0; got -1/],
    [() => new SGD([p], { weightDecay: -1 }), /SGD: weightDecay >= 0/],
    [() => new SGD([p], { nesterov: true }), /SGD: nesterov with momentum > 0 and dampening 0; got momentum 0, dampening 0/],
    [() => new SGD([p], { nesterov: true, momentum: 0.9, dampening: 0.1 }), /SGD: nesterov/],
    [() => new Adam([p], { betas: [1, 0.999] }), /Adam: betas\[0\] in \[0, 1\); got 1/],
    [() => new Adam([p], { betas: [0.9, -0.1] }), /Adam: betas\[1\] in \[0, 1\); got -0\.1/],
    [() => new Adam([p], { eps: -1e-8 }), /Adam: eps >= 0/],
    [() => new Adam([p], { weightDecay: -1 }), /Adam: weightDecay >= 0/],
    [() => new AdamW([p], { lr: -1 }), /AdamW: lr >= 0/],
    [() => new RMSprop([p], { alpha: 1.5 }), /RMSprop: alpha in \[0, 1\]; got 1\.5/],
    [() => new RMSprop([p], { momentum: -0.5 }), /RMSprop: momentum >= 0/],
    [() => new Adagrad([p], { lrDecay: -1 }), /Adagrad: lrDecay >= 0/],
    [() => new Adagrad([p], { initialAccumulatorValue: -1 }), /Adagrad: initialAccumulatorValue >= 0/],
    [() => new Adadelta([p], { rho: 1.5 }), /Adadelta: rho in \[0, 1\]; got 1\.5/],
    [() => new Adadelta([p], { eps: -1 }), /Adadelta: eps >= 0/],
    [() => new SGD([]), /SGD: a non-empty list of parameters; got an empty one/],
    [() => new SGD(p as unknown as Tensor[]), /got a single Tensor/],
    [() => new SGD([{ params: [] }]), /param group 0 with at least one parameter/],
  ];
  for (const [f, re] of cases) assert.throws(f, (e: unknown) => e instanceof ValueError && re.test(e.message), String(re));
  // Non-contiguous, non-leaf and integer tensors cannot be optimized.
  assert.throws(() => new SGD([tensor([[1, 2], [3, 4]]).T]), /SGD: contiguous parameters .* got a strided view of shape \[2,2\]/);
  const leaf = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => new SGD([leaf.mul(2)]), /SGD: leaf tensors to optimize; got a result of MulBackward/);
  assert.throws(() => new SGD([tensor([1, 2], { dtype: 'int32' })]), DTypeError);
});

test('a grad of the wrong size is reported at step', () => {
  const p = param();
  const opt = new SGD([p], { lr: 0.1 });
  p.grad = tensor([1, 2, 3], { dtype: 'float64' });
  assert.throws(() => opt.step(), /SGD.step: a float gradient shaped like its parameter \[2\]; got float64 \[3\]/);
});

// ---- state dicts ------------------------------------------------------------------------------

test('stateDict round trip: a new optimizer loaded from the JSON state continues identically', () => {
  const make = (ps: Parameter[]): Adam => new Adam([{ params: [ps[0]!] }, { params: [ps[1]!], lr: 0.05, amsgrad: true }], { lr: 0.1 });
  const a = [param(), param([3, 4, 5])];
  const optA = make(a);
  const grads = (t: number): number[][] => [[0.5 * t, -1 + t], [1 - t, 0.25 * t, 2]];
  for (let t = 0; t < 2; t++) {
    a.forEach((p, i) => setGrad(p, grads(t)[i]!));
    optA.step();
  }
  const sd = JSON.parse(JSON.stringify(optA.stateDict())) as OptimizerStateDict;
  assert.deepEqual(sd.param_groups.map((g) => g.params), [[0], [1]]);
  assert.equal(sd.param_groups[1]!.lr, 0.05);
  assert.equal(sd.param_groups[1]!.amsgrad, true);
  assert.deepEqual(Object.keys(sd.state), ['0', '1']);
  assert.equal(sd.state['0']!.step, 2);
  assert.equal((sd.state['1']!.maxExpAvgSq as number[]).length, 3);

  // The copy starts from the same parameter values, but a different lr that the state dict overrides.
  const b = a.map((p) => param(Array.from(p.data())));
  const optB = new Adam([{ params: [b[0]!] }, { params: [b[1]!] }], { lr: 0.5 });
  optB.loadStateDict(sd);
  assert.equal(optB.paramGroups[1]!.lr, 0.05);
  assert.equal(optB.paramGroups[1]!.amsgrad, true);
  assert.ok(optB.state.get(b[0]!)!.expAvg instanceof Float64Array);
  for (let t = 2; t < 5; t++) {
    a.forEach((p, i) => setGrad(p, grads(t)[i]!));
    b.forEach((p, i) => setGrad(p, grads(t)[i]!));
    optA.step();
    optB.step();
  }
  a.forEach((p, i) => assert.deepEqual(Array.from(b[i]!.data()), Array.from(p.data())));
  assert.deepEqual(optB.stateDict(), optA.stateDict());
});

test('loadStateDict validates group count, group sizes and buffer sizes', () => {
  const p = param();
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  setGrad(p, [1, 1]);
  opt.step();
  const sd = opt.stateDict();
  const two = new SGD([{ params: [param()] }, { params: [param()] }]);
  assert.throws(() => two.loadStateDict(sd), /SGD.loadStateDict: a state dict with 2 param group\(s\), like this optimizer; got 1/);
  const wide = new SGD([param(), param()]);
  assert.throws(() => wide.loadStateDict(sd), /param group 0 with 2 parameter\(s\); got 1/);
  const other = new SGD([param([1, 2, 3])]);
  assert.throws(() => other.loadStateDict(sd), /state 'momentumBuffer' of parameter 0 with 3 elements \(shape \[3\]\); got 2/);
  assert.throws(() => other.loadStateDict({} as OptimizerStateDict), /a state dict \{ state, param_groups \}/);
  const bad = structuredClone(sd);
  bad.param_groups[0]!.lr = -1;
  assert.throws(() => new SGD([param()]).loadStateDict(bad), /SGD: lr >= 0; got -1/);
});

// ---- gradient clipping ------------------------------------------------------------------------

test('clipGradNorm: returns the total norm and scales by maxNorm/(total + 1e-6)', () => {
  const a = param([0, 0]);
  const b = param([0]);
  const c = param([0]); // no grad: skipped
  setGrad(a, [3, 4]);
  setGrad(b, [12]);
  const total = clipGradNorm([a, b, c], 6.5);
  assert.equal(total, 13); // √(9 + 16 + 144)
  const k = 6.5 / (13 + 1e-6);
  assertClose(a.grad!.data(), [3 * k, 4 * k]);
  assertClose(b.grad!.data(), [12 * k]);
  // Under the limit: untouched.
  setGrad(a, [3, 4]);
  assert.equal(clipGradNorm(a, 10), 5);
  assert.deepEqual(a.grad!.toArray(), [3, 4]);
  // Other norms.
  setGrad(a, [3, -4]);
  setGrad(b, [12]);
  assert.equal(clipGradNorm([a, b], 100, 1), 19);
  assert.equal(clipGradNorm([a, b], 100, Infinity), 12);
  assertClose([clipGradNorm([a, b], 100, 3)], [Math.cbrt(27 + 64 + 1728)]);
  setGrad(a, [3, -4]);
  clipGradNorm(a, 2, Infinity); // scale 2/(4 + 1e-6)
  assertClose(a.grad!.data(), [1.5, -2], 1e-6);
  assert.equal(clipGradNorm([c], 1), 0);
  assert.throws(() => clipGradNorm([a], 1, 0), /clipGradNorm: normType > 0/);
});

test('clipGradNorm: a non-finite total is returned, or thrown with errorIfNonfinite', () => {
  const a = param();
  setGrad(a, [NaN, 1]);
  assert.ok(Number.isNaN(clipGradNorm(a, 1)));
  assert.equal(a.grad!.data()[1], 1);
  setGrad(a, [Infinity, 1]);
  assert.equal(clipGradNorm(a, 1), Infinity);
  assert.throws(() => clipGradNorm(a, 1, 2, { errorIfNonfinite: true }), /clipGradNorm: a finite total norm of order 2 of the gradients; got Infinity/);
});

test('clipGradValue clamps gradients in place', () => {
  const a = param([0, 0, 0]);
  setGrad(a, [-3, 0.5, 2]);
  const g = a.grad!;
  clipGradValue([a], 1);
  assert.equal(a.grad, g);
  assert.deepEqual(g.toArray(), [-1, 0.5, 1]);
  // A strided gradient is clamped through an in-place op.
  const m = new Parameter(tensor([[0, 0], [0, 0]], { dtype: 'float64' }));
  m.grad = tensor([[5, -5], [0.5, 9]], { dtype: 'float64' }).T;
  clipGradValue(m, 2);
  assert.deepEqual(m.grad.toArray(), [[2, 0.5], [-2, 2]]);
  assert.throws(() => clipGradValue(a, -1), /clipGradValue: clipValue >= 0; got -1/);
});

// ---- schedulers -------------------------------------------------------------------------------

/** The lrs of group 0: after construction (epoch 0), then after each of `n` steps. */
function lrSequence(sched: { step(): void; getLastLr(): number[] }, n: number): number[] {
  const out = [sched.getLastLr()[0]!];
  for (let i = 0; i < n; i++) {
    sched.step();
    out.push(sched.getLastLr()[0]!);
  }
  return out;
}

test('StepLR: lr·γ every stepSize epochs', () => {
  const opt = new SGD([param()], { lr: 0.1 });
  const s = new StepLR(opt, { stepSize: 2 });
  assertClose(lrSequence(s, 5), [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]);
  assert.equal(opt.paramGroups[0]!.lr, s.getLastLr()[0]);
  assert.equal(opt.paramGroups[0]!.initialLr, 0.1);
  assert.throws(() => new StepLR(opt, { stepSize: 0 }), /StepLR: stepSize a positive integer; got 0/);
});

test('MultiStepLR: lr·γ at each milestone (repeats count)', () => {
  const s = new MultiStepLR(new SGD([param()], { lr: 1 }), { milestones: [5, 2, 5], gamma: 0.5 });
  assertClose(lrSequence(s, 6), [1, 1, 0.5, 0.5, 0.5, 0.125, 0.125]);
});

test('ExponentialLR: lr·γ every epoch', () => {
  const s = new ExponentialLR(new SGD([param()], { lr: 1 }), { gamma: 0.5 });
  assertClose(lrSequence(s, 3), [1, 0.5, 0.25, 0.125]);
});

test('CosineAnnealingLR: etaMin + (base - etaMin)(1 + cos(πe/tMax))/2', () => {
  const s = new CosineAnnealingLR(new SGD([param()], { lr: 1 }), { tMax: 4, etaMin: 0.1 });
  const c = Math.SQRT1_2;
  assertClose(lrSequence(s, 5), [1, 0.1 + 0.45 * (1 + c), 0.55, 0.1 + 0.45 * (1 - c), 0.1, 0.1 + 0.45 * (1 - c)]);
  assertClose(lrSequence(new CosineAnnealingLR(new SGD([param()], { lr: 2 }), { tMax: 2 }), 2), [2, 1, 0]);
});

test('LambdaLR: base·λ(e), one λ per group', () => {
  const opt = new SGD([{ params: [param()], lr: 1 }, { params: [param()], lr: 0.5 }]);
  const s = new LambdaLR(opt, { lrLambda: [(e) => 0.5 ** e, (e) => e + 1] });
  const seq = [s.getLastLr()];
  s.step();
  seq.push(s.getLastLr());
  s.step();
  seq.push(s.getLastLr());
  assert.deepEqual(seq, [[1, 0.5], [0.5, 1], [0.25, 1.5]]);
  assert.throws(() => new LambdaLR(opt, { lrLambda: [(e) => e] }), /LambdaLR: lrLambda a function or an array of 2 functions/);
});

test('a scheduler drives the optimizer lr; scheduler stateDict round trip', () => {
  const p = param([0]);
  const opt = new SGD([p], { lr: 1 });
  const s = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
  for (let e = 0; e < 3; e++) {
    setGrad(p, [1]);
    opt.step();
    s.step();
  }
  assertClose(p.data(), [-(1 + 0.5 + 0.25)]);
  const osd = JSON.parse(JSON.stringify(opt.stateDict())) as OptimizerStateDict;
  const ssd = JSON.parse(JSON.stringify(s.stateDict())) as ReturnType<StepLR['stateDict']>;
  assert.deepEqual(ssd, { lastEpoch: 3, baseLrs: [1], lastLr: [0.125] });
  const opt2 = new SGD([param([0])], { lr: 1 });
  const s2 = new StepLR(opt2, { stepSize: 1, gamma: 0.5 });
  opt2.loadStateDict(osd);
  s2.loadStateDict(ssd);
  assert.equal(opt2.paramGroups[0]!.lr, 0.125);
  s.step();
  s2.step();
  assert.deepEqual(s2.getLastLr(), s.getLastLr());
  assert.equal(s2.lastEpoch, 4);
});

test('ReduceLROnPlateau: patience, cooldown and minLr', () => {
  const opt = new SGD([param()], { lr: 1 });
  const s = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 2, cooldown: 1, minLr: 0.3 });
  const lrs: number[] = [];
  for (const m of [10, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]) {
    s.step(m);
    lrs.push(s.getLastLr()[0]!);
  }
  // Best 9 at epoch 2; 3 bad epochs (> patience 2) → 0.5 at epoch 5; cooldown epoch 6 resets the count;
  // 3 more bad epochs → max(0.25, 0.3) = 0.3 at epoch 9; then 0.15 is below minLr: no change.
  assert.deepEqual(lrs, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3, 0.3]);
  assert.equal(opt.paramGroups[0]!.lr, 0.3);
  assert.equal(s.best, 9);
});

test('ReduceLROnPlateau: max mode with a relative threshold; tensor metrics; stateDict', () => {
  const opt = new SGD([param()], { lr: 1 });
  const s = new ReduceLROnPlateau(opt, { mode: 'max', patience: 0, threshold: 0.1 });
  s.step(1); // best 1
  s.step(tensor(1.05)); // not > 1·1.1: bad epoch 1 > patience 0 → lr 0.1
  assertClose(s.getLastLr(), [0.1]);
  s.step(1.2); // > 1.1: new best
  assertClose(s.getLastLr(), [0.1]);
  assert.equal(s.best, 1.2);
  const sd = JSON.parse(JSON.stringify(s.stateDict())) as ReturnType<ReduceLROnPlateau['stateDict']>;
  const s2 = new ReduceLROnPlateau(new SGD([param()], { lr: 0.1 }), { mode: 'max', patience: 0, threshold: 0.1 });
  assert.equal(s2.stateDict().best, null);
  s2.loadStateDict(sd);
  assert.equal(s2.best, 1.2);
  assert.equal(s2.lastEpoch, 3);
  assert.throws(() => new ReduceLROnPlateau(opt, { factor: 1 }), /ReduceLROnPlateau: factor in \[0, 1\); got 1/);
  assert.throws(() => new ReduceLROnPlateau(opt, { mode: 'up' as 'min' }), /mode 'min' or 'max'; got up/);
  assert.throws(() => new ReduceLROnPlateau(opt, { minLr: [0, 0] }), /minLr a number or 1 numbers/);
});

// ---- end to end -------------------------------------------------------------------------------

function minimise(make: (p: Parameter) => Optimizer, steps: number): Parameter {
  const p = new Parameter(tensor([0, 10, -5]));
  const opt = make(p);
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    p.sub(3).square().sum().backward();
    opt.step();
  }
  return p;
}

test('end to end: SGD with momentum and Adam minimise sum((p - 3)²) with autograd', () => {
  const sgd = minimise((p) => new SGD([p], { lr: 0.05, momentum: 0.9 }), 300);
  for (const v of sgd.data()) assert.ok(Math.abs(v - 3) < 1e-3, `SGD: ${v}`);
  const adam = minimise((p) => new Adam([p], { lr: 0.1 }), 1000);
  for (const v of adam.data()) assert.ok(Math.abs(v - 3) < 1e-3, `Adam: ${v}`);
});
