// Conformance: the op, autograd, gradient-check, nn and optimizer suites run again on every other
// backend (the default run covers the default backend; the TS backend is the reference), each in its
// own process with NEURONA_BACKEND set, so a backend kernel that differs from the reference fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getBackend, listBackends } from '../src/index.ts';
import { createWasmBackend, wasmThreading } from '../src/backend/wasm/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const suites = ['gradcheck', 'tensor', 'autograd', 'nn', 'optim', 'conv', 'recurrent'].map((s) => `test/${s}.test.ts`);
const others = listBackends().filter((b) => b !== getBackend().name);

for (const backend of others) {
  test(`the op and gradient suites pass on the ${backend} backend`, () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NEURONA_BACKEND: backend };
    delete env.NODE_TEST_CONTEXT; // else the child reports to this runner instead of running the files
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', ...suites], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 300_000,
    });
    const failed = (r.stdout + r.stderr).split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 20).join('\n');
    assert.equal(r.status, 0, `on ${backend}:\n${failed}`);
    const passed = (r.stdout.match(/\./g) ?? []).length;
    assert.ok(passed >= 100, `on ${backend}: the suites ran (${passed} tests passed)`);
  });
}

// The WASM kernels' relaxed-SIMD build (fused multiply-adds in the GEMM) is what browsers and Node >= 22
// load; Node 20 runs it only with --experimental-wasm-relaxed-simd. Where this process loaded the plain
// build, the products' suites run again in a process with that flag (and check it loaded the relaxed one).
createWasmBackend();
const relaxedHere = wasmThreading()?.features === 'relaxed-simd';
test("the WASM backend's relaxed-SIMD build passes the kernel, gradient, conv and nn suites", { skip: relaxedHere && 'this process runs the relaxed build already (the WASM run above covers it)' }, () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NEURONA_BACKEND: 'wasm', NEURONA_EXPECT_RELAXED_SIMD: '1' };
  delete env.NODE_TEST_CONTEXT;
  delete env.NEURONA_WASM_RELAXED;
  const files = ['backend', 'gradcheck', 'conv', 'nn', 'fused-inference'].map((s) => `test/${s}.test.ts`);
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--test', '--test-reporter=dot', ...files], { cwd: root, env, encoding: 'utf8', timeout: 300_000 });
  const failed = (r.stdout + r.stderr).split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 20).join('\n');
  assert.equal(r.status, 0, `relaxed SIMD:\n${failed}`);
  assert.ok((r.stdout.match(/\./g) ?? []).length >= 50, 'the suites ran');
});
