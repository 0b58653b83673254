// Hyperparameter tuning in one process: the search space (sampling, grids, conditional scopes, errors),
// each tuner finding the known optimum of a synthetic objective within its budget, real training of a
// tiny MLP (best-epoch checkpoints, early stopping, executions), Hyperband's schedule and carried-over
// weights, the Gaussian process, and the results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, manualSeed, randn, tensor } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import { dense, sequential } from '../src/model/index.ts';
import type { SequentialModel } from '../src/model/index.ts';
import {
  BayesianOptimization,
  GaussianProcess,
  GridSearch,
  HyperParameters,
  Hyperband,
  HyperbandOracle,
  RandomSearch,
  encodeCheckpoint,
  expectedImprovement,
  normalCdf,
  packTrialData,
  probOfValue,
  restoreCheckpoint,
  unpackTrialData,
  valueFromProb,
} from '../src/tune/index.ts';
import type { HpDef, TrialRecord } from '../src/tune/index.ts';
import { Synthetic, SyntheticGrid, data as moons, dummyData, mlp, syntheticScore } from './fixtures/tune-hypermodels.ts';

const SCORE = { name: 'val_score', direction: 'max' as const };
const quiet = { verbose: 0 as const };
const dd = dummyData();

test('hp: values, defaults, grids and log sampling', () => {
  const hp = new HyperParameters();
  assert.equal(hp.int('units', { min: 32, max: 512, step: 32 }), 32);
  assert.equal(hp.float('lr', { min: 1e-5, max: 1e-1, sampling: 'log', default: 1e-3 }), 1e-3);
  assert.equal(hp.choice('act', ['relu', 'tanh']), 'relu');
  assert.equal(hp.boolean('bn'), false);
  assert.equal(hp.fixed('batch', 64), 64);
  assert.deepEqual(hp.values, { units: 32, lr: 1e-3, act: 'relu', bn: false, batch: 64 });
  assert.equal(hp.int('units', { min: 32, max: 512, step: 32 }), 32, 'the same definition again is fine');
  const units = hp.space.get('units')!;
  const grid = Array.from({ length: 16 }, (_, i) => valueFromProb(units, (i + 0.5) / 16));
  assert.deepEqual(grid, Array.from({ length: 16 }, (_, i) => 32 * (i + 1)));
  assert.equal(probOfValue(units, 512), 15.5 / 16);
  // log: uniform in the exponent; multiplicative steps
  const lr = hp.space.get('lr')!;
  const g = new Generator(1);
  const logs = Array.from({ length: 4000 }, () => Math.log10(valueFromProb(lr, g.random()) as number));
  assert.ok(Math.min(...logs) >= -5 && Math.max(...logs) <= -1);
  const below3 = logs.filter((l) => l < -3).length / logs.length;
  assert.ok(Math.abs(below3 - 0.5) < 0.03, `half the log-uniform samples below 1e-3; got ${below3}`);
  const h2 = new HyperParameters();
  h2.int('filters', { min: 8, max: 128, step: 2, sampling: 'log' });
  const f = h2.space.get('filters')!;
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => valueFromProb(f, (i + 0.5) / 5)), [8, 16, 32, 64, 128]);
  assert.ok(Math.abs(probOfValue(lr, 1e-3) - 0.5) < 1e-12);
});

test('hp: bad ranges and redefinitions give <op>: <expected>; got <got> errors', () => {
  const hp = new HyperParameters();
  assert.throws(() => hp.int('n', { min: 5, max: 1 }), /^ValueError: hp\.int: min <= max for 'n'; got min 5, max 1$/);
  assert.throws(() => hp.int('n', { min: 1.5, max: 3 }), /hp\.int: integers min and max for 'n'; got min 1\.5, max 3/);
  assert.throws(() => hp.float('lr', { min: 0, max: 1, sampling: 'log' }), /hp\.float: min > 0 with sampling 'log' for 'lr'; got min 0/);
  assert.throws(() => hp.float('lr', { min: 0, max: 1, step: -1 }), /hp\.float: a positive step for 'lr'; got -1/);
  assert.throws(() => hp.int('n', { min: 1, max: 8, step: 1, sampling: 'log' }), /a step > 1 with sampling 'log'/);
  assert.throws(() => hp.int('n', { min: 1, max: 8, default: 9 }), /hp\.int: a default in \[1, 8\] for 'n'; got 9/);
  assert.throws(() => hp.float('x', { min: 0, max: 1, sampling: 'cubic' as 'log' }), /sampling 'linear' or 'log' for 'x'; got 'cubic'/);
  assert.throws(() => hp.choice('c', []), /hp\.choice: a non-empty list of values for 'c'; got \[\]/);
  assert.throws(() => hp.choice('c', [1, 'a'] as never[]), /values of one type/);
  assert.throws(() => hp.choice('c', [1, 2], { default: 3 }), /a default among the values for 'c'; got 3/);
  assert.throws(() => hp.int('', { min: 1, max: 2 }), /hp\.int: a non-empty name; got ''/);
  hp.int('units', { min: 32, max: 512, step: 32 });
  assert.throws(() => hp.int('units', { min: 16, max: 64 }), /hp\.int: one definition per name \('units' is units int 32\.\.512 step 32\); got units int 16\.\.64/);
  assert.throws(() => hp.conditionalScope('nope', ['a'], () => 1), /hp\.conditionalScope: a parent hyperparameter declared before the scope; got 'nope'/);
  assert.throws(() => hp.conditionalScope('units', [7], () => 1), /parent values that 'units' can take \(units int 32\.\.512 step 32\); got 7/);
  assert.throws(() => hp.get('missing'), /hp\.get: a hyperparameter with a value; got 'missing'/);
  assert.throws(() => new RandomSearch({ hypermodel: mlp, objective: 'foo' }), /an objective whose direction is known .* got 'foo'\. Pass \{ name: 'foo', direction: 'max' \}/);
  assert.throws(() => new Hyperband({ hypermodel: mlp, maxEpochs: 0 }), /Hyperband: a positive integer maxEpochs; got 0/);
});

/** A hypermodel with a conditional space: 'deep' has depth, 'wide' has width. */
function conditional(hp: HyperParameters): SequentialModel {
  const kind = hp.choice('kind', ['deep', 'wide']);
  let units = 4;
  hp.conditionalScope('kind', ['deep'], () => {
    units = hp.int('depth', { min: 1, max: 3 });
  });
  hp.conditionalScope('kind', ['wide'], () => {
    units = hp.choice('width', [8, 16]);
  });
  const m = sequential([dense({ units, inputShape: [2] }), dense({ units: 2 })]);
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  void kind;
  return m;
}

test('conditional spaces: discovery finds every branch; trials hold only active values; grid walks each branch', async () => {
  const t = new RandomSearch({ hypermodel: conditional, objective: 'val_loss', maxTrials: 6, seed: 2, ...quiet });
  await t.search(dd.x, dd.y, { validationData: [dd.x, dd.y] });
  assert.deepEqual(t.space.map((d) => d.name), ['kind', 'depth', 'width']);
  assert.deepEqual(t.space.find((d) => d.name === 'width')!.conditions, [{ name: 'kind', values: ['wide'] }]);
  for (const r of t.trials.values()) {
    assert.deepEqual(Object.keys(r.values).sort(), r.values.kind === 'deep' ? ['depth', 'kind'] : ['kind', 'width']);
  }
  const g = new GridSearch({ hypermodel: conditional, objective: 'val_loss', ...quiet });
  await g.search(dd.x, dd.y, { validationData: [dd.x, dd.y] });
  const combos = [...g.trials.values()].map((r) => JSON.stringify(r.values)).sort();
  assert.deepEqual(combos, ['{"kind":"deep","depth":1}', '{"kind":"deep","depth":2}', '{"kind":"deep","depth":3}', '{"kind":"wide","width":16}', '{"kind":"wide","width":8}']);
});

test('Hyperband plans Keras Tuner\'s schedule (maxEpochs 9, factor 3: 9+3+1, 5+2, 3 trials)', () => {
  const o = new HyperbandOracle({ space: [], objective: SCORE, seed: 0, epochs: 1 }, 9, 3, 1);
  const rounds = new Map<string, { n: number; epochs: number; initial: number }>();
  for (const s of o.slots) {
    const k = `${s.bracket}/${s.round}`;
    const r = rounds.get(k) ?? { n: 0, epochs: s.epochs, initial: s.initialEpoch };
    r.n++;
    rounds.set(k, r);
  }
  assert.deepEqual(Object.fromEntries(rounds), {
    '2/0': { n: 9, epochs: 1, initial: 0 },
    '2/1': { n: 3, epochs: 3, initial: 1 },
    '2/2': { n: 1, epochs: 9, initial: 3 },
    '1/0': { n: 5, epochs: 3, initial: 0 },
    '1/1': { n: 2, epochs: 9, initial: 3 },
    '0/0': { n: 3, epochs: 9, initial: 0 },
  });
  assert.equal(o.planned, 23);
  // epochs trained in all, with weights carried over: 9*1 + 3*2 + 1*6 + 5*3 + 2*6 + 3*9
  assert.equal(o.slots.reduce((a, s) => a + s.epochs - s.initialEpoch, 0), 75);
});

/** Distance of the best trial from Synthetic's optimum (lr 1e-3, units 128, tanh). */
function nearOptimum(r: TrialRecord): boolean {
  return Math.abs(Math.log10(r.values.lr as number) + 3) <= 0.5 && Math.abs((r.values.units as number) - 128) <= 48 && r.values.activation === 'tanh';
}

test('each tuner finds the known optimum of a synthetic objective within its budget', async () => {
  const epochs = 10;
  const top = syntheticScore({ lr: 1e-3, units: 128, activation: 'tanh' }, epochs);
  const found: Record<string, { score: number; trials: number; values: unknown }> = {};
  const run = async (t: RandomSearch | GridSearch | Hyperband | BayesianOptimization): Promise<TrialRecord> => {
    await t.search(dd.x, dd.y, { epochs });
    const b = t.getBestTrials(1)[0]!;
    found[t.kind] = { score: b.score!, trials: t.trials.size, values: b.values };
    return b;
  };
  // Tolerance: within 0.02 of the optimum's score (about |log10 lr + 3| <= 0.45, |units - 128| <= 60, tanh).
  const random = await run(new RandomSearch({ hypermodel: new Synthetic(), objective: SCORE, maxTrials: 40, seed: 1, ...quiet }));
  assert.ok(random.score! >= top - 0.02 && nearOptimum(random), JSON.stringify(found));
  const grid = await run(new GridSearch({ hypermodel: new SyntheticGrid(), objective: SCORE, ...quiet }));
  assert.equal(found.GridSearch!.trials, 5 * 8 * 3);
  assert.deepEqual(grid.values, { lr: 1e-3, units: 128, activation: 'tanh' });
  const hb = await run(new Hyperband({ hypermodel: new Synthetic(), objective: SCORE, maxEpochs: 27, factor: 3, seed: 1, ...quiet }));
  assert.ok(hb.score! >= syntheticScore({ lr: 1e-3, units: 128, activation: 'tanh' }, 27) - 0.02 && nearOptimum(hb), JSON.stringify(found));
  const bo = await run(new BayesianOptimization({ hypermodel: new Synthetic(), objective: SCORE, maxTrials: 20, seed: 1, ...quiet }));
  assert.ok(bo.score! >= top - 0.01 && nearOptimum(bo), JSON.stringify(found));
  console.log(`known optimum ${top.toFixed(4)}; found: ${JSON.stringify(found)}`);
});

test('Hyperband carries trials over: later rounds continue the best of the previous round from their epochs', async () => {
  const t = new Hyperband({ hypermodel: new Synthetic(), objective: SCORE, maxEpochs: 9, factor: 3, seed: 4, ...quiet });
  await t.search(dd.x, dd.y);
  assert.equal(t.trials.size, 23);
  const recs = [...t.trials.values()];
  for (const r of recs.filter((x) => x.round! > 0)) {
    const parent = t.trials.get(r.parentId!)!;
    assert.equal(parent.bracket, r.bracket);
    assert.equal(parent.round, r.round! - 1);
    assert.deepEqual(r.values, parent.values);
    assert.equal(r.initialEpoch, parent.epochs);
    assert.equal(r.executions[0]!.history.val_score!.length, r.epochs - r.initialEpoch, 'only the new epochs are trained');
    // the promoted ones are the best of their round
    const round = recs.filter((x) => x.bracket === r.bracket && x.round === parent.round).sort((a, b) => b.score! - a.score!);
    const promoted = recs.filter((x) => x.bracket === r.bracket && x.round === r.round).map((x) => x.parentId).sort();
    assert.deepEqual(promoted, round.slice(0, promoted.length).map((x) => x.id).sort());
  }
});

test('the Gaussian process interpolates, is uncertain away from data, and EI prefers promising points', () => {
  const xs = [[0.05], [0.15], [0.3], [0.4], [0.45], [0.55], [0.9], [0.95]];
  const f = (x: number): number => Math.sin(6 * x);
  const gp = GaussianProcess.fit(xs, xs.map(([x]) => f(x!)));
  for (const x of [0.2, 0.35, 0.5]) assert.ok(Math.abs(gp.predict([x]).mean - f(x)) < 0.1, `at ${x}: ${gp.predict([x]).mean} vs ${f(x)}`);
  assert.ok(gp.predict([0.42]).std < gp.predict([0.72]).std / 2, 'uncertain far from the data');
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7 && Math.abs(normalCdf(1.96) - 0.975) < 1e-4, 'normal cdf');
  assert.ok(expectedImprovement(1, 0.1, 0.5) > expectedImprovement(0.4, 0.1, 0.5), 'EI grows with the mean');
  assert.ok(expectedImprovement(0.4, 1, 0.5) > expectedImprovement(0.4, 0.1, 0.5), 'EI grows with the uncertainty');
});

test('checkpoints hold weights and optimizer state; packed data round-trips', () => {
  manualSeed(0);
  const hp = new HyperParameters({ values: { units: 8, lr: 0.01, activation: 'tanh' } });
  const a = mlp(hp);
  const x = randn([16, 2]);
  const y = tensor(Array.from({ length: 16 }, (_, i) => i % 2), { dtype: 'int32' });
  a.fit(x, y, { epochs: 2, verbose: 0 });
  const bytes = encodeCheckpoint(a, a.trainer!.optimizer);
  manualSeed(1);
  const b = mlp(hp);
  restoreCheckpoint(b, b.trainer!.optimizer, bytes);
  assert.deepEqual(Array.from((b.predict(x) as Tensor).contiguousData()), Array.from((a.predict(x) as Tensor).contiguousData()));
  assert.deepEqual(b.trainer!.optimizer!.stateDict(), a.trainer!.optimizer!.stateDict());
  const d = unpackTrialData(packTrialData({ x: [x, x], y, validationData: [x, y] }));
  assert.ok(Array.isArray(d.x) && d.x.length === 2);
  assert.deepEqual(Array.from((d.y as Tensor).contiguousData()), Array.from(y.contiguousData()));
});

test('a real search: a tiny MLP on the moons; best models come back with their best-epoch weights', async () => {
  const { x, y, validationData } = moons();
  const t = new RandomSearch({ hypermodel: mlp, objective: 'val_accuracy', maxTrials: 4, seed: 5, ...quiet });
  await t.search(x, y, { epochs: 8, batchSize: 32, validationData });
  const [best] = t.getBestTrials(1);
  assert.ok(best!.score! >= 0.8, `best val_accuracy ${best!.score}`);
  const [model] = await t.getBestModels(1);
  const ev = (model as SequentialModel).evaluate(validationData![0], validationData![1], { batchSize: 32 });
  assert.ok(Math.abs(ev.accuracy! - best!.score!) < 1e-6, `rebuilt ${ev.accuracy} vs recorded ${best!.score}`);
  assert.equal(best!.metrics.val_accuracy, best!.score);
  const hp = t.getBestHyperparameters(1)[0]!;
  assert.deepEqual(hp.values, best!.values);
  assert.ok(t.hypermodel.build(hp) instanceof Object);
  const summary = t.resultsSummary(10, { print: false });
  assert.match(summary, /objective: val_accuracy \(higher is better\); 4 trials finished/);
  assert.match(summary, /trial\s+units\s+lr\s+activation\s+epochs\s+val_accuracy\s+status\s+seconds/);
  assert.match(summary, new RegExp(`best: trial ${best!.id}, val_accuracy ${best!.score!.toFixed(4)}`));
});

test('early stopping inside trials, executionsPerTrial, callbacks, and seeds', async () => {
  const { x, y, validationData } = moons();
  let epochsSeen = 0;
  const cb = new (class extends (await import('../src/model/index.ts')).Callback {
    override onEpochEnd(): void {
      epochsSeen++;
    }
  })();
  const t = new RandomSearch({ hypermodel: mlp, objective: 'val_loss', maxTrials: 2, seed: 6, executionsPerTrial: 2, ...quiet });
  await t.search(x, y, { epochs: 60, batchSize: 64, validationData, earlyStopping: { patience: 2, minDelta: 0.01 }, callbacks: [cb] });
  let total = 0;
  for (const r of t.trials.values()) {
    assert.equal(r.executions.length, 2);
    const [e0, e1] = r.executions;
    assert.notDeepEqual(e0!.history.val_loss, e1!.history.val_loss, 'each execution has its own seed');
    assert.ok(Math.abs(r.score! - (e0!.score! + e1!.score!) / 2) < 1e-12);
    for (const e of r.executions) {
      assert.ok(e.history.val_loss!.length < 60, `stopped early after ${e.history.val_loss!.length} epochs`);
      total += e.history.val_loss!.length;
    }
  }
  assert.equal(epochsSeen, total);
  // the same seed gives the same trials; another seed others
  const again = new RandomSearch({ hypermodel: mlp, objective: 'val_loss', maxTrials: 2, seed: 6, executionsPerTrial: 2, ...quiet });
  await again.search(x, y, { epochs: 60, batchSize: 64, validationData, earlyStopping: { patience: 2, minDelta: 0.01 } });
  for (const [id, r] of t.trials) assert.deepEqual(again.trials.get(id)!.executions, r.executions);
  const other = new RandomSearch({ hypermodel: mlp, objective: 'val_loss', maxTrials: 2, seed: 7, ...quiet });
  await other.search(x, y, { epochs: 1, validationData });
  assert.notDeepEqual(other.trials.get('0000')!.values, t.trials.get('0000')!.values);
});

test('an objective missing from the logs fails the trials with a clear message, then stops the search', async () => {
  const t = new RandomSearch({ hypermodel: mlp, objective: 'val_accuracy', maxTrials: 5, ...quiet });
  const { x, y } = moons();
  await assert.rejects(t.search(x, y, { epochs: 1 }), /RandomSearch\.search: trials that run; got 3 failures in a row, the last \(trial 0002\): ValueError: tune: the objective 'val_accuracy' in the fit logs; got loss, accuracy\. Pass validationData/);
  assert.equal(t.trials.size, 3);
  await assert.rejects(new RandomSearch({ hypermodel: mlp }).search(), /RandomSearch\.search: training data: search\(x, y, options\), or a hypermodel module exporting data\(\); got neither/);
});

test('Bayesian batches: the same proposals whatever order the trials of a batch finish in', async () => {
  const mk = (): BayesianOptimization => new BayesianOptimization({ hypermodel: new Synthetic(), objective: SCORE, maxTrials: 9, numInitialPoints: 3, batchSize: 3, seed: 3, ...quiet });
  const a = mk();
  await a.search(dd.x, dd.y, { epochs: 4 });
  // Replay with the oracle directly, finishing each batch in reverse order.
  const b = mk();
  await b.search(dd.x, dd.y, { epochs: 4 }); // populate space/oracle
  const oracle = b.oracle;
  const finished = new Map<string, TrialRecord>();
  for (;;) {
    const ready = oracle.ready(finished);
    if (!ready.length) break;
    for (const s of ready.reverse()) finished.set(s.id, a.trials.get(s.id)!);
    for (const s of ready) assert.deepEqual(s.values, a.trials.get(s.id)!.values);
  }
  assert.equal(finished.size, 9);
  const defs: HpDef[] = a.space;
  assert.equal(defs.length, 3);
});
