// K1 (shared/workloads.md): fp32 GEMM C = A·B for square n in {64, 256, 1024}, on all threads and on 1,
// through neurona's backend kernel (whichever NEURONA_BACKEND selects). Prints one JSON line.
import { getBackend, nativeBackendStatus, setNumThreads, threadsReady } from '../src/index.ts';

const be = getBackend();
const threadsAll = await threadsReady(); // the WASM workers start asynchronously
const results: { n: number; threads: number; gflops: number }[] = [];
for (const threads of [...new Set([threadsAll, 1])]) {
  setNumThreads(threads);
  await threadsReady(); // (the WASM workers answer only while this thread awaits)
  for (const n of [64, 256, 1024]) {
    const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
    const b = Float32Array.from({ length: n * n }, (_, i) => ((i * 5) % 11) / 11 - 0.5);
    const c = new Float32Array(n * n);
    const args = { a, b, c, m: n, n, k: n, transA: false, transB: false, lda: n, ldb: n, aOffsets: [0], bOffsets: [0] };
    // repetitions so that one timing block takes ~0.2 s at the expected speed
    const reps = Math.max(1, Math.round(0.2 / ((2 * n ** 3) / (be.name === 'native' ? 100e9 : be.name === 'wasm' ? 25e9 : 4e9))));
    be.matmul(args);
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) be.matmul(args);
      times.push((performance.now() - t0) / 1000 / reps);
    }
    times.sort((x, y) => x - y);
    results.push({ n, threads, gflops: (2 * n ** 3) / times[2]! / 1e9 });
  }
}
setNumThreads(threadsAll);
process.stdout.write(`${JSON.stringify({ workload: 'K1', backend: be.name, status: be.name === 'native' ? nativeBackendStatus() : be.name, results })}\n`);
