// One neurona measurement in its own process: `npx tsx bench/neurona-entry.ts w1|w2|w2fit|w3|w4|w5|w5b1`
// (NEURONA_BACKEND picks the backend; K1 is bench/k1.ts).
// Loads MNIST (not timed), runs the workload of bench/workloads.ts (W1, W2) or bench/w4.ts (W4) and
// prints one JSON line.
import { loadMnistSync } from '../src/node/index.ts';
import { w1, w2, w2Fit, w5 } from './workloads.ts';
import { w4 } from './w4.ts';
import { w3 } from './w3.ts';

const which = process.argv[2];
if (!['w1', 'w2', 'w2fit', 'w3', 'w4', 'w5', 'w5b1'].includes(which ?? '')) {
  process.stderr.write('usage: npx tsx bench/neurona-entry.ts w1|w2|w2fit|w3|w4|w5|w5b1\n');
  process.exit(2);
}
const data = loadMnistSync();
const run = { w1, w2, w2fit: w2Fit, w3, w4, w5: (d: typeof data) => w5(d, 1000), w5b1: (d: typeof data) => w5(d, 1) }[which as 'w1'];
const result = run(data);
process.stdout.write(`${JSON.stringify({ workload: which === 'w2fit' ? 'W2' : which.toUpperCase(), ...result })}\n`);
