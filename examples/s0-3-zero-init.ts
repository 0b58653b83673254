// S0-3 — zero initialisation: the seed's network with every weight and bias 0 learns nothing useful.
// Every hidden unit gets the same gradient, so they stay equal (symmetry); the net predicts one class
// for (almost) every test image. Also prints the histogram of the training labels, as the seed does,
// and draws it (out/s0-3-label-histogram.png; `--out DIR` elsewhere) beside the predicted classes.
//
// Run: npx tsx examples/s0-3-zero-init.ts [--out out]
// Expected (seed 123): "distinct predicted classes: 1 (0)" and the share of that class in the test set:
//   test accuracy: 0.093
import { confusionMatrix, formatConfusionMatrix } from '../src/metrics/index.ts';
import { hconcat, histogram } from '../src/plot/index.ts';
import { runS02 } from './s0-2-mnist-from-scratch.ts';
import { writePlot } from './plot-out.ts';

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
const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
await writePlot('s0-3-label-histogram.png', hconcat(
  histogram(r.yTrain, { discrete: true, classes: digits, title: 'training labels (the seed\'s histogram)', xTitle: 'digit', width: 320 }),
  histogram(r.predictions, { discrete: true, classes: digits, title: 'predicted test classes, zero-initialised net', xTitle: 'digit', width: 320 }),
));
console.log(`test accuracy: ${r.accuracy.toFixed(3)}`);
