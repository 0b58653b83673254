import { getBackend, threadsReady } from '../../src/index.ts';
const be = getBackend();
await threadsReady();
const n = Number(process.argv[2] ?? 1024);
const cfgs = (process.argv[3] ?? '4,16').split(',').map(Number);
const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
const b = Float32Array.from({ length: n * n }, (_, i) => ((i * 5) % 11) / 11 - 0.5);
const c = new Float32Array(n * n);
const args = { a, b, c, m: n, n, k: n, transA: false, transB: false, lda: n, ldb: n, aOffsets: [0], bOffsets: [0] };
const reps = Math.max(1, Math.round(0.1 / (2 * n ** 3 / 80e9)));
const times = new Map<number, number[]>(cfgs.map((c) => [c, []]));
for (let r = 0; r < 15; r++) for (const cfg of cfgs) {
  (globalThis as any).__chunks = cfg;
  be.matmul(args);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) be.matmul(args);
  times.get(cfg)!.push((performance.now() - t0) / 1000 / reps);
}
for (const [cfg, t] of times) { t.sort((x, y) => x - y); console.log(cfg, 'median', (2 * n ** 3 / t[7]! / 1e9).toFixed(1), 'best', (2 * n ** 3 / t[0]! / 1e9).toFixed(1)); }
