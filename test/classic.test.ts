// Tests of neurona/classic: McCulloch-Pitts neurons, the perceptron (XOR never separated, two layers do it),
// regression by gradient descent vs the closed form and autograd, the MLPs against scikit-learn 1.2.1's
// loss curves, their attributes and errors, Pipeline/ColumnTransformer, and the S2 / S4-1 examples' bars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, ShapeError, ValueError, tensor } from '../src/index.ts';
import { Linear } from '../src/nn/index.ts';
import { MinMaxScaler, OrdinalEncoder, StandardScaler, trainTestSplit } from '../src/data/index.ts';
import { loadWine } from '../src/datasets/index.ts';
import * as neurona from '../src/index.ts';
import {
  BaseMLP, ColumnTransformer, LinearRegressionGD, LogisticRegressionGD, MLPClassifier, MLPRegressor, McCullochPittsNeuron, Perceptron,
  Pipeline, choleskySolve, closedForm, gaussSolve,
} from '../src/classic/index.ts';
import { GATES, INPUTS2, mcCullochPittsXor, perceptronOn, singleNeuronsFor, twoLayerXor } from '../examples/s3-1-mcculloch-pitts-perceptron.ts';
import { runPerceptronRule } from '../examples/s3-2-perceptron-rule.ts';
import { answer, predictFontShade, runFontColours } from '../examples/s2-font-colours.ts';
import { runWine } from '../examples/s4-1-wine-mlp.ts';
import { runRegression } from '../examples/s4-3-regression-gd.ts';

const close = (a: number, b: number, tol: number, what = ''): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} vs ${b}`);

// ---- McCulloch-Pitts and the perceptron (S3-1, S3-2) ---------------------------------------------------

test('McCulloch-Pitts: AND, OR, NOT truth tables; an active inhibitory input vetoes; weights', () => {
  const and = new McCullochPittsNeuron({ threshold: 2, nInputs: 2 });
  const or = new McCullochPittsNeuron({ threshold: 1, nInputs: 2 });
  const not = new McCullochPittsNeuron({ threshold: 0, inhibitory: [0] });
  assert.deepEqual(INPUTS2.map((x) => and.activate(x)), [0, 0, 0, 1]);
  assert.deepEqual(INPUTS2.map((x) => or.activate(x)), [0, 1, 1, 1]);
  assert.deepEqual([not.activate([0]), not.activate([1])], [1, 0]);
  // x0 OR x1, unless x2: the inhibitory input wins even when the count reaches the threshold
  const veto = new McCullochPittsNeuron({ threshold: 1, excitatory: [0, 1], inhibitory: [2] });
  assert.deepEqual([veto.activate([1, 1, 0]), veto.activate([1, 1, 1]), veto.activate([0, 0, 0])], [1, 0, 0]);
  const weighted = new McCullochPittsNeuron({ threshold: 2, weights: [2, 1, 1] });
  assert.deepEqual([weighted.activate([1, 0, 0]), weighted.activate([0, 1, 0]), weighted.activate([0, 1, 1])], [1, 0, 1]);
  assert.deepEqual(Array.from(and.predict(tensor(INPUTS2)).contiguousData()), [0, 0, 0, 1]);
  assert.equal(and.predict(INPUTS2).dtype, 'int32');
});

test('McCulloch-Pitts: clear errors for non-binary inputs, a wrong count, bad wiring', () => {
  const and = new McCullochPittsNeuron({ threshold: 2, nInputs: 2 });
  assert.throws(() => and.activate([1, 0.5]), (e: Error) => e instanceof ValueError && /binary inputs \(0 or 1\); got 0.5 at input 1/.test(e.message));
  assert.throws(() => and.activate([1]), (e: Error) => e instanceof ShapeError && /2 binary inputs; got 1/.test(e.message));
  assert.throws(() => new McCullochPittsNeuron({ threshold: 1, weights: [1, 1], excitatory: [0] }), /either weights or excitatory indices; got both/);
  assert.throws(() => new McCullochPittsNeuron({ threshold: 1, excitatory: [0, 3], nInputs: 2 }), /input indices in \[0, 2\); got 3/);
  assert.throws(() => new McCullochPittsNeuron({ threshold: 1, excitatory: [0], inhibitory: [0] }), /either excitatory or inhibitory; got input 0 in both/);
  assert.throws(() => new McCullochPittsNeuron({ threshold: NaN, nInputs: 1 }), /a finite threshold; got NaN/);
});

test('S3-1: no single McCulloch-Pitts neuron computes XOR (AND does exist); two layers of them do', () => {
  assert.equal(singleNeuronsFor(GATES.XOR!.y).found.length, 0);
  assert.ok(singleNeuronsFor(GATES.AND!.y).found.length > 0);
  assert.ok(singleNeuronsFor(GATES.OR!.y).found.length > 0);
  assert.deepEqual(INPUTS2.map(mcCullochPittsXor), [0, 1, 1, 0]);
});

test('S3-1: the perceptron learns AND, OR, NOT (an epoch with no error), several outputs at once', () => {
  for (const gate of ['AND', 'OR', 'NOT']) {
    const r = perceptronOn(gate);
    assert.ok(r.converged, `${gate}: ${r.errors}`);
    assert.equal(r.errors.at(-1), 0);
    assert.deepEqual(r.out, GATES[gate]!.y);
  }
  const both = new Perceptron({ nInputs: 2, nOutputs: 2, randomState: 1 });
  both.fit(INPUTS2, INPUTS2.map((_, i) => [GATES.AND!.y[i]!, GATES.OR!.y[i]!]));
  assert.ok(both.converged);
  assert.deepEqual(both.predict(INPUTS2).toArray(), [[0, 0], [0, 1], [0, 1], [1, 1]]);
  assert.equal(both.weights.length, 2);
  assert.equal(both.weights[0]!.length, 2);
  assert.equal(both.bias.length, 2);
});

test('S3-1: XOR is never separated by one perceptron (no error-free epoch in 200, any seed); a 2-layer net solves it', () => {
  for (let seed = 0; seed < 5; seed++) {
    for (const activation of ['heaviside', 'sign'] as const) {
      const p = new Perceptron({ nInputs: 2, activation, maxEpochs: 200, randomState: seed });
      const errors = p.fit(INPUTS2, activation === 'sign' ? [-1, 1, 1, -1] : [0, 1, 1, 0]);
      assert.equal(errors.length, 200);
      assert.ok(Math.min(...errors) >= 1, `seed ${seed}: ${errors}`);
      assert.equal(p.converged, false);
      assert.ok(p.score(INPUTS2, activation === 'sign' ? [-1, 1, 1, -1] : [0, 1, 1, 0]) <= 0.75);
    }
  }
  assert.deepEqual(twoLayerXor().out, [0, 1, 1, 0]);
});

test('S3-2: the perceptron rule converges on a linearly separable set (heaviside and sign)', () => {
  for (const act of ['heaviside', 'sign'] as const) {
    const r = runPerceptronRule(act);
    assert.ok(r.converged);
    assert.equal(r.trainAcc, 1);
    assert.ok(r.testAcc >= 0.95, `${act} test accuracy ${r.testAcc}`);
    // the learned line has the true line's orientation: y = 0.5x + 0.2 with class 1 below it
    assert.ok(r.weights[1]! < 0 && r.weights[0]! > 0);
  }
});

test('Perceptron: the rule is w += eta (y − ŷ) x, b += eta (y − ŷ) (one step checked by hand)', () => {
  const p = new Perceptron({ nInputs: 2, eta: 0.5, maxEpochs: 1, init: 'zeros', shuffle: false });
  // z = 0 -> ŷ = 1 for [1, 2] (target 0): w = -0.5·[1, 2], b = -0.5; then [0, 1] (target 1): z = -1.5 -> ŷ = 0: w += 0.5·[0, 1], b += 0.5
  p.fit([[1, 2], [0, 1]], [0, 1]);
  assert.deepEqual(p.weights, [[-0.5, -0.5]]);
  assert.deepEqual(p.bias, [0]);
  assert.deepEqual(p.errors, [2]);
});

test('Perceptron: clear errors for targets outside the step range and wrong shapes', () => {
  const p = new Perceptron({ nInputs: 2 });
  assert.throws(() => p.fit(INPUTS2, [-1, 1, 1, -1]), /targets 0 or 1 for the heaviside activation; got -1 at sample 0. Use activation 'sign'/);
  assert.throws(() => p.fit(INPUTS2, [0, 1]), /one target per sample \(4\); got 2/);
  assert.throws(() => p.fit([[0, 0, 1]], [0]), (e: Error) => e instanceof ShapeError && /2 features \(columns\) in x, as in fit; got 3/.test(e.message));
  assert.throws(() => p.fit([[0, NaN]], [0]), /finite values in x; got NaN at row 0, column 1/);
  assert.throws(() => new Perceptron({ nInputs: 2, activation: 'relu' as 'sign' }), /activation 'heaviside' or 'sign'; got 'relu'/);
});

// ---- regression by gradient descent (S4-3) --------------------------------------------------------------

test('S4-3: linear regression by GD equals the closed form; written-out gradients equal autograd', () => {
  const r = runRegression();
  assert.ok(r.gdVsClosed < 1e-9, `GD vs closed form ${r.gdVsClosed}`);
  assert.ok(r.gradVsAutograd < 1e-12, `MSE gradient vs autograd ${r.gradVsAutograd}`);
  assert.ok(r.logisticGradVsAutograd < 1e-12, `cross-entropy gradient vs autograd ${r.logisticGradVsAutograd}`);
  close(r.exact.weights[0]!, 2, 0.05);
  close(r.exact.weights[1]!, -3, 0.05);
  close(r.exact.bias, 1, 0.05);
  assert.ok(r.gd.lossCurve.length === 500 && r.gd.lossCurve.at(-1)! < r.gd.lossCurve[0]!);
  assert.ok(r.logisticAcc > 0.8);
  assert.ok(r.logistic.lossCurve.at(-1)! < r.logistic.lossCurve[0]!);
});

test('solvers: Cholesky and Gauss on a known system; a singular one is refused', () => {
  const a = [[4, 2, 0.6], [2, 5, 1], [0.6, 1, 3]];
  const x = [1, -2, 0.5];
  const b = a.map((r) => r.reduce((s, v, j) => s + v * x[j]!, 0));
  choleskySolve(a, b).forEach((v, i) => close(v, x[i]!, 1e-12));
  gaussSolve([[0, 1], [2, 1]], [3, 5]).forEach((v, i) => close(v, [1, 3][i]!, 1e-12));
  assert.throws(() => choleskySolve([[1, 2], [2, 4]], [1, 2]), /positive definite matrix; got a non-positive pivot/);
  assert.throws(() => gaussSolve([[1, 2], [2, 4]], [1, 2]), /non-singular matrix; got no pivot in column 1/);
  // collinear features: the normal equations are singular
  assert.throws(() => closedForm([[1, 2], [2, 4], [3, 6]], [1, 2, 3]), /features may be collinear/);
  assert.deepEqual(closedForm([[1], [2], [3]], [2, 4, 6], { fitIntercept: false }).weights.map((v) => +v.toFixed(12)), [2]);
});

test('GD regressions: errors before fit, wrong feature counts, non-binary logistic targets, divergence', () => {
  assert.throws(() => new LinearRegressionGD().predict([[1]]), /LinearRegressionGD.predict: a fitted model; got one not fitted yet/);
  const lr = new LinearRegressionGD({ epochs: 10 }).fit([[1, 2], [3, 4]], [1, 2]);
  assert.throws(() => lr.predict([[1]]), /2 features \(columns\) in x, as in fit; got 1/);
  assert.throws(() => new LogisticRegressionGD().fit([[1], [2]], [0, 2]), /targets 0 or 1; got 2 at position 1/);
  assert.throws(() => new LinearRegressionGD({ lr: 10, epochs: 200 }).fit([[100], [200]], [1, 2]), /a finite loss; got .* Gradient descent diverged/);
  assert.throws(() => new LinearRegressionGD().fit([[1], [2]], [1, NaN]), /finite values in y; got NaN at position 1/);
});

// ---- MLPClassifier / MLPRegressor -----------------------------------------------------------------------

/** scikit-learn 1.2.1 (Debian python3-sklearn), float64: loss_curve_ and outputs after the same init, shuffle=False. */
const SKLEARN = {
  sgd: { nIter: 12, loss: [0.6539658482018588, 0.6338687980902117, 0.5971090896544229, 0.5456810519836817, 0.4809177074420342, 0.41434535301545516, 0.3531489638256303, 0.30046298740782285, 0.25719385938531153, 0.22128142004015627, 0.1905557158721276, 0.16619513304518665], out: [[0.001564522011431313, 0.9984354779885687], [0.0006250717330744671, 0.9993749282669255]] },
  adam: { nIter: 12, loss: [1.097174579877514, 1.0906272910555277, 1.0838867464317041, 1.0769427149138695, 1.0697307309498778, 1.062107337206349, 1.053927537813045, 1.0451104920610466, 1.0356149853733687, 1.02541703355886, 1.014503875175847, 1.0028698952107613], out: [[0.37536608512570263, 0.3716789624775427, 0.25295495239675464], [0.32795807521536174, 0.3774648619047935, 0.29457706287984475]] },
  invscaling: { nIter: 12, loss: [1.2242210410784113, 1.1013601242994084, 1.1073054188060798, 1.045043885387973, 0.9920536064740325, 0.9585891501481971, 0.9294648804094907, 0.8992299519382809, 0.8703658460275847, 0.8446099798982931, 0.821361372540671, 0.7995577778643026], out: [[0.48429137461940736, 0.3448380212690138, 0.17087060411157873], [0.34091635661858966, 0.38229637619354573, 0.2767872671878646]] },
  adaptive: { nIter: 27, loss: [0.6398461797880437, 0.6307547597748621, 0.61720048160986, 0.6013619199195174, 0.5915829341329301, 0.584807434779361, 0.5795079357268591, 0.5764655439782413, 0.5745543654666498, 0.5732086607939197, 0.5724570906002928, 0.5720029453257517, 0.5716975725927183, 0.5715291901532891, 0.5714293266661366, 0.5713637274891892, 0.5713277927487654, 0.5713066914689545, 0.5712930071860772, 0.5712855382436384, 0.57128117702914, 0.5712783696912914, 0.5712768406732032, 0.5712759508175156, 0.571275380543589, 0.5712750703372833, 0.5712748901648947], out: [[0.4474338870233615, 0.5525661129766385], [0.43121928756249983, 0.5687807124375002]] },
  regressor: { nIter: 12, loss: [0.7877048862475708, 0.6682057595820134, 0.5866419017172423, 0.5241476217569858, 0.470521784323571, 0.42079813916762865, 0.37444800220990115, 0.3314782438853095, 0.29451108796253944, 0.2645387037353574, 0.24184235444937086, 0.22370277609511624], out: [[-0.7330092036526675, 0.039401868868581096], [1.3331378391500905, -0.03725666388294855]] },
};

// The same data as the Python script: x_i = [sin i, cos 1.3i, sin(0.7i + 1)], i < 40.
const X = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(1.3 * i), Math.sin(0.7 * i + 1)]);
const YB = X.map((r) => (r[0]! + r[1]! > 0 ? 1 : 0));
const Y3 = X.map((r) => { const d = r[0]! - r[2]!; return d < -0.5 ? 0 : d < 0.5 ? 1 : 2; });
const YR = X.map((r) => [2 * r[0]! - r[1]!, r[1]! * r[2]!]);

/** The script's deterministic init: coefs[l][i][o] = 0.5 sin(0.7(i·out + o) + l), intercepts[l][o] = 0.1 cos(o + l). */
function setInit(m: BaseMLP): void {
  m.net!.children().filter((c): c is Linear => c instanceof Linear).forEach((l, k) => {
    const [o, a] = l.weight.shape as [number, number];
    const w = l.weight.data();
    for (let i = 0; i < a; i++) for (let j = 0; j < o; j++) w[j * a + i] = 0.5 * Math.sin((i * o + j) * 0.7 + k);
    const b = l.bias!.data();
    for (let j = 0; j < o; j++) b[j] = 0.1 * Math.cos(j + k);
  });
}

test('MLPs match scikit-learn 1.2.1 to rounding error: sgd+nesterov, adam+L2, invscaling, adaptive (with its stopping rule), regressor', () => {
  const cases: [keyof typeof SKLEARN, BaseMLP, number[] | number[][], number][] = [
    ['sgd', new MLPClassifier({ solver: 'sgd', learningRateInit: 0.1, hiddenLayerSizes: [4], activation: 'relu', batchSize: 16 }), YB, 12],
    ['adam', new MLPClassifier({ solver: 'adam', learningRateInit: 0.01, hiddenLayerSizes: [5, 4], activation: 'tanh', alpha: 0.01 }), Y3, 12],
    ['invscaling', new MLPClassifier({ solver: 'sgd', learningRate: 'invscaling', learningRateInit: 0.5, hiddenLayerSizes: [4], activation: 'logistic', batchSize: 8 }), Y3, 12],
    ['adaptive', new MLPClassifier({ solver: 'sgd', learningRate: 'adaptive', learningRateInit: 0.2, hiddenLayerSizes: [3], activation: 'identity', tol: 0.5, nIterNoChange: 2, momentum: 0.5, nesterovsMomentum: false }), YB, 200],
    ['regressor', new MLPRegressor({ solver: 'adam', learningRateInit: 0.02, hiddenLayerSizes: [6], activation: 'relu', batchSize: 10, alpha: 0.1 }), YR, 12],
  ];
  for (const [name, m, y, iters] of cases) {
    const ref = SKLEARN[name];
    m.setParams({ maxIter: 1, shuffle: false, dtype: 'float64' });
    const fit = (): unknown => (m instanceof MLPClassifier ? m.fit(X, y as number[]) : (m as MLPRegressor).fit(X, y as number[][]));
    fit();
    setInit(m);
    m.setParams({ warmStart: true, maxIter: iters });
    fit();
    assert.equal(m.nIter - 1, ref.nIter, `${name}: epochs`);
    const curve = m.lossCurve.slice(1);
    assert.equal(curve.length, ref.loss.length);
    curve.forEach((v, i) => close(v, ref.loss[i]!, 1e-10, `${name} loss[${i}]`));
    const out = (m instanceof MLPClassifier ? m.predictProba(X.slice(0, 2)) : (m as MLPRegressor).predict(X.slice(0, 2))).toArray() as number[][];
    out.forEach((r, i) => r.forEach((v, j) => close(v, ref.out[i]![j]!, 1e-10, `${name} out[${i}][${j}]`)));
  }
});

test('MLPClassifier: attributes shaped like scikit-learn (coefs [in][out], intercepts, lossCurve, nIter, classes)', () => {
  const clf = new MLPClassifier({ hiddenLayerSizes: [5, 4], maxIter: 30, randomState: 0 }).fit(X, Y3);
  assert.deepEqual(clf.coefs.map((c) => [c.length, c[0]!.length]), [[3, 5], [5, 4], [4, 3]]);
  assert.deepEqual(clf.intercepts.map((b) => b.length), [5, 4, 3]);
  assert.deepEqual(clf.classes, [0, 1, 2]);
  assert.equal(clf.nLayers, 4);
  assert.equal(clf.nOutputs, 3);
  assert.equal(clf.nFeaturesIn, 3);
  assert.equal(clf.outActivation, 'softmax');
  assert.equal(clf.lossCurve.length, clf.nIter);
  assert.equal(clf.t, 40 * clf.nIter);
  assert.equal(clf.loss, clf.lossCurve.at(-1));
  assert.equal(clf.bestLoss, Math.min(...clf.lossCurve));
  const p = clf.predictProba(X);
  assert.deepEqual(p.shape, [40, 3]);
  for (const row of p.toArray() as number[][]) close(row.reduce((a, b) => a + b, 0), 1, 1e-6);
  assert.equal(clf.predict(X).length, 40);
  // Glorot init bound √(6/(fanIn + fanOut)) for relu: the untrained first layer stays inside it
  const fresh = new MLPClassifier({ hiddenLayerSizes: [5], maxIter: 1, learningRateInit: 1e-12, randomState: 1 }).fit(X, YB);
  const bound = Math.sqrt(6 / (3 + 5));
  assert.ok(fresh.coefs[0]!.flat().every((v) => Math.abs(v) <= bound + 1e-6));
  // binary: one logistic output, predictProba [n, 2]
  assert.equal(fresh.outActivation, 'logistic');
  assert.deepEqual(fresh.coefs.map((c) => [c.length, c[0]!.length]), [[3, 5], [5, 1]]);
  assert.deepEqual(fresh.predictProba(X).shape, [40, 2]);
  // logistic hidden activation: factor 2
  const lg = new MLPClassifier({ hiddenLayerSizes: [5], activation: 'logistic', maxIter: 1, learningRateInit: 1e-12, randomState: 1 }).fit(X, YB);
  assert.ok(lg.coefs[0]!.flat().every((v) => Math.abs(v) <= Math.sqrt(2 / 8) + 1e-6));
  // the same seed gives the same model; the generator is re-created on each fit
  const again = new MLPClassifier({ hiddenLayerSizes: [5, 4], maxIter: 30, randomState: 0 }).fit(X, Y3);
  assert.deepEqual(again.lossCurve, clf.lossCurve);
});

test('MLPClassifier: string labels, score, partialFit (classes on the first call), earlyStopping', () => {
  const names = ['cat', 'dog'];
  const ys = YB.map((v) => names[v]!);
  const clf = new MLPClassifier<string>({ hiddenLayerSizes: [8], maxIter: 300, learningRateInit: 0.01, randomState: 0 }).fit(X, ys);
  assert.deepEqual(clf.classes, ['cat', 'dog']);
  assert.ok(clf.predict(X).every((v) => v === 'cat' || v === 'dog'));
  assert.ok(clf.score(X, ys) > 0.9, `score ${clf.score(X, ys)}`);

  const inc = new MLPClassifier({ hiddenLayerSizes: [8], randomState: 0 });
  inc.partialFit(X.slice(0, 20), Y3.slice(0, 20), [0, 1, 2]);
  inc.partialFit(X.slice(20), Y3.slice(20));
  assert.equal(inc.nIter, 2);
  assert.deepEqual(inc.classes, [0, 1, 2]);
  assert.equal(inc.lossCurve.length, 2);

  const es = new MLPClassifier({ hiddenLayerSizes: [8], earlyStopping: true, validationFraction: 0.25, maxIter: 50, randomState: 0 }).fit(X, Y3);
  assert.equal(es.validationScores!.length, es.nIter);
  assert.equal(es.bestValidationScore, Math.max(...es.validationScores!));
  assert.equal(es.bestLoss, null);
});

test('MLPRegressor: one or several outputs, R² score, partialFit', () => {
  const y1 = X.map((r) => 2 * r[0]! - r[1]!);
  const reg = new MLPRegressor({ hiddenLayerSizes: [16], maxIter: 500, learningRateInit: 0.01, randomState: 0 }).fit(X, y1);
  assert.deepEqual(reg.predict(X).shape, [40]);
  assert.ok(reg.score(X, y1) > 0.95, `R² ${reg.score(X, y1)}`);
  assert.equal(reg.outActivation, 'identity');
  const multi = new MLPRegressor({ hiddenLayerSizes: [16], maxIter: 50, randomState: 0 }).fit(tensor(X), tensor(YR));
  assert.deepEqual(multi.predict(X).shape, [40, 2]);
  assert.deepEqual(multi.intercepts.map((b) => b.length), [16, 2]);
  const inc = new MLPRegressor({ hiddenLayerSizes: [4], randomState: 0 }).partialFit(X, y1).partialFit(X, y1);
  assert.equal(inc.nIter, 2);
});

test('MLPs: clear errors — predict before fit, feature count, unseen labels, NaN, lbfgs, bad options', () => {
  const clf = new MLPClassifier({ hiddenLayerSizes: [4], maxIter: 5, randomState: 0 });
  assert.throws(() => clf.predict(X), (e: Error) => e instanceof ValueError && /MLPClassifier.predict: a fitted model; got one not fitted yet. Call fit\(\) first/.test(e.message));
  assert.throws(() => clf.predictProba(X), /MLPClassifier.predictProba: a fitted model/);
  assert.throws(() => new MLPRegressor().predict(X), /MLPRegressor.predict: a fitted model/);
  clf.fit(X, YB);
  assert.throws(() => clf.predict([[1, 2]]), (e: Error) => e instanceof ShapeError && /MLPClassifier.predict: 3 features \(columns\) in x, as in fit; got 2/.test(e.message));
  assert.throws(() => clf.score(X, YB.map((v, i) => (i === 7 ? 5 : v))), /MLPClassifier.score: labels seen in fit \[0, 1\]; got unseen label 5 at position 7/);
  assert.throws(() => clf.partialFit(X, YB.map((v, i) => (i === 3 ? 2 : v))), /MLPClassifier.partialFit: labels seen in fit \[0, 1\]; got unseen label 2 at position 3/);
  assert.throws(() => clf.partialFit(X, YB, [0, 1, 2]), /the same classes as on the first call \[0, 1\]; got \[0, 1, 2\]/);
  const bad = X.map((r, i) => (i === 4 ? [r[0]!, NaN, r[2]!] : r));
  assert.throws(() => new MLPClassifier().fit(bad, YB), /MLPClassifier.fit: finite values in x; got NaN at row 4, column 1. Drop or impute missing values first/);
  assert.throws(() => clf.predict(bad), /finite values in x; got NaN at row 4, column 1/);
  assert.throws(() => new MLPRegressor().fit(X, YB.map((v, i) => (i === 2 ? Infinity : v))), /MLPRegressor.fit: finite values in y; got Infinity at row 2/);
  assert.throws(() => new MLPClassifier().fit(X, YB.slice(1)), /one label per sample \(40\); got 39/);
  assert.throws(() => new MLPClassifier().fit(X, YB.map(() => 1)), /at least 2 classes; got only \[1\]/);
  assert.throws(() => new MLPClassifier().partialFit(X, YB), /the classes argument on the first call/);
  assert.throws(() => new MLPClassifier({ solver: 'lbfgs' }), /solver 'adam' or 'sgd'; got 'lbfgs', which neurona does not implement/);
  assert.throws(() => new MLPClassifier({ activation: 'softmax' as 'relu' }), /activation 'identity', 'logistic', 'tanh' or 'relu'; got 'softmax'/);
  assert.throws(() => new MLPClassifier({ hiddenLayerSizes: [3, 0] }), /hiddenLayerSizes an array of positive integers; got \[3,0\]/);
  assert.throws(() => new MLPClassifier({ learningRateInit: 0 }), /learningRateInit in \(0, Infinity\); got 0/);
  assert.throws(() => new MLPClassifier({ hidden_layer_sizes: [3] } as never), /known options .*; got 'hidden_layer_sizes'/);
  assert.throws(() => new MLPClassifier().fit(tensor([1, 2, 3]), [0, 1, 0]), /a 2-D table \[samples, features\]; got shape \[3\]. Use x.reshape/);
  assert.throws(
    () => new MLPClassifier({ hiddenLayerSizes: [4], learningRateInit: 1e6, solver: 'sgd', maxIter: 50, randomState: 0 }).fit(X.map((r) => r.map((v) => v * 1e6)), YB),
    /a finite loss; got .* Training diverged: lower learningRateInit/,
  );
});

// ---- Pipeline and ColumnTransformer ---------------------------------------------------------------------

test('ColumnTransformer: mixed rows -> float tensor (scaled numbers, encoded strings, remainder), then transform of new rows', () => {
  const rows = [[1, 'red', 10, 'x'], [3, 'blue', 20, 'y'], [5, 'red', 30, 'x']];
  const ct = new ColumnTransformer([['num', new StandardScaler(), [0, 2]], ['cat', new OrdinalEncoder(), [1]]], { remainder: 'drop' });
  const out = ct.fitTransform(rows);
  assert.equal(out.dtype, 'float32');
  const s = Math.sqrt(8 / 3);
  const want = [[-2 / s, -10 / Math.sqrt(200 / 3), 1], [0, 0, 0], [2 / s, 10 / Math.sqrt(200 / 3), 1]];
  (out.toArray() as number[][]).forEach((r, i) => r.forEach((v, j) => close(v, want[i]![j]!, 1e-6)));
  assert.deepEqual(ct.featureNamesOut, ['num__x0', 'num__x2', 'cat__x1']);
  // the fitted statistics are reused: 3 is the mean of column 0
  assert.deepEqual((ct.transform([[3, 'blue', 20, 'z']]).toArray() as number[][])[0], [0, 0, 0]);
  assert.throws(() => ct.transform([[3, 'green', 20, 'z']]), /categories seen in fit for column 0 \['blue', 'red'\]; got unseen 'green'/);
  assert.throws(() => ct.transform([[3, 'blue', 20]]), /4 columns, as in fit; got 3/);
  // names with a table { columns, rows }; passthrough of the numeric remainder
  const table = { columns: ['a', 'colour', 'b', 'c'], rows: [[1, 'red', 10, 7], [3, 'blue', 20, 8]] };
  const named = new ColumnTransformer([['scale', new MinMaxScaler(), ['a', 'b']], ['enc', new OrdinalEncoder(), 'colour']], { remainder: 'passthrough' });
  assert.deepEqual(named.fitTransform(table).toArray(), [[0, 0, 1, 7], [1, 1, 0, 8]]);
  assert.deepEqual(named.featureNamesOut, ['scale__a', 'scale__b', 'enc__colour', 'remainder__c']);
  assert.throws(() => new ColumnTransformer([['s', new StandardScaler(), ['a']]]).fit(rows), /column names need a table \{ columns, rows \}/);
  assert.throws(() => new ColumnTransformer([['s', new StandardScaler(), ['zz']]]).fit(table), /column names among \[a, colour, b, c\] for 's'; got 'zz'/);
  assert.throws(() => new ColumnTransformer([['s', new StandardScaler(), [1]]]).fit(rows), /numbers in the columns of 's' \(StandardScaler\); got 'red' at row 0, column 1. Encode text columns/);
  assert.throws(() => new ColumnTransformer([['s', new StandardScaler(), [0]]]).transform(rows), /not fitted yet/);
  assert.throws(() => new ColumnTransformer([['a', 'drop', 0], ['a', 'drop', 1]]), /unique entry names; got 'a' twice/);
});

test('Pipeline: ColumnTransformer + MLPClassifier round trip on mixed rows; StandardScaler + MLPClassifier on wine (>= 0.9)', () => {
  const g = new Generator(3);
  const rows: (number | string)[][] = [];
  const y: string[] = [];
  for (let i = 0; i < 120; i++) {
    const a = 10 * g.random();
    const c = g.random() < 0.5 ? 'hot' : 'cold';
    rows.push([a, c, 1000 * g.random()]);
    y.push(a > 5 === (c === 'hot') ? 'yes' : 'no');
  }
  const pipe = new Pipeline([
    ['prep', new ColumnTransformer([['num', new StandardScaler(), [0]], ['cat', new OrdinalEncoder(), [1]]])],
    ['mlp', new MLPClassifier<string>({ hiddenLayerSizes: [16], maxIter: 500, learningRateInit: 0.01, randomState: 0 })],
  ]);
  pipe.fit(rows, y);
  const pred: string[] = pipe.predict(rows);
  assert.equal(pred.length, 120);
  assert.ok(pipe.score(rows, y) > 0.9, `score ${pipe.score(rows, y)}`);
  assert.deepEqual(pipe.predictProba(rows).shape, [120, 2]);
  assert.deepEqual(pipe.named<MLPClassifier<string>>('mlp').classes, ['no', 'yes']);
  assert.throws(() => pipe.transform(rows), /Pipeline.transform: a last step with transform\(\); got MLPClassifier without it/);
  assert.throws(() => new Pipeline([['mlp', new MLPClassifier()], ['s', new StandardScaler()]] as never), /a transformer \(fit and transform\) for every step but the last; got 'mlp'/);

  const { x, y: wy } = loadWine();
  const { train: [xTr, yTr], test: [xTe, yTe] } = trainTestSplit([x, wy], { testSize: 0.2, stratify: wy, generator: new Generator(0) });
  const wine = new Pipeline([['scaler', new StandardScaler()], ['mlp', new MLPClassifier({ hiddenLayerSizes: [10], maxIter: 300, learningRateInit: 0.01, randomState: 0 })]]);
  wine.fit(xTr!, yTr!);
  assert.ok(wine.score(xTe!, yTe!) >= 0.9, `wine test accuracy ${wine.score(xTe!, yTe!)}`);
  assert.equal(wine.named<StandardScaler>('scaler').mean!.length, 13);
});

// ---- the examples' bars (S2, S4-1) ----------------------------------------------------------------------

test('S2: the from-scratch 3-3-1 net >= 95% and MLPClassifier >= 97% test accuracy; the prompt answers LIGHT / DARK', () => {
  const r = runFontColours();
  assert.ok(r.testAcc >= 0.95, `from-scratch net ${r.testAcc}`);
  assert.ok(r.mlpTest >= 0.97, `MLPClassifier ${r.mlpTest}`);
  assert.equal(r.counts.train, 896);
  assert.equal(r.counts.test, 449);
  const predict = (red: number, green: number, blue: number): 'LIGHT' | 'DARK' => predictFontShade(r.net, red, green, blue);
  assert.equal(answer('0,0,0', predict), 'LIGHT');
  assert.equal(answer('255,255,255', predict), 'DARK');
  assert.equal(answer(' 0, 0 ,0 ', predict), 'LIGHT');
  assert.match(answer('1,2', predict), /expected three integers 0-255 as r,g,b; got "1,2"/);
  assert.match(answer('300,0,0', predict), /expected three integers/);
  assert.deepEqual(r.clf.coefs.map((c) => [c.length, c[0]!.length]), [[3, 3], [3, 1]]);
});

test('S4-1: the wine MLP (named Sequential, softmax + CrossEntropyLoss, SGD 0.05/0.1) >= 90% test accuracy (100 epochs)', () => {
  const r = runWine({ epochs: 100 });
  assert.ok(r.testAcc >= 0.9, `test accuracy ${r.testAcc}`);
  assert.ok(r.trainAcc >= 0.9, `train accuracy ${r.trainAcc}`);
  assert.match(r.reports.test, /class 1\s+\d\.\d\d/);
  assert.deepEqual(r.mlp.namedChildren().map(([n]) => n), ['capa input', 'relu', 'capa oculta_0', 'relu_0', 'capa oculta_1', 'relu_1', 'capa ouput', 'Softmax']);
});

test('neurona.classic is exported from the package entry', () => {
  assert.equal(neurona.classic.MLPClassifier, MLPClassifier);
  assert.equal(neurona.classic.Pipeline, Pipeline);
});
