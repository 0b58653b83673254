// S4-2 — the notebook's exercise: a "boxcar" function, boxcar(x) = A·(H(x − a) − H(x − b)) (A on [a, b],
// 0 elsewhere), from a network with input x ∈ ℝ, one hidden layer of two sigmoid neurons and an output
// y ∈ ℝ. The intuition behind the universal approximation theorem: weighted sums of such boxes
// approximate any continuous function on a compact set.
//
// 1. Hand-set weights: a steep sigmoid switches on at a, another at b, and the output takes their
//    difference: y = A·(σ(k(x − a)) − σ(k(x − b))), i.e. hidden weights [k, k], biases [−k·a, −k·b],
//    output weights [A, −A], bias 0. The larger k, the sharper the edges (σ → H as k → ∞).
// 2. The same 1-2-1 net learned by gradient descent (Adam, MSE) from 200 samples of the boxcar.
//
// Run: npx tsx examples/s4-2-boxcar.ts        (about 1 s)
// Expected (a = −1, b = 1, A = 1, k = 20; manualSeed 0):
//   epoch 500  mse=0.01981 ... epoch 2000  mse=0.00819
//        x  boxcar  hand-set  learned   hand-set net
//    -3.00       0     0.000   -0.011   |
//    -1.00       1     0.500    0.476   |###############
//     0.00       1     1.000    1.025   |##############################
//     1.00       0     0.500    0.474   |###############
//     3.00       0     0.000   -0.010   |          (every 0.25 in the printed table)
//   hand-set max |error| away from the edges (|x ∓ 1| ≥ 0.25): 0.0067
//   learned: mse=0.00819; hidden weights -16.04, -14.18; edges at x = 0.992, -0.992; output weights 1.03, -1.04
// Gradient descent finds the same construction (mirrored: decreasing sigmoids, output σ(b-side) − σ(a-side)).
import { linspace, manualSeed, noGrad, tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';

export const boxcar = (x: number, a = -1, b = 1, A = 1): number => (x >= a && x < b ? A : 0);

/** The hand-set 1-2(sigmoid)-1 net: y = A·(σ(k(x − a)) − σ(k(x − b))). */
export function handSetBoxcar(a = -1, b = 1, A = 1, k = 20): nn.Sequential {
  const hidden = new nn.Linear(1, 2);
  const out = new nn.Linear(2, 1);
  noGrad(() => {
    hidden.weight.copy_(tensor([[k], [k]]));
    hidden.bias!.copy_(tensor([-k * a, -k * b]));
    out.weight.copy_(tensor([[A, -A]]));
    out.bias!.copy_(tensor([0]));
  });
  return new nn.Sequential(hidden, new nn.Sigmoid(), out);
}

/** Learns the boxcar from `n` samples on [lo, hi] with the same 1-2-1 architecture. */
export function learnBoxcar(opts: { seed?: number; epochs?: number; lr?: number; n?: number; log?: (s: string) => void } = {}): { net: nn.Sequential; mse: number } {
  const { seed = 0, epochs = 2000, lr = 0.05, n = 200, log } = opts;
  manualSeed(seed);
  const x = linspace(-3, 3, n).reshape([-1, 1]);
  const y = tensor(Array.from(x.contiguousData(), (v) => [boxcar(v)]));
  const net = new nn.Sequential(new nn.Linear(1, 2), new nn.Sigmoid(), new nn.Linear(2, 1));
  const opt = new Adam(net.parameters(), { lr });
  let mse = Infinity;
  for (let e = 1; e <= epochs; e++) {
    const loss = nn.mseLoss(net.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    mse = loss.item();
    if (e % 500 === 0) log?.(`epoch ${e}  mse=${mse.toFixed(5)}`);
  }
  return { net, mse };
}

export const evalNet = (net: nn.Module, xs: number[]): number[] => Array.from(noGrad(() => net.forward(tensor(xs.map((v) => [v])))).contiguousData());

function main(): void {
  const hand = handSetBoxcar();
  const learned = learnBoxcar({ log: console.log });
  const xs = Array.from({ length: 25 }, (_, i) => -3 + i * 0.25);
  const h = evalNet(hand, xs);
  const l = evalNet(learned.net, xs);
  console.log('\n     x  boxcar  hand-set  learned   hand-set net');
  xs.forEach((x, i) => {
    const bar = '#'.repeat(Math.max(0, Math.round(h[i]! * 30)));
    console.log(`${x.toFixed(2).padStart(6)}  ${boxcar(x).toFixed(0).padStart(6)}  ${h[i]!.toFixed(3).padStart(8)}  ${l[i]!.toFixed(3).padStart(7)}   |${bar}`);
  });
  const fine = Array.from({ length: 601 }, (_, i) => -3 + i * 0.01).filter((x) => Math.abs(x + 1) >= 0.25 && Math.abs(x - 1) >= 0.25);
  const hf = evalNet(hand, fine);
  const maxErr = Math.max(...fine.map((x, i) => Math.abs(hf[i]! - boxcar(x))));
  console.log(`hand-set max |error| away from the edges (|x ∓ 1| ≥ 0.25): ${maxErr.toFixed(4)}`);
  const [lin1, , lin2] = [...learned.net.children()] as [nn.Linear, nn.Module, nn.Linear];
  const w = Array.from(lin1.weight.contiguousData());
  const b = Array.from(lin1.bias!.contiguousData());
  console.log(`learned: mse=${learned.mse.toFixed(5)}; hidden weights ${w.map((v) => v.toFixed(2)).join(', ')}; edges at x = ${w.map((v, i) => (-b[i]! / v).toFixed(3)).join(', ')}; output weights ${Array.from(lin2.weight.contiguousData(), (v) => v.toFixed(2)).join(', ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
