// S0-4 — binary cross-entropy and its derivative, written out as the seed asks, with the log(0) guard.
//   BCE(y, ŷ) = −[y·log(ŷ) + (1 − y)·log(1 − ŷ)]        dBCE/dŷ = −y/ŷ + (1 − y)/(1 − ŷ)
// At ŷ = 0 or 1 the log is −∞ (and the derivative divides by 0). The guard used here is the usual
// one: clip ŷ to [ε, 1 − ε] (ε = 1e-7, Keras's epsilon) before the log and the division. neurona's
// nn.bceLoss guards differently, as PyTorch does: it clamps each log at −100, so a confident wrong
// answer costs 100 instead of −log(1e-7) ≈ 16.12. Both are finite; away from the edges they agree.
//
// Run: npx tsx examples/s0-4-bce.ts        (instant)
// Expected:
//     y   ŷ        bce (clip)  dbce/dŷ (clip)   nn.bceLoss  autograd d/dŷ
//     1   0         16.118096    -1.000000e+7    100.000000            NaN
//     1   1e-12     16.118096    -1.000000e+7     27.631021  -1.000000e+12
//     1   0.5        0.693147       -2.000000      0.693147      -2.000000
//     1   0.999      0.001001       -1.001001      0.001000      -1.001001
//     1   1          0.000000       -1.000000      0.000000            NaN
//     (and the same for y = 0, mirrored)
//   max |bce(clip) − nn.bceLoss| for ŷ in [0.01, 0.99]: 1.0e-6      (float32 against float64)
// The clip changes the loss only where ŷ is within ε of the edge (ŷ = 1e-12 costs 16.1, not 27.6).
// Note the NaN column: nn.bceLoss's value is finite at ŷ = 0 and 1, but its autograd gradient there is
// NaN (the clamp's zero gradient times log's 1/0); PyTorch returns a finite gradient. Reported as a bug.
import { tensor } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';

export const EPS = 1e-7;
const clip = (p: number, eps: number): number => Math.min(Math.max(p, eps), 1 - eps);

/** Binary cross-entropy of one prediction, with ŷ clipped to [eps, 1 − eps] so log(0) never happens. */
export function bce(y: number, yHat: number, eps = EPS): number {
  const p = clip(yHat, eps);
  return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
}

/** Its derivative with respect to ŷ, on the same clipped ŷ (finite at 0 and 1). */
export function bcePrime(y: number, yHat: number, eps = EPS): number {
  const p = clip(yHat, eps);
  return -y / p + (1 - y) / (1 - p);
}

/** The seed's network uses whole output vectors: the mean over the output nodes, and its gradient. */
export const bceVec = (y: number[], yHat: number[]): number => y.reduce((s, yi, i) => s + bce(yi, yHat[i]!), 0) / y.length;
export const bcePrimeVec = (y: number[], yHat: number[]): number[] => y.map((yi, i) => bcePrime(yi, yHat[i]!) / y.length);

/** neurona's bceLoss on one value, and the gradient autograd gives for it. */
export function neuronaBce(y: number, yHat: number): { loss: number; grad: number } {
  const p = tensor([yHat], { requiresGrad: true });
  const loss = nn.bceLoss(p, tensor([y]));
  loss.backward();
  return { loss: loss.item(), grad: p.grad!.item() };
}

function main(): void {
  const f = (v: number, w = 13): string => (Math.abs(v) >= 1e5 && Number.isFinite(v) ? v.toExponential(6) : v.toFixed(6)).padStart(w);
  console.log('  y   ŷ        bce (clip)  dbce/dŷ (clip)   nn.bceLoss  autograd d/dŷ');
  for (const y of [1, 0]) {
    for (const p of [0, 1e-12, 0.5, 0.999, 1]) {
      const t = neuronaBce(y, p);
      console.log(`  ${y}   ${String(p).padEnd(6)} ${f(bce(y, p))} ${f(bcePrime(y, p), 15)} ${f(t.loss)} ${f(t.grad, 14)}`);
    }
  }
  let maxDiff = 0;
  for (let p = 0.01; p <= 0.99; p += 0.01) for (const y of [0, 1]) maxDiff = Math.max(maxDiff, Math.abs(bce(y, p) - neuronaBce(y, p).loss));
  console.log(`max |bce(clip) − nn.bceLoss| for ŷ in [0.01, 0.99]: ${maxDiff.toExponential(1)}`);
  console.log(`vector form (mean over outputs): bce([1,0,1], [0.9,0.2,0.6]) = ${bceVec([1, 0, 1], [0.9, 0.2, 0.6]).toFixed(6)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
