// Backends: the WASM backend's kernels agree with the TypeScript reference; selection works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, listBackends, manualSeed, randn, setBackend } from '../src/index.ts';
import { tsBackend } from '../src/backend/ts/index.ts';
import { createWasmBackend } from '../src/backend/wasm/index.ts';

const wasm = createWasmBackend();

test('the WASM backend is available and the default in Node', () => {
  assert.ok(wasm, 'WebAssembly SIMD instantiates');
  assert.deepEqual(listBackends().sort(), ['ts', 'wasm']);
  assert.equal(getBackend().name, 'wasm');
});

test('WASM matmul equals the TS reference: shapes, edges, transposes, batches, accumulate', () => {
  manualSeed(0);
  const cases: [number, number, number, boolean, boolean][] = [
    [64, 256, 784, false, true], [256, 784, 64, true, false], [37, 29, 53, true, true], [33, 17, 300, false, false],
    [4, 8, 2048, true, false], [129, 65, 257, false, true],
  ];
  for (const [m, n, k, ta, tb] of cases) {
    const a = Float32Array.from({ length: m * k * 2 }, () => Math.random() - 0.5);
    const b = Float32Array.from({ length: k * n * 2 }, () => Math.random() - 0.5);
    for (const accumulate of [false, true]) {
      const c1 = Float32Array.from({ length: 2 * m * n }, () => 1);
      const c2 = c1.slice();
      const args = (c: Float32Array) => ({ a, b, c, m, n, k, transA: ta, transB: tb, lda: ta ? m : k, ldb: tb ? k : n, aOffsets: [0, m * k], bOffsets: [k * n, 0], accumulate });
      tsBackend.matmul(args(c1));
      wasm!.matmul(args(c2));
      let err = 0;
      for (let i = 0; i < c1.length; i++) err = Math.max(err, Math.abs(c1[i]! - c2[i]!));
      assert.ok(err < 1e-4 * Math.sqrt(k), `${m}x${n}x${k} ${ta} ${tb} acc=${accumulate}: max difference ${err}`);
    }
  }
});

test('tensor results agree across backends (matmul, linear, batched)', () => {
  manualSeed(1);
  const x = randn([3, 70, 40]);
  const y = randn([40, 50]);
  const w = randn([30, 40]);
  const run = (): number[] => [...x.matmul(y).contiguousData(), ...x.reshape([-1, 40]).linear(w).contiguousData()];
  setBackend('ts');
  const ref = run();
  setBackend('wasm');
  const got = run();
  let err = 0;
  for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!));
  assert.ok(err < 1e-4, `max difference ${err}`);
  assert.throws(() => setBackend('cuda'), /setBackend: a registered backend name \(ts, wasm\); got 'cuda'/);
});
