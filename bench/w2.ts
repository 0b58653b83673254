import { randn, noGrad, manualSeed } from '/work/main/src/index.ts';
import { Linear, Sequential, Tanh, Sigmoid, mseLoss } from '/work/main/src/nn/index.ts';
manualSeed(0);
const m2 = new Sequential(new Linear(784, 16), new Tanh(), new Linear(16, 10), new Sigmoid());
const xs = randn([1, 784]); const ys = randn([1, 10]).sigmoid();
const p2 = m2.parameters();
const t = performance.now();
for (let i = 0; i < 10000; i++) {
  const loss = mseLoss(m2.forward(xs), ys);
  m2.zeroGrad(); loss.backward();
  noGrad(() => { for (const p of p2) { const d = p.data(), g = p.grad!.contiguousData(); for (let j = 0; j < d.length; j++) d[j]! -= 0.1 * g[j]!; } });
}
console.log('W2 s', (performance.now() - t) / 1000);
