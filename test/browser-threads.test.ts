// The WASM backend's worker threads in a browser: a page served cross-origin isolated (COOP/COEP
// headers, so SharedArrayBuffer exists) starts its pool of Web Workers over a shared WebAssembly.Memory,
// and its products on 2 threads (A packed in parts by both, B copied in while they pack) and a
// convolution on them, forward and backward, equal those on 1 thread to the bit and the TS backend's
// within float32 rounding. Skipped, with the reason printed, where /usr/bin/chromium is missing (CI
// installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { coreBundle, withBrowser } from './chromium.ts';

test('in a cross-origin isolated page the WASM backend runs its products and convolutions on Web Workers, equal to the TS backend', (t) => withBrowser(t, async (browser) => {
  const bundle = await coreBundle();
  const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  const server = createServer((req, res) => {
    if (req.url === '/neurona.js') res.writeHead(200, { 'Content-Type': 'text/javascript', ...isolation }).end(bundle);
    else res.writeHead(200, { 'Content-Type': 'text/html', ...isolation }).end('<!doctype html><title>neurona</title><script src="/neurona.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const r = await page.evaluate(async () => {
      const nr = (globalThis as unknown as { neurona: typeof import('../src/index.ts') }).neurona;
      const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
      nr.setBackend('wasm');
      nr.setNumThreads(2);
      const threads = await nr.threadsReady();
      // (no named functions inside: the bundler's name helper does not exist in the page)
      // [m, k, n, A transposed, B transposed]: above the pool's threshold (2^21 multiply-adds); the
      // first three have A in 2 to 8 parts, ragged panels, and k over two blocks of 512
      const shapes: [number, number, number, boolean, boolean][] = [
        [517, 300, 40, false, false],
        [700, 400, 30, true, true],
        [1031, 513, 24, false, true],
        [128, 256, 200, false, false],
      ];
      // C = A·B and, through backward of sum(C²), dA = 2C·Bᵀ and dB = Aᵀ·2C: each product once per backend
      const run: number[][][] = [];
      let after = 0;
      for (const mode of ['2 threads', '1 thread', 'ts']) {
        if (mode === '1 thread') {
          after = nr.getNumThreads();
          nr.setNumThreads(1);
        }
        if (mode === 'ts') nr.setBackend('ts');
        run.push(
          shapes.flatMap(([m, k, n, ta, tb]) => {
            nr.manualSeed(m);
            const a = (ta ? nr.randn([k, m]).mT : nr.randn([m, k])).requiresGrad_();
            const b = (tb ? nr.randn([n, k]).mT : nr.randn([k, n])).requiresGrad_();
            const c = a.matmul(b);
            c.mul(c).sum().backward();
            return [[...c.contiguousData()], [...a.grad!.contiguousData()], [...b.grad!.contiguousData()]];
          }),
        );
        // a W3-sized convolution (32 -> 32 channels, 26x26: 5.3M multiply-adds per sample, on the pool):
        // its output, and the gradients of its input, weight and bias
        nr.manualSeed(7);
        const conv = new nr.nn.Conv2d(32, 32, 3);
        const x = nr.randn([2, 32, 26, 26]).requiresGrad_();
        const y = conv.forward(x);
        y.mul(y).sum().backward();
        run[run.length - 1]!.push([...y.contiguousData()], [...x.grad!.contiguousData()], ...conv.parameters().map((q) => [...q.grad!.contiguousData()]));
      }
      nr.setBackend('wasm');
      const [two, one, ts] = run as [number[][], number[][], number[][]];
      const errs: string[] = [];
      for (let q = 0; q < ts.length; q++) {
        const shape = shapes[Math.floor(q / 3)];
        const what = shape
          ? `[${shape[0]}, ${shape[1]}] x [${shape[1]}, ${shape[2]}]${shape[3] ? ', A transposed' : ''}${shape[4] ? ', B transposed' : ''}: ${['C', 'dA', 'dB'][q % 3]}`
          : `conv2d 32 -> 32 channels: ${['output', 'input gradient', 'weight gradient', 'bias gradient'][q - 3 * shapes.length]}`;
        // the threads split C's columns, each summed in the same order as on one thread: equal to the bit
        if (two[q]!.some((v, i) => !Object.is(v, one[q]![i]))) errs.push(`${what}: 2 threads differ from 1`);
        // against the TS backend: float32 sums in another order, relative to the output's largest value
        let err = 0, top = 0;
        for (let i = 0; i < ts[q]!.length; i++) {
          err = Math.max(err, Math.abs(two[q]![i]! - ts[q]![i]!));
          top = Math.max(top, Math.abs(ts[q]![i]!));
        }
        if (!(err <= 1e-5 * top) || two[q]!.length !== ts[q]!.length) errs.push(`${what}: max difference ${err} of ${top} from the TS backend`);
      }
      return { isolated, threads, after, errs, hc: navigator.hardwareConcurrency };
    });
    assert.deepEqual(errors, []);
    assert.ok(r.isolated, 'the page is cross-origin isolated (COOP/COEP headers): SharedArrayBuffer exists');
    assert.equal(r.threads, 2, `two WASM threads (the page and one Web Worker) start; hardwareConcurrency ${r.hc}`);
    assert.equal(r.after, 2, 'the pool is still up after the products (no worker died)');
    assert.deepEqual(r.errs, []);
  } finally {
    server.close();
  }
}));
