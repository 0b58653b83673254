// Saving and loading Keras-style models: same outputs in a fresh process, training resumes exactly,
// corrupt or mismatched files are refused, checkpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, defaultGenerator, manualSeed, randn, tensor } from '../src/index.ts';
import type { Tensor } from '../src/index.ts';
import * as K from '../src/model/index.ts';
import { ModelCheckpoint, loadModel, saveModel } from '../src/node/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'neurona-save-'));
const root = fileURLToPath(new URL('..', import.meta.url));

function makeModel(): K.SequentialModel {
  const m = K.sequential([
    K.input({ shape: [4] }),
    K.dense({ units: 8, activation: 'relu', kernelRegularizer: K.l2(0.01) }),
    K.batchNormalization(),
    K.dropout({ rate: 0.1 }),
    K.dense({ units: 3, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: K.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

test('a saved model loaded in a fresh process predicts exactly the same', () => {
  manualSeed(0);
  const m = makeModel();
  const x = randn([16, 4]);
  m.fit(x, randn([16]).gt(0).int(), { epochs: 3, verbose: 0 });
  const file = saveModel(m, join(dir, 'a.safetensors'));
  writeFileSync(join(dir, 'x.json'), JSON.stringify(x.toArray()));
  const script = `
    import { tensor } from ${JSON.stringify(join(root, 'src/index.ts'))};
    import { loadModel } from ${JSON.stringify(join(root, 'src/node/index.ts'))};
    import { readFileSync } from 'node:fs';
    const m = loadModel(${JSON.stringify(file)});
    const x = tensor(JSON.parse(readFileSync(${JSON.stringify(join(dir, 'x.json'))}, 'utf8')));
    console.log(JSON.stringify(m.predict(x).toArray()));`;
  const checker = join(dir, 'load-check.ts');
  writeFileSync(checker, script);
  const out = execFileSync(process.execPath, ['--import', 'tsx', checker], { cwd: root, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim()), (m.predict(x) as Tensor).toArray());
});

test('resuming from a checkpoint continues the loss curve exactly', () => {
  const x = randn([40, 4]);
  const y = randn([40]).gt(0).int();
  manualSeed(1);
  const a = makeModel();
  const full = a.fit(x, y, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 }).history.loss!;
  manualSeed(1);
  const b = makeModel();
  const first = b.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 }).history.loss!;
  // Dropout draws from the global generator; building the loaded model draws too, so put the
  // generator back where the interrupted run left it (a checkpoint of the RNG, as a user would).
  const rng = defaultGenerator.getState();
  const file = saveModel(b, join(dir, 'resume.safetensors'));
  const c = loadModel(file);
  defaultGenerator.setState(rng);
  const rest = c.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 8, shuffle: false, verbose: 0 });
  assert.deepEqual(rest.epoch, [2, 3]);
  assert.deepEqual(first, full.slice(0, 2));
  assert.deepEqual(rest.history.loss, full.slice(2));
});

test('resuming restores the optimizer state (same next step as the uninterrupted model)', () => {
  manualSeed(2);
  const m = K.sequential([K.input({ shape: [3] }), K.dense({ units: 2 })]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const x = randn([8, 3]);
  const y = randn([8, 2]);
  m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
  const l = loadModel(saveModel(m, join(dir, 'opt.safetensors')));
  const s1 = m.trainOnBatch(x, y).loss;
  const s2 = l.trainOnBatch(x, y).loss;
  assert.equal(s1, s2);
  assert.deepEqual(m.stateDict()['dense.weight']!.toArray(), l.stateDict()['dense.weight']!.toArray());
});

test('functional models round trip', () => {
  manualSeed(3);
  const a = K.input({ shape: [3] });
  const b = K.input({ shape: [2] });
  const h = K.dense({ units: 4, activation: 'tanh' }).call(a);
  const out = K.dense({ units: 1 }).call(K.concatenate().call(h, b));
  const m = K.model({ inputs: [a, b], outputs: out });
  const xa = randn([5, 3]);
  const xb = randn([5, 2]);
  const l = loadModel(saveModel(m, join(dir, 'f.safetensors')));
  assert.deepEqual((l.predict([xa, xb]) as Tensor).toArray(), (m.predict([xa, xb]) as Tensor).toArray());
});

test('truncated, tampered and mismatched files are refused with clear errors', () => {
  manualSeed(4);
  const file = saveModel(makeModel(), join(dir, 'good.safetensors'));
  const bytes = readFileSync(file);
  writeFileSync(join(dir, 'trunc.safetensors'), bytes.subarray(0, bytes.length - 10));
  assert.throws(() => loadModel(join(dir, 'trunc.safetensors')), (e: Error) => e instanceof DataError && /trunc\.safetensors/.test(e.message));
  // Tamper with the header: change one data offset.
  const text = bytes.toString('latin1');
  assert.match(text, /"data_offsets":\[0,/);
  const tampered = Buffer.from(text.replace('"data_offsets":[0,', '"data_offsets":[4,'), 'latin1');
  assert.equal(tampered.length, bytes.length);
  writeFileSync(join(dir, 'tampered.safetensors'), tampered);
  assert.throws(() => loadModel(join(dir, 'tampered.safetensors')), (e: Error) => e instanceof DataError && /data_offsets|overlap|hole|gap/i.test(e.message));
  // Architecture JSON that names an unknown layer class (loading never evaluates code).
  // (The architecture is JSON inside a metadata string, so its quotes are escaped; same-length edits keep the header valid.)
  const evil = Buffer.from(text.replace('\\"className\\":\\"Dense\\"', '\\"className\\":\\"Evilx\\"'), 'latin1');
  assert.equal(evil.length, bytes.length);
  assert.notDeepEqual(evil, bytes);
  writeFileSync(join(dir, 'evil.safetensors'), evil);
  assert.throws(() => loadModel(join(dir, 'evil.safetensors')), /loadModel: a layer of a known class .*got "Evilx"/);
  // Weights that do not fit the architecture.
  const wrong = Buffer.from(text.replace('\\"units\\":3', '\\"units\\":4'), 'latin1');
  assert.notDeepEqual(wrong, bytes);
  writeFileSync(join(dir, 'wrong.safetensors'), wrong);
  assert.throws(() => loadModel(join(dir, 'wrong.safetensors')), /loadModel: weights that match the saved architecture/);
  assert.throws(() => loadModel(join(dir, 'missing.safetensors')), /loadModel: a readable model file at .*missing\.safetensors; got ENOENT/);
  const custom = K.sequential([K.input({ shape: [2] }), K.dense({ units: 1, activation: (t: Tensor) => t.mul(2) })]);
  assert.throws(() => saveModel(custom, join(dir, 'c.safetensors')), /saveModel: layers whose activation is named/);
});

test('ModelCheckpoint writes a file per epoch, or only on improvement', () => {
  manualSeed(5);
  const m = makeModel();
  const x = randn([16, 4]);
  const y = randn([16]).gt(0).int();
  const all = new ModelCheckpoint({ filepath: join(dir, 'ck-{epoch}.safetensors') });
  m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [all] });
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('ck-')).sort(), ['ck-1.safetensors', 'ck-2.safetensors', 'ck-3.safetensors']);
  const best = new ModelCheckpoint({ filepath: join(dir, 'best.safetensors'), monitor: 'loss', saveBestOnly: true });
  m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [best] });
  assert.ok(best.saved.length >= 1 && best.saved.length <= 3);
  const loaded = loadModel(join(dir, 'best.safetensors'));
  assert.equal(loaded.numParameters(), m.numParameters());
  void tensor;
});
