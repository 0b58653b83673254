// S0-3 — zero initialisation: the seed's network with every weight and bias 0 learns nothing useful.
// Every hidden unit gets the same gradient, so they stay equal (symmetry); the net predicts one class
// for (almost) every test image. Also prints the histogram of the training labels, as the seed does.
//
// Run: npx tsx examples/s0-3-zero-init.ts
// Expected (seed 123): "distinct predicted classes: 1 (0)" and the share of that class in the test set:
//   test accuracy: 0.093
import { confusionMatrix, formatConfusionMatrix } from '../src/metrics/index.ts';
import { runS02 } from './s0-2-mnist-from-scratch.ts';

const r = runS02({ init: 'zeros' });
const counts = new Array<number>(10).fill(0);
for (const v of r.yTrain.contiguousData()) counts[v]!++;
const max = Math.max(...counts);
console.log('\nhistogram of the training labels:');
counts.forEach((c, d) => console.log(`${d} | ${'#'.repeat(Math.round((c / max) * 40)).padEnd(40)} ${c}`));
const distinct = new Set(r.predictions);
console.log(`\nconfusion matrix for the zero-initialised model`);
console.log(formatConfusionMatrix(confusionMatrix(r.yTest, r.predictions, 10)));
console.log(`distinct predicted classes: ${distinct.size} (${[...distinct].join(', ')})`);
console.log(`test accuracy: ${r.accuracy.toFixed(3)}`);
