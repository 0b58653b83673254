// Backends: the WASM and native backends' kernels agree with the TypeScript reference; selection works.
// (test/conformance.test.ts reruns the op and gradient suites on each backend.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conv2d, maxPool2d, getBackend, getNumThreads, listBackends, manualSeed, nativeBackendStatus, randn, setBackend, setNumThreads } from '../src/index.ts';
import type { Backend } from '../src/index.ts';
import { tsBackend } from '../src/backend/ts/index.ts';
import { createWasmBackend, wasmThreading } from '../src/backend/wasm/index.ts';
import { jobTasks } from '../src/backend/wasm/threads.ts';
import { nativeAddon } from '../src/backend/backend.ts';
import { Adam, AdamW, SGD } from '../src/optim/index.ts';
import { LSTM, Parameter } from '../src/nn/index.ts';

const wasm = createWasmBackend();
const addon = nativeAddon();
const native = listBackends().includes('native') ? (setBackend('native'), getBackend()) : null;
if (native) setBackend(process.env.NEURONA_BACKEND ?? 'native');

test('the default backend is native where the addon is built, else WASM', () => {
  assert.ok(wasm, 'WebAssembly SIMD instantiates');
  // (set by conformance.test.ts when it reruns the suites under --experimental-wasm-relaxed-simd)
  if (process.env.NEURONA_EXPECT_RELAXED_SIMD) assert.equal(wasmThreading()!.features, 'relaxed-simd', 'the relaxed-SIMD build loads');
  else if (process.env.NEURONA_WASM_RELAXED === '0') assert.equal(wasmThreading()!.features, 'simd');
  if (!native) console.log(`# native backend not available: ${nativeBackendStatus()}`);
  assert.deepEqual(listBackends().sort(), native ? ['native', 'ts', 'wasm'] : ['ts', 'wasm']);
  if (!process.env.NEURONA_BACKEND) assert.equal(getBackend().name, native ? 'native' : 'wasm');
});

function matmulCases(be: Backend, label: string): void {
  manualSeed(0);
  const cases: [number, number, number, boolean, boolean][] = [
    [64, 256, 784, false, true], [256, 784, 64, true, false], [37, 29, 53, true, true], [33, 17, 300, false, false],
    [4, 8, 2048, true, false], [129, 65, 257, false, true], [1, 300, 200, false, true], [3, 17, 50, true, false], [2, 40, 33, true, true],
    [16, 784, 1, true, false], [40, 70, 1, false, true], [33, 65, 1, true, true],
    [1, 300, 200, false, false], [3, 70, 301, false, true], [2, 45, 517, false, false], [1, 255, 785, false, true],
    // A read in place by the AVX-512/AVX2 kernels: whole row panels and a packed rest, k over two blocks;
    // a row stride of 1024 floats, which is packed instead
    [30, 40, 1500, false, false], [20, 24, 1024, false, false],
    // operands of at most 16 floats (V8 keeps them on its heap; the native backend copies them to scratch)
    [1, 8, 300, false, true], [1, 300, 8, true, false], [300, 1, 8, false, true],
    // outer products big enough for the WASM kernel: a transposed B, and C's rows over several slices
    [64, 100, 1, false, true], [100, 800, 1, false, false],
  ];
  for (const [m, n, k, ta, tb] of cases) {
    const a = Float32Array.from({ length: m * k * 2 }, () => Math.random() - 0.5);
    const b = Float32Array.from({ length: k * n * 2 }, () => Math.random() - 0.5);
    for (const accumulate of [false, true]) {
      const c1 = Float32Array.from({ length: 2 * m * n }, () => 1);
      const c2 = c1.slice();
      const args = (c: Float32Array) => ({ a, b, c, m, n, k, transA: ta, transB: tb, lda: ta ? m : k, ldb: tb ? k : n, aOffsets: [0, m * k], bOffsets: [k * n, 0], accumulate });
      tsBackend.matmul(args(c1));
      be.matmul(args(c2));
      let err = 0;
      for (let i = 0; i < c1.length; i++) err = Math.max(err, Math.abs(c1[i]! - c2[i]!));
      assert.ok(err < 1e-4 * Math.sqrt(k), `${label} ${m}x${n}x${k} ${ta} ${tb} acc=${accumulate}: max difference ${err}`);
    }
  }
}

test('WASM matmul equals the TS reference: shapes, edges, transposes, batches, accumulate', () => {
  matmulCases(wasm!, 'wasm');
  // an outer product whose B entries are ldb apart (a transposed view of a wider matrix), from an offset
  const a = Float32Array.from({ length: 64 }, () => Math.random() - 0.5);
  const b = Float32Array.from({ length: 301 }, () => Math.random() - 0.5);
  const args = (c: Float32Array) => ({ a, b, c, m: 64, n: 100, k: 1, transA: false, transB: true, lda: 1, ldb: 3, aOffsets: [0], bOffsets: [1] });
  const ref = new Float32Array(6400);
  const got = new Float32Array(6400);
  tsBackend.matmul(args(ref));
  wasm!.matmul(args(got));
  for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ref[i]! - got[i]!) < 1e-6, `strided outer product at ${i}: ${got[i]} vs ${ref[i]}`);
});

test('native matmul equals the TS reference for every micro-kernel the CPU has, on 1 and 2 threads', { skip: !native && 'native addon not built' }, () => {
  const best = addon!.isa();
  const threads = getNumThreads();
  try {
    for (const isa of ['generic', 'avx2', 'avx512']) {
      if (!addon!.setIsa(isa)) continue;
      for (const t of [1, 2]) {
        setNumThreads(t);
        matmulCases(native!, `${isa}/${t} threads`);
      }
    }
  } finally {
    addon!.setIsa(best);
    setNumThreads(threads);
  }
  assert.throws(() => setNumThreads(0), /setNumThreads: a positive integer; got 0/);
  // spans are checked in the addon: a short array is refused, not read past its end
  assert.throws(() => addon!.sgemm(new Float32Array(3), 0, 2, false, new Float32Array(4), 0, 2, false, new Float32Array(4), 0, 2, 2, 2, false), /native sgemm: operands long enough for m=2 n=2 k=2; got A 3 \(needs 4\)/);
  // and a call with the wrong number of arguments is refused with both counts
  const loose = addon as unknown as Record<string, (...a: unknown[]) => unknown>;
  assert.throws(() => loose.sgemm!(new Float32Array(4), 0, 2), /native sgemm: 14 arguments; got 3 arguments/);
  assert.throws(() => loose.adam!(), /native adam: 15 arguments; got 0 arguments/);
  // (these returned undefined without an error before: a wrong count was not reported)
  assert.throws(() => loose.unary!(0, new Float32Array(2)), /native unary: code, x and out; got 2 arguments/);
  assert.throws(() => loose.maxPool2d!(new Float32Array(4)), /native maxPool2d: 14 arguments; got 1 arguments/);
  assert.throws(() => loose.lstmGates!(new Float32Array(4), new Float32Array(1), new Float32Array(2), new Float32Array(5), 1, 1, null), /native lstmGates: 6 arguments, or 8 with add and ldc; got 7 arguments/);
  assert.throws(() => loose.sumsq!(), /native sumsq: one Float32Array; got 0 arguments/);
  assert.throws(() => loose.conv2d!(), /native conv2d: 20 arguments and an optional activation code; got 0 arguments/);
});

test('fused optimizer steps (native, WASM) equal the TS loops: Adam, AMSGrad, AdamW, SGD with momentum and Nesterov', () => {
  const run = (backend: string, make: (p: Parameter[]) => { zeroGrad(): void; step(): void }): number[] => {
    setBackend(backend);
    manualSeed(3);
    // a small parameter (the optimizer's own loop), one big enough for the fused kernels (WASM: several
    // slices of 8192 and a tail of 1), one for the native threaded path (>= 65536 elements)
    const ps = [new Parameter(randn([257])), new Parameter(randn([16385])), new Parameter(randn([70001]))];
    const opt = make(ps);
    for (let s = 0; s < 5; s++) {
      opt.zeroGrad();
      for (const p of ps) p.mul(p).mul(randn(p.shape)).sum().backward();
      opt.step();
    }
    return ps.flatMap((p) => Array.from(p.contiguousData()));
  };
  const makers: [string, (p: Parameter[]) => { zeroGrad(): void; step(): void }][] = [
    ['adam', (p) => new Adam(p, { lr: 0.01, weightDecay: 0.1 })],
    ['amsgrad', (p) => new Adam(p, { lr: 0.01, amsgrad: true, maximize: true })],
    ['adamw', (p) => new AdamW(p, { lr: 0.01 })],
    ['sgd', (p) => new SGD(p, { lr: 0.1, weightDecay: 0.01 })],
    ['momentum', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1 })],
    ['nesterov', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })],
  ];
  const backends = [...(native ? ['native'] : []), ...(wasm ? ['wasm'] : [])];
  assert.ok(backends.length > 0, 'a backend with fused updates');
  try {
    for (const [name, make] of makers) {
      const ref = run('ts', make);
      for (const be of backends) {
        const got = run(be, make);
        for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ref[i]! - got[i]!) < 1e-5 * (1 + Math.abs(ref[i]!)), `${be} ${name}[${i}]: ${got[i]} vs ${ref[i]}`);
      }
    }
  } finally {
    setBackend(process.env.NEURONA_BACKEND ?? 'native');
  }
});

test('tensor results agree across backends (matmul, linear, batched)', () => {
  manualSeed(1);
  const x = randn([3, 70, 40]);
  const y = randn([40, 50]);
  const w = randn([30, 40]);
  const run = (): number[] => [...x.matmul(y).contiguousData(), ...x.reshape([-1, 40]).linear(w).contiguousData()];
  const before = getBackend().name;
  setBackend('ts');
  const ref = run();
  for (const name of listBackends().filter((b) => b !== 'ts')) {
    setBackend(name);
    const got = run();
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!));
    assert.ok(err < 1e-4, `${name}: max difference ${err}`);
  }
  setBackend(before);
  assert.throws(() => setBackend('cuda'), /setBackend: a registered backend name \(ts, wasm(, native)?\); got 'cuda'/);
});

test('conv2d and max pooling, forward and backward, on every backend equal the TS reference (strides, dilation, padding, groups)', () => {
  const before = getBackend().name;
  const run = (name: string): number[] => {
    setBackend(name);
    manualSeed(5);
    const x = randn([2, 4, 11, 9]).requiresGrad_();
    const w = randn([6, 2, 3, 3]).requiresGrad_();
    const b = randn([6]).requiresGrad_();
    const y = conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [2, 1], groups: 2 });
    // with a fused activation (applied by the backend's kernel to each sample's output), forward and backward
    const yr = conv2d(x, w, b, { padding: 1, groups: 2, activation: 'relu' });
    const yt = conv2d(x, w, null, { stride: 2, groups: 2, activation: 'tanh' });
    const ys = conv2d(x.mul(3), w, b, { groups: 2, activation: 'sigmoid' });
    // max pooling: the 2x2/stride-2 fast path and a padded 3x3/stride-2 window
    const p1 = maxPool2d(x, 2);
    const p2 = maxPool2d(x, 3, { stride: 2, padding: 1 });
    // a batch of 9 (uneven parts of the weight-gradient sum), only the input's gradient, then only the weight's
    const x2 = randn([9, 3, 7, 6]).requiresGrad_();
    const y2 = conv2d(x2, randn([5, 3, 3, 3]), null, { padding: 1 });
    const w3 = randn([4, 3, 2, 2]).requiresGrad_();
    const y3 = conv2d(randn([9, 3, 7, 6]), w3, null, { stride: 2 });
    // many planes (the WASM backend's slices of planes: their maxima's indices offset by the slice's start)
    // and an output width that is not a multiple of 4 (its 4-wide 2x2 loop and the scalar rest)
    const x4 = randn([3, 100, 30, 30]).requiresGrad_();
    const p4 = maxPool2d(x4, 2);
    y.mul(randn(y.shape)).sum().add(p1.mul(randn(p1.shape)).sum()).add(p2.mul(randn(p2.shape)).sum())
      .add(y2.mul(randn(y2.shape)).sum()).add(y3.mul(randn(y3.shape)).sum()).add(p4.mul(randn(p4.shape)).sum())
      .add(yr.mul(randn(yr.shape)).sum()).add(yt.mul(randn(yt.shape)).sum()).add(ys.mul(randn(ys.shape)).sum()).backward();
    return [...yr.contiguousData(), ...yt.contiguousData(), ...ys.contiguousData(), ...y.contiguousData(), ...p1.contiguousData(), ...p2.contiguousData(), ...x.grad!.contiguousData(), ...w.grad!.contiguousData(), ...b.grad!.contiguousData(),
      ...y2.contiguousData(), ...x2.grad!.contiguousData(), ...y3.contiguousData(), ...w3.grad!.contiguousData(), ...p4.contiguousData(), ...x4.grad!.contiguousData()];
  };
  try {
    const ref = run('ts');
    for (const name of listBackends().filter((n) => n !== 'ts')) {
      const got = run(name);
      assert.equal(got.length, ref.length);
      let err = 0;
      for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!) / (1 + Math.abs(ref[i]!)));
      assert.ok(err < 1e-5, `${name}: max relative difference ${err}`);
    }
  } finally {
    setBackend(before);
  }
});

test('conv2d of a large image on every backend equals the TS reference (native: columns in bands of output rows)', () => {
  const before = getBackend().name;
  const run = (name: string): number[] => {
    setBackend(name);
    manualSeed(6);
    // 16·9 x 101 column values per output row: 72 rows per band of 2^20 floats, so 2 bands
    const x = randn([2, 16, 102, 101]).requiresGrad_();
    const w = randn([3, 16, 3, 3]).requiresGrad_();
    const y = conv2d(x, w, null, { padding: 1 });
    y.mul(randn(y.shape)).sum().backward();
    return [...y.contiguousData(), ...x.grad!.contiguousData(), ...w.grad!.contiguousData()];
  };
  try {
    const ref = run('ts');
    for (const name of listBackends().filter((n) => n !== 'ts')) {
      const got = run(name);
      let err = 0;
      for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!) / (1 + Math.abs(ref[i]!)));
      // the weight gradient sums 2 x 10,302 products per value in float32
      assert.ok(err < 5e-4, `${name}: max relative difference ${err}`);
    }
  } finally {
    setBackend(before);
  }
});

test('activations (relu, sigmoid, tanh, exp, softmax, log-softmax) and LSTM steps on every backend equal the TS reference', () => {
  const before = getBackend().name;
  const run = (name: string): number[] => {
    setBackend(name);
    manualSeed(7);
    // large enough for the native kernels (>= 1024 elements), with values far into the saturated tails
    const x = randn([40, 64]).mul(6).requiresGrad_();
    const acts = [x.relu(), x.sigmoid(), x.tanh(), x.mul(0.1).exp(), x.mul(1e-3).tanh(), x.softmax(-1), x.logSoftmax(-1), x.softmax(0), x.narrow(1, 0, 7).logSoftmax(-1)];
    let total = acts.map((a) => a.mul(randn(a.shape)).sum()).reduce((a, b) => a.add(b));
    const lstm = new LSTM(24, 32);
    const seq = randn([12, 5, 24]).requiresGrad_();
    const out = lstm.forwardWithState(seq).output;
    total = total.add(out.mul(randn(out.shape)).sum());
    // a batch big enough (70 x 64 >= 4096 gate values per step) for the native gate kernels to split
    // the rows over the threads (35 + 35)
    const wide = new LSTM(8, 64);
    const seq2 = randn([4, 70, 8]).requiresGrad_();
    const out2 = wide.forwardWithState(seq2).output;
    total = total.add(out2.mul(randn(out2.shape)).sum());
    // a hidden size that is not a multiple of the SIMD width (the kernels' scalar tails), and an
    // activation over more values than one slice the WASM backend copies through its memory
    const odd = new LSTM(3, 6);
    const seq3 = randn([5, 3, 3]).requiresGrad_();
    const out3 = odd.forwardWithState(seq3).output;
    total = total.add(out3.mul(randn(out3.shape)).sum());
    const long = randn([16384 * 2 + 7]).mul(3);
    const longActs = [long.sigmoid(), long.tanh(), long.exp(), long.reshape([5, -1]).softmax(-1), long.reshape([5, -1]).logSoftmax(-1)];
    // enough values for the native activations and their gradients to split over the threads (blocks of 64 and a tail)
    const big = randn([70001]).mul(3).requiresGrad_();
    const bigActs = [big.relu(), big.sigmoid(), big.tanh()];
    total = total.add(bigActs.map((a) => a.mul(randn(a.shape)).sum()).reduce((a, b) => a.add(b)));
    total.backward();
    return [
      ...acts.flatMap((a) => [...a.contiguousData()]), ...x.grad!.contiguousData(), ...out.contiguousData(), ...seq.grad!.contiguousData(),
      ...lstm.parameters().flatMap((p) => [...p.grad!.contiguousData()]), ...out2.contiguousData(), ...seq2.grad!.contiguousData(),
      ...wide.parameters().flatMap((p) => [...p.grad!.contiguousData()]), ...out3.contiguousData(), ...seq3.grad!.contiguousData(),
      ...odd.parameters().flatMap((p) => [...p.grad!.contiguousData()]), ...longActs.flatMap((a) => [...a.contiguousData()]),
      ...bigActs.flatMap((a) => [...a.contiguousData()]), ...big.grad!.contiguousData(),
    ];
  };
  try {
    const ref = run('ts');
    for (const name of listBackends().filter((n) => n !== 'ts')) {
      const got = run(name);
      assert.equal(got.length, ref.length);
      let err = 0;
      let at = 0;
      for (let i = 0; i < ref.length; i++) {
        // relative, with a floor of 0.01: parameter gradients are sums over time steps with cancellation
        const e = Math.abs(ref[i]! - got[i]!) / (1e-2 + Math.abs(ref[i]!));
        if (e > err) [err, at] = [e, i];
      }
      assert.ok(err < 1e-4, `${name}: max relative difference ${err} at ${at} (${got[at]} vs ${ref[at]})`);
    }
  } finally {
    setBackend(before);
  }
});

test('native sumsq equals the sum of squares (blocks of 4096 summed in double)', { skip: !native && 'native addon not built' }, () => {
  manualSeed(9);
  const x = randn([10007]).contiguousData() as Float32Array;
  let ref = 0;
  for (const v of x) ref += v * v;
  assert.ok(Math.abs(native!.sumSquaresF32!(x) - ref) < 1e-5 * ref, `${native!.sumSquaresF32!(x)} vs ${ref}`);
});

test('native sum over an axis equals a double-precision sum (rows, columns, middle axis)', { skip: !native && 'native addon not built' }, () => {
  manualSeed(10);
  for (const [outer, r, inner] of [[1, 1792, 512], [3, 700, 5], [2, 5000, 1], [7, 1, 300]] as const) {
    const x = randn([outer * r * inner]).contiguousData() as Float32Array;
    const out = new Float32Array(outer * inner);
    native!.reduce('sum', x, outer, r, inner, out);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let ref = 0;
        for (let j = 0; j < r; j++) ref += x[(o * r + j) * inner + i]!;
        assert.ok(Math.abs(out[o * inner + i]! - ref) <= 1e-6 * Math.max(1, Math.abs(ref)), `[${outer},${r},${inner}] at ${o},${i}: ${out[o * inner + i]} vs ${ref}`);
      }
    }
  }
});

test('WASM worker threads join a synchronous loop (one that never yields to the event loop)', () => {
  const th = wasmThreading()!;
  th.setThreads(1);
  th.setThreads(2); // a fresh pool, started by the first large product below
  try {
    const n = 128;
    const a = new Float32Array(n * n).fill(1);
    const c = new Float32Array(n * n);
    const args = { a, b: a, c, m: n, n, k: n, transA: false, transB: false, lda: n, ldb: n, aOffsets: [0], bOffsets: [0] };
    const deadline = performance.now() + 20_000;
    let calls = 0;
    while (th.threads() !== 2 && performance.now() < deadline) {
      wasm!.matmul(args);
      calls++;
    }
    assert.equal(th.threads(), 2, `the workers were up within 20 s of products (${calls} calls) without an await`);
    wasm!.matmul(args); // and the product on them is right
    assert.ok(c.every((v) => v === n), 'every entry of ones(128) x ones(128) is 128');
  } finally {
    th.setThreads(Number(process.env.NEURONA_NUM_THREADS) || 2);
  }
});

test('WASM pool jobs: column chunks and parts of A sized by the threads, every task index below the closed mark', () => {
  // 2 threads: four chunks of C's columns a thread (whole panels of 8), A in parts of at least 64K values
  assert.deepEqual(jobTasks(2, 1024, 1024, 1024), { cols: 128, chunks: 8, parts: 8 });
  assert.deepEqual(jobTasks(2, 64, 256, 784), { cols: 32, chunks: 8, parts: 1 });
  assert.deepEqual(jobTasks(2, 517, 40, 300), { cols: 8, chunks: 5, parts: 2 });
  // many threads and huge products: at most 511 chunks and 511 parts (the claim counter has 10 bits, 1023 = closed)
  for (const threads of [64, 200, 1000]) {
    const t = jobTasks(threads, 1 << 16, 1 << 20, 1 << 12);
    assert.ok(t.chunks <= 511 && t.parts <= 511 && t.chunks + t.parts < 1023, `${threads} threads: ${JSON.stringify(t)}`);
    assert.ok(t.cols % 8 === 0 && t.cols * t.chunks >= 1 << 20 && t.cols * (t.chunks - 1) < 1 << 20, `${threads} threads: chunks cover n once: ${JSON.stringify(t)}`);
  }
});

test('WASM matmul on worker threads (shared memory) equals the TS reference', async () => {
  const th = wasmThreading()!;
  th.setThreads(2);
  try {
    const threads = await th.ready();
    assert.equal(threads, 2, 'two WASM threads start in Node (worker_threads + shared WebAssembly.Memory)');
    matmulCases(wasm!, 'wasm/2 threads');
    // the threaded path was taken: products above the threshold, and the pool is up
    assert.equal(th.threads(), 2);
    // op(A) big enough to be packed in parts by both threads (from 2 x 65536 values; 8 parts at most):
    // ragged last panels, A transposed, k over two blocks of 512 (the second of one step), a batch of 2
    for (const [m, n, k, ta, tb] of [[517, 40, 300, false, false], [700, 30, 400, true, true], [1031, 24, 513, false, true], [263, 64, 1100, true, false]] as const) {
      const a = Float32Array.from({ length: 2 * m * k }, () => Math.random() - 0.5);
      const b = Float32Array.from({ length: 2 * k * n }, () => Math.random() - 0.5);
      for (const accumulate of [false, true]) {
        const args = (c: Float32Array) => ({ a, b, c, m, n, k, transA: ta, transB: tb, lda: ta ? m : k, ldb: tb ? k : n, aOffsets: [m * k, 0], bOffsets: [0, k * n], accumulate });
        const ref = Float32Array.from({ length: 2 * m * n }, () => 1);
        const got = ref.slice();
        tsBackend.matmul(args(ref));
        wasm!.matmul(args(got));
        let err = 0;
        for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!));
        assert.ok(err < 1e-4 * Math.sqrt(k), `wasm/2 threads, A packed in parts: ${m}x${n}x${k} ${ta} ${tb} acc=${accumulate}: max difference ${err}`);
      }
    }
    // bKey: B's copy in the pool's memory is reused only for the same key, array, offset and size, and
    // forgotten when another product or a conv overwrites that memory
    {
      const [m, n, k] = [64, 256, 128];
      const rnd = (len: number): Float32Array => Float32Array.from({ length: len }, () => Math.random() - 0.5);
      const w1 = rnd(2 * n * k);
      const w2 = rnd(2 * n * k);
      const key = {};
      const check = (b: Float32Array, bo: number, bKey: object | undefined, what: string): void => {
        const a = rnd(m * k);
        const args = (c: Float32Array) => ({ a, b, c, m, n, k, transA: false, transB: true, lda: k, ldb: k, aOffsets: [0], bOffsets: [bo], bKey });
        const ref = new Float32Array(m * n);
        const got = new Float32Array(m * n);
        tsBackend.matmul(args(ref));
        wasm!.matmul(args(got));
        let err = 0;
        for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!));
        assert.ok(err < 1e-4 * Math.sqrt(k), `wasm/2 threads bKey, ${what}: max difference ${err}`);
      };
      check(w1, 0, key, 'first product');
      check(w1, 0, key, 'same key (B kept)');
      check(w2, 0, key, 'same key, another array');
      check(w2, n * k, key, 'same key, another offset');
      check(w1, 0, undefined, 'no key');
      check(w2, n * k, key, 'the key again after a product without one');
      const img = Float32Array.from({ length: 2 * 32 * 26 * 26 }, () => Math.random());
      const g = { c: 32, h: 26, w: 26, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0, ho: 24, wo: 24 };
      wasm!.conv2dF32!(img, rnd(32 * 32 * 9), null, new Float32Array(2 * 32 * 24 * 24), 2, 1, 32, g);
      check(w2, n * k, key, 'the key again after a conv');
    }
    // conv2d on the pool: a W3-sized layer (32 -> 32 channels, 26x26: 5.3M multiply-adds per sample, above
    // the threshold), forward and backward, against the TS kernels
    const before = getBackend().name;
    const run = (name: string): number[] => {
      setBackend(name);
      manualSeed(8);
      const x = randn([3, 32, 26, 26]).requiresGrad_();
      const w = randn([32, 32, 3, 3]).requiresGrad_();
      const b = randn([32]).requiresGrad_();
      const y = conv2d(x, w, b);
      // and with a fused activation (taken through sample by sample, the bias gradient summed on the pool)
      const yr = conv2d(x, w, b, { activation: 'relu' });
      y.mul(randn(y.shape)).sum().add(yr.mul(randn(yr.shape)).sum()).backward();
      return [...y.contiguousData(), ...yr.contiguousData(), ...x.grad!.contiguousData(), ...w.grad!.contiguousData(), ...b.grad!.contiguousData()];
    };
    try {
      const ref = run('ts');
      const got = run('wasm');
      let err = 0;
      for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!) / (1 + Math.abs(ref[i]!)));
      assert.ok(err < 1e-4, `wasm/2 threads conv2d: max relative difference ${err}`);
    } finally {
      setBackend(before);
    }
  } finally {
    th.setThreads(Number(process.env.NEURONA_NUM_THREADS) || 2);
  }
});

test('TS ReLU loops on the float bits (large arrays) equal the scalar definition exactly: signs, zeros, infinities, NaN', () => {
  for (const n of [100, 5000]) {
    const x = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? -0 : Math.sin(i) * 10 ** ((i % 9) - 4)));
    x.set([NaN, -NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45], 3);
    const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i) * 3);
    const y = new Float32Array(n);
    const d = new Float32Array(n);
    assert.ok(tsBackend.mapNamed!('relu', x, y) && tsBackend.mapGradNamed!('relu', x, y, g, d));
    for (let i = 0; i < n; i++) {
      assert.ok(Object.is(y[i], x[i]! > 0 ? x[i] : 0), `relu(${x[i]}) at ${i} (n=${n}): ${y[i]}`);
      assert.ok(Object.is(d[i], x[i]! > 0 ? g[i] : 0), `relu'(${x[i]}) x ${g[i]} at ${i} (n=${n}): ${d[i]}`);
    }
    // in place (the fused linear + relu writes its output over itself)
    const z = x.slice();
    tsBackend.mapNamed!('relu', z, z);
    assert.deepEqual([...z].map((v) => (Object.is(v, -0) ? 'neg0' : v)), [...y].map((v) => (Object.is(v, -0) ? 'neg0' : v)));
  }
});
