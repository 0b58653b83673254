import { randn, randint, noGrad, manualSeed } from '/work/main/src/index.ts';
import { Linear, ReLU, Sequential, crossEntropy, Tanh, Sigmoid, mseLoss } from '/work/main/src/nn/index.ts';
manualSeed(0);
const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 256), new ReLU(), new Linear(256, 10));
const x = randn([64, 784]); const y = randint(0, 10, [64]);
const params = model.parameters();
let t = performance.now();
for (let i = 0; i < 100; i++) {
  const loss = crossEntropy(model.forward(x), y);
  model.zeroGrad(); loss.backward();
  noGrad(() => { for (const p of params) { const d = p.data(), g = p.grad!.contiguousData(); for (let j = 0; j < d.length; j++) d[j]! -= 0.01 * g[j]!; } });
  if (i === 99) console.log('loss', loss.item());
}
console.log('W1 step ms', (performance.now() - t) / 100, '-> epoch s', (performance.now() - t) / 100 * 938 / 1000);
const m2 = new Sequential(new Linear(784, 16), new Tanh(), new Linear(16, 10), new Sigmoid());
const xs = randn([1, 784]); const ys = randn([1, 10]).sigmoid();
const p2 = m2.parameters();
t = performance.now();
for (let i = 0; i < 10000; i++) {
  const loss = mseLoss(m2.forward(xs), ys);
  m2.zeroGrad(); loss.backward();
  noGrad(() => { for (const p of p2) { const d = p.data(), g = p.grad!.contiguousData(); for (let j = 0; j < d.length; j++) d[j]! -= 0.1 * g[j]!; } });
}
console.log('W2 s', (performance.now() - t) / 1000);
