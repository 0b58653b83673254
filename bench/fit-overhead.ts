// The fit loop's overhead against a hand-written training loop on W1 (issue: at most +10%).
// Same network, same init, same optimizer, same batches; runs alternate, medians reported.
// Run: flock /tmp/bench.lock npx tsx bench/fit-overhead.ts [samples=20000] [runs=3]
import { manualSeed } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';
import { w1 } from './workloads.ts';
import * as K from '../src/model/index.ts';
import { loadMnistSync } from '../src/node/index.ts';
import { median } from './median.ts';

const samples = Number(process.argv[2] ?? 20000);
const runs = Number(process.argv[3] ?? 3);
const data = loadMnistSync({ trainSize: samples, testSize: 100 });
const x = data.train.images;
const y = data.train.labels;

function net(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 256), new nn.ReLU(), new nn.Linear(256, 10));
}

function hand(): number {
  return w1(data).seconds;
}

function fit(): number {
  manualSeed(0);
  const model = net();
  const trainer = K.compile(model, { optimizer: (p) => new Adam(p, { lr: 1e-3 }), loss: 'crossEntropy' });
  const t0 = performance.now();
  trainer.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 });
  return (performance.now() - t0) / 1000;
}

const h: number[] = [];
const f: number[] = [];
for (let i = 0; i < runs; i++) {
  h.push(hand());
  f.push(fit());
}
const mh = median(h);
const mf = median(f);
console.log(`W1 on ${samples} images, ${runs} runs each (alternating):`);
console.log(`hand-written loop: median ${mh.toFixed(2)} s  [${h.map((v) => v.toFixed(2)).join(', ')}]`);
console.log(`compile/fit:       median ${mf.toFixed(2)} s  [${f.map((v) => v.toFixed(2)).join(', ')}]`);
console.log(`fit overhead: ${(((mf - mh) / mh) * 100).toFixed(1)}%`);
